"""The view versions: how many times a case's views, and the directory they name, have changed."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import DIRECTORY, ViewVersion


async def versions(session: AsyncSession, case_id: uuid.UUID) -> tuple[int, int]:
    """The case's version and the directory's (0 for one never written since the counters began)."""
    rows = await session.execute(
        sa.select(ViewVersion.scope, ViewVersion.version).where(ViewVersion.scope.in_([case_id, DIRECTORY]))
    )
    found = dict(rows.all())
    return found.get(case_id, 0), found.get(DIRECTORY, 0)
