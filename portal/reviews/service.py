"""The IRO's side of a looked-after child's reviews (CPPCR reg 33) and the protocol around them: scheduling
opens P4 (tell the guardian the arrangements) and P11 (the guardian's pre-review consultation); holding one
opens P5 (send the guardian the record). The guardian's attendance is generally not required (P10)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseRole, Child, ConsultationEvent, Person, Review, ReviewKind, Trigger, utcnow
from portal import clock
from portal.access.policy import Permission
from portal.access.service import CaseAccess, access_case, access_record
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.calendar import add_months
from portal.cases import repository as cases
from portal.errors import DomainError, ErrorCode, Problems
from portal.mail.outbox import enqueue
from portal.obligations import arrangements as consultation
from portal.obligations import looked_after
from portal.obligations import service as obligations
from portal.obligations.rules import MISSED_AT_REVIEW
from portal.reviews import repository
from portal.reviews.schedule import information_gathering_allowed, next_review
from portal.significant_changes import service as significant_changes
from portal.validation import check_past_date, clean_required

ARRANGEMENTS_MAX_LENGTH = 2000
RECORD_MAX_LENGTH = 20000
# Reviews are booked at most this far ahead.
MAX_MONTHS_AHEAD = 12


@dataclass(frozen=True)
class ScheduleReview:
    case_id: uuid.UUID
    child_ids: Sequence[uuid.UUID]
    review_date: date | None
    arrangements: str
    # None: the next review in the reg 33 schedule. ADDITIONAL or INFORMATION_GATHERING when the IRO says.
    kind: ReviewKind | None = None
    guardian_invited: bool = False
    tell_guardian: bool = True
    # An information-gathering review's conditions, as the IRO confirms them (IRO Handbook 2010; issue 18).
    long_term_foster_settled: bool = False
    child_agreed: bool = False
    # The significant change this additional review is booked for (SC, reg 33(3)): booking it answers it.
    significant_change_id: uuid.UUID | None = None


async def iro_children(session: AsyncSession, access: CaseAccess, actor: Actor) -> dict[uuid.UUID, Child]:
    """The looked-after children on the case whose IRO the actor is."""
    mine = {
        m.child_id
        for m in await cases.live_memberships(session, access.case.id, CaseRole.IRO)
        if m.person_id == actor.person_id
    }
    return {
        c.id: c
        for c in await cases.case_children(session, access.case.id)
        if c.id in mine and c.legal_status.is_looked_after
    }


async def schedule_review(session: AsyncSession, actor: Actor, data: ScheduleReview) -> list[Review]:
    """Book a review for each child chosen (siblings reviewed together have one each)."""
    access = await access_case(session, actor, data.case_id, Permission.MANAGE_REVIEWS)
    mine = await iro_children(session, access, actor)
    problems = Problems()
    if not data.child_ids:
        problems.add(ErrorCode.REQUIRED, "Choose the children to review", "childIds")
    for index, child_id in enumerate(data.child_ids):
        if child_id not in mine:
            problems.add(ErrorCode.NOT_ON_CASE, "You are not the IRO for that child", f"childIds.{index}")
    today = clock.today()
    _check_review_date(problems, data.review_date, today)
    arrangements = clean_required(
        problems,
        data.arrangements,
        "arrangements",
        "Enter the time, place and how to join",
        ARRANGEMENTS_MAX_LENGTH,
    )
    chosen = [mine[c] for c in data.child_ids if c in mine]
    held = await repository.held_reviews(session, [c.id for c in chosen])
    booked = await repository.booked_reviews(session, [c.id for c in chosen])
    for child in chosen:
        if child.id in booked:
            problems.add(
                ErrorCode.ALREADY_SCHEDULED,
                f"{child.given_name} already has a review booked for "
                f"{booked[child.id].review_date:%-d %B %Y}: change that one instead",
                "childIds",
            )
        if data.kind is ReviewKind.INFORMATION_GATHERING and not information_gathering_allowed(
            [r.kind for r in held[child.id]]
        ):
            problems.add(
                ErrorCode.INVALID_VALUE,
                f"{child.given_name}'s next review must be a meeting: an information-gathering review comes "
                "only after the first two, and not twice running",
                "kind",
            )
        if data.kind in (ReviewKind.FIRST, ReviewKind.SECOND, ReviewKind.SUBSEQUENT):
            problems.add(ErrorCode.INVALID_VALUE, "Leave the kind empty to follow the schedule", "kind")
    _check_information_gathering(problems, data)
    problems.raise_if_any()
    assert data.review_date is not None
    gathering = data.kind is ReviewKind.INFORMATION_GATHERING
    reviews = []
    for child in chosen:
        assert child.looked_after_since is not None
        scheduled = next_review(child.looked_after_since, [r.held_on for r in held[child.id] if r.held_on])
        reviews.append(
            Review(
                proceedings_id=access.case.id,
                child_id=child.id,
                kind=data.kind or scheduled.kind,
                review_date=data.review_date,
                arrangements=arrangements,
                guardian_invited=data.guardian_invited,
                long_term_foster_settled=data.long_term_foster_settled and gathering,
                child_agreed=data.child_agreed and gathering,
                scheduled_by_id=actor.person_id,
            )
        )
    session.add_all(reviews)
    await session.flush()
    await obligations.open_obligations(
        session,
        access.case,
        Trigger.REVIEW_SCHEDULED,
        on=today,
        by=actor.person_id,
        events=[obligations.Event(r.id, r.child_id, r.review_date) for r in reviews],
    )
    for review in reviews:
        audit.record_on_case(
            session, actor, access, "review.schedule", subject_type="review", subject_id=review.id
        )
    if data.tell_guardian:
        await _send_notice(session, actor, access, reviews)
    await consultation.event_happened(session, access.case.id, ConsultationEvent.BEFORE_EACH_REVIEW)
    if data.significant_change_id is not None:
        await significant_changes.review_booked(session, actor, access, data.significant_change_id, reviews)
    return reviews


def _check_information_gathering(problems: Problems, data: ScheduleReview) -> None:
    """An information-gathering review, instead of a meeting, only for a child settled in a long-term foster
    placement who agrees to one (IRO Handbook 2010; issue 18): the IRO confirms both, and they are kept."""
    if data.kind is not ReviewKind.INFORMATION_GATHERING:
        return
    if not data.long_term_foster_settled:
        problems.add(
            ErrorCode.REQUIRED,
            "An information-gathering review is only for a child settled in a long-term foster placement: "
            "confirm they are, or book a meeting",
            "longTermFosterSettled",
        )
    if not data.child_agreed:
        problems.add(
            ErrorCode.REQUIRED,
            "An information-gathering review needs the child's agreement: confirm they agree, "
            "or book a meeting",
            "childAgreed",
        )


def _check_review_date(problems: Problems, review_date: date | None, today: date) -> None:
    if review_date is None:
        problems.add(ErrorCode.REQUIRED, "Enter the date of the review", "reviewDate")
    elif review_date < today:
        problems.add(ErrorCode.DATE_IN_PAST, "The review's date must be today or later", "reviewDate")
    elif review_date > add_months(today, MAX_MONTHS_AHEAD):
        problems.add(ErrorCode.DATE_TOO_LATE, "The review's date must be within a year", "reviewDate")


async def review_for(
    session: AsyncSession, actor: Actor, review_id: uuid.UUID, need: Permission
) -> tuple[Review, CaseAccess]:
    """The review if the actor may ``need`` on its case (NotFound otherwise, as if there were none); to
    manage it, they must be the child's IRO (NOT_ON_CASE for another IRO on the case)."""
    review, access = await access_record(session, actor, Review, review_id, need, "Review")
    if need is Permission.MANAGE_REVIEWS and review.child_id not in await iro_children(
        session, access, actor
    ):
        raise DomainError.one(ErrorCode.NOT_ON_CASE, "You are not the IRO for that child", "id")
    return review, access


