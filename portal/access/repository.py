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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import (
    CaseMembership,
    CaseRole,
    Child,
    Organisation,
    OrganisationKind,
    Person,
    Proceedings,
    ProceedingsChild,
    Role,
)
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
from portal.in_list import in_bound, in_list, in_param, list_param

T = TypeVar("T")

# A case's id: a table's column, or an expression in a query.
Column = sa.SQLColumnExpression[uuid.UUID]
ScopeIds = sa.Select[uuid.UUID] | sa.CompoundSelect[uuid.UUID]
OrganisationId = sa.BindParameter[uuid.UUID]
List = sa.BindParameter[list[uuid.UUID]]
# The aliases the scope tests below use, each inside its own subquery: made once, since building an alias
# costs more than the rest of a statement.
_ISSUED_HERE = aliased(Proceedings)
_SCOPE_CHILD, _SCOPE_LINK = aliased(Child), aliased(ProceedingsChild)
_SCOPE_COURT, _SCOPE_CASE = aliased(Organisation), aliased(Proceedings)
_SCOPE_GUARDIAN, _SCOPE_PERSON = aliased(CaseMembership), aliased(Person)


@dataclass(frozen=True)
class Grant:
    """The shape of a viewer's access for one need: which predicate their reads get, not whose it is.
    Statements are built once per shape and run with each viewer's own values (``Template``)."""

    need: Permission
    everything: bool = False
    nothing: bool = False
    # The manager roles whose scope grants ``need``, besides the cases the viewer is a member of.
    managers: tuple[Role, ...] = ()


class Binder(Protocol):
    """Where the viewer's values go in a predicate: bound at once, or named for later."""

    def organisation(self) -> OrganisationId: ...

    def member_cases(self, need: Permission) -> List: ...

    def member_cases_as(self, case_roles: frozenset[CaseRole]) -> List: ...


class _Values:
    """The viewer's values, bound into the predicate as it is built (for a statement built per call)."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer

    def organisation(self) -> OrganisationId:
        assert not isinstance(self.viewer, System)
        return sa.bindparam(None, self.viewer.organisation_id, type_=sa.Uuid())

    def member_cases(self, need: Permission) -> List:
        return list_param(None, sa.Uuid(), _member_cases(self.viewer, need))

    def member_cases_as(self, case_roles: frozenset[CaseRole]) -> List:
        return list_param(None, sa.Uuid(), _member_cases_as(self.viewer, case_roles))


class _Names:
    """Named parameters, with how to get each one's value from a viewer (for a statement built once)."""

    def __init__(self) -> None:
        self.values: dict[str, Callable[[Viewer], Any]] = {}

    def organisation(self) -> OrganisationId:
        self.values["viewer_organisation"] = lambda viewer: getattr(viewer, "organisation_id", None)
        return sa.bindparam("viewer_organisation", type_=sa.Uuid())

    def member_cases(self, need: Permission) -> List:
        name = f"member_cases_{len(self.values)}"
        self.values[name] = lambda viewer: _member_cases(viewer, need)
        return list_param(name, sa.Uuid())

    def member_cases_as(self, case_roles: frozenset[CaseRole]) -> List:
        name = f"member_cases_as_{len(self.values)}"
        self.values[name] = lambda viewer: _member_cases_as(viewer, case_roles)
        return list_param(name, sa.Uuid())


def _cafcass_scope_ids(organisation: OrganisationId) -> sa.CompoundSelect[uuid.UUID]:
    """A Cafcass manager's cases: those issued at a court their service area serves, or with a live
    guardian from their service area."""
    issued_here = _ISSUED_HERE
    at_courts = sa.select(issued_here.id).where(
        issued_here.court_id.in_(
            sa.select(Organisation.id).where(Organisation.service_area_id == organisation)
        )
    )
    with_guardians = (
        sa.select(CaseMembership.proceedings_id)
        .join(Person, Person.id == CaseMembership.person_id)
        .where(
            CaseMembership.role == CaseRole.GUARDIAN,
            CaseMembership.ended_at.is_(None),
            Person.organisation_id == organisation,
        )
    )
    return sa.union(at_courts, with_guardians)


def _iro_manager_scope_ids(organisation: OrganisationId) -> sa.Select[uuid.UUID]:
    """An IRO manager's cases: those concerning a child of their authority."""
    return (
        sa.select(ProceedingsChild.proceedings_id)
        .join(Child, Child.id == ProceedingsChild.child_id)
        .where(Child.local_authority_id == organisation)
    )


