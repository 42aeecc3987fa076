"""Reviews held before a child's proceedings came to the portal (issue 18). A child looked after before the
proceedings (accommodated under section 20, say) has had reviews already: their IRO records the day each was
held, so that the reg 33 schedule carries on from them. The first review duty (R1), opened from the day the
child became looked after, is met by the first of them on the day it was held, and the next duty opens from
the last. Nothing the protocol asks around a review (P4, P5, P11) was due through the portal then, so none
opens; the review says it was held before the portal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models import Review
from portal import clock
from portal.access.policy import Permission
from portal.access.service import access_case
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.errors import ErrorCode, Problems
from portal.obligations import looked_after
from portal.reviews import repository
from portal.reviews.schedule import next_review
from portal.reviews.service import iro_children
from portal.validation import check_past_date


@dataclass(frozen=True)
class RecordEarlierReview:
    case_id: uuid.UUID
    child_id: uuid.UUID
    held_on: date | None


async def record_earlier_review(session: AsyncSession, actor: Actor, data: RecordEarlierReview) -> Review:
    """Record a review of a looked-after child held before the case came to the portal (the child's IRO); its
    place in the schedule follows from the reviews held before it. Recorded in order: each after the last."""
    access = await access_case(session, actor, data.case_id, Permission.MANAGE_REVIEWS)
    problems = Problems()
    child = (await iro_children(session, access, actor)).get(data.child_id)
    if child is None or child.looked_after_since is None:
        problems.add(ErrorCode.NOT_ON_CASE, "You are not the IRO for that looked-after child", "childId")
        problems.raise_if_any()
    assert child is not None
    assert child.looked_after_since is not None
    held = [
        r.held_on for r in (await repository.held_reviews(session, [child.id])).get(child.id, []) if r.held_on
    ]
    last = max((day for day in held if day >= child.looked_after_since), default=None)
    check_past_date(
        problems,
        data.held_on,
        "heldOn",
        missing="Enter the date the review was held",
        label="The date held",
        today=clock.today(),
        not_before=last + timedelta(days=1) if last else child.looked_after_since,
        too_early=(
            f"The date held must be after {child.given_name}'s last review, {last:%-d %B %Y}"
            if last
            else f"The date held must be on or after the day {child.given_name} became looked after, "
            f"{child.looked_after_since:%-d %B %Y}"
        ),
    )
    opened_on = clock.day_of(access.case.created_at)
    if data.held_on is not None and opened_on < data.held_on <= clock.today():
        problems.add(
            ErrorCode.DATE_TOO_LATE,
            f"Only reviews held before the case came to the portal, on {opened_on:%-d %B %Y}, are recorded "
            "here: book later ones on the case",
            "heldOn",
        )
    problems.raise_if_any()
    assert data.held_on is not None
    kind = next_review(child.looked_after_since, [day for day in held if day < data.held_on]).kind
    review = Review(
        proceedings_id=access.case.id,
        child_id=child.id,
        kind=kind,
        review_date=data.held_on,
        arrangements="",
        scheduled_by_id=actor.person_id,
        held_on=data.held_on,
        held_before_portal=True,
    )
    session.add(review)
    await session.flush()
    await looked_after.review_held(session, access.case, review, by=actor.person_id)
    audit.record_on_case(
        session, actor, access, "review.earlier", subject_type="review", subject_id=review.id
    )
    return review
