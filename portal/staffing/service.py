"""Who staffs each case: the Cafcass manager's allocation queue and her guardians' caseloads, and the IRO
manager's assignment queue (her IROs' caseloads are the workload dashboard's, portal/dashboards).

A case waits for a guardian while a child in its open proceedings has none (allocation is expected
promptly after issue: P2 and P3 run from it), and for an IRO while a looked-after child of the manager's
authority has none (the IRO Handbook: an IRO within 5 working days of the child becoming looked after).
The allocating and assigning themselves are portal/cases/service.py's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseRole, Proceedings, Role
from portal.access.policy import Permission, token_allows
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.dashboards.viewer import require_viewer
from portal.staffing import repository
from portal.staffing.repository import Cursor


def allocates_guardians(actor: Actor | None) -> bool:
    """Whether the allocation queue is for this person: a Cafcass manager (whose token, if any, allows
    allocating)."""
    return (
        actor is not None
        and actor.has_role(Role.CAFCASS_MANAGER)
        and token_allows(actor.scopes, Permission.ALLOCATE_GUARDIAN)
    )


def assigns_iros(actor: Actor | None) -> bool:
    """Whether the assignment queue is for this person: an IRO manager (whose token, if any, allows
    assigning)."""
    return (
        actor is not None
        and actor.has_role(Role.IRO_MANAGER)
        and token_allows(actor.scopes, Permission.ASSIGN_IRO)
    )


@dataclass(frozen=True)
class QueuePage:
    cases: list[Proceedings]
    has_next: bool
    total: int


async def queue(
    session: AsyncSession,
    actor: Actor,
    role: CaseRole,
    *,
    waiting: bool,
    first: int,
    after: Cursor | None = None,
) -> QueuePage:
    """A page of the cases on which the actor may allocate a guardian (``role`` GUARDIAN: open proceedings
    in a Cafcass manager's scope) or assign an IRO (IRO: her authority's children's cases), those still
    waiting for one (oldest issued first) or the others (newest first). Empty for anyone else, as for a
    case they cannot see. Each case handed out is recorded as a look by the API."""
    cases, has_next = await repository.queue_page(
        session, actor, role, waiting=waiting, first=first, after=after
    )
    total = await repository.queue_count(session, actor, role, waiting=waiting)
    return QueuePage(cases, has_next, total)


@dataclass(frozen=True)
class GuardianLoad:
    guardian_id: uuid.UUID
    name: str
    cases: int
    children: int


async def guardian_caseloads(session: AsyncSession, actor: Actor) -> list[GuardianLoad]:
    """For a Cafcass manager: each active guardian of her service area and their current caseload, by name
    (empty for an IRO manager; refused, as the dashboards are, for anyone who is not a manager)."""
    require_viewer(actor)
    if not actor.has_role(Role.CAFCASS_MANAGER):
        return []
    loads = await repository.guardian_loads(session, actor)
    audit.record(session, actor, "caseloads.read", subject_type="dashboard")
    return [GuardianLoad(uuid.UUID(str(i)), name, cases, children) for i, name, cases, children in loads]
