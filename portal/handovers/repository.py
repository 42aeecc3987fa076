"""Queries on handovers, the closing of the guardian's involvement, and the IRO's monitoring items."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseRole, Closure, Handover, HandoverState, MonitoringItem
from portal.access.policy import Permission
from portal.access.repository import CaseRows, granted, member_as, readable_cases
from portal.auth.actor import System, Viewer
from portal.in_list import in_list


async def latest(session: AsyncSession, case_id: uuid.UUID) -> Handover | None:
    """The case's handover with the highest version (draft, submitted or answered), if any."""
    return await session.scalar(
        sa.select(Handover)
        .where(Handover.proceedings_id == case_id)
        .order_by(Handover.version.desc())
        .limit(1)
    )


async def save_draft_at_revision(
    session: AsyncSession,
    handover_id: uuid.UUID,
    revision: int,
    *,
    answers: dict[str, Any],
    by: uuid.UUID,
    at: datetime,
) -> bool:
    """Write the draft's answers and move it to the next revision, only if it is still a draft at
    ``revision`` (nobody saved it since): whether it was written. The session's copy is not updated."""
    stmt = (
        sa.update(Handover)
        .where(
            Handover.id == handover_id, Handover.revision == revision, Handover.state == HandoverState.DRAFT
        )
        .values(answers=answers, revision=revision + 1, updated_by_id=by, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    # An UPDATE's result is a CursorResult, with a rowcount (AsyncSession.execute is typed as any Result).
    claimed = cast(sa.CursorResult[Any], await session.execute(stmt))
    return claimed.rowcount == 1


async def mark_submitted(
    session: AsyncSession, handover_id: uuid.UUID, *, by: uuid.UUID, at: datetime
) -> None:
    """Record the handover as submitted. The session's copy is not updated."""
    await session.execute(
        sa.update(Handover)
        .where(Handover.id == handover_id)
        .values(state=HandoverState.SUBMITTED, submitted_at=at, submitted_by_id=by)
        .execution_options(synchronize_session=False)
    )


async def mark_answered(
    session: AsyncSession,
    handover_id: uuid.UUID,
    state: HandoverState,
    *,
    questions: str | None,
    by: uuid.UUID,
    at: datetime,
) -> None:
    """Record the IRO's answer: ``state`` (acknowledged or returned), with their questions if any. The
    session's copy is not updated."""
    await session.execute(
        sa.update(Handover)
        .where(Handover.id == handover_id)
        .values(state=state, answered_at=at, answered_by_id=by, questions=questions)
        .execution_options(synchronize_session=False)
    )


async def handovers_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Handover]]:
    """Each case's handovers that the viewer may read, every version, the latest first: for the guardian,
    the IRO and their managers (P14); a draft, only for the guardian writing it."""
    return await _HANDOVERS.fetch(session, viewer, case_ids)


_HANDOVERS = CaseRows(
    Handover,
    need=Permission.READ_HANDOVER,
    where=lambda filters: (
        # A draft: only for the guardian writing it.
        sa.or_(
            Handover.state != HandoverState.DRAFT,
            filters.member_as([CaseRole.GUARDIAN], Handover.proceedings_id),
        ),
    ),
    order_by=(Handover.version.desc(),),
)


async def closures_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Closure]:
    """The closing of the guardian's involvement on each case where it has closed."""
    rows = await session.execute(
        sa.select(Closure).where(
            in_list(Closure.proceedings_id, case_ids),
            granted(viewer, Permission.READ_CASE, Closure.proceedings_id),
        )
    )
    return {c.proceedings_id: c for c in rows.scalars()}


async def open_monitoring_items(session: AsyncSession, viewer: Viewer) -> list[MonitoringItem]:
    """The viewer's open monitoring items, the soonest due first: theirs, on cases where they are the live
    IRO and may read the handover (P15)."""
    if isinstance(viewer, System):
        return []
    rows = await session.execute(
        sa.select(MonitoringItem)
        .where(
            MonitoringItem.iro_id == viewer.person_id,
            MonitoringItem.done_at.is_(None),
            member_as(viewer, [CaseRole.IRO], MonitoringItem.proceedings_id),
            readable_cases(viewer, MonitoringItem.proceedings_id, Permission.READ_HANDOVER),
        )
        .order_by(MonitoringItem.due_on)
    )
    return list(rows.scalars())


async def items_left_with_former_iros(
    session: AsyncSession, case_id: uuid.UUID, live_iros: Sequence[uuid.UUID]
) -> list[MonitoringItem]:
    """The case's open monitoring items whose IRO is none of ``live_iros``."""
    rows = await session.execute(
        sa.select(MonitoringItem).where(
            MonitoringItem.proceedings_id == case_id,
            MonitoringItem.done_at.is_(None),
            MonitoringItem.iro_id.not_in(list(live_iros)),
        )
    )
    return list(rows.scalars())
