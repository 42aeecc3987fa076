"""Counting SQL statements, so that an N+1 can't land."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

import models


class QueryCounter:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @contextmanager
    def __call__(self) -> Iterator[list[str]]:
        """Collect the statements run on the engine inside the block."""
        statements: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            # Transaction control is not a query (and SQLite's explicit BEGIN and PRAGMAs have no PostgreSQL
            # twin).
            if (
                not statement.lstrip()
                .upper()
                .startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA"))
            ):
                statements.append(statement)

        event.listen(self.engine.sync_engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(self.engine.sync_engine, "before_cursor_execute", record)


AUDIT_TABLES = {"audit_event", "audit_queue", "audit_seal"}
# The tables whose triggers refuse UPDATE and DELETE.
AUDIT_GUARDED = ("audit_event", "audit_seal")


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    """How many rows each table holds, but for the audit trail (which records even refused requests):
    equal before and after means nothing was written."""
    async with engine.connect() as connection:
        return {
            table.name: (await connection.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
            for table in models.metadata.sorted_tables
            if table.name not in AUDIT_TABLES
        }


async def audit_mark(engine: AsyncEngine) -> set[object]:
    """The events recorded so far, to tell the ones that come after."""
    async with engine.connect() as connection:
        return set((await connection.execute(sa.select(models.AuditEvent.id))).scalars())


async def audit_events(engine: AsyncEngine, after: set[object] | None = None) -> list[models.AuditEvent]:
    """The audit events (those recorded since ``after``, a mark), in the order they occurred."""
    async with AsyncSession(engine) as session:
        stmt = sa.select(models.AuditEvent).order_by(models.AuditEvent.occurred_at, models.AuditEvent.id)
        return [e for e in (await session.execute(stmt)).scalars() if after is None or e.id not in after]


async def audit_since(engine: AsyncEngine, after: set[object]) -> list[tuple[str, str]]:
    """The (action, outcome) of each audit event recorded since ``after``, in order."""
    return [(e.action, e.outcome.value) for e in await audit_events(engine, after)]


@asynccontextmanager
async def audit_triggers_set_aside(
    connection: AsyncConnection, tables: tuple[str, ...] = ("audit_event", "audit_seal")
) -> AsyncIterator[None]:
    """Inside the block the audit trail takes UPDATE and DELETE, as it would for someone with the database
    owner's rights; its append-only triggers are back afterwards (the trigger that queues new events stays).
    On SQLite, ``tables`` names the tables whose guarding triggers to set aside (emptying the database
    between tests adds the handover's)."""
    if connection.dialect.name == "postgresql":
        for table in AUDIT_GUARDED:
            await connection.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
        yield
        for table in AUDIT_GUARDED:
            await connection.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only"))
        return
    triggers = (
        await connection.execute(
            sa.text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN :tables "
                "AND name != 'audit_event_enqueue'"
            ).bindparams(sa.bindparam("tables", expanding=True)),
            {"tables": list(tables)},
        )
    ).all()
    for name, _ in triggers:
        await connection.execute(sa.text(f"DROP TRIGGER {name}"))
    yield
    for _, sql in triggers:
        await connection.execute(sa.text(sql))
