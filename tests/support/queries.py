"""Counting SQL statements, so that an N+1 can't land."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

import models


class QueryCounter:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @contextmanager
    def __call__(self) -> Iterator[list[str]]:
        """Collect the statements run on the engine inside the block."""
        statements: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            # Transaction control is not a query (and SQLite's explicit BEGIN has no PostgreSQL twin).
            if (
                not statement.lstrip()
                .upper()
                .startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
            ):
                statements.append(statement)

        event.listen(self.engine.sync_engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(self.engine.sync_engine, "before_cursor_execute", record)


AUDIT_TABLES = {"audit_event", "audit_head"}


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    """How many rows each table holds, but for the audit trail (which records even refused requests):
    equal before and after means nothing was written."""
    async with engine.connect() as connection:
        return {
            table.name: (await connection.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
            for table in models.metadata.sorted_tables
            if table.name not in AUDIT_TABLES
        }


async def audit_since(engine: AsyncEngine, seq: int) -> list[tuple[str, str]]:
    """The (action, outcome) of each audit event after row ``seq``."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            sa.select(models.AuditEvent.action, models.AuditEvent.outcome)
            .where(models.AuditEvent.seq > seq)
            .order_by(models.AuditEvent.seq)
        )
        return [(action, outcome.value) for action, outcome in rows]


async def audit_head(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(sa.select(models.AuditHead.seq))).scalar_one()


@asynccontextmanager
async def audit_triggers_set_aside(
    connection: AsyncConnection, tables: tuple[str, ...] = ("audit_event",)
) -> AsyncIterator[None]:
    """Inside the block the audit trail takes UPDATE and DELETE, as it would for someone with the database
    owner's rights; its append-only triggers are back afterwards. On SQLite, ``tables`` names other tables
    whose guarding triggers to set aside too (emptying the database between tests)."""
    if connection.dialect.name == "postgresql":
        await connection.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        yield
        await connection.execute(sa.text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))
        return
    triggers = (
        await connection.execute(
            sa.text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN :tables"
            ).bindparams(sa.bindparam("tables", expanding=True)),
            {"tables": list(tables)},
        )
    ).all()
    for name, _ in triggers:
        await connection.execute(sa.text(f"DROP TRIGGER {name}"))
    yield
    for _, sql in triggers:
        await connection.execute(sa.text(sql))
