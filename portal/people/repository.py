"""Queries about people."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import PersonRole, Role


async def roles_by_person(
    session: AsyncSession, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Role]]:
    rows = await session.execute(
        sa.select(PersonRole.person_id, PersonRole.role).where(PersonRole.person_id.in_(person_ids))
    )
    grouped: dict[uuid.UUID, list[Role]] = defaultdict(list)
    for person_id, role in rows:
        grouped[person_id].append(role)
    return grouped
