"""The IRO's view before the court (issue 19): the case's guardian records whether each of their analyses
(initial and final) cites the IRO's view of the care plan, with a short reason when it does not.

The guardian should make the IRO's view known to the court by citing it explicitly in their report
(RESEARCH-NOTES.md §1.7; the proceedings record holds "IRO's view as recorded in the guardian's report
(yes/no)", §5.2). Recorded at filing or afterwards, and changed by the guardian as often as they need: the
record holds the latest answer, and each answer is in the case's audit trail. Only the guardian on the case
records it (anyone else is told the paper was not found, as for any paper they may not act on); only a
guardian's analysis has the question (INVALID_VALUE on ``paperId`` for any other paper)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from models import CourtPaper, IroViewCitation, PaperKind, utcnow
from portal.access.policy import Permission
from portal.access.service import access_case
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.errors import ErrorCode, NotFound, Problems
from portal.papers import repository
from portal.validation import clean

# The papers that carry the question: the guardian's analyses for the court.
ANALYSES = frozenset({PaperKind.GUARDIAN_ANALYSIS_INITIAL, PaperKind.GUARDIAN_ANALYSIS_FINAL})
REASON_MAX_LENGTH = 500


@dataclass(frozen=True)
class RecordIroView:
    paper_id: uuid.UUID
    # Whether the analysis cites the IRO's view of the care plan (None: not answered, a problem).
    cites: bool | None
    # Why it does not (optional; only with ``cites`` false).
    reason: str = ""


async def record_iro_view(session: AsyncSession, actor: Actor, data: RecordIroView) -> IroViewCitation:
    """Record (or change) whether the guardian's analysis cites the IRO's view of the care plan: the case's
    guardian only, on a guardian's analysis; every problem at once; audited on the case."""
    paper = await session.get(CourtPaper, data.paper_id)
    if paper is None:
        raise NotFound("Paper", "paperId")
    try:
        access = await access_case(session, actor, paper.proceedings_id, Permission.RECORD_IRO_VIEW)
    except NotFound:
        raise NotFound("Paper", "paperId") from None
    problems = Problems()
    if paper.kind not in ANALYSES:
        problems.add(
            ErrorCode.INVALID_VALUE,
            "Only a guardian's analysis cites the IRO's view of the care plan",
            "paperId",
        )
    if data.cites is None:
        problems.add(
            ErrorCode.REQUIRED, "Say whether your analysis cites the IRO's view of the care plan", "cites"
        )
    reason = clean(data.reason)
    if len(reason) > REASON_MAX_LENGTH:
        problems.add(
            ErrorCode.TOO_LONG, f"The reason must be {REASON_MAX_LENGTH} characters or fewer", "reason"
        )
    elif reason and data.cites:
        problems.add(
            ErrorCode.INVALID_VALUE,
            "Give a reason only when your analysis does not cite the IRO's view",
            "reason",
        )
    problems.raise_if_any()
    assert data.cites is not None
    found = await repository.iro_view_of(session, paper.id)
    if found is None:
        found = IroViewCitation(
            proceedings_id=paper.proceedings_id,
            paper_id=paper.id,
            cites=data.cites,
            reason=reason,
            recorded_by_id=actor.person_id,
        )
        session.add(found)
    else:
        found.cites, found.reason = data.cites, reason
        found.recorded_by_id, found.recorded_at = actor.person_id, utcnow()
    await session.flush()
    audit.record_on_case(
        session, actor, access, "paper.iro_view", subject_type="court_paper", subject_id=paper.id
    )
    return found
