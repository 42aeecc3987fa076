"""The social worker's part before a looked-after review (IRO Handbook 2010, ch. 3; issue 18): they consult
the IRO at least 15 working days before the review (SW1), and the IRO has their report and the papers at
least 3 working days before it (SW2). Both duties open when the review is booked and are the child's social
worker's; the child's social worker or IRO records the day each happened, and the duty is judged on that day,
however late it is recorded. A day once recorded stands."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseRole, Review, ReviewPreparation, utcnow
from portal import clock
from portal.access.policy import Permission
from portal.access.service import access_record
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.cases import repository as cases
from portal.errors import DomainError, ErrorCode, Problems
from portal.obligations import service as obligations
from portal.obligations.rules import CONSULTED, PAPERS


@dataclass(frozen=True)
class RecordPreparation:
    review_id: uuid.UUID
    social_worker_consulted_on: date | None = None
    papers_received_on: date | None = None


async def record_preparation(session: AsyncSession, actor: Actor, data: RecordPreparation) -> Review:
    """Record the day the social worker consulted the IRO, or the IRO had the papers, before a review; the
    review. Only the child's social worker or IRO records them: anyone else who reads the case is told they
    are not on it for that child, and anyone who cannot finds no such review."""
    review, access = await access_record(
        session, actor, Review, data.review_id, Permission.PREPARE_REVIEWS, "Review"
    )
    members = await cases.live_memberships(session, review.proceedings_id)
    if not any(
        m.child_id == review.child_id
        and m.person_id == actor.person_id
        and m.role in (CaseRole.SOCIAL_WORKER, CaseRole.IRO)
        for m in members
    ):
        raise DomainError.one(
            ErrorCode.NOT_ON_CASE, "You are not the social worker or the IRO for that child", "id"
        )
    found = await session.get(ReviewPreparation, review.id)
    given = {
        "socialWorkerConsultedOn": (
            data.social_worker_consulted_on,
            found.social_worker_consulted_on if found else None,
            "The day the social worker consulted the IRO",
        ),
        "papersReceivedOn": (
            data.papers_received_on,
            found.papers_received_on if found else None,
            "The day the IRO had the papers",
        ),
    }
    problems = Problems()
    if all(day is None for day, _, _ in given.values()):
        # On the first of the days not yet recorded: the only ones a form still asks for.
        field = next(
            (f for f, (_, recorded, _) in given.items() if recorded is None), "socialWorkerConsultedOn"
        )
        problems.add(
            ErrorCode.REQUIRED, "Enter the day the social worker consulted the IRO, or had the papers", field
        )
    today = clock.today()
    for field, (day, recorded, label) in given.items():
        if day is None:
            continue
        if recorded is not None and recorded != day:
            problems.add(ErrorCode.ALREADY_DONE, f"{label} is recorded as {recorded:%-d %B %Y}", field)
        elif day > today:
            problems.add(ErrorCode.DATE_IN_FUTURE, f"{label} must be today or in the past", field)
        elif day > review.review_date:
            problems.add(
                ErrorCode.DATE_TOO_LATE,
                f"{label} must be on or before the review, {review.review_date:%-d %B %Y}",
                field,
            )
    problems.raise_if_any()
    now = utcnow()
    preparation = found or ReviewPreparation(
        review_id=review.id,
        recorded_by_id=actor.person_id,
        recorded_at=now,
        updated_by_id=actor.person_id,
        updated_at=now,
    )
    if found is None:
        session.add(preparation)
    for code, day, attribute in (
        (CONSULTED, data.social_worker_consulted_on, "social_worker_consulted_on"),
        (PAPERS, data.papers_received_on, "papers_received_on"),
    ):
        if day is None or getattr(preparation, attribute) == day:
            continue
        setattr(preparation, attribute, day)
        # Judged on the day it happened: recorded after the review was held, it still meets the duty missed.
        await obligations.meet(
            session,
            review.proceedings_id,
            [code],
            evidence_id=review.id,
            when=clock.london_datetime(day, time(12)),
            by=actor.person_id,
            triggers={review.id},
            missed_too=True,
        )
    preparation.updated_by_id, preparation.updated_at = actor.person_id, now
    await session.flush()
    audit.record_on_case(
        session,
        actor,
        access,
        "review.preparation.change" if found else "review.preparation",
        subject_type="review",
        subject_id=review.id,
    )
    return review