def _in_scope(role: Role, organisation: OrganisationId, column: Column) -> sa.ColumnElement[bool]:
    """``column`` (a case's id) is in the scope of a manager in ``role`` at the organisation, tested for the
    one case (correlated), as the fetches under a case want."""
    if role is Role.IRO_MANAGER:
        child, link = _SCOPE_CHILD, _SCOPE_LINK
        return (
            sa.select(link.proceedings_id)
            .join(child, child.id == link.child_id)
            .where(link.proceedings_id == column, child.local_authority_id == organisation)
            .exists()
        )
    court, case, guardian, person = _SCOPE_COURT, _SCOPE_CASE, _SCOPE_GUARDIAN, _SCOPE_PERSON
    at_court = (
        sa.select(case.id)
        .join(court, court.id == case.court_id)
        .where(case.id == column, court.service_area_id == organisation)
        .exists()
    )
    with_guardian = (
        sa.select(guardian.id)
        .join(person, person.id == guardian.person_id)
        .where(
            guardian.proceedings_id == column,
            guardian.role == CaseRole.GUARDIAN,
            guardian.ended_at.is_(None),
            person.organisation_id == organisation,
        )
        .exists()
    )
    return sa.or_(at_court, with_guardian)


_SCOPE_IDS: dict[Role, Callable[[OrganisationId], ScopeIds]] = {
    Role.CAFCASS_MANAGER: _cafcass_scope_ids,
    Role.IRO_MANAGER: _iro_manager_scope_ids,
}


def manager_scope_ids(actor: Viewer) -> dict[Role, ScopeIds]:
    """The ids of the cases in each manager scope the actor holds (an uncorrelated list)."""
    if isinstance(actor, System):
        return {}
    bind = _Values(actor)
    return {role: ids(bind.organisation()) for role, ids in _SCOPE_IDS.items() if actor.has_role(role)}


def managed_cases(actor: Viewer, column: Column = Proceedings.id) -> sa.ColumnElement[bool]:
    """The cases in the actor's manager scope (their service area's, their authority's), as an
    uncorrelated list: what the adherence dashboards count, with the token's adherence:view."""
    return Filters(_grant(actor, Permission.VIEW_ADHERENCE), _Values(actor)).managed(column)


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
    return Filters(_grant(actor, need), _Values(actor)).readable(column)


def granted(viewer: Viewer, need: Permission, column: Column) -> sa.ColumnElement[bool]:
    """``column`` (the id of a row's case) is a case on which the viewer may ``need``: as a live member in a
    role that grants it, or as a manager in a role that grants it whose scope covers the case; and the
    request's token allows both reading cases and ``need``. Correlated to each row. The system itself (the
    clock, the services working on a case already authorised) is granted everything."""
    return Filters(_grant(viewer, need), _Values(viewer)).granted(column)


def member_as(viewer: Viewer, case_roles: Iterable[CaseRole], column: Column) -> sa.ColumnElement[bool]:
    """``column`` is a case the viewer is a live member of in one of ``case_roles`` (backed by the matching
    organisation role): what only the IRO, or only the guardian, on a case may see."""
    return Filters(_grant(viewer, Permission.READ_CASE), _Values(viewer)).member_as(case_roles, column)


def _grant(viewer: Viewer, need: Permission) -> Grant:
    if need is Permission.VIEW_ADHERENCE:
        # Not a permission on a case: the figures over a manager's scope, with the token's adherence:view.
        if isinstance(viewer, System) or not token_allows(viewer.scopes, need):
            return Grant(need, nothing=True)
        managers = tuple(role for role in sorted(MANAGER_ROLES) if viewer.has_role(role))
        return Grant(need, managers=managers) if managers else Grant(need, nothing=True)
    if isinstance(viewer, System):
        return Grant(need, everything=True)
    if not _token_reads(viewer, need):
        return Grant(need, nothing=True)
    managers = tuple(
        role for role in sorted(MANAGER_ROLES) if viewer.has_role(role) and need in CASE_PERMISSIONS[role]
    )
    return Grant(need, managers=managers)


@dataclass(frozen=True)
class Filters:
    """The access predicates for one shape of access, with the viewer's values bound by ``bind``: the one
    place their rules are written, whether a statement is built per call or once (``Template``)."""

    grant: Grant
    bind: Binder

    def granted(self, column: Column) -> sa.ColumnElement[bool]:
        """See ``granted``."""
        grant = self.grant
        if grant.everything:
            return sa.true()
        if grant.nothing:
            return sa.false()
        clauses = [_in_scope(role, self.bind.organisation(), column) for role in grant.managers]
        clauses.append(in_bound(column, self.bind.member_cases(grant.need)))
        return sa.or_(*clauses)

    def readable(self, column: Column) -> sa.ColumnElement[bool]:
        """See ``readable_cases``."""
        grant = self.grant
        if grant.everything:
            return sa.true()
        if grant.nothing:
            return sa.false()
        clauses: list[sa.ColumnElement[bool]] = [column.in_(self.scope_ids(role)) for role in grant.managers]
        clauses.append(in_bound(column, self.bind.member_cases(grant.need)))
        return sa.or_(*clauses)

    def managed(self, column: Column) -> sa.ColumnElement[bool]:
        """See ``managed_cases`` (whose grant is for ``Permission.VIEW_ADHERENCE``)."""
        if self.grant.nothing:
            return sa.false()
        return sa.or_(*(column.in_(self.scope_ids(role)) for role in self.grant.managers))

    def scope_ids(self, role: Role) -> ScopeIds:
        """The ids of the cases in the scope of the viewer's manager ``role`` (an uncorrelated list)."""
        return _SCOPE_IDS[role](self.bind.organisation())

    def member_as(self, case_roles: Iterable[CaseRole], column: Column) -> sa.ColumnElement[bool]:
        """See ``member_as``."""
        if self.grant.everything:
            return sa.true()
        return in_bound(column, self.bind.member_cases_as(frozenset(case_roles)))


