"""Queries on looked-after reviews."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import Review
from portal.db import grouped


async def held_reviews(
    session: AsyncSession, child_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Review]]:
    """Each child's reviews held so far, oldest first."""
    return await grouped(
        session,
        sa.select(Review.child_id, Review)
        .where(Review.child_id.in_(child_ids), Review.held_on.is_not(None))
        .order_by(Review.held_on),
    )


async def reviews_by_case(
    session: AsyncSession, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Review]]:
    """Each case's reviews, held or booked, by date."""
    return await grouped(
        session,
        sa.select(Review.proceedings_id, Review)
        .where(Review.proceedings_id.in_(case_ids))
        .order_by(Review.review_date, Review.id),
    )


async def booked_reviews(session: AsyncSession, child_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Review]:
    """Each child's review booked and not yet held, for the children who have one."""
    rows = await session.execute(
        sa.select(Review).where(Review.child_id.in_(child_ids), Review.held_on.is_(None))
    )
    return {r.child_id: r for r in rows.scalars()}
