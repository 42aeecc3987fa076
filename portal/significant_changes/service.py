"""Significant changes in a looked-after child's circumstances (issue 18; RESEARCH-NOTES.md F8: social workers
often do not tell the IRO, and it is unclear what counts as "significant").

The child's social worker tells the child's IRO of a change (a placement move, a placement ending, a change to
the care plan or the legal status, an education or health event, another), or the IRO records one they
learned of. That opens SC, the IRO's duty to consider it (portal/obligations/rules.py): they either book an
additional review for it (CPPCR 2010 reg 33(3): a review earlier than the schedule when the IRO so directs;
``review_booked``, called when the review is booked) or record why no review is needed (``respond``). The IRO
is told by email, with a link and no case content; the guardian and the IRO are reminded to talk if their
consultation arrangement says so (P3)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CaseMembership,
    CaseRole,
    ChangeKind,
    ChangeResponse,
    ConsultationEvent,
    Owner,
    Person,
    Review,
    ReviewKind,
    Role,
    SignificantChange,
    Trigger,
    utcnow,
)
from portal import calendar, clock
from portal.access.policy import CASE_ROLE_REQUIRES, Permission, granting_role
from portal.access.service import CaseAccess, access_case, access_record
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.cases import repository as cases
from portal.errors import DomainError, ErrorCode, NotFound, Problems
from portal.mail.outbox import enqueue
from portal.obligations import arrangements
from portal.obligations import service as obligations
from portal.obligations.rules import CHANGE, task_words
from portal.validation import check_past_date, clean, clean_required

SUMMARY_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 4000
# The roles on a child's case that tell their IRO of a significant change: their social worker, or the IRO
# recording one they learned of.
NOTIFIERS = (CaseRole.SOCIAL_WORKER, CaseRole.IRO)
# Changes of placement: the guardian and the IRO may have agreed to talk when the placement changes (P3).
PLACEMENT_CHANGES = frozenset({ChangeKind.PLACEMENT_MOVE, ChangeKind.PLACEMENT_ENDED})
FIELD = "significantChangeId"


@dataclass(frozen=True)
class NotifyChange:
    case_id: uuid.UUID
    child_id: uuid.UUID | None
    kind: ChangeKind | None
    occurred_on: date | None
    summary: str


def _roles_for_child(
    actor: Actor, members: Sequence[CaseMembership], child_id: uuid.UUID, held: Sequence[CaseRole]
) -> list[Role]:
    """The roles the actor acts in for one child among ``held``, of the case's live ``members``: a live
    membership of the case for that child, backed by the matching organisation role."""
    return [
        CASE_ROLE_REQUIRES[m.role]
        for m in members
        if m.child_id == child_id
        and m.person_id == actor.person_id
        and m.role in held
        and CASE_ROLE_REQUIRES[m.role] in actor.roles
    ]


def _granted(actor: Actor, access: CaseAccess, roles: Sequence[Role], need: Permission, words: str) -> Role:
    """The role among ``roles`` that grants ``need`` on the case with the request's token, or a refusal:
    NOT_ON_CASE for someone who reads the case but is not the child's (``words``), NOT_PERMITTED for a
    token that does not allow it."""
    if not roles:
        raise DomainError.one(ErrorCode.NOT_ON_CASE, f"You are not the {words} for that child", "childId")
    role = granting_role(actor, access.case.id, roles, need)
    if role is None:
        raise DomainError.one(ErrorCode.NOT_PERMITTED, "Your API token does not allow this", "childId")
    return role


async def notify_change(session: AsyncSession, actor: Actor, data: NotifyChange) -> SignificantChange:
    """Tell the child's IRO of a significant change in a looked-after child's circumstances (the child's
    social worker, or their IRO recording one they learned of): opens SC for the child's IRO, who is told by
    email. Anyone who cannot read the case finds no such case; anyone else who is not the child's social
    worker or IRO is told so (NOT_ON_CASE)."""
    access = await access_case(session, actor, data.case_id, Permission.READ_CASE)
    case = access.case
    children = {c.id: c for c in await cases.case_children(session, case.id)}
    members = await cases.live_memberships(session, case.id)
    mine = {m.child_id for m in members if _roles_for_child(actor, [m], m.child_id, NOTIFIERS)}
    if not mine:
        raise DomainError.one(
            ErrorCode.NOT_ON_CASE, "You are not the social worker or IRO for a child on this case", "childId"
        )
    problems = Problems()
    child = children.get(data.child_id) if data.child_id is not None else None
    role: Role | None = None
    if data.child_id is None:
        problems.add(ErrorCode.REQUIRED, "Choose the child whose circumstances changed", "childId")
    elif child is None:
        problems.add(ErrorCode.NOT_IN_PROCEEDINGS, "That child is not in these proceedings", "childId")
    elif child.id not in mine:
        problems.add(
            ErrorCode.NOT_ON_CASE, f"You are not the social worker or IRO for {child.given_name}", "childId"
        )
    else:
        role = _granted(
            actor,
            access,
            _roles_for_child(actor, members, child.id, NOTIFIERS),
            Permission.NOTIFY_CHANGES,
            "social worker or IRO",
        )
        if not child.legal_status.is_looked_after:
            problems.add(
                ErrorCode.NOT_LOOKED_AFTER,
                f"{child.given_name} is not looked after, so has no IRO to tell",
                "childId",
            )
    if data.kind is None:
        problems.add(ErrorCode.REQUIRED, "Say what kind of change it is", "kind")
    check_past_date(
        problems,
        data.occurred_on,
        "occurredOn",
        missing="Enter the date the change happened",
        label="The date of the change",
        today=clock.today(),
        not_before=child.date_of_birth if child else None,
        too_early="The change cannot be before the child was born",
    )
    summary = clean_required(
        problems, data.summary, "summary", "Say what changed, and why", SUMMARY_MAX_LENGTH
    )
    problems.raise_if_any()
    assert child is not None
    assert role is not None
    assert data.kind is not None
    assert data.occurred_on is not None
    change = SignificantChange(
        proceedings_id=case.id,
        child_id=child.id,
        kind=data.kind,
        occurred_on=data.occurred_on,
        summary=summary,
        notified_by_id=actor.person_id,
    )
    session.add(change)
    await session.flush()
    iro = next((m.person_id for m in members if m.role is CaseRole.IRO and m.child_id == child.id), None)
    # Opened without the usual email: the one below tells the IRO of the duty, with a link to the change.
    [duty] = await obligations.open_obligations(
        session,
        case,
        Trigger.SIGNIFICANT_CHANGE,
        on=clock.today(),
        by=actor.person_id,
        tell=False,
        owners={Owner.IRO: (iro, None)},
        codes=[CHANGE],
        events=[obligations.Event(change.id, child.id)],
    )
    if iro is not None and iro != actor.person_id:
        await _tell_iro(session, iro, change, duty.due_on)
    audit.record_on_case(
        session,
        actor,
        replace(access, acting_as=role),
        "significant_change.notify",
        subject_type="significant_change",
        subject_id=change.id,
    )
    event = (
        ConsultationEvent.ON_PLACEMENT_CHANGE
        if data.kind in PLACEMENT_CHANGES
        else ConsultationEvent.ON_SIGNIFICANT_CHANGE
    )
    await arrangements.event_happened(session, case.id, event)
    return change


def _link(change: SignificantChange) -> str:
    return f"/cases/{change.proceedings_id}/significant-changes/{change.id}"


async def _tell_iro(session: AsyncSession, iro_id: uuid.UUID, change: SignificantChange, due: date) -> None:
    """The email to the child's IRO: what kind of thing and by when, with a link; no case content (no names,
    no case number, nothing of what changed)."""
    person = await session.get(Person, iro_id)
    if person is None:
        return
    enqueue(
        session,
        person,
        kind="significant_change.notified",
        subject=f"New task {task_words(CHANGE)} ({CHANGE})",
        body="You have been told of a significant change in the circumstances of a looked-after child you "
        "are the IRO for. Consider it, and book an additional review or record why none is needed "
        f"({CHANGE}), by {calendar.long_date(due)}.",
        link_path=_link(change),
    )


async def change_for_iro(
    session: AsyncSession, actor: Actor, change_id: uuid.UUID
) -> tuple[SignificantChange, CaseAccess]:
    """The change if the actor may read its case (NotFound otherwise, as if there were none) and is the
    child's IRO, whose to answer it is (NOT_ON_CASE for anyone else who reads the case), in the role that
    allows it."""
    change, access = await access_record(
        session, actor, SignificantChange, change_id, Permission.READ_CASE, "Significant change"
    )
    members = await cases.live_memberships(session, change.proceedings_id, CaseRole.IRO)
    roles = _roles_for_child(actor, members, change.child_id, [CaseRole.IRO])
    if not roles:
        raise DomainError.one(ErrorCode.NOT_ON_CASE, "You are not the IRO for that child", "id")
    role = granting_role(actor, access.case.id, roles, Permission.MANAGE_REVIEWS)
    if role is None:
        raise DomainError.one(ErrorCode.NOT_PERMITTED, "Your API token does not allow this", "id")
    return change, replace(access, acting_as=role)


async def respond(
    session: AsyncSession,
    actor: Actor,
    change_id: uuid.UUID,
    response: ChangeResponse | None,
    reason: str,
) -> SignificantChange:
    """The child's IRO answers a significant change: no review needed, with the reason (meets SC). An
    additional review is the other answer, given by booking it (``review_booked``)."""
    change, access = await change_for_iro(session, actor, change_id)
    problems = Problems()
    if change.response is not None:
        problems.add(ErrorCode.ALREADY_DONE, "This change has been answered already", "id")
    if response is None:
        problems.add(ErrorCode.REQUIRED, "Say whether a review is needed", "response")
    elif response is ChangeResponse.REVIEW_BOOKED:
        problems.add(
            ErrorCode.INVALID_VALUE,
            "Book the additional review for the change: booking it answers the change",
            "response",
        )
    text = clean(reason)
    if len(text) > REASON_MAX_LENGTH:
        problems.add(ErrorCode.TOO_LONG, f"This must be {REASON_MAX_LENGTH:,} characters or fewer", "reason")
    elif not text and response is ChangeResponse.NO_REVIEW:
        problems.add(ErrorCode.REQUIRED, "Say why no review is needed", "reason")
    problems.raise_if_any()
    await _answer(session, actor, access, change, ChangeResponse.NO_REVIEW, text, None)
    return change


async def review_booked(
    session: AsyncSession,
    actor: Actor,
    access: CaseAccess,
    change_id: uuid.UUID,
    reviews: Sequence[Review],
) -> SignificantChange:
    """An additional review was booked for a significant change (CPPCR 2010 reg 33(3)): the change is
    answered with it, meeting SC. Called as the review is booked (portal/reviews/service.py), by the IRO of
    the children booked for: the change must be on the same case, about one of them, still unanswered, and
    the review an additional one; otherwise the booking is refused (field significantChangeId)."""
    change = await session.get(SignificantChange, change_id)
    if change is None or change.proceedings_id != access.case.id:
        raise NotFound("Significant change", FIELD)
    problems = Problems()
    review = next((r for r in reviews if r.child_id == change.child_id), None)
    if change.response is not None:
        problems.add(ErrorCode.ALREADY_DONE, "That change has been answered already", FIELD)
    if review is None:
        problems.add(
            ErrorCode.INVALID_VALUE, "The change is about another child: book the review for them", FIELD
        )
    elif review.kind is not ReviewKind.ADDITIONAL:
        problems.add(
            ErrorCode.INVALID_VALUE,
            "A review brought forward for a significant change is an additional review: choose that kind",
            FIELD,
        )
    problems.raise_if_any()
    assert review is not None
    await _answer(session, actor, access, change, ChangeResponse.REVIEW_BOOKED, "", review.id)
    return change


async def _answer(
    session: AsyncSession,
    actor: Actor,
    access: CaseAccess,
    change: SignificantChange,
    response: ChangeResponse,
    reason: str,
    review_id: uuid.UUID | None,
) -> None:
    """Record the IRO's answer, meet SC with it, tell whoever notified the change, and audit it."""
    now = utcnow()
    change.response, change.response_reason, change.review_id = response, reason, review_id
    change.responded_by_id, change.responded_at = actor.person_id, now
    await obligations.meet(
        session,
        change.proceedings_id,
        [CHANGE],
        evidence_id=change.id,
        when=now,
        by=actor.person_id,
        triggers={change.id},
    )
    if change.notified_by_id != actor.person_id:
        notifier = await session.get(Person, change.notified_by_id)
        if notifier is not None:
            enqueue(
                session,
                notifier,
                kind="significant_change.answered",
                subject="The IRO has answered a significant change you told them of",
                body="The IRO has considered a significant change you told them of, and recorded whether an "
                "additional review is needed.",
                link_path=_link(change),
            )
    audit.record_on_case(
        session,
        actor,
        access,
        f"significant_change.{response.value}",
        subject_type="significant_change",
        subject_id=change.id,
    )
