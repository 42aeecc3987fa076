"""Every statement of a backup and a restore: any table's rows in primary-key order, a batch at a time;
rows put back; a self-reference set once the rows it points at are back; a table emptied; how many rows a
table holds; and the schema's migration."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession


async def rows(session: AsyncSession, table: sa.Table, batch: int) -> AsyncIterator[Sequence[sa.Row[Any]]]:
    """The table's rows, in primary-key order, ``batch`` at a time (a server-side cursor on PostgreSQL)."""
    result = await session.stream(sa.select(table).order_by(*table.primary_key.columns))
    async for partition in result.partitions(batch):
        yield partition


async def put_back(session: AsyncSession, table: sa.Table, values: list[dict[str, Any]]) -> None:
    """Insert the rows (each a dict by column name)."""
    if values:
        await session.execute(sa.insert(table), values)


async def point(session: AsyncSession, table: sa.Table, column: str, pointers: list[dict[str, Any]]) -> None:
    """Set ``column`` of each row ``{"row": id, "to": value}`` of the table (keyed by its ``id``)."""
    if pointers:
        stmt = sa.update(table).where(table.c.id == sa.bindparam("row")).values({column: sa.bindparam("to")})
        # On the connection: an ORM session would want the table's mapped class for an executemany.
        await (await session.connection()).execute(stmt, pointers)


async def clear(session: AsyncSession, table: sa.Table) -> None:
    """Delete every row of the table (one the migrations fill, in a database that holds nothing else)."""
    await session.execute(sa.delete(table))


async def count(session: AsyncSession, table: sa.Table) -> int:
    return (await session.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()


async def revision(session: AsyncSession) -> str | None:
    """The migration the database is at (None for one never migrated)."""
    found = await session.execute(sa.text("SELECT version_num FROM alembic_version"))
    return found.scalar()
