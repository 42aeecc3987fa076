"""View versions: a counter per case, and one for the directory, moved by triggers in the transaction of
every write to a table a case's views read, so that a view's answer can be served again while its case and
the directory stand at the versions it was computed at (portal/reuse).

Each table is named here as it stands at this revision: a table added later that a view reads needs its
triggers in the migration that adds it (tests/test_reuse.py fails until it has them).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 00:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Rows that name their case.
CASE_ROWS = [
    "case_membership",
    "closure",
    "consultation_arrangement",
    "contact",
    "court_paper",
    "discussion",
    "extension",
    "final_order",
    "forwarding_confirmation",
    "handover",
    "legal_hold",
    "monitoring_item",
    "obligation",
    "paper_version",
    "proceedings_child",
    "raised_issue",
    "review",
    "stage_change",
    "upload",
]
# Rows that name their case through the row they belong to: (table, its column, the table it names).
THROUGH = [
    ("agreed_action", "discussion_id", "discussion"),
    ("contact_chase", "contact_id", "contact"),
    ("contact_reply", "contact_id", "contact"),
    ("monitoring_item_move", "item_id", "monitoring_item"),
    ("obligation_event", "obligation_id", "obligation"),
    ("paper_share", "version_id", "paper_version"),
]
# Rows of a child: every case of the child moves.
CHILD_ROWS = [("child", "id"), ("legal_status_entry", "child_id")]
DIRECTORY_ROWS = ["organisation", "obligation_rule", "person", "person_role", "team"]
NIL = "00000000-0000-0000-0000-000000000000"


def _cases_of(table: str, row: str, source: str = "") -> str:
    """A SELECT of the case ids (or the directory's), as ``s``, that a changed row of ``table`` touches:
    ``row`` names the row, from ``source`` (a transition table, on PostgreSQL) or alone (SQLite's NEW, OLD)."""

    def through(parent: str, key: str, column: str) -> str:
        if source:
            return f"SELECT p.proceedings_id AS s FROM {source} {row} JOIN {parent} p ON p.{key} = {row}.{column}"
        return f"SELECT p.proceedings_id AS s FROM {parent} p WHERE p.{key} = {row}.{column}"

    from_ = f" FROM {source} {row}" if source else ""
    if table == "proceedings":
        return f"SELECT {row}.id AS s{from_}"
    if table in CASE_ROWS:
        return f"SELECT {row}.proceedings_id AS s{from_}"
    for name, column, parent in THROUGH:
        if name == table:
            return through(parent, "id", column)
    for name, column in CHILD_ROWS:
        if name == table:
            return through("proceedings_child", "child_id", column)
    nil = f"'{NIL}'::uuid" if source else f"'{NIL.replace('-', '')}'"
    return f"SELECT {nil} AS s{from_}"


def _tables() -> list[str]:
    return (
        ["proceedings", *CASE_ROWS] + [t for t, _, _ in THROUGH] + [t for t, _ in CHILD_ROWS] + DIRECTORY_ROWS
    )


def _bump(select: str) -> str:
    return (
        "INSERT INTO view_version (scope, version) "
        # In order, so that two transactions moving the same counters take their locks in the same order.
        f"SELECT DISTINCT s, 1 FROM ({select}) AS cases WHERE s IS NOT NULL ORDER BY s "
        "ON CONFLICT (scope) DO UPDATE SET version = view_version.version + 1"
    )


def upgrade() -> None:
    op.create_table(
        "view_version",
        sa.Column("scope", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_view_version")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in _tables():
        if postgresql:
            # One statement per statement, over its transition tables: a bulk write moves each case once.
            op.execute(
                f"""
                CREATE FUNCTION view_version_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' THEN
                        {_bump(_cases_of(table, "r", "changed") + " UNION " + _cases_of(table, "r", "previous"))};
                    ELSE
                        {_bump(_cases_of(table, "r", "changed"))};
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
                op.execute(
                    f"CREATE TRIGGER view_version_{event.lower()} AFTER {event} ON {table} "
                    f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION view_version_{table}()"
                )
        else:
            for event, rows in (("INSERT", ["NEW"]), ("UPDATE", ["NEW", "OLD"]), ("DELETE", ["OLD"])):
                selects = " UNION ".join(_cases_of(table, row) for row in rows)
                op.execute(
                    f"CREATE TRIGGER view_version_{table}_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN {_bump(selects)}; END"
                )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in _tables():
        if postgresql:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER view_version_{event} ON {table}")
            op.execute(f"DROP FUNCTION view_version_{table}()")
        else:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER view_version_{table}_{event}")
    op.drop_table("view_version")
