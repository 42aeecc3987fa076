"""Concerns and significant issues: records one side raises and the other acknowledges.

P8: the guardian may consult the IRO about concerns over the authority's management of the case; the IRO
acknowledges. P9: the IRO tells the guardian of significant issues arising in planning and review meetings,
within 2 working days of the meeting; recording the issue opens P9, telling the guardian meets it, and the
guardian acknowledges.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CaseRole,
    ConsultationEvent,
    IssueKind,
    Proceedings,
    RaisedIssue,
    Trigger,
    utcnow,
)
from portal import clock
from portal.access.policy import Permission
from portal.access.service import CaseAccess, access_case, access_record
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.cases import repository as cases
from portal.errors import DomainError, ErrorCode, Problems
from portal.mail.outbox import enqueue
from portal.obligations import arrangements
from portal.obligations import service as obligations
from portal.raised_issues import repository
from portal.validation import check_past_date, clean, clean_required

SUMMARY_MAX_LENGTH = 4000
# Who raises each kind, and who acknowledges it.
RAISED_BY = {IssueKind.CONCERN: CaseRole.GUARDIAN, IssueKind.SIGNIFICANT_ISSUE: CaseRole.IRO}
ACKNOWLEDGED_BY = {IssueKind.CONCERN: CaseRole.IRO, IssueKind.SIGNIFICANT_ISSUE: CaseRole.GUARDIAN}
NOUN = {IssueKind.CONCERN: "concern", IssueKind.SIGNIFICANT_ISSUE: "significant issue"}


@dataclass(frozen=True)
class RaiseIssue:
    case_id: uuid.UUID
    kind: IssueKind
    summary: str
    # The meeting a significant issue arose in, and its date; for a concern, the date it is raised.
    arose_on: date | None = None
    meeting: str = ""
    # A significant issue: tell the guardian now (meeting P9), or keep it to tell them later.
    tell_now: bool = True


async def raise_issue(session: AsyncSession, actor: Actor, data: RaiseIssue) -> RaisedIssue:
    need = Permission.RAISE_CONCERN if data.kind is IssueKind.CONCERN else Permission.RECORD_SIGNIFICANT_ISSUE
    access = await access_case(session, actor, data.case_id, need)
    problems = Problems()
    today = clock.today()
    summary = clean_required(
        problems, data.summary, "summary", f"Describe the {NOUN[data.kind]}", SUMMARY_MAX_LENGTH
    )
    meeting = clean(data.meeting)
    arose_on = today if data.kind is IssueKind.CONCERN else data.arose_on
    if data.kind is IssueKind.SIGNIFICANT_ISSUE:
        check_past_date(
            problems,
            arose_on,
            "aroseOn",
            missing="Enter the date of the meeting it arose in",
            label="The meeting's date",
            today=today,
            not_before=access.case.issued_on,
            too_early="The meeting cannot be before the proceedings were issued",
        )
        if not meeting:
            problems.add(ErrorCode.REQUIRED, "Say which meeting it arose in", "meeting")
        elif len(meeting) > 200:
            problems.add(ErrorCode.TOO_LONG, "The meeting must be 200 characters or fewer", "meeting")
    if not await cases.live_people(session, access.case.id, ACKNOWLEDGED_BY[data.kind]):
        problems.add(
            ErrorCode.NOT_ON_CASE, f"There is no {_side(ACKNOWLEDGED_BY[data.kind])} on the case to tell"
        )
    problems.raise_if_any()
    assert arose_on is not None
    issue = RaisedIssue(
        proceedings_id=access.case.id,
        kind=data.kind,
        arose_on=arose_on,
        meeting=meeting,
        summary=summary,
        raised_by_id=actor.person_id,
    )
    session.add(issue)
    await session.flush()
    audit.record_on_case(
        session, actor, access, f"{data.kind.value}.raise", subject_type="raised_issue", subject_id=issue.id
    )
    if data.kind is IssueKind.SIGNIFICANT_ISSUE:
        await obligations.open_obligations(
            session,
            access.case,
            Trigger.SIGNIFICANT_ISSUE,
            on=arose_on,
            by=actor.person_id,
            trigger_id=issue.id,
        )
    if data.kind is IssueKind.CONCERN or data.tell_now:
        await _share(session, actor, access, issue)
    return issue


def _side(role: CaseRole) -> str:
    return "guardian" if role is CaseRole.GUARDIAN else "IRO"


async def _issue(
    session: AsyncSession, actor: Actor, issue_id: uuid.UUID, need: Permission
) -> tuple[RaisedIssue, CaseAccess]:
    return await access_record(session, actor, RaisedIssue, issue_id, need, "Issue")


async def share_issue(session: AsyncSession, actor: Actor, issue_id: uuid.UUID) -> RaisedIssue:
    """Tell the guardian of a significant issue kept back when it was recorded (P9's evidence)."""
    issue, access = await _issue(session, actor, issue_id, Permission.RECORD_SIGNIFICANT_ISSUE)
    if issue.shared_at is not None:
        raise DomainError.one(ErrorCode.ALREADY_DONE, "The guardian has been told of this issue", "id")
    await _share(session, actor, access, issue)
    return issue


async def _share(session: AsyncSession, actor: Actor, access: CaseAccess, issue: RaisedIssue) -> None:
    now = utcnow()
    issue.shared_at = now
    if issue.kind is IssueKind.SIGNIFICANT_ISSUE:
        await arrangements.event_happened(
            session, issue.proceedings_id, ConsultationEvent.ON_SIGNIFICANT_CHANGE
        )
        await obligations.meet(
            session,
            issue.proceedings_id,
            ["P9"],
            evidence_id=issue.id,
            when=now,
            by=actor.person_id,
            triggers={issue.id},
        )
    for person in await cases.live_people(session, issue.proceedings_id, ACKNOWLEDGED_BY[issue.kind]):
        enqueue(
            session,
            person,
            kind=f"{issue.kind.value}.raised",
            subject=f"A {NOUN[issue.kind]} has been raised with you",
            body=f"A {NOUN[issue.kind]} has been raised with you under the guardian–IRO protocol. "
            "Please read it and acknowledge it.",
            link_path=f"/cases/{issue.proceedings_id}#issues",
        )
    audit.record_on_case(
        session, actor, access, f"{issue.kind.value}.share", subject_type="raised_issue", subject_id=issue.id
    )


async def acknowledge(session: AsyncSession, actor: Actor, issue_id: uuid.UUID, response: str) -> RaisedIssue:
    """The other side has read it: the IRO a concern, the guardian a significant issue, with a response."""
    issue, access = await _issue(session, actor, issue_id, Permission.ACKNOWLEDGE_ISSUE)
    receivers = {
        p.id for p in await cases.live_people(session, issue.proceedings_id, ACKNOWLEDGED_BY[issue.kind])
    }
    if actor.person_id not in receivers:
        raise DomainError.one(
            ErrorCode.NOT_PERMITTED, f"Only the {_side(ACKNOWLEDGED_BY[issue.kind])} can acknowledge it", "id"
        )
    problems = Problems()
    if issue.shared_at is None:
        problems.add(ErrorCode.NOT_PERMITTED, "It has not been shared with you yet", "id")
    elif issue.acknowledged_at is not None:
        problems.add(ErrorCode.ALREADY_DONE, "It has been acknowledged already", "id")
    text = clean(response)
    if len(text) > 4000:
        problems.add(ErrorCode.TOO_LONG, "The response must be 4,000 characters or fewer", "response")
    problems.raise_if_any()
    issue.acknowledged_at, issue.acknowledged_by_id, issue.response = utcnow(), actor.person_id, text or None
    audit.record_on_case(
        session,
        actor,
        access,
        f"{issue.kind.value}.acknowledge",
        subject_type="raised_issue",
        subject_id=issue.id,
    )
    return issue


async def to_acknowledge(session: AsyncSession, actor: Actor) -> list[tuple[RaisedIssue, Proceedings]]:
    """Concerns and significant issues shared with the actor (as the IRO or the guardian on the case) and
    not yet acknowledged, on cases where they may read them, oldest first. One query."""
    return await repository.awaiting_acknowledgement(session, actor, ACKNOWLEDGED_BY)
