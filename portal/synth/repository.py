"""The synthetic dataset's bulk statements: rows inserted in batches, and the planner's statistics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

BATCH = 5_000


async def insert_rows(session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (column values) into ``model``'s table, ``BATCH`` at a time, without loading them into
    the session."""
    for start in range(0, len(rows), BATCH):
        await session.execute(sa.insert(model), rows[start : start + BATCH])


async def analyze(session: AsyncSession) -> None:
    """Refresh the planner's statistics for every table (ANALYZE, on SQLite and PostgreSQL alike)."""
    await session.execute(sa.text("ANALYZE"))
