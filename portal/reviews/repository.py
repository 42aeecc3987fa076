"""Queries on looked-after reviews."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseRole, Review
from portal.access.repository import Template
from portal.auth.actor import Viewer
from portal.db import grouped
from portal.in_list import in_list, in_param


async def held_reviews(
    session: AsyncSession, child_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Review]]:
    """Each child's reviews held so far, oldest first."""
    return await grouped(
        session,
        sa.select(Review.child_id, Review)
        .where(in_list(Review.child_id, child_ids), Review.held_on.is_not(None))
        .order_by(Review.held_on),
    )


_REVIEWS = Template(
    lambda filters: (
        sa.select(
            Review,
            # The record: once shared with the guardian (P5); before that, only the IRO's.
            sa.or_(
                Review.record_shared_at.is_not(None), filters.member_as([CaseRole.IRO], Review.proceedings_id)
            ).label("record_visible"),
        )
        .where(in_param(Review.proceedings_id, "case_ids"), filters.granted(Review.proceedings_id))
        .order_by(Review.review_date, Review.id)
    )
)


async def reviews_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[Review, bool]]]:
    """Each case's reviews, held or booked, by date, each with whether the viewer may read its record: once
    it is shared with the guardian (P5); before that, only the IRO."""
    rows = await session.execute(*_REVIEWS.bound(viewer, case_ids=list(case_ids)))
    found: dict[uuid.UUID, list[tuple[Review, bool]]] = defaultdict(list)
    for review, visible in rows:
        found[review.proceedings_id].append((review, bool(visible)))
    return found


async def booked_reviews(session: AsyncSession, child_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Review]:
    """Each child's review booked and not yet held, for the children who have one."""
    rows = await session.execute(
        sa.select(Review).where(in_list(Review.child_id, child_ids), Review.held_on.is_(None))
    )
    return {r.child_id: r for r in rows.scalars()}
