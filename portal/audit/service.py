"""Recording audit events in the caller's transaction, so a write and its record commit together: who,
acting as what, did what to what, from where, and with what outcome. Looks at a case are recorded once per
request and case, and kept even when the rest of the request fails."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditOutcome, Role, utcnow
from portal.audit import pending
from portal.auth.actor import Actor, Via

if TYPE_CHECKING:
    from portal.access.service import CaseAccess


def record(
    session: AsyncSession,
    actor: Actor | None,
    action: str,
    *,
    subject_type: str,
    subject_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    acting_as: Role | None = None,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    kept: bool = False,
    via: Via | None = None,
    source: str | None = None,
) -> None:
    """An event, written when the transaction commits; ``kept`` events (and refusals) are written even if
    it rolls back. ``via`` and ``source`` say how and where from when there is no actor (a sign-in)."""
    pending.add(
        session,
        {
            "id": uuid.uuid4(),
            "occurred_at": utcnow(),
            "person_id": actor.person_id if actor else None,
            "acting_as": acting_as.value if acting_as else "",
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "case_id": case_id,
            "outcome": outcome,
            "channel": actor.via.value if actor else (via or Via.CLI).value,
            "source": (actor.source if actor else source or "")[:100],
        },
        kept=kept or outcome is AuditOutcome.REFUSED,
    )


def record_on_case(
    session: AsyncSession,
    actor: Actor,
    access: CaseAccess,
    action: str,
    *,
    subject_type: str = "case",
    subject_id: uuid.UUID | None = None,
) -> None:
    """An event on a case the actor reached through ``access``, in the role that allowed it."""
    record(
        session,
        actor,
        action,
        subject_type=subject_type,
        subject_id=subject_id or access.case.id,
        case_id=access.case.id,
        acting_as=access.acting_as,
    )


class Look(StrEnum):
    """The kinds of look at a case, as its access log names them."""

    VIEW = "case.view"
    LIST = "case.list"
    TASK_LIST = "case.task_list"
    DRILL_DOWN = "case.drill_down"
    EXPORT_CHILD_FILE_JSON = "case.export.child_file.json"
    EXPORT_CHILD_FILE_PDF = "case.export.child_file.pdf"
    EXPORT_DISCUSSION_JSON = "case.export.discussion.json"
    EXPORT_DISCUSSION_PDF = "case.export.discussion.pdf"
    EXPORT_HANDOVER_PDF = "case.export.handover.pdf"
    # A letter to a child (issue 19): the IRO's introduction, or what was decided in a dispute.
    EXPORT_LETTER_PDF = "case.export.letter.pdf"
    # A dispute about the care plan (portal/disputes/), read alone or seen in a list.
    DISPUTE = "case.dispute"
    DISPUTE_LIST = "case.dispute.list"
    # A referral to Cafcass (portal/referrals/), read alone or seen in a list.
    REFERRAL = "case.referral"
    REFERRAL_LIST = "case.referral.list"
    # What a child said at a review (their wishes and feelings), shown to someone who may read it.
    PARTICIPATION = "case.review.participation"
    # A review's decisions (issue 18), seen by their owner or the manager asked to confirm them, who need not
    # be on the case.
    DECISIONS = "case.review.decisions"


def look(session: AsyncSession, actor: Actor, case_id: uuid.UUID, kind: Look, acting_as: Role | None) -> None:
    """The actor saw the case's content, in a ``kind`` of look: one event per case and kind in a request,
    kept whatever else the request does."""
    if pending.first_time(session, (case_id, kind)):
        record(
            session,
            actor,
            kind,
            subject_type="case",
            subject_id=case_id,
            case_id=case_id,
            acting_as=acting_as,
            kept=True,
        )
