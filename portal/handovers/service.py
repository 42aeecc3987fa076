"""The handover workflow. The guardian drafts it on the current template (saved as they go; two people
saving one draft get a conflict with the other's version, never a lost update), submits it (meeting P14 and
opening the IRO's P15), and the IRO acknowledges it (meeting P15; its issues become the IRO's monitoring
items) or returns it with questions. A submitted version never changes; an amendment is a new version."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handover.template import CURRENT, ISSUES_FIELD, TEMPLATES
from handover.validation import clean, missing
from models import (
    CaseRole,
    Closure,
    Handover,
    HandoverState,
    MonitoringItem,
    MonitoringItemMove,
    Obligation,
    ObligationState,
    Trigger,
    utcnow,
)
from portal.access.policy import Permission
from portal.access.service import CaseAccess, access_case, access_record
from portal.audit import service as audit
from portal.auth.actor import SYSTEM, Actor
from portal.cases import repository as cases
from portal.errors import DomainError, ErrorCode, Problem, Problems
from portal.handovers import repository
from portal.mail.outbox import enqueue
from portal.obligations import repository as obligation_rows
from portal.obligations import service as obligations
from portal.papers import repository as papers
from portal.validation import clean as clean_text

QUESTIONS_MAX_LENGTH = 4000


class Conflict(DomainError):
    """Someone else saved the draft first: their version comes with the error, to compare and redo."""

    def __init__(self, current: Handover) -> None:
        super().__init__(
            [
                Problem(
                    ErrorCode.CONFLICT,
                    "Someone else saved this handover while you were editing it. Their version is shown: "
                    "copy your changes into it and save again.",
                )
            ]
        )
        self.current = current


async def start(session: AsyncSession, actor: Actor, case_id: uuid.UUID) -> Handover:
    """The guardian's draft to work on: the open draft, or a new one (copying the last version, when
    amending one submitted or returned). Only after the final orders."""
    access = await access_case(session, actor, case_id, Permission.WRITE_HANDOVER)
    if not await cases.final_orders_recorded(session, case_id):
        raise DomainError.one(
            ErrorCode.NO_FINAL_ORDER, "The handover is written after the final orders", "caseId"
        )
    latest = await repository.latest(session, case_id)
    if latest is not None and latest.state is HandoverState.DRAFT:
        return latest
    now = utcnow()
    draft = Handover(
        proceedings_id=case_id,
        version=(latest.version + 1) if latest else 1,
        template_version=CURRENT.version,
        state=HandoverState.DRAFT,
        answers=dict(latest.answers) if latest else {},
        created_by_id=actor.person_id,
        updated_by_id=actor.person_id,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    await session.flush()
    audit.record_on_case(
        session, actor, access, "handover.start", subject_type="handover", subject_id=draft.id
    )
    return draft


async def _handover(
    session: AsyncSession, actor: Actor, handover_id: uuid.UUID, need: Permission
) -> tuple[Handover, CaseAccess]:
    return await access_record(session, actor, Handover, handover_id, need, "Handover")


def _not_draft(handover: Handover) -> DomainError:
    return DomainError.one(
        ErrorCode.ALREADY_DONE, "This handover has been submitted and cannot change: start an amendment", "id"
    )


async def save_draft(
    session: AsyncSession, actor: Actor, handover_id: uuid.UUID, revision: int, answers: dict[str, Any]
) -> Handover:
    handover, access = await _handover(session, actor, handover_id, Permission.WRITE_HANDOVER)
    if handover.state is not HandoverState.DRAFT:
        raise _not_draft(handover)
    tidy, problems = clean(TEMPLATES[handover.template_version], answers)
    if problems:
        raise DomainError([_problem(ErrorCode.INVALID_VALUE, message, path) for path, message in problems])
    saved = await repository.save_draft_at_revision(
        session, handover.id, revision, answers=tidy, by=actor.person_id, at=utcnow()
    )
    if not saved:
        await session.refresh(handover)
        raise Conflict(handover)
    await session.refresh(handover)
    audit.record_on_case(
        session, actor, access, "handover.save", subject_type="handover", subject_id=handover.id
    )
    return handover


def _problem(code: ErrorCode, message: str, field: str) -> Problem:
    return Problem(code, message, f"answers.{field}")


async def submit(session: AsyncSession, actor: Actor, handover_id: uuid.UUID, revision: int) -> Handover:
    """Submit the draft as it was last saved: every required field answered. It meets P14 and opens the
    IRO's P15; the IRO is told (a link only)."""
    handover, access = await _handover(session, actor, handover_id, Permission.WRITE_HANDOVER)
    if handover.state is not HandoverState.DRAFT:
        raise _not_draft(handover)
    if handover.revision != revision:
        raise Conflict(handover)
    gaps = missing(TEMPLATES[handover.template_version], handover.answers)
    if gaps:
        raise DomainError([_problem(ErrorCode.REQUIRED, message, path) for path, message in gaps])
    now = utcnow()
    await repository.mark_submitted(session, handover.id, by=actor.person_id, at=now)
    await session.refresh(handover)
    await obligations.meet(
        session, handover.proceedings_id, ["P14"], evidence_id=handover.id, when=now, by=actor.person_id
    )
    await obligations.open_obligations(
        session,
        access.case,
        Trigger.HANDOVER_SUBMITTED,
        on=now.date(),
        by=actor.person_id,
        trigger_id=handover.id,
    )
    await _tell(
        session,
        handover.proceedings_id,
        CaseRole.IRO,
        "handover.submitted",
        "A handover is ready for you",
        "The children's guardian has submitted the end-of-proceedings handover. Please read it and "
        "acknowledge it, or return it with your questions.",
    )
    audit.record_on_case(
        session, actor, access, "handover.submit", subject_type="handover", subject_id=handover.id
    )
    return handover


