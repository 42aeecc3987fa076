"""Consultation arrangements (P3): how often, and on which events, the guardian and the IRO agreed to talk.
Recording one meets P3; the next agreement replaces it and the old ones are kept."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseRole, ConsultationArrangement, ConsultationEvent, ObligationState, Person, utcnow
from portal import clock
from portal.access.policy import Permission
from portal.access.service import access_case
from portal.audit import service as audit
from portal.auth.actor import SYSTEM, Actor
from portal.cases import repository as cases
from portal.errors import ErrorCode, Problems
from portal.mail.outbox import enqueue
from portal.obligations import repository
from portal.obligations.service import close
from portal.validation import check_past_date, clean

MAX_WEEKS = 26


@dataclass(frozen=True)
class RecordArrangement:
    case_id: uuid.UUID
    agreed_on: date | None
    every_weeks: int | None
    on_events: Sequence[ConsultationEvent]
    notes: str = ""


async def record_arrangement(
    session: AsyncSession, actor: Actor, data: RecordArrangement
) -> ConsultationArrangement:
    access = await access_case(session, actor, data.case_id, Permission.RECORD_ARRANGEMENT)
    case = access.case
    problems = Problems()
    guardian = await cases.live_memberships(session, case.id, CaseRole.GUARDIAN)
    iro = await cases.live_memberships(session, case.id, CaseRole.IRO)
    if not guardian or not iro:
        problems.add(ErrorCode.NOT_ON_CASE, "An arrangement needs both a guardian and an IRO on the case")
    check_past_date(
        problems,
        data.agreed_on,
        "agreedOn",
        missing="Enter the date you agreed it",
        label="The date agreed",
        today=clock.today(),
        not_before=case.issued_on,
        too_early="The date agreed cannot be before the proceedings were issued",
    )
    if data.every_weeks is not None and not 1 <= data.every_weeks <= MAX_WEEKS:
        problems.add(ErrorCode.OUT_OF_RANGE, f"Talk at least every 1 to {MAX_WEEKS} weeks", "everyWeeks")
    if data.every_weeks is None and not data.on_events:
        problems.add(ErrorCode.REQUIRED, "Say how often, or on which events, you will talk", "onEvents")
    notes = clean(data.notes)
    if len(notes) > 2000:
        problems.add(ErrorCode.TOO_LONG, "Notes must be 2,000 characters or fewer", "notes")
    problems.raise_if_any()
    assert data.agreed_on is not None
    now = utcnow()
    await repository.replace_current_arrangement(session, case.id, now)
    arrangement = ConsultationArrangement(
        proceedings_id=case.id,
        guardian_id=guardian[0].person_id,
        iro_id=iro[0].person_id,
        agreed_on=data.agreed_on,
        every_weeks=data.every_weeks,
        on_events=" ".join(sorted({e.value for e in data.on_events})),
        notes=notes,
        recorded_by_id=actor.person_id,
        recorded_at=now,
    )
    session.add(arrangement)
    await session.flush()
    for obligation in await repository.open_obligations(session, case.id, ["P3"]):
        close(
            session,
            obligation,
            ObligationState.MET,
            clock.london_datetime(data.agreed_on, time(12)),
            actor.person_id,
            evidence_id=arrangement.id,
        )
    audit.record_on_case(
        session,
        actor,
        access,
        "arrangement.record",
        subject_type="consultation_arrangement",
        subject_id=arrangement.id,
    )
    return arrangement


EVENT_WORDS = {
    ConsultationEvent.AFTER_EACH_HEARING: "A hearing has taken place",
    ConsultationEvent.BEFORE_EACH_REVIEW: "A looked-after review has been booked",
    ConsultationEvent.ON_SIGNIFICANT_CHANGE: "A significant change or issue has been recorded",
    ConsultationEvent.ON_PLACEMENT_CHANGE: "The placement has changed",
}


async def event_happened(session: AsyncSession, case_id: uuid.UUID, event: ConsultationEvent) -> None:
    """Something the guardian and the IRO agreed to talk about happened (P3): both are reminded to."""
    arrangement = (await repository.current_arrangements_by_case(session, SYSTEM, [case_id])).get(case_id)
    if arrangement is None or event.value not in arrangement.on_events.split():
        return
    for person_id in (arrangement.guardian_id, arrangement.iro_id):
        person = await session.get(Person, person_id)
        if person is not None:
            enqueue(
                session,
                person,
                kind="arrangement.event",
                subject="Time to talk, as you agreed",
                body=f"{EVENT_WORDS[event]} on a case where you and the other side agreed to talk when that "
                "happens (the guardian–IRO protocol, P3).",
                link_path=f"/cases/{case_id}#ledger",
            )