async def reschedule_review(
    session: AsyncSession, actor: Actor, review_id: uuid.UUID, review_date: date | None, arrangements: str
) -> Review:
    """Move a review not yet held, or change its arrangements. What P4 and P11 ask moves with it, and a
    guardian already told is told again."""
    review, access = await review_for(session, actor, review_id, Permission.MANAGE_REVIEWS)
    problems = Problems()
    if review.held_on is not None:
        problems.add(ErrorCode.ALREADY_DONE, "The review has been held", "id")
    today = clock.today()
    _check_review_date(problems, review_date, today)
    text = clean_required(
        problems,
        arrangements,
        "arrangements",
        "Enter the time, place and how to join",
        ARRANGEMENTS_MAX_LENGTH,
    )
    problems.raise_if_any()
    assert review_date is not None
    review.review_date, review.arrangements = review_date, text
    await obligations.rescheduled(session, review.proceedings_id, review.id, review_date, actor.person_id)
    audit.record_on_case(
        session, actor, access, "review.reschedule", subject_type="review", subject_id=review.id
    )
    if review.notice_sent_at is not None:
        await _send_notice(session, actor, access, [review])
    return review


async def tell_guardian(session: AsyncSession, actor: Actor, review_id: uuid.UUID) -> Review:
    """Send the guardian the review's arrangements through the portal (P4's evidence)."""
    review, access = await review_for(session, actor, review_id, Permission.MANAGE_REVIEWS)
    if review.notice_sent_at is not None:
        raise DomainError.one(ErrorCode.ALREADY_DONE, "The guardian has been told of this review", "id")
    await _send_notice(session, actor, access, [review])
    return review


