"""The read layer's SQL: which cases a viewer may read, and may do each thing on, as predicates every fetch
of case data applies in the database (PROTOCOL.md §6).

Nobody sees a case because of their role alone: a person's role counts on the cases where they are a live
member in it, and a manager's on the cases in their organisation's scope. A request's API token narrows
everything to its scopes. Two forms: lists and dashboards take the scope as an uncorrelated list of ids (the
database starts from it), and the fetches below a case take it correlated to each row (the database starts
from the case).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import CaseMembership, CaseRole, Child, Organisation, Person, Proceedings, ProceedingsChild, Role
from portal.access.policy import (
    CASE_PERMISSIONS,
    CASE_ROLE_REQUIRES,
    MANAGER_ROLES,
    Permission,
    acting_roles,
    granting_role,
    token_allows,
)
from portal.auth.actor import Actor, System, Viewer
from portal.db import grouped

T = TypeVar("T")

# A case's id: a table's column, or an expression in a query.
Column = sa.SQLColumnExpression[uuid.UUID]
ScopeIds = sa.Select[uuid.UUID] | sa.CompoundSelect[uuid.UUID]
# The aliases the scope tests below use, each inside its own subquery: made once, since building an alias
# costs more than the rest of a statement.
_ISSUED_HERE = aliased(Proceedings)
_SCOPE_CHILD, _SCOPE_LINK = aliased(Child), aliased(ProceedingsChild)
_SCOPE_COURT, _SCOPE_CASE = aliased(Organisation), aliased(Proceedings)
_SCOPE_GUARDIAN, _SCOPE_PERSON = aliased(CaseMembership), aliased(Person)


def _cafcass_scope_ids(organisation_id: uuid.UUID) -> sa.CompoundSelect[uuid.UUID]:
    """A Cafcass manager's cases: those issued at a court their service area serves, or with a live
    guardian from their service area."""
    issued_here = _ISSUED_HERE
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
    return sa.union(at_courts, with_guardians)


def _iro_manager_scope_ids(organisation_id: uuid.UUID) -> sa.Select[uuid.UUID]:
    """An IRO manager's cases: those concerning a child of their authority."""
    return (
        sa.select(ProceedingsChild.proceedings_id)
        .join(Child, Child.id == ProceedingsChild.child_id)
        .where(Child.local_authority_id == organisation_id)
    )


def _in_scope(role: Role, organisation_id: uuid.UUID, column: Column) -> sa.ColumnElement[bool]:
    """``column`` (a case's id) is in the scope of a manager in ``role`` at the organisation, tested for the
    one case (correlated), as the fetches under a case want."""
    if role is Role.IRO_MANAGER:
        child, link = _SCOPE_CHILD, _SCOPE_LINK
        return (
            sa.select(link.proceedings_id)
            .join(child, child.id == link.child_id)
            .where(link.proceedings_id == column, child.local_authority_id == organisation_id)
            .exists()
        )
    court, case, guardian, person = _SCOPE_COURT, _SCOPE_CASE, _SCOPE_GUARDIAN, _SCOPE_PERSON
    at_court = (
        sa.select(case.id)
        .join(court, court.id == case.court_id)
        .where(case.id == column, court.service_area_id == organisation_id)
        .exists()
    )
    with_guardian = (
        sa.select(guardian.id)
        .join(person, person.id == guardian.person_id)
        .where(
            guardian.proceedings_id == column,
            guardian.role == CaseRole.GUARDIAN,
            guardian.ended_at.is_(None),
            person.organisation_id == organisation_id,
        )
        .exists()
    )
    return sa.or_(at_court, with_guardian)


def manager_scope_ids(actor: Viewer) -> dict[Role, ScopeIds]:
    """The ids of the cases in each manager scope the actor holds (an uncorrelated list)."""
    if isinstance(actor, System):
        return {}
    scopes: dict[Role, ScopeIds] = {}
    if actor.has_role(Role.CAFCASS_MANAGER):
        scopes[Role.CAFCASS_MANAGER] = _cafcass_scope_ids(actor.organisation_id)
    if actor.has_role(Role.IRO_MANAGER):
        scopes[Role.IRO_MANAGER] = _iro_manager_scope_ids(actor.organisation_id)
    return scopes


def managed_cases(actor: Viewer, column: Column = Proceedings.id) -> sa.ColumnElement[bool]:
    """The cases in the actor's manager scope (their service area's, their authority's), as an
    uncorrelated list: what the adherence dashboards count, with the token's adherence:view."""
    scopes = manager_scope_ids(actor)
    if isinstance(actor, System) or not scopes or not token_allows(actor.scopes, Permission.VIEW_ADHERENCE):
        return sa.false()
    return sa.or_(*(column.in_(ids) for ids in scopes.values()))


