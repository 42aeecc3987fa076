"""The child's participation in their looked-after reviews (issue 18): "the review is the child's meeting"
(IRO Handbook 2010, ch. 3), and the IRO must make sure the child's wishes and feelings are ascertained and
given due consideration (CA 1989 s22(4)-(5); CPPCR 2010 reg 36). Once a review is held, the child's IRO
records whether the child attended, how their views reached the review and by whom, and what the child
said; they may change it afterwards (the last change is kept, with who made it and when).

What the child said may be marked private to their IRO (PROTOCOL.md §6: a topic the child asks to keep
between them and the IRO is left out of shared records): who reads it is one rule, in
portal/access/policy.py (reads_child_wishes)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseRole, ChildAttendance, Review, ReviewParticipation, ViewsConveyed, utcnow
from portal.access.policy import Permission
from portal.access.service import access_record
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.cases import repository as cases
from portal.errors import DomainError, ErrorCode, Problems
from portal.validation import clean

WISHES_MAX_LENGTH = 10000
CONVEYED_BY_MAX_LENGTH = 200


@dataclass(frozen=True)
class RecordParticipation:
    review_id: uuid.UUID
    attendance: ChildAttendance | None
    views_conveyed: ViewsConveyed | None = None
    # Who conveyed the child's views (an advocate, the carer ...), or how, for another way.
    conveyed_by: str = ""
    wishes_and_feelings: str = ""
    # What the child said is for their IRO alone.
    private: bool = False


async def record_participation(session: AsyncSession, actor: Actor, data: RecordParticipation) -> Review:
    """Record the child's participation in a held review, or change it (the child's IRO only); the review.
    Anyone who may not manage the case's reviews finds no such review; another IRO on the case is told they
    are not the child's."""
    review, access = await access_record(
        session, actor, Review, data.review_id, Permission.MANAGE_REVIEWS, "Review"
    )
    iros = await cases.live_memberships(session, review.proceedings_id, CaseRole.IRO)
    if not any(m.child_id == review.child_id and m.person_id == actor.person_id for m in iros):
        raise DomainError.one(ErrorCode.NOT_ON_CASE, "You are not the IRO for that child", "id")
    problems = Problems()
    if review.held_on is None:
        problems.add(ErrorCode.NOT_YET_HELD, "Record the review as held first", "id")
    conveyed_by, wishes = _check(problems, data)
    problems.raise_if_any()
    assert data.attendance is not None
    now = utcnow()
    found = await session.get(ReviewParticipation, review.id)
    participation = found or ReviewParticipation(
        review_id=review.id,
        attendance=data.attendance,
        recorded_by_id=actor.person_id,
        recorded_at=now,
        updated_by_id=actor.person_id,
        updated_at=now,
    )
    participation.attendance = data.attendance
    participation.views_conveyed = data.views_conveyed
    participation.conveyed_by = conveyed_by
    participation.wishes_and_feelings = wishes
    participation.private = data.private
    participation.updated_by_id, participation.updated_at = actor.person_id, now
    if found is None:
        session.add(participation)
    await session.flush()
    audit.record_on_case(
        session,
        actor,
        access,
        "review.participation.change" if found else "review.participation",
        subject_type="review",
        subject_id=review.id,
    )
    return review


def _check(problems: Problems, data: RecordParticipation) -> tuple[str, str]:
    """Every problem with the record at once; its cleaned texts (who conveyed the views, what was said)."""
    attendance, how = data.attendance, data.views_conveyed
    not_conveyed = attendance is ChildAttendance.VIEWS_NOT_CONVEYED
    if attendance is None:
        problems.add(ErrorCode.REQUIRED, "Say whether the child attended the review", "attendance")
    elif attendance is ChildAttendance.VIEWS_CONVEYED and how is None:
        problems.add(ErrorCode.REQUIRED, "Say how the child's views were conveyed", "viewsConveyed")
    elif not_conveyed and how is not None:
        problems.add(
            ErrorCode.INVALID_VALUE,
            "Leave how the views were conveyed empty: the child's views were not conveyed",
            "viewsConveyed",
        )
    conveyed_by = clean(data.conveyed_by)
    if len(conveyed_by) > CONVEYED_BY_MAX_LENGTH:
        problems.add(
            ErrorCode.TOO_LONG, f"This must be {CONVEYED_BY_MAX_LENGTH:,} characters or fewer", "conveyedBy"
        )
    elif how is ViewsConveyed.OTHER and not conveyed_by:
        problems.add(ErrorCode.REQUIRED, "Say how the child's views were conveyed, and by whom", "conveyedBy")
    wishes = clean(data.wishes_and_feelings)
    if len(wishes) > WISHES_MAX_LENGTH:
        problems.add(
            ErrorCode.TOO_LONG, f"This must be {WISHES_MAX_LENGTH:,} characters or fewer", "wishesAndFeelings"
        )
    elif not wishes and attendance is not None and not not_conveyed:
        problems.add(
            ErrorCode.REQUIRED,
            "Enter the child's wishes and feelings, as they said them",
            "wishesAndFeelings",
        )
    return conveyed_by, wishes
