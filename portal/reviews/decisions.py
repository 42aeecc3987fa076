"""A looked-after review's decisions as actions (issue 18): the first of the review's record in two steps.

The IRO Handbook (2010) asks that the review's decisions are circulated within 5 working days of the review,
and its full record within 15 (PROTOCOL.md §3, local practice; the full record to the guardian is P5). Both
are rules (RD and P5, portal/obligations/rules.py), so each authority may set its own. The child's IRO
records the decisions once the review is held, once: each has an owner (someone on the case, or a person
of the child's authority), a due date and a state. Each decision still open from the child's earlier
reviews is said, at the next review, to be done, dropped (with the reason) or carried forward (a decision
of this review continues it, with its history). The owners see their decisions on their task list and mark
them done; a decision is overdue while open after its due date (computed, never stored).

The IRO may ask a manager of the authority (its team manager) to confirm the decisions: the manager
confirms them, or disputes them with the reason, which the IRO may take up as a challenge (the disputes
work, portal/disputes/; IRO Handbook ch. 6). Emails carry no case content, only a link (PROTOCOL.md §6)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CaseRole,
    DecisionState,
    ManagerResponse,
    Person,
    Review,
    ReviewDecision,
    ReviewDecisionsCheck,
    utcnow,
)
from portal.access.policy import Permission, token_allows
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.calendar import add_months
from portal.cases import repository as cases
from portal.disputes.repository import authority_managers
from portal.errors import DomainError, ErrorCode, NotFound, Problems
from portal.mail.outbox import enqueue
from portal.obligations import service as obligations
from portal.obligations.rules import DECISIONS
from portal.reviews import repository
from portal.reviews.service import review_for
from portal.validation import clean, clean_required

DESCRIPTION_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 1000
COMMENT_MAX_LENGTH = 2000
# A decision is due at most this long after its review.
MAX_MONTHS_AHEAD = 12


class EarlierOutcome(StrEnum):
    """What the review says of a decision still open from an earlier one."""

    DONE = "done"
    # No longer needed (with the reason).
    DROPPED = "dropped"
    # Continued by a decision of this review, with a new date.
    CARRIED_FORWARD = "carried_forward"


@dataclass(frozen=True)
class NewDecision:
    description: str
    owner_id: uuid.UUID | None
    due_on: date | None


@dataclass(frozen=True)
class Earlier:
    """What happens to one open decision of an earlier review."""

    decision_id: uuid.UUID
    outcome: EarlierOutcome | None
    # Why it was dropped (required then), or what was done.
    note: str = ""
    # Its new date, when carried forward (required then).
    due_on: date | None = None


@dataclass(frozen=True)
class RecordDecisions:
    review_id: uuid.UUID
    decisions: Sequence[NewDecision] = ()
    earlier: Sequence[Earlier] = ()
    # A manager of the child's authority asked to confirm them (optional).
    manager_id: uuid.UUID | None = None


@dataclass
class _Checked:
    """The input, cleaned, once it has no problems."""

    descriptions: list[str] = field(default_factory=list)
    earlier: dict[uuid.UUID, Earlier] = field(default_factory=dict)
    notes: dict[uuid.UUID, str] = field(default_factory=dict)


def _check_due(problems: Problems, due: date | None, held_on: date, path: str) -> None:
    if due is None:
        problems.add(ErrorCode.REQUIRED, "Enter the date it is due", path)
    elif due < held_on:
        problems.add(ErrorCode.DATE_TOO_EARLY, "The date it is due cannot be before the review", path)
    elif due > add_months(held_on, MAX_MONTHS_AHEAD):
        problems.add(
            ErrorCode.DATE_TOO_LATE, "The date it is due must be within 12 months of the review", path
        )


async def record_decisions(session: AsyncSession, actor: Actor, data: RecordDecisions) -> Review:
    """Record a held review's decisions, once (the child's IRO; meets RD): each new decision, what happens to
    every decision still open from the child's earlier reviews, and optionally the manager asked to confirm
    them. Everything is checked before anything is written; the review."""
    review, access = await review_for(session, actor, data.review_id, Permission.MANAGE_REVIEWS)
    problems = Problems()
    if review.held_on is None:
        problems.add(ErrorCode.NOT_YET_HELD, "Record the review as held first", "id")
        problems.raise_if_any()
    assert review.held_on is not None
    if await session.get(ReviewDecisionsCheck, review.id) is not None:
        raise DomainError.one(ErrorCode.ALREADY_DONE, "The review's decisions are already recorded", "id")
    case = access.case
    members = {m.person_id for m in await cases.live_memberships(session, case.id)}
    owners = {d.owner_id for d in data.decisions if d.owner_id is not None}
    of_authority = await repository.people_of_organisation(
        session, case.local_authority_id, list(owners - members)
    )
    checked = _Checked()
    for n, new in enumerate(data.decisions):
        checked.descriptions.append(
            clean_required(
                problems,
                new.description,
                f"decisions.{n}.description",
                "Enter the decision",
                DESCRIPTION_MAX_LENGTH,
            )
        )
        if new.owner_id is None:
            problems.add(ErrorCode.REQUIRED, "Choose who will do it", f"decisions.{n}.ownerId")
        elif new.owner_id not in members and new.owner_id not in of_authority:
            problems.add(
                ErrorCode.NOT_ON_CASE,
                "The owner must be on the case or work for the child's local authority",
                f"decisions.{n}.ownerId",
            )
        _check_due(problems, new.due_on, review.held_on, f"decisions.{n}.dueOn")
    open_earlier = {d.id: d for d, _ in await repository.open_earlier_decisions(session, review)}
    for n, said in enumerate(data.earlier):
        if said.decision_id not in open_earlier:
            problems.add(
                ErrorCode.NOT_FOUND, "That is not an open decision of an earlier review", f"earlier.{n}"
            )
            continue
        if said.decision_id in checked.earlier:
            problems.add(ErrorCode.DUPLICATE, "Say what happens to each decision once", f"earlier.{n}")
            continue
        checked.earlier[said.decision_id] = said
        note = clean(said.note)
        if len(note) > NOTE_MAX_LENGTH:
            problems.add(
                ErrorCode.TOO_LONG,
                f"This must be {NOTE_MAX_LENGTH:,} characters or fewer",
                f"earlier.{n}.note",
            )
        checked.notes[said.decision_id] = note
        if said.outcome is None:
            problems.add(ErrorCode.REQUIRED, "Say what happens to the decision", f"earlier.{n}.outcome")
        elif said.outcome is EarlierOutcome.DROPPED and not note:
            problems.add(ErrorCode.REQUIRED, "Say why it is no longer needed", f"earlier.{n}.note")
        elif said.outcome is EarlierOutcome.CARRIED_FORWARD:
            _check_due(problems, said.due_on, review.held_on, f"earlier.{n}.dueOn")
    for position, decision_id in enumerate(d for d in open_earlier if d not in checked.earlier):
        problems.add(
            ErrorCode.REQUIRED,
            f"Say what happens to the decision “{open_earlier[decision_id].description[:80]}”",
            f"earlier.{len(data.earlier) + position}",
        )
    if not data.decisions and not data.earlier:
        problems.add(ErrorCode.REQUIRED, "Enter at least one decision", "decisions")
    manager: Person | None = None
    if data.manager_id is not None:
        managers = {m.id: m for m in await authority_managers(session, case.local_authority_id)}
        manager = managers.get(data.manager_id)
        if manager is None:
            problems.add(
                ErrorCode.NOT_ON_CASE, "Choose a manager of the child's local authority", "managerId"
            )
    problems.raise_if_any()

    now = utcnow()
    made: list[ReviewDecision] = []
    for earlier_id, said in checked.earlier.items():
        old = open_earlier[earlier_id]
        old.closed_at, old.closed_by_id, old.note = now, actor.person_id, checked.notes[earlier_id]
        old.state = {
            EarlierOutcome.DONE: DecisionState.DONE,
            EarlierOutcome.DROPPED: DecisionState.DROPPED,
            EarlierOutcome.CARRIED_FORWARD: DecisionState.CARRIED_FORWARD,
        }[said.outcome or EarlierOutcome.DONE]
        if said.outcome is EarlierOutcome.CARRIED_FORWARD:
            assert said.due_on is not None
            made.append(
                _decision(review, actor, old.description, old.owner_id, said.due_on, len(made), old.id)
            )
        audit.record(
            session,
            actor,
            f"review.decision.{old.state.value}",
            subject_type="review_decision",
            subject_id=old.id,
            case_id=old.proceedings_id,
            acting_as=access.acting_as if old.proceedings_id == case.id else None,
        )
    for new, description in zip(data.decisions, checked.descriptions, strict=True):
        assert new.owner_id is not None
        assert new.due_on is not None
        made.append(_decision(review, actor, description, new.owner_id, new.due_on, len(made)))
    session.add_all(made)
    session.add(
        ReviewDecisionsCheck(
            review_id=review.id,
            recorded_by_id=actor.person_id,
            recorded_at=now,
            manager_id=manager.id if manager else None,
        )
    )
    await session.flush()
    await obligations.meet(
        session,
        case.id,
        [DECISIONS],
        evidence_id=review.id,
        when=now,
        by=actor.person_id,
        triggers={review.id},
    )
    audit.record_on_case(
        session, actor, access, "review.decisions", subject_type="review", subject_id=review.id
    )
    told: set[uuid.UUID] = {actor.person_id}
    people = await cases.people_by_id(session, list({d.owner_id for d in made} - told))
    for person in people.values():
        told.add(person.id)
        enqueue(
            session,
            person,
            kind="review.decision",
            subject="A decision of a looked-after review is yours to act on",
            body="A looked-after review made a decision for you to act on, with a date it is due. It is on "
            "your task list in the portal.",
            link_path="/tasks#decisions",
        )
    guardians = [g for g in await cases.live_people(session, case.id, CaseRole.GUARDIAN) if g.id not in told]
    for guardian in guardians:
        told.add(guardian.id)
        enqueue(
            session,
            guardian,
            kind="review.decisions",
            subject="The decisions of a looked-after review",
            body="The IRO has recorded the decisions of a child's looked-after review. The full record "
            "follows.",
            link_path=f"/cases/{case.id}#reviews",
        )
    if manager is not None:
        audit.record_on_case(
            session, actor, access, "review.decisions.check", subject_type="review", subject_id=review.id
        )
        enqueue(
            session,
            manager,
            kind="review.decisions.check",
            subject="Please confirm the decisions of a looked-after review",
            body="An IRO asks you to confirm, or dispute, the decisions of a child's looked-after review.",
            link_path=f"/decision-checks/{review.id}",
        )
    return review


def _decision(
    review: Review,
    actor: Actor,
    description: str,
    owner_id: uuid.UUID,
    due_on: date,
    position: int,
    carried_from_id: uuid.UUID | None = None,
) -> ReviewDecision:
    return ReviewDecision(
        review_id=review.id,
        proceedings_id=review.proceedings_id,
        child_id=review.child_id,
        position=position,
        description=description,
        owner_id=owner_id,
        due_on=due_on,
        carried_from_id=carried_from_id,
        recorded_by_id=actor.person_id,
    )


async def _childs_iro(session: AsyncSession, actor: Actor, decision: ReviewDecision) -> bool:
    """Whether the actor is the live IRO of the decision's child on its case (and their token allows
    managing reviews)."""
    if not token_allows(actor.scopes, Permission.MANAGE_REVIEWS):
        return False
    iros = await cases.live_memberships(session, decision.proceedings_id, CaseRole.IRO)
    return any(m.person_id == actor.person_id and m.child_id == decision.child_id for m in iros)


async def complete_decision(
    session: AsyncSession, actor: Actor, decision_id: uuid.UUID, note: str = ""
) -> ReviewDecision:
    """Mark an open decision done (its owner, or the child's IRO), with what was done. Anyone else finds no
    such decision."""
    decision = await session.get(ReviewDecision, decision_id)
    if decision is None or (
        decision.owner_id != actor.person_id and not await _childs_iro(session, actor, decision)
    ):
        raise NotFound("Decision", "id")
    problems = Problems()
    if decision.state is not DecisionState.OPEN:
        problems.add(ErrorCode.ALREADY_DONE, "The decision is no longer open", "id")
    text = clean(note)
    if len(text) > NOTE_MAX_LENGTH:
        problems.add(ErrorCode.TOO_LONG, f"This must be {NOTE_MAX_LENGTH:,} characters or fewer", "note")
    problems.raise_if_any()
    decision.state, decision.note = DecisionState.DONE, text
    decision.closed_at, decision.closed_by_id = utcnow(), actor.person_id
    audit.record(
        session,
        actor,
        "review.decision.done",
        subject_type="review_decision",
        subject_id=decision.id,
        case_id=decision.proceedings_id,
    )
    return decision


async def respond_to_decisions(
    session: AsyncSession, actor: Actor, review_id: uuid.UUID, response: ManagerResponse, comment: str = ""
) -> ReviewDecisionsCheck:
    """The manager the IRO named confirms the review's decisions, or disputes them with the reason; once.
    The IRO is told by email. Anyone else finds no such check."""
    check = await session.get(ReviewDecisionsCheck, review_id)
    review = await session.get(Review, review_id)
    if check is None or review is None or check.manager_id != actor.person_id:
        raise NotFound("Review", "reviewId")
    problems = Problems()
    if check.response is not None:
        problems.add(ErrorCode.ALREADY_DONE, "You have answered already", "reviewId")
    text = clean(comment)
    if len(text) > COMMENT_MAX_LENGTH:
        problems.add(
            ErrorCode.TOO_LONG, f"This must be {COMMENT_MAX_LENGTH:,} characters or fewer", "comment"
        )
    elif response is ManagerResponse.DISPUTED and not text:
        problems.add(ErrorCode.REQUIRED, "Say why you dispute the decisions", "comment")
    problems.raise_if_any()
    check.response, check.comment, check.responded_at = response, text, utcnow()
    audit.record(
        session,
        actor,
        f"review.decisions.{response.value}",
        subject_type="review",
        subject_id=review.id,
        case_id=review.proceedings_id,
    )
    iro = (await cases.people_by_id(session, [check.recorded_by_id])).get(check.recorded_by_id)
    if iro is not None:
        disputed = response is ManagerResponse.DISPUTED
        enqueue(
            session,
            iro,
            kind="review.decisions.answer",
            subject="A manager has disputed a review's decisions"
            if disputed
            else "A manager has confirmed a review's decisions",
            body="The manager you asked has answered on the decisions of a looked-after review."
            + (" You may take it up as a challenge." if disputed else ""),
            link_path=f"/cases/{review.proceedings_id}/reviews/{review.id}#decisions",
        )
    return check


def overdue(decision: ReviewDecision, today: date) -> bool:
    """Open past its due date (computed, never stored)."""
    return decision.state is DecisionState.OPEN and decision.due_on < today


async def my_open_decisions(session: AsyncSession, actor: Actor) -> list[repository.OwnedDecision]:
    """The open decisions the actor owns, soonest due first; each look at a case recorded on it."""
    found = await repository.open_decisions_owned(session, actor)
    for row in found:
        audit.look(session, actor, row.decision.proceedings_id, audit.Look.DECISIONS, None)
    return found


async def checks_awaiting_me(session: AsyncSession, actor: Actor) -> list[repository.CheckToAnswer]:
    """The reviews' decisions put to the actor to confirm, not yet answered; each look recorded on its
    case."""
    found = await repository.checks_awaiting(session, actor.person_id)
    for row in found:
        audit.look(session, actor, row.review.proceedings_id, audit.Look.DECISIONS, None)
    return found


async def as_task(session: AsyncSession, actor: Actor, decision_id: uuid.UUID) -> repository.OwnedDecision:
    """A decision the actor has just marked done, as their task list shows it."""
    return await repository.decision_as_task(session, actor, decision_id)


async def decisions_to_settle(
    session: AsyncSession, actor: Actor, review_id: uuid.UUID
) -> list[tuple[ReviewDecision, date]]:
    """For the child's IRO, on a held review whose decisions are still to be recorded: the child's decisions
    still open from earlier reviews, on any of their proceedings, each with the day its review was held.
    These are what the decisions must say are done, dropped or carried forward. Empty for anyone else, and
    for a review not held or already recorded (missing and forbidden look the same)."""
    try:
        review, _ = await review_for(session, actor, review_id, Permission.MANAGE_REVIEWS)
    except (NotFound, DomainError):
        return []
    if review.held_on is None or await session.get(ReviewDecisionsCheck, review.id) is not None:
        return []
    return await repository.open_earlier_decisions(session, review)
