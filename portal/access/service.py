"""Fetch-and-authorise for cases: the case only if the actor may do what they ask on it; otherwise not found,
exactly as for a case that does not exist, and the refusal is recorded.

Which cases a viewer may read, and may do each thing on, is one set of predicates (repository.py), so what
a list shows, what a lookup allows and what every fetch below a case returns can't drift.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditOutcome, Organisation, OrganisationKind, Proceedings, Role
from portal.access import repository
from portal.access.policy import (
    Permission,
    acting_roles,
    administers,
    case_permissions,
    granting_role,
)
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.errors import NotFound

# What a missing organisation of each kind is called in the error.
NAMES = {
    OrganisationKind.LOCAL_AUTHORITY: "Local authority",
    OrganisationKind.CAFCASS_SERVICE_AREA: "Cafcass service area",
    OrganisationKind.COURT: "Court",
}


@dataclass(frozen=True)
class CaseAccess:
    case: Proceedings
    court: Organisation
    local_authority: Organisation
    # The roles the actor holds on this case, strongest first.
    roles: tuple[Role, ...]
    # The role that granted the permission asked for; recorded in the audit trail.
    acting_as: Role

    @property
    def permissions(self) -> frozenset[Permission]:
        return case_permissions(self.roles)


async def access_case(
    session: AsyncSession, actor: Actor, case_id: uuid.UUID, need: Permission
) -> CaseAccess:
    """The case, if ``actor`` may do ``need`` on it; otherwise NotFound, exactly as if it did not exist."""
    found = await repository.case_in_scopes(session, actor, case_id)
    granting, roles = None, []
    if found is not None:
        roles = acting_roles(actor.roles, actor.case_roles.get(case_id, frozenset()), found.scopes)
        granting = granting_role(actor, case_id, roles, need)
    if found is None or granting is None:
        # Refused: kept in the audit trail even though the request's own work is rolled back.
        audit.record(
            session,
            actor,
            f"refused:{need.value}",
            subject_type="case",
            subject_id=case_id,
            case_id=case_id,
            outcome=AuditOutcome.REFUSED,
        )
        raise NotFound("Case")
    return CaseAccess(
        case=found.case,
        court=found.court,
        local_authority=found.local_authority,
        roles=tuple(roles),
        acting_as=granting,
    )


async def may_access(session: AsyncSession, actor: Actor, case_id: uuid.UUID, need: Permission) -> bool:
    """Whether ``actor`` may do ``need`` on the case, recording nothing (``access_case`` records refusals)."""
    found = await repository.case_in_scopes(session, actor, case_id)
    if found is None:
        return False
    roles = acting_roles(actor.roles, actor.case_roles.get(case_id, frozenset()), found.scopes)
    return granting_role(actor, case_id, roles, need) is not None


class CaseRecord(Protocol):
    proceedings_id: uuid.UUID


R = TypeVar("R", bound=CaseRecord)


async def access_record(
    session: AsyncSession, actor: Actor, model: type[R], record_id: uuid.UUID, need: Permission, what: str
) -> tuple[R, CaseAccess]:
    """A record on a case (a review, an issue, a handover ...) if the actor may do ``need`` on its case;
    otherwise NotFound for the record, exactly as if it did not exist."""
    record = await session.get(model, record_id)
    if record is None:
        raise NotFound(what, "id")
    try:
        return record, await access_case(session, actor, record.proceedings_id, need)
    except NotFound:
        raise NotFound(what, "id") from None


async def administered_authority(
    session: AsyncSession,
    actor: Actor,
    organisation_id: uuid.UUID,
    action: str,
    kind: OrganisationKind = OrganisationKind.LOCAL_AUTHORITY,
) -> Organisation:
    """The local authority (or organisation of another ``kind``), if the actor administers it; otherwise
    NotFound, as if there were none, and the refusal of ``action`` is recorded."""
    found = (
        await repository.organisation_of_kind(session, organisation_id, kind)
        if administers(actor, organisation_id)
        else None
    )
    if found is None:
        audit.record(
            session,
            actor,
            f"refused:{action}",
            subject_type="organisation",
            subject_id=organisation_id,
            outcome=AuditOutcome.REFUSED,
        )
        raise NotFound(NAMES[kind], "organisationId")
    return found
