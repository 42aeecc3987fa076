"""Counting SQL statements, so that an N+1 can't land."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

import models


class QueryCounter:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @contextmanager
    def __call__(self) -> Iterator[list[str]]:
        """Collect the statements run on the engine inside the block."""
        statements: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(statement)

        event.listen(self.engine.sync_engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(self.engine.sync_engine, "before_cursor_execute", record)


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    """How many rows each table holds: equal before and after means nothing was written."""
    async with engine.connect() as connection:
        return {
            table.name: (await connection.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
            for table in models.metadata.sorted_tables
        }
