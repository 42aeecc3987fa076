"""Queries on what the IRO writes to the children of a case."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import ChildSummary, IroIntroduction
from portal.access.repository import CaseRows
from portal.auth.actor import Viewer


async def introductions_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[IroIntroduction]]:
    """Each case's IRO introductions that the viewer may read (everyone who reads the case: how a child
    keeps in touch with their IRO is the case's), the latest first."""
    return await _INTRODUCTIONS.fetch(session, viewer, case_ids)


async def summaries_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ChildSummary]]:
    """Each case's summaries for children of resolved disputes, the latest first: their disputes' own
    readers are the caller's to check (portal/disputes/service.py decides who sees a dispute)."""
    return await _SUMMARIES.fetch(session, viewer, case_ids)


_INTRODUCTIONS = CaseRows(
    IroIntroduction, order_by=(IroIntroduction.explained_on.desc(), IroIntroduction.id.desc())
)
_SUMMARIES = CaseRows(ChildSummary, order_by=(ChildSummary.written_at.desc(), ChildSummary.child_id))


async def introduction_of(
    session: AsyncSession, case_id: uuid.UUID, child_id: uuid.UUID, iro_id: uuid.UUID
) -> IroIntroduction | None:
    """One IRO's introduction to one child of a case, for them to change."""
    found = await session.execute(
        sa.select(IroIntroduction).where(
            IroIntroduction.proceedings_id == case_id,
            IroIntroduction.child_id == child_id,
            IroIntroduction.iro_id == iro_id,
        )
    )
    return found.scalar_one_or_none()