S = TypeVar("S", bound=sa.Executable)


class Template(Generic[S]):
    """A statement over case data, built once per shape of the viewer's access (``Grant``) and run with
    each viewer's own values as parameters: a request then pays neither for building it nor for
    SQLAlchemy's cache key, and its SQL text (so PostgreSQL's prepared statement) is the same for all."""

    def __init__(self, build: Callable[[Filters], S], need: Permission = Permission.READ_CASE) -> None:
        self._build, self.need = build, need
        self._built: dict[Grant, tuple[S, dict[str, Callable[[Viewer], Any]]]] = {}

    def bound(self, viewer: Viewer, **params: Any) -> tuple[S, dict[str, Any]]:
        """The statement for the viewer's shape of access, and the parameters to run it with: ``params``
        (each named in the statement with ``sa.bindparam`` or ``in_param``) and the viewer's values."""
        grant = _grant(viewer, self.need)
        built = self._built.get(grant)
        if built is None:
            names = _Names()
            built = self._built[grant] = (self._build(Filters(grant, names)), names.values)
        stmt, values = built
        return stmt, {name: value(viewer) for name, value in values.items()} | params


class CaseRows(Generic[T]):
    """Each case's rows of ``model`` that the viewer may see (``need`` on their case, and ``where``), in
    ``order_by``: the batch fetch below a case that most lists on it are, declared once per list."""

    def __init__(
        self,
        model: type[T],
        *,
        order_by: Sequence[sa.SQLColumnExpression[Any]] = (),
        where: Callable[[Filters], Sequence[sa.ColumnElement[bool]]] = lambda filters: (),
        need: Permission = Permission.READ_CASE,
    ) -> None:
        column: Column = sa.inspect(model).c.proceedings_id

        def build(filters: Filters) -> sa.Select[uuid.UUID, T]:
            return (
                sa.select(column, model)
                .where(in_param(column, "case_ids"), filters.granted(column), *where(filters))
                .order_by(*order_by)
            )

        self._template = Template(build, need)

    async def fetch(
        self, session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[T]]:
        return await grouped(session, *self._template.bound(viewer, case_ids=list(case_ids)))


def _member_cases_as(viewer: Viewer, case_roles: frozenset[CaseRole]) -> list[uuid.UUID]:
    if isinstance(viewer, System):
        return []
    return [
        case_id
        for case_id, held in viewer.case_roles.items()
        if any(r in case_roles and CASE_ROLE_REQUIRES[r] in viewer.roles for r in held)
    ]


@dataclass(frozen=True)
class FoundCase:
    """A case the actor may read, its court and local authority (every view of it names them), and the
    manager roles whose scope covers it."""

    case: Proceedings
    court: Organisation
    local_authority: Organisation
    scopes: list[Role]


async def case_in_scopes(session: AsyncSession, actor: Viewer, case_id: uuid.UUID) -> FoundCase | None:
    """The case if the actor may read it."""
    row = (await session.execute(*_CASE_IN_SCOPES.bound(actor, case_id=case_id))).first()
    if row is None:
        return None
    scopes = [role for role in sorted(MANAGER_ROLES) if row._mapping.get(role.value)]
    return FoundCase(row[0], row[1], row[2], scopes)


_COURT, _AUTHORITY = aliased(Organisation), aliased(Organisation)
_CASE_IN_SCOPES = Template(
    lambda filters: (
        sa.select(
            Proceedings,
            _COURT,
            _AUTHORITY,
            *(
                Proceedings.id.in_(filters.scope_ids(role)).label(role.value)
                for role in filters.grant.managers
            ),
        )
        .join(_COURT, _COURT.id == Proceedings.court_id)
        .join(_AUTHORITY, _AUTHORITY.id == Proceedings.local_authority_id)
        .where(Proceedings.id == sa.bindparam("case_id", type_=sa.Uuid()), filters.readable(Proceedings.id))
    )
)


async def readable_by_id(
    session: AsyncSession, viewer: Viewer, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Proceedings]:
    """The cases among ``ids`` that the viewer may read."""
    stmt = sa.select(Proceedings).where(
        in_list(Proceedings.id, list(ids)), granted(viewer, Permission.READ_CASE, Proceedings.id)
    )
    return {p.id: p for p in (await session.execute(stmt)).scalars()}


async def organisation_of_kind(
    session: AsyncSession, organisation_id: uuid.UUID, kind: OrganisationKind
) -> Organisation | None:
    """The organisation, if it is of ``kind``."""
    found = await session.get(Organisation, organisation_id)
    return found if found is not None and found.kind is kind else None