async def _guardian(session: AsyncSession, case_id: uuid.UUID) -> Person | None:
    found = await cases.live_people(session, case_id, CaseRole.GUARDIAN)
    return found[0] if found else None


async def _send_notice(
    session: AsyncSession, actor: Actor, access: CaseAccess, reviews: Sequence[Review]
) -> None:
    """Tell the guardian the arrangements (P4's evidence): one email for reviews booked together."""
    guardian = await _guardian(session, access.case.id)
    if guardian is None:
        raise DomainError.one(ErrorCode.NOT_ON_CASE, "There is no guardian on the case to tell", "id")
    now = utcnow()
    for review in reviews:
        review.notice_sent_at, review.notice_sent_by_id = now, actor.person_id
        audit.record_on_case(
            session, actor, access, "review.notice", subject_type="review", subject_id=review.id
        )
    await obligations.meet(
        session,
        access.case.id,
        ["P4"],
        evidence_id=None,
        when=now,
        by=actor.person_id,
        triggers={r.id for r in reviews},
    )
    enqueue(
        session,
        guardian,
        kind="review.notice",
        subject="Arrangements for a looked-after review",
        body=f"The arrangements for a looked-after review on {reviews[0].review_date:%-d %B %Y} have "
        "been shared with you. Your attendance is generally not required; the IRO would welcome your "
        "views beforehand.",
        link_path=f"/cases/{access.case.id}#reviews",
    )


async def record_held(
    session: AsyncSession, actor: Actor, review_id: uuid.UUID, held_on: date | None, record: str | None
) -> Review:
    """The review took place (opening P5: the guardian is to be sent its record); with the record, it is
    shared at once."""
    review, access = await review_for(session, actor, review_id, Permission.MANAGE_REVIEWS)
    problems = Problems()
    if review.held_on is not None:
        problems.add(ErrorCode.ALREADY_DONE, "The review is already recorded as held", "id")
    check_past_date(
        problems,
        held_on,
        "heldOn",
        missing="Enter the date the review was held",
        label="The date held",
        today=clock.today(),
        not_before=review.scheduled_at.astimezone(clock.LONDON).date(),
        too_early="The review cannot have been held before it was booked",
    )
    text = _check_record(problems, record) if record else None
    problems.raise_if_any()
    assert held_on is not None
    review.held_on = held_on
    await obligations.open_obligations(
        session,
        access.case,
        Trigger.REVIEW_HELD,
        on=held_on,
        by=actor.person_id,
        trigger_id=review.id,
        child_id=review.child_id,
    )
    await obligations.end(
        session,
        access.case.id,
        MISSED_AT_REVIEW,
        on=held_on,
        reason=f"The review was held on {held_on:%-d %B %Y} before it was done",
        by=actor.person_id,
        triggers={review.id},
        missed=True,
    )
    await looked_after.review_held(session, access.case, review, by=actor.person_id)
    audit.record_on_case(session, actor, access, "review.held", subject_type="review", subject_id=review.id)
    if text:
        await _share(session, actor, access, review, text)
    return review


def _check_record(problems: Problems, record: str | None) -> str:
    return clean_required(
        problems,
        record or "",
        "record",
        "Enter the review's record: its decisions and recommendations",
        RECORD_MAX_LENGTH,
    )


async def share_record(session: AsyncSession, actor: Actor, review_id: uuid.UUID, record: str) -> Review:
    """Share the review's record with the guardian (P5's evidence)."""
    review, access = await review_for(session, actor, review_id, Permission.MANAGE_REVIEWS)
    problems = Problems()
    if review.held_on is None:
        problems.add(ErrorCode.NOT_YET_HELD, "Record the review as held first", "id")
    elif review.record_shared_at is not None:
        problems.add(ErrorCode.ALREADY_DONE, "The review's record has been shared", "id")
    text = _check_record(problems, record)
    problems.raise_if_any()
    await _share(session, actor, access, review, text)
    return review


async def _share(session: AsyncSession, actor: Actor, access: CaseAccess, review: Review, text: str) -> None:
    now = utcnow()
    review.record, review.record_shared_at, review.record_shared_by_id = text, now, actor.person_id
    await obligations.meet(
        session,
        review.proceedings_id,
        ["P5"],
        evidence_id=review.id,
        when=now,
        by=actor.person_id,
        triggers={review.id},
    )
    guardian = await _guardian(session, review.proceedings_id)
    if guardian is not None:
        enqueue(
            session,
            guardian,
            kind="review.record",
            subject="The record of a looked-after review",
            body="The IRO has shared the record of a child's looked-after review with you.",
            link_path=f"/cases/{review.proceedings_id}#reviews",
        )
    audit.record_on_case(session, actor, access, "review.share", subject_type="review", subject_id=review.id)
