"""Queries on discussion records and the actions agreed in them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import AgreedAction, Discussion
from portal.access.policy import Permission
from portal.access.repository import CaseRows, granted
from portal.auth.actor import Viewer
from portal.db import grouped
from portal.in_list import in_list


async def discussions_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Discussion]]:
    """Each case's discussion records, the most recently held first (and, on one day, the latest
    recorded first)."""
    return await _DISCUSSIONS.fetch(session, viewer, case_ids)


_DISCUSSIONS = CaseRows(Discussion, order_by=(Discussion.held_on.desc(), Discussion.recorded_at.desc()))


async def actions_by_discussion(
    session: AsyncSession, viewer: Viewer, discussion_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[AgreedAction]]:
    """Each discussion's agreed actions, in the order they were recorded."""
    return await grouped(
        session,
        sa.select(AgreedAction.discussion_id, AgreedAction)
        .join(Discussion, Discussion.id == AgreedAction.discussion_id)
        .where(
            in_list(AgreedAction.discussion_id, discussion_ids),
            granted(viewer, Permission.READ_CASE, Discussion.proceedings_id),
        )
        .order_by(AgreedAction.position),
    )