async def _tell(
    session: AsyncSession, case_id: uuid.UUID, role: CaseRole, kind: str, subject: str, body: str
) -> None:
    for person in await cases.live_people(session, case_id, role):
        enqueue(
            session, person, kind=kind, subject=subject, body=body, link_path=f"/cases/{case_id}/handover"
        )


async def answer(
    session: AsyncSession, actor: Actor, handover_id: uuid.UUID, *, acknowledge: bool, questions: str = ""
) -> Handover:
    """The IRO acknowledges the submitted handover (meeting P15: from now the IRO is the sole independent
    scrutiniser, and its issues are the IRO's monitoring items), or returns it with questions."""
    handover, access = await _handover(session, actor, handover_id, Permission.ANSWER_HANDOVER)
    problems = Problems()
    if handover.state is not HandoverState.SUBMITTED:
        problems.add(
            ErrorCode.ALREADY_DONE, "Only a submitted handover can be acknowledged or returned", "id"
        )
    text = clean_text(questions)
    if not acknowledge and not text:
        problems.add(ErrorCode.REQUIRED, "Write your questions for the guardian", "questions")
    if len(text) > QUESTIONS_MAX_LENGTH:
        problems.add(ErrorCode.TOO_LONG, "Questions must be 4,000 characters or fewer", "questions")
    problems.raise_if_any()
    now = utcnow()
    state = HandoverState.ACKNOWLEDGED if acknowledge else HandoverState.RETURNED
    await repository.mark_answered(
        session, handover.id, state, questions=text or None, by=actor.person_id, at=now
    )
    await session.refresh(handover)
    if acknowledge:
        await obligations.meet(
            session, handover.proceedings_id, ["P15"], evidence_id=handover.id, when=now, by=actor.person_id
        )
        for item in handover.answers.get(ISSUES_FIELD, []):
            session.add(
                MonitoringItem(
                    proceedings_id=handover.proceedings_id,
                    handover_id=handover.id,
                    iro_id=actor.person_id,
                    issue=item["issue"],
                    why=item["why"],
                    due_on=date.fromisoformat(item["by_when"]),
                )
            )
    else:
        await _tell(
            session,
            handover.proceedings_id,
            CaseRole.GUARDIAN,
            "handover.returned",
            "The IRO has questions about your handover",
            "The IRO has returned the end-of-proceedings handover with questions. Please answer them "
            "in an amended handover.",
        )
    audit.record_on_case(
        session, actor, access, f"handover.{state.value}", subject_type="handover", subject_id=handover.id
    )
    return handover


