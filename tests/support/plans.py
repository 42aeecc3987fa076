"""The statements a piece of work runs, and their query plans: to show which indexes the dashboards use."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine


@contextlib.asynccontextmanager
async def statements(engine: AsyncEngine) -> AsyncIterator[list[tuple[str, Any]]]:
    """Every SELECT run on ``engine`` inside the block, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    sa.event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", record)


async def plan(engine: AsyncEngine, statement: str, parameters: Any, *, analyse: bool = False) -> str:
    """The database's plan for one captured statement, as text (PostgreSQL: run, with actual times, when
    ``analyse``; on a small test database, with sequential scans discouraged, which shows the indexes that
    are usable where the planner would scan a tiny table anyway)."""
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            explain = "EXPLAIN QUERY PLAN "
        else:
            explain = "EXPLAIN (ANALYZE, COSTS OFF) " if analyse else "EXPLAIN (COSTS OFF) "
            if not analyse:
                await conn.exec_driver_sql("SET enable_seqscan = off")
        rows = (await conn.exec_driver_sql(explain + statement, parameters)).all()
        await conn.rollback()
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


def indexes_used(plan_text: str) -> set[str]:
    return set(re.findall(r"\b(ix_[a-z0-9_]+)", plan_text))
