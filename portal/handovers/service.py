"""The handover workflow. The guardian drafts it on the current template (saved as they go; two people
saving one draft get a conflict with the other's version, never a lost update), submits it (meeting P14 and
opening the IRO's P15), and the IRO acknowledges it (meeting P15; its issues become the IRO's monitoring
items) or returns it with questions. A submitted version never changes; an amendment is a new version."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handover.prefill import Known, is_blank, prefill
from handover.template import CURRENT, ISSUES_FIELD, TEMPLATES, Template
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
    PaperVersion,
    Trigger,
    utcnow,
)
from portal import clock
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
from portal.obligations.rules import END_WITH_GUARDIAN
from portal.papers import repository as papers
from portal.papers.plans import history as plan_history
from portal.reviews import repository as reviews
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
    amending one submitted or returned). Only after the final orders. A first draft starts from what the
    case knows (the final care plan and its plan in brief, the next review booked); so does an open draft
    nobody has written in yet. Nothing the guardian wrote is ever replaced."""
    access = await access_case(session, actor, case_id, Permission.WRITE_HANDOVER)
    if not await cases.final_orders_recorded(session, case_id):
        raise DomainError.one(
            ErrorCode.NO_FINAL_ORDER, "The handover is written after the final orders", "caseId"
        )
    latest = await repository.latest(session, case_id)
    now = utcnow()
    if latest is not None and latest.state is HandoverState.DRAFT:
        if is_blank(latest.answers):
            known = prefill(TEMPLATES[latest.template_version], await _known(session, actor, case_id))
            if known and await repository.save_draft_at_revision(
                session, latest.id, latest.revision, answers=known, by=actor.person_id, at=now
            ):
                await session.refresh(latest)
                audit.record_on_case(
                    session, actor, access, "handover.save", subject_type="handover", subject_id=latest.id
                )
        return latest
    answers = dict(latest.answers) if latest else prefill(CURRENT, await _known(session, actor, case_id))
    draft = Handover(
        proceedings_id=case_id,
        version=(latest.version + 1) if latest else 1,
        template_version=CURRENT.version,
        state=HandoverState.DRAFT,
        answers=answers,
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


async def _known(session: AsyncSession, actor: Actor, case_id: uuid.UUID) -> Known:
    """What the case knows that the handover asks, as the guardian may read it: the final care plan (its
    title, when it was filed, its plan in brief) and the earliest review booked for any of the children."""
    filed = (await papers.papers_by_case(session, actor, [case_id])).get(case_id, [])
    versions = await papers.versions_by_paper(session, actor, [p.id for p in filed])
    by_paper: dict[object, list[PaperVersion]] = {paper_id: found for paper_id, found in versions.items()}
    final = next((entry for entry in plan_history(filed, by_paper) if entry.is_final), None)
    booked = [
        review.review_date
        for review, _ in (await reviews.reviews_by_case(session, actor, [case_id])).get(case_id, [])
        if review.held_on is None
    ]
    return Known(
        care_plan_title=final.paper.title if final else "",
        care_plan_filed_on=final.version.filed_on if final else None,
        plan_in_brief=(final.version.plan_in_brief or {}) if final else {},
        next_review=min(booked, default=None),
    )


async def template_for(session: AsyncSession, handover: Handover) -> Template:
    """The template the handover was written on, worded for its case's children (eldest first)."""
    children = await cases.case_children(session, handover.proceedings_id)
    return TEMPLATES[handover.template_version].worded([c.given_name for c in children])


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
    tidy, problems = clean(await template_for(session, handover), answers)
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


def submission_gaps(template: Template, answers: dict[str, Any]) -> list[Problem]:
    """What a submission of ``answers`` still needs, every part at once: the refusal ``submit`` makes, and
    what the pages show before anyone tries."""
    return [_problem(ErrorCode.REQUIRED, message, path) for path, message in missing(template, answers)]


async def submit(session: AsyncSession, actor: Actor, handover_id: uuid.UUID, revision: int) -> Handover:
    """Submit the draft as it was last saved: every required field answered. It meets P14 and opens the
    IRO's P15; the IRO is told (a link only)."""
    handover, access = await _handover(session, actor, handover_id, Permission.WRITE_HANDOVER)
    if handover.state is not HandoverState.DRAFT:
        raise _not_draft(handover)
    if handover.revision != revision:
        raise Conflict(handover)
    gaps = submission_gaps(await template_for(session, handover), handover.answers)
    if gaps:
        raise DomainError(gaps)
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


@dataclass(frozen=True)
class Step:
    """One thing the gate asks before the guardian's involvement can close."""

    # A stable key: the obligation's code, or PAPERS_FORWARDED.
    key: str
    # The task, as the guardian's task list names it.
    task: str
    # What the refusal says while it is not done.
    still_to_do: str


PAPERS_FORWARDED = "PAPERS_FORWARDED"
# The gate, in the order the work is done: P12, the papers (P6; Practice Note 2.2: the guardian confirms all
# are forwarded before closing), P13, P14.
STEPS = (
    Step(
        "P12",
        "Make sure the IRO has the final care plan (P12)",
        "The IRO does not have the final care plan yet (P12)",
    ),
    Step(
        PAPERS_FORWARDED,
        "Confirm every court paper is forwarded to the IRO (P6)",
        "Not every court paper is confirmed forwarded to the IRO yet (P6)",
    ),
    Step(
        "P13",
        "Discuss the final care plan with the IRO (P13)",
        "The final discussion with the IRO is not recorded yet (P13)",
    ),
    Step("P14", "Write and submit the handover (P14)", "The handover is not submitted yet (P14)"),
)


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


def closing_conditions(obligations: Iterable[Obligation], confirmed: bool) -> list[tuple[Step, bool]]:
    """Each step of the gate, and whether it is done, from the case's obligations and whether every paper
    is confirmed forwarded."""
    found = {o.code: o.state for o in obligations}
    return [
        (step, confirmed if step.key == PAPERS_FORWARDED else found.get(step.key) is ObligationState.MET)
        for step in STEPS
    ]


def closing_problems(
    conditions: Iterable[tuple[Step, bool]], *, closed: bool, has_guardian: bool, through_gate: bool = True
) -> list[Problem]:
    """Why the guardian's involvement cannot close now; none when it can. The one rule for closing: the
    mutation refuses with these, and the pages offer "Close my involvement" only when there are none. A
    Cafcass manager's override (``through_gate=False``) skips the gate, not the rest."""
    problems = []
    if closed:
        problems.append(Problem(ErrorCode.ALREADY_DONE, "The guardian's involvement has been closed already"))
    if not has_guardian:
        problems.append(Problem(ErrorCode.NOT_ON_CASE, "There is no guardian on the case"))
    if through_gate:
        problems += [
            Problem(ErrorCode.NOT_PERMITTED, step.still_to_do) for step, done in conditions if not done
        ]
    return problems


async def gate(session: AsyncSession, case_id: uuid.UUID) -> list[tuple[Step, bool]]:
    """Each step of the gate for closing the case (already authorised), and whether it is done."""
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
    guardians = await cases.live_memberships(session, case_id, CaseRole.GUARDIAN)
    reason = clean_text(override_reason) if override_reason is not None else None
    problems = closing_problems(
        await gate(session, case_id) if reason is None else [],
        closed=await session.get(Closure, case_id) is not None,
        has_guardian=bool(guardians),
        through_gate=reason is None,
    )
    if reason == "":
        problems.append(
            Problem(
                ErrorCode.REQUIRED, "Give the reason for closing without every step done", "overrideReason"
            )
        )
    if problems:
        raise DomainError(problems)
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
    await obligations.end(
        session,
        case_id,
        END_WITH_GUARDIAN,
        on=clock.day_of(now),
        reason="The guardian's involvement closed",
        by=actor.person_id,
    )
    await session.flush()
    audit.record_on_case(
        session, actor, access, "handover.close_override" if override_reason else "handover.close"
    )
    return closure
