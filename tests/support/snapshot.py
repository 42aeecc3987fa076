"""A database's rows, taken once and put back before each test that needs them: a rich world costs seconds to
build through the services, and putting its rows back costs a few milliseconds.

The audit trail is left out: it is append-only, its queue is filled by a trigger as events are inserted,
and nothing the portal does reads old events to decide anything (a case's access log simply starts empty).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

import models
from tests.support.queries import AUDIT_TABLES


@dataclass(frozen=True)
class Snapshot:
    """Every table's rows but the audit trail's, by table name, in the order they may be inserted."""

    rows: dict[str, list[dict[str, Any]]]

    def ids(self) -> dict[str, list[uuid.UUID]]:
        """The ids of each table's rows, for the tables whose key is a single uuid."""
        found: dict[str, list[uuid.UUID]] = {}
        for table in models.metadata.sorted_tables:
            keys = list(table.primary_key.columns)
            if table.name in self.rows and len(keys) == 1 and keys[0].name == "id":
                ids = [row["id"] for row in self.rows[table.name] if isinstance(row["id"], uuid.UUID)]
                if ids:
                    found[table.name] = ids
        return found


async def take(engine: AsyncEngine) -> Snapshot:
    rows: dict[str, list[dict[str, Any]]] = {}
    async with engine.connect() as connection:
        for table in models.metadata.sorted_tables:
            if table.name in AUDIT_TABLES or table.name == "view_version":  # triggers fill it as rows go back
                continue
            found = [dict(row._mapping) for row in await connection.execute(sa.select(table))]
            if found:
                rows[table.name] = found
    return Snapshot(rows)


async def restore(engine: AsyncEngine, snapshot: Snapshot) -> None:
    """Insert the snapshot's rows into an empty database (the suite empties it after each test)."""
    async with engine.begin() as connection:
        for table in models.metadata.sorted_tables:
            if table.name in snapshot.rows:
                await connection.execute(table.insert(), snapshot.rows[table.name])
