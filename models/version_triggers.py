"""The SQL of the view-version triggers (models/versions.py), for the migrations that add them: each moves,
in the transaction of every write to a table a case's views read, the counters of the cases (or of the
directory) the written rows touch.

A migration names its tables as they stand at its revision, each by how its rows lead to their case
(``Follow``); this module only writes the SQL, so it must keep writing the same SQL for the same input."""

from __future__ import annotations

from dataclasses import dataclass, field

NIL = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class Follow:
    """How rows lead to their case, table by table."""

    # Rows that name their case.
    case_rows: list[str] = field(default_factory=list)
    # Rows that name their case through the row they belong to: (table, its column, the table it names).
    through: list[tuple[str, str, str]] = field(default_factory=list)
    # Rows of a child, (table, its column naming the child): every case of the child moves.
    child_rows: list[tuple[str, str]] = field(default_factory=list)
    # Rows of the directory: its one counter moves.
    directory_rows: list[str] = field(default_factory=list)
    # Whether the proceedings table itself is among them.
    proceedings: bool = False

    def tables(self) -> list[str]:
        return (
            (["proceedings"] if self.proceedings else [])
            + self.case_rows
            + [t for t, _, _ in self.through]
            + [t for t, _ in self.child_rows]
            + self.directory_rows
        )

    def cases_of(self, table: str, row: str, source: str = "") -> str:
        """A SELECT of the case ids (or the directory's), as ``s``, that a changed row of ``table`` touches:
        ``row`` names the row, from ``source`` (a transition table, on PostgreSQL) or alone (SQLite's NEW,
        OLD)."""

        def through(parent: str, key: str, column: str) -> str:
            if source:
                joined = f"JOIN {parent} p ON p.{key} = {row}.{column}"
                return f"SELECT p.proceedings_id AS s FROM {source} {row} {joined}"
            return f"SELECT p.proceedings_id AS s FROM {parent} p WHERE p.{key} = {row}.{column}"

        from_ = f" FROM {source} {row}" if source else ""
        if table == "proceedings":
            return f"SELECT {row}.id AS s{from_}"
        if table in self.case_rows:
            return f"SELECT {row}.proceedings_id AS s{from_}"
        for name, column, parent in self.through:
            if name == table:
                return through(parent, "id", column)
        for name, column in self.child_rows:
            if name == table:
                return through("proceedings_child", "child_id", column)
        nil = f"'{NIL}'::uuid" if source else f"'{NIL.replace('-', '')}'"
        return f"SELECT {nil} AS s{from_}"


def _bump(select: str) -> str:
    return (
        "INSERT INTO view_version (scope, version) "
        # In order, so that two transactions moving the same counters take their locks in the same order.
        f"SELECT DISTINCT s, 1 FROM ({select}) AS cases WHERE s IS NOT NULL ORDER BY s "
        "ON CONFLICT (scope) DO UPDATE SET version = view_version.version + 1"
    )


def create(follow: Follow, postgresql: bool) -> list[str]:
    """The statements that create the triggers of every table ``follow`` names."""
    statements = []
    for table in follow.tables():
        if postgresql:
            # One statement per statement, over its transition tables: a bulk write moves each case once.
            changed = follow.cases_of(table, "r", "changed")
            previous = follow.cases_of(table, "r", "previous")
            statements.append(
                f"""
                CREATE FUNCTION view_version_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' THEN
                        {_bump(changed + " UNION " + previous)};
                    ELSE
                        {_bump(changed)};
                    END IF;
                    RETURN NULL;
                END $$
                """
            )
            for event, referencing in (
                ("INSERT", "NEW TABLE AS changed"),
                ("UPDATE", "NEW TABLE AS changed OLD TABLE AS previous"),
                ("DELETE", "OLD TABLE AS changed"),
            ):
                statements.append(
                    f"CREATE TRIGGER view_version_{event.lower()} AFTER {event} ON {table} "
                    f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION view_version_{table}()"
                )
        else:
            for event, rows in (("INSERT", ["NEW"]), ("UPDATE", ["NEW", "OLD"]), ("DELETE", ["OLD"])):
                selects = " UNION ".join(follow.cases_of(table, row) for row in rows)
                statements.append(
                    f"CREATE TRIGGER view_version_{table}_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN {_bump(selects)}; END"
                )
    return statements


def drop(follow: Follow, postgresql: bool) -> list[str]:
    """The statements that drop them."""
    statements = []
    for table in follow.tables():
        if postgresql:
            statements += [
                f"DROP TRIGGER view_version_{event} ON {table}" for event in ("insert", "update", "delete")
            ]
            statements.append(f"DROP FUNCTION view_version_{table}()")
        else:
            statements += [
                f"DROP TRIGGER view_version_{table}_{event}" for event in ("insert", "update", "delete")
            ]
    return statements
