"""Fetch-and-authorise for cases: one query returns the case only if the actor may see it.

The same predicate drives every list of cases, so what a list shows and what a lookup allows can't drift.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import (
    AuditOutcome,
    CaseMembership,
    CaseRole,
    Child,
    Organisation,
    Person,
    Proceedings,
    ProceedingsChild,
    Role,
)
from portal.access.policy import Permission, acting_roles, case_permissions, role_permitting, token_allows
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.errors import NotFound


def _cafcass_scope(organisation_id: uuid.UUID) -> sa.ColumnElement[bool]:
    """A Cafcass manager's cases: those issued at a court their service area serves, or with a live
    guardian from their service area. As a list of ids, uncorrelated, so that the database can start from
    the scope and reach each case's rows by its indexes."""
    issued_here = aliased(Proceedings)
    at_courts = sa.select(issued_here.id).where(
        issued_here.court_id.in_(
            sa.select(Organisation.id).where(Organisation.service_area_id == organisation_id)
        )
    )
    with_guardians = (
        sa.select(CaseMembership.proceedings_id)
        .join(Person, Person.id == CaseMembership.person_id)
        .where(
            CaseMembership.role == CaseRole.GUARDIAN,
            CaseMembership.ended_at.is_(None),
            Person.organisation_id == organisation_id,
        )
    )
    return Proceedings.id.in_(sa.union(at_courts, with_guardians))


def _iro_manager_scope(organisation_id: uuid.UUID) -> sa.ColumnElement[bool]:
    """An IRO manager's cases: those concerning a child of their authority."""
    return Proceedings.id.in_(
        sa.select(ProceedingsChild.proceedings_id)
        .join(Child, Child.id == ProceedingsChild.child_id)
        .where(Child.local_authority_id == organisation_id)
    )


def _manager_scopes(actor: Actor) -> dict[Role, sa.ColumnElement[bool]]:
    scopes: dict[Role, sa.ColumnElement[bool]] = {}
    if actor.has_role(Role.CAFCASS_MANAGER):
        scopes[Role.CAFCASS_MANAGER] = _cafcass_scope(actor.organisation_id)
    if actor.has_role(Role.IRO_MANAGER):
        scopes[Role.IRO_MANAGER] = _iro_manager_scope(actor.organisation_id)
    return scopes


def managed_cases(actor: Actor) -> sa.ColumnElement[bool]:
    """The predicate on ``Proceedings`` for the cases in the actor's manager scope: their service area's (a
    Cafcass manager) or their authority's (an IRO manager). What the adherence dashboards count."""
    scopes = list(_manager_scopes(actor).values())
    if not scopes or not token_allows(actor.scopes, Permission.VIEW_ADHERENCE):
        return sa.false()
    return sa.or_(*scopes)


def _member_case_ids(actor: Actor) -> list[uuid.UUID]:
    return [case_id for case_id, roles in actor.case_roles.items() if acting_roles(actor.roles, roles, ())]


def readable_cases(actor: Actor) -> sa.ColumnElement[bool]:
    """The predicate on ``Proceedings`` for the cases ``actor`` may read (PROTOCOL.md §6)."""
    if not token_allows(actor.scopes, Permission.READ_CASE):
        return sa.false()
    clauses: list[sa.ColumnElement[bool]] = list(_manager_scopes(actor).values())
    member_ids = _member_case_ids(actor)
    if member_ids:
        clauses.append(Proceedings.id.in_(member_ids))
    return sa.or_(*clauses) if clauses else sa.false()


def writable(actor: Actor, case_id: uuid.UUID, roles: list[Role], need: Permission) -> list[Role]:
    """After the guardian's involvement closes, their guardian role on the case only reads it."""
    if case_id in actor.read_only_cases and need is not Permission.READ_CASE:
        return [r for r in roles if r is not Role.GUARDIAN]
    return roles


@dataclass(frozen=True)
class CaseAccess:
    case: Proceedings
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
    scopes = _manager_scopes(actor)
    columns = [expr.label(role.value) for role, expr in scopes.items()]
    row = (
        await session.execute(
            sa.select(Proceedings, *columns).where(Proceedings.id == case_id, readable_cases(actor))
        )
    ).first()
    granting = None
    if row is not None:
        in_scope = [role for role in scopes if row._mapping[role.value]]
        roles = acting_roles(actor.roles, actor.case_roles.get(case_id, frozenset()), in_scope)
        granting = (
            role_permitting(writable(actor, case_id, roles, need), need)
            if token_allows(actor.scopes, need)
            else None
        )
    if row is None or granting is None:
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
    return CaseAccess(case=row[0], roles=tuple(roles), acting_as=granting)


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