# What the gate asks before the guardian's involvement can close (P12, P13, P14, Practice Note 2.2).
GATE = {
    "P12": "The final care plan is with the IRO (P12)",
    "P13": "The final discussion is recorded (P13)",
    "P14": "The handover is submitted (P14)",
}
PAPERS_CONFIRMED = "Every court paper is confirmed forwarded to the IRO"


async def iro_assigned(session: AsyncSession, case_id: uuid.UUID, iro_id: uuid.UUID, by: uuid.UUID) -> None:
    """The monitoring items follow the case's live IRO (P15): those left with an IRO who has left the case
    pass to the new one, with their history."""
    live = [m.person_id for m in await cases.live_memberships(session, case_id, CaseRole.IRO)]
    now = utcnow()
    for item in await repository.items_left_with_former_iros(session, case_id, live):
        session.add(
            MonitoringItemMove(
                item_id=item.id, from_iro_id=item.iro_id, to_iro_id=iro_id, moved_at=now, moved_by_id=by
            )
        )
        item.iro_id = iro_id


def closing_conditions(obligations: Iterable[Obligation], confirmed: bool) -> list[tuple[str, bool]]:
    """Each condition for closing, and whether it is met, from the case's obligations and whether every
    paper is confirmed forwarded."""
    found = {o.code: o.state for o in obligations if o.code in GATE}
    conditions = [(label, found.get(code) is ObligationState.MET) for code, label in GATE.items()]
    return [*conditions, (PAPERS_CONFIRMED, confirmed)]


async def gate(session: AsyncSession, case_id: uuid.UUID) -> list[tuple[str, bool]]:
    """Each condition for closing the case (already authorised), and whether it is met."""
    rows = (await obligation_rows.obligations_by_case(session, SYSTEM, [case_id])).get(case_id, [])
    return closing_conditions((o for o, _ in rows), await papers.forwarding_confirmed(session, case_id))


async def close_involvement(
    session: AsyncSession,
    actor: Actor,
    case_id: uuid.UUID,
    *,
    override_reason: str | None,
    read_only_days: int,
) -> Closure:
    """The guardian closes their involvement once the gate is passed; a Cafcass manager may close it without,
    with a recorded reason. Afterwards the guardian reads the case (nothing more) for ``read_only_days``."""
    need = Permission.OVERRIDE_CLOSURE if override_reason is not None else Permission.WRITE_HANDOVER
    access = await access_case(session, actor, case_id, need)
    problems = Problems()
    if await session.get(Closure, case_id) is not None:
        problems.add(ErrorCode.ALREADY_DONE, "The guardian's involvement has been closed already")
    guardians = await cases.live_memberships(session, case_id, CaseRole.GUARDIAN)
    if not guardians:
        problems.add(ErrorCode.NOT_ON_CASE, "There is no guardian on the case")
    reason = clean_text(override_reason) if override_reason is not None else None
    if reason is None:
        for label, met in await gate(session, case_id):
            if not met:
                problems.add(ErrorCode.NOT_PERMITTED, f"Not yet: {label[0].lower()}{label[1:]}")
    elif not reason:
        problems.add(
            ErrorCode.REQUIRED, "Give the reason for closing without every step done", "overrideReason"
        )
    problems.raise_if_any()
    now = utcnow()
    closure = Closure(
        proceedings_id=case_id,
        guardian_id=guardians[0].person_id,
        closed_at=now,
        closed_by_id=actor.person_id,
        override_reason=reason,
        read_only_until=now + timedelta(days=read_only_days),
    )
    session.add(closure)
    await session.flush()
    audit.record_on_case(
        session, actor, access, "handover.close_override" if override_reason else "handover.close"
    )
    return closure