def _member_cases(actor: Viewer, need: Permission) -> list[uuid.UUID]:
    """The cases the actor is a live member of in a role that grants ``need``."""
    if isinstance(actor, System):
        return []
    return [
        case_id
        for case_id, case_roles in actor.case_roles.items()
        if granting_role(actor, case_id, acting_roles(actor.roles, case_roles, ()), need)
    ]


def _token_reads(actor: Actor, need: Permission) -> bool:
    """Whether the request's token allows reading cases at all, and ``need`` on them."""
    return token_allows(actor.scopes, Permission.READ_CASE) and token_allows(actor.scopes, need)


def readable_cases(
    actor: Viewer, column: Column = Proceedings.id, need: Permission = Permission.READ_CASE
) -> sa.ColumnElement[bool]:
    """The cases on which the actor may ``need`` (by default, read them), as an uncorrelated list: what
    lists of cases and task lists start from."""
    if isinstance(actor, System):
        return sa.true()
    if not _token_reads(actor, need):
        return sa.false()
    clauses = [
        column.in_(ids) for role, ids in manager_scope_ids(actor).items() if need in CASE_PERMISSIONS[role]
    ]
    if members := _member_cases(actor, need):
        clauses.append(column.in_(members))
    return sa.or_(*clauses) if clauses else sa.false()


def granted(viewer: Viewer, need: Permission, column: Column) -> sa.ColumnElement[bool]:
    """``column`` (the id of a row's case) is a case on which the viewer may ``need``: as a live member in a
    role that grants it, or as a manager in a role that grants it whose scope covers the case; and the
    request's token allows both reading cases and ``need``. Correlated to each row. The system itself (the
    clock, the services working on a case already authorised) is granted everything."""
    if isinstance(viewer, System):
        return sa.true()
    if not _token_reads(viewer, need):
        return sa.false()
    clauses: list[sa.ColumnElement[bool]] = [
        _in_scope(role, viewer.organisation_id, column)
        for role in sorted(MANAGER_ROLES)
        if viewer.has_role(role) and need in CASE_PERMISSIONS[role]
    ]
    if members := _member_cases(viewer, need):
        clauses.append(column.in_(members))
    return sa.or_(*clauses) if clauses else sa.false()


def member_as(viewer: Viewer, case_roles: Iterable[CaseRole], column: Column) -> sa.ColumnElement[bool]:
    """``column`` is a case the viewer is a live member of in one of ``case_roles`` (backed by the matching
    organisation role): what only the IRO, or only the guardian, on a case may see."""
    if isinstance(viewer, System):
        return sa.true()
    wanted = set(case_roles)
    ids = [
        case_id
        for case_id, held in viewer.case_roles.items()
        if any(r in wanted and CASE_ROLE_REQUIRES[r] in viewer.roles for r in held)
    ]
    return column.in_(ids) if ids else sa.false()


async def rows_by_case(
    session: AsyncSession,
    viewer: Viewer,
    model: type[T],
    case_ids: Sequence[uuid.UUID],
    *,
    order_by: Sequence[sa.SQLColumnExpression[Any]] = (),
    where: Sequence[sa.ColumnElement[bool]] = (),
    need: Permission = Permission.READ_CASE,
) -> dict[uuid.UUID, list[T]]:
    """Each case's rows of ``model`` that the viewer may see (``need`` on their case, and ``where``), in
    ``order_by``: the batch fetch below a case that most lists on it are."""
    column: Column = sa.inspect(model).c.proceedings_id
    stmt = sa.select(column, model).where(column.in_(case_ids), granted(viewer, need, column), *where)
    return await grouped(session, stmt.order_by(*order_by))


async def case_in_scopes(
    session: AsyncSession, actor: Viewer, case_id: uuid.UUID
) -> tuple[Proceedings, list[Role]] | None:
    """The case if the actor may read it, with the manager roles whose scope covers it."""
    scopes = manager_scope_ids(actor)
    columns = [Proceedings.id.in_(ids).label(role.value) for role, ids in scopes.items()]
    stmt = sa.select(Proceedings, *columns).where(Proceedings.id == case_id, readable_cases(actor))
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    return row[0], [role for role in scopes if row._mapping[role.value]]


async def readable_by_id(
    session: AsyncSession, viewer: Viewer, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Proceedings]:
    """The cases among ``ids`` that the viewer may read."""
    stmt = sa.select(Proceedings).where(
        Proceedings.id.in_(list(ids)), granted(viewer, Permission.READ_CASE, Proceedings.id)
    )
    return {p.id: p for p in (await session.execute(stmt)).scalars()}
