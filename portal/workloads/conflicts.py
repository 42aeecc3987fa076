"""Conflicts of interest between an IRO and a child (issue 19; RESEARCH-NOTES.md §1.1 "other duties", §5.1
conflict-of-interest markers; IRO Handbook 2.18: the IRO must not be "a person involved in preparing the
child's care plan or the management of the child's case").

A conflict (the IRO reviews the child's foster carer, or was the child's social worker or their manager, or
another) is recorded on the child's case by the IRO manager in scope, or declared by the IRO on the case for
themselves; either may withdraw it, with the reason. Assigning that IRO to the child is refused
(CONFLICT_OF_INTEREST) unless the assignment acknowledges it, and the acknowledgement is kept on the conflict
and audited (``assignment_problems``, ``acknowledge``: called by portal/cases/service.py). A conflict
recorded for the child's IRO now is flagged to the authority's IRO managers: it is marked on their lists, and
they are told by email, with a link and no case content."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseRole, ConflictKind, ConflictOfInterest, Role, utcnow
from portal.access.policy import Permission
from portal.access.service import CaseAccess, access_case, access_record
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.cases import repository as cases
from portal.errors import ErrorCode, Problem, Problems
from portal.mail.outbox import enqueue
from portal.validation import clean
from portal.workloads import repository

DETAILS_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 2000
FIELD = "conflictAcknowledged"
# Where the IRO managers see them.
LIST_PATH = "/workloads"
KIND_WORDS = {
    ConflictKind.FOSTERING_REVIEWER: "reviews the child's foster carer",
    ConflictKind.CHILDS_SOCIAL_WORKER: "was the child's social worker",
    ConflictKind.SOCIAL_WORKERS_MANAGER: "was the manager of the child's social worker",
    ConflictKind.OTHER: "has another conflict of interest",
}


@dataclass(frozen=True)
class RecordConflict:
    case_id: uuid.UUID
    child_id: uuid.UUID | None
    iro_id: uuid.UUID | None
    kind: ConflictKind | None
    details: str


def _as_iro(access: CaseAccess) -> bool:
    """Whether the actor reached the case as an IRO on it (a self-declaration), not as a manager."""
    return access.acting_as is Role.IRO


async def record_conflict(session: AsyncSession, actor: Actor, data: RecordConflict) -> ConflictOfInterest:
    """Record a conflict of interest between an IRO of the authority and a child of the case: the IRO manager
    in scope, for any IRO of their authority; the IRO on the case, for themselves. Details are needed for
    "other". The same open conflict twice is DUPLICATE."""
    access = await access_case(session, actor, data.case_id, Permission.RECORD_CONFLICTS)
    problems = Problems()
    children = {c.id: c for c in await cases.case_children(session, access.case.id)}
    if data.child_id is None:
        problems.add(ErrorCode.REQUIRED, "Choose the child", "childId")
    elif data.child_id not in children:
        problems.add(ErrorCode.NOT_IN_PROCEEDINGS, "That child is not in these proceedings", "childId")
    iro_id = actor.person_id if data.iro_id is None and _as_iro(access) else data.iro_id
    if iro_id is None:
        problems.add(ErrorCode.REQUIRED, "Choose the IRO", "iroId")
    elif _as_iro(access) and iro_id != actor.person_id:
        problems.add(ErrorCode.NOT_PERMITTED, "You may declare only your own conflicts of interest", "iroId")
    else:
        iro = await repository.active_iro(session, iro_id)
        if iro is None or iro.organisation_id != access.local_authority.id:
            problems.add(ErrorCode.NOT_FOUND, "Choose an IRO of the child's authority", "iroId")
    if data.kind is None:
        problems.add(ErrorCode.REQUIRED, "Say what the conflict of interest is", "kind")
    details = clean(data.details)
    if len(details) > DETAILS_MAX_LENGTH:
        problems.add(
            ErrorCode.TOO_LONG, f"This must be {DETAILS_MAX_LENGTH:,} characters or fewer", "details"
        )
    elif not details and data.kind is ConflictKind.OTHER:
        problems.add(ErrorCode.REQUIRED, "Say what the conflict of interest is", "details")
    if not problems.has("childId") and not problems.has("iroId") and not problems.has("kind"):
        assert iro_id is not None
        same = [
            c
            for c in await repository.open_conflicts_on_case(session, access.case.id, iro_id)
            if c.child_id == data.child_id and c.kind is data.kind
        ]
        if same:
            problems.add(ErrorCode.DUPLICATE, "This conflict of interest is recorded already", "kind")
    problems.raise_if_any()
    assert data.child_id is not None
    assert iro_id is not None
    assert data.kind is not None
    conflict = ConflictOfInterest(
        proceedings_id=access.case.id,
        child_id=data.child_id,
        iro_id=iro_id,
        kind=data.kind,
        details=details,
        recorded_by_id=actor.person_id,
    )
    session.add(conflict)
    await session.flush()
    audit.record_on_case(
        session,
        actor,
        access,
        "conflict_of_interest.record",
        subject_type="conflict_of_interest",
        subject_id=conflict.id,
    )
    if await repository.is_childs_iro(session, access.case.id, data.child_id, iro_id):
        await _flag(session, actor, access.local_authority.id)
    return conflict


async def _flag(session: AsyncSession, actor: Actor, authority_id: uuid.UUID) -> None:
    """Tell the authority's IRO managers (but whoever recorded it) that an IRO has a conflict of interest with
    a child they are the IRO for: a link to their list, no case content."""
    for manager in await repository.iro_managers(session, authority_id):
        if manager.id == actor.person_id:
            continue
        enqueue(
            session,
            manager,
            kind="conflict_of_interest.flagged",
            subject="An IRO has a conflict of interest with a child they are assigned to",
            body="A conflict of interest has been recorded for one of your authority's IROs with a child "
            "they are the IRO for. Consider whether the child needs another IRO.",
            link_path=LIST_PATH,
        )


async def withdraw_conflict(
    session: AsyncSession, actor: Actor, conflict_id: uuid.UUID, reason: str
) -> ConflictOfInterest:
    """Withdraw a conflict of interest, with the reason: the IRO manager in scope, or the IRO it is about."""
    conflict, access = await access_record(
        session, actor, ConflictOfInterest, conflict_id, Permission.RECORD_CONFLICTS, "Conflict of interest"
    )
    problems = Problems()
    if _as_iro(access) and conflict.iro_id != actor.person_id:
        problems.add(ErrorCode.NOT_PERMITTED, "You may withdraw only your own conflicts of interest", "id")
    if conflict.withdrawn_at is not None:
        problems.add(ErrorCode.ALREADY_DONE, "This conflict of interest has been withdrawn already", "id")
    text = clean(reason)
    if not text:
        problems.add(ErrorCode.REQUIRED, "Say why it is withdrawn", "reason")
    elif len(text) > REASON_MAX_LENGTH:
        problems.add(ErrorCode.TOO_LONG, f"This must be {REASON_MAX_LENGTH:,} characters or fewer", "reason")
    problems.raise_if_any()
    conflict.withdrawn_at, conflict.withdrawn_by_id, conflict.withdrawn_reason = (
        utcnow(),
        actor.person_id,
        text,
    )
    await session.flush()
    audit.record_on_case(
        session,
        actor,
        access,
        "conflict_of_interest.withdraw",
        subject_type="conflict_of_interest",
        subject_id=conflict.id,
    )
    return conflict


async def assignment_problems(
    session: AsyncSession,
    case_id: uuid.UUID,
    iro_id: uuid.UUID,
    child_ids: Sequence[uuid.UUID],
    acknowledged: bool,
) -> tuple[list[ConflictOfInterest], list[Problem]]:
    """The IRO's open conflicts of interest with the children being assigned to them (``child_ids``; empty:
    every looked-after child of the case), but those they are the IRO for already (assigning them again
    changes nothing); and, unless ``acknowledged``, a CONFLICT_OF_INTEREST problem for each, with its kind
    and details."""
    open_ = await repository.open_conflicts_on_case(session, case_id, iro_id)
    if not open_:
        return [], []
    children = {c.id: c for c in await cases.case_children(session, case_id)}
    held = {
        m.child_id
        for m in await cases.live_memberships(session, case_id, CaseRole.IRO)
        if m.person_id == iro_id
    }
    chosen = set(child_ids) or {c.id for c in children.values() if c.legal_status.is_looked_after}
    found = [c for c in open_ if c.child_id in chosen - held]
    if acknowledged or not found:
        return found, []
    problems = []
    for conflict in found:
        child = children.get(conflict.child_id)
        name = child.given_name if child else "the child"
        details = f": {conflict.details}" if conflict.details else ""
        problems.append(
            Problem(
                ErrorCode.CONFLICT_OF_INTEREST,
                f"This IRO {KIND_WORDS[conflict.kind].replace('the child', name, 1)}{details}. Acknowledge "
                "the conflict of interest to assign them all the same",
                FIELD,
            )
        )
    return found, problems


def acknowledge(
    session: AsyncSession, actor: Actor, access: CaseAccess, conflicts: Sequence[ConflictOfInterest]
) -> None:
    """The IRO was assigned with their conflicts acknowledged: kept on each conflict, and audited."""
    now = utcnow()
    for conflict in conflicts:
        conflict.acknowledged_by_id, conflict.acknowledged_at = actor.person_id, now
        audit.record_on_case(
            session,
            actor,
            access,
            "conflict_of_interest.acknowledge",
            subject_type="conflict_of_interest",
            subject_id=conflict.id,
        )
