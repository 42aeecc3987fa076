"""A plain-language summary for a child of a resolved disagreement about their plan (issue 19;
RESEARCH-NOTES.md F18: children were not told of outcomes, and their views were "tick box"): what was decided,
and how the child's views counted, written by the child's IRO once the dispute is resolved, to the child or,
for a young child, their carer. The letter is drawn from it (portal/web/letter_pages.py); it is kept with the
dispute, and on the child's file."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseRole, ChildSummary, Dispute, DisputeState, LetterTo, utcnow
from portal.access.policy import Permission
from portal.access.service import access_record
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.cases import repository as cases
from portal.errors import DomainError, ErrorCode, Problems
from portal.letters.addressee import addressee
from portal.validation import clean_required

TEXT_MAX_LENGTH = 4000


@dataclass(frozen=True)
class WriteChildSummary:
    dispute_id: uuid.UUID
    # The child it is for: needed when the dispute concerns every child of the case.
    child_id: uuid.UUID | None
    decided: str
    views_counted: str
    letter_to: LetterTo | None
    carer_name: str = ""


async def write_child_summary(session: AsyncSession, actor: Actor, data: WriteChildSummary) -> ChildSummary:
    """Write (or change) the summary of a resolved dispute for one child it concerns (the child's IRO).
    Anyone who may not write to the case's children finds no such dispute; another IRO on the case is told
    they are not the child's; an open dispute is refused (NOT_YET_RESOLVED)."""
    dispute, access = await access_record(
        session, actor, Dispute, data.dispute_id, Permission.WRITE_TO_CHILD, "Dispute"
    )
    problems = Problems()
    child_id = dispute.child_id or data.child_id
    children = {c.id: c for c in await cases.case_children(session, dispute.proceedings_id)}
    if child_id is None:
        problems.add(ErrorCode.REQUIRED, "Choose the child the summary is for", "childId")
    elif child_id not in children:
        problems.add(ErrorCode.NOT_IN_PROCEEDINGS, "That child is not in these proceedings", "childId")
    elif data.child_id not in {None, child_id}:
        problems.add(ErrorCode.INVALID_VALUE, "The dispute does not concern that child", "childId")
    else:
        iros = await cases.live_memberships(session, dispute.proceedings_id, CaseRole.IRO)
        if not any(m.child_id == child_id and m.person_id == actor.person_id for m in iros):
            name = children[child_id].given_name
            raise DomainError.one(ErrorCode.NOT_ON_CASE, f"You are not the IRO for {name}", "childId")
    if dispute.state is not DisputeState.RESOLVED:
        problems.add(
            ErrorCode.NOT_YET_RESOLVED,
            "Resolve the dispute first, then tell the child what was decided",
            "id",
        )
    decided = clean_required(
        problems,
        data.decided,
        "decided",
        "Say what was decided, in words the child will understand",
        TEXT_MAX_LENGTH,
    )
    views_counted = clean_required(
        problems,
        data.views_counted,
        "viewsCounted",
        "Say how the child's views counted in the decision",
        TEXT_MAX_LENGTH,
    )
    carer_name = addressee(problems, data.letter_to, data.carer_name)
    problems.raise_if_any()
    assert child_id is not None
    assert data.letter_to is not None
    found = await session.get(ChildSummary, (dispute.id, child_id))
    now = utcnow()
    summary = found or ChildSummary(
        dispute_id=dispute.id,
        child_id=child_id,
        proceedings_id=dispute.proceedings_id,
        decided=decided,
        views_counted=views_counted,
        letter_to=data.letter_to,
        written_by_id=actor.person_id,
        written_at=now,
        updated_at=now,
    )
    summary.decided, summary.views_counted = decided, views_counted
    summary.letter_to, summary.carer_name = data.letter_to, carer_name
    summary.written_by_id, summary.updated_at = actor.person_id, now
    if found is None:
        session.add(summary)
    await session.flush()
    audit.record_on_case(
        session,
        actor,
        access,
        "dispute.child_summary.change" if found else "dispute.child_summary",
        subject_type="dispute",
        subject_id=dispute.id,
    )
    return summary
