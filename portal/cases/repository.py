"""Every query about cases. List queries start from what the actor may read."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CaseMembership,
    CaseRole,
    Child,
    Closure,
    Extension,
    FinalOrder,
    LegalStatusEntry,
    Organisation,
    OrganisationKind,
    Person,
    Proceedings,
    ProceedingsChild,
    Stage,
    StageChange,
)
from portal.access.repository import CaseRows, Filters, Template
from portal.auth.actor import SYSTEM, Actor, Viewer
from portal.db import grouped
from portal.in_list import in_list, in_param

Cursor = tuple[date, uuid.UUID]
T = TypeVar("T")


def _filtered(filters: Filters, stage: bool, authority: bool) -> sa.Select[Proceedings]:
    """The viewer's readable cases, filtered by the ``stage`` and ``local_authority_id`` parameters if
    asked."""
    stmt = sa.select(Proceedings).where(filters.readable(Proceedings.id))
    if stage:
        stmt = stmt.where(Proceedings.stage == sa.bindparam("stage"))
    if authority:
        stmt = stmt.where(Proceedings.local_authority_id == sa.bindparam("local_authority_id"))
    return stmt


def _page(filters: Filters, stage: bool, authority: bool, after: bool) -> sa.Select[Proceedings]:
    stmt = _filtered(filters, stage, authority)
    if after:
        cursor = (sa.bindparam("after_issued_on", type_=sa.Date()), sa.bindparam("after_id", type_=sa.Uuid()))
        stmt = stmt.where(sa.tuple_(Proceedings.issued_on, Proceedings.id) < sa.tuple_(*cursor))
    order = (Proceedings.issued_on.desc(), Proceedings.id.desc())
    return stmt.order_by(*order).limit(sa.bindparam("limit", type_=sa.Integer()))


def _count(filters: Filters, stage: bool, authority: bool) -> sa.Select[int]:
    inner = _filtered(filters, stage, authority).with_only_columns(Proceedings.id).subquery()
    return sa.select(sa.func.count()).select_from(inner)


# Built once for each combination of filters (and shape of access).
_PAGES: dict[tuple[bool, bool, bool], Template[sa.Select[Proceedings]]] = {}
_COUNTS: dict[tuple[bool, bool], Template[sa.Select[int]]] = {}


def _filter_values(stage: Stage | None, local_authority_id: uuid.UUID | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if stage is not None:
        values["stage"] = stage
    if local_authority_id is not None:
        values["local_authority_id"] = local_authority_id
    return values


async def readable_page(
    session: AsyncSession,
    actor: Actor,
    *,
    first: int,
    after: Cursor | None,
    stage: Stage | None,
    local_authority_id: uuid.UUID | None,
) -> tuple[list[Proceedings], bool]:
    """One page of the actor's cases, newest issued first, and whether another page follows."""
    key = (stage is not None, local_authority_id is not None, after is not None)
    if key not in _PAGES:
        _PAGES[key] = Template(lambda filters: _page(filters, *key))
    values = _filter_values(stage, local_authority_id) | {"limit": first + 1}
    if after is not None:
        values |= {"after_issued_on": after[0], "after_id": after[1]}
    rows = list((await session.execute(*_PAGES[key].bound(actor, **values))).scalars())
    return rows[:first], len(rows) > first


async def count_readable(
    session: AsyncSession, actor: Actor, *, stage: Stage | None, local_authority_id: uuid.UUID | None
) -> int:
    key = (stage is not None, local_authority_id is not None)
    if key not in _COUNTS:
        _COUNTS[key] = Template(lambda filters: _count(filters, *key))
    values = _filter_values(stage, local_authority_id)
    count: int = (await session.execute(*_COUNTS[key].bound(actor, **values))).scalar_one()
    return count


async def children_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Child]]:
    """The children of each case, eldest first."""
    return await grouped(session, *_CHILDREN.bound(viewer, case_ids=list(case_ids)))


_CHILDREN = Template(
    lambda filters: (
        sa.select(ProceedingsChild.proceedings_id, Child)
        .join(Child, Child.id == ProceedingsChild.child_id)
        .where(
            in_param(ProceedingsChild.proceedings_id, "case_ids"),
            filters.granted(ProceedingsChild.proceedings_id),
        )
        .order_by(Child.date_of_birth, Child.given_name)
    )
)


async def memberships_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[CaseMembership, Person, Organisation]]]:
    """Every membership of each case, live and ended, oldest first, each with its member and their
    organisation (which every view of the members shows)."""
    found: dict[uuid.UUID, list[tuple[CaseMembership, Person, Organisation]]] = defaultdict(list)
    for membership, person, organisation in await session.execute(
        *_MEMBERSHIPS.bound(viewer, case_ids=list(case_ids))
    ):
        found[membership.proceedings_id].append((membership, person, organisation))
    return found


_MEMBERSHIPS = Template(
    lambda filters: (
        sa.select(CaseMembership, Person, Organisation)
        .join(Person, Person.id == CaseMembership.person_id)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .where(
            in_param(CaseMembership.proceedings_id, "case_ids"),
            filters.granted(CaseMembership.proceedings_id),
        )
        .order_by(CaseMembership.started_at, CaseMembership.id)
    )
)


async def extensions_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Extension]]:
    """Each case's extensions, oldest first."""
    return await _EXTENSIONS.fetch(session, viewer, case_ids)


_EXTENSIONS = CaseRows(Extension, order_by=(Extension.granted_on, Extension.recorded_at))


async def stage_changes_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[StageChange]]:
    """Each case's stages reached, oldest first."""
    return await _STAGE_CHANGES.fetch(session, viewer, case_ids)


_STAGE_CHANGES = CaseRows(StageChange, order_by=(StageChange.changed_on, StageChange.recorded_at))


async def legal_status_by_child(
    session: AsyncSession, viewer: Viewer, child_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[LegalStatusEntry]]:
    return await grouped(session, *_LEGAL_STATUS.bound(viewer, child_ids=list(child_ids)))


_LEGAL_STATUS = Template(
    lambda filters: (
        sa.select(LegalStatusEntry.child_id, LegalStatusEntry)
        .where(
            in_param(LegalStatusEntry.child_id, "child_ids"),
            sa.select(ProceedingsChild.proceedings_id)
            .where(
                ProceedingsChild.child_id == LegalStatusEntry.child_id,
                filters.granted(ProceedingsChild.proceedings_id),
            )
            .exists(),
        )
        .order_by(LegalStatusEntry.effective_from, LegalStatusEntry.recorded_at)
    )
)


async def children_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Child]:
    rows = (await session.execute(sa.select(Child).where(in_list(Child.id, ids)))).scalars()
    return {c.id: c for c in rows}


async def organisations_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Organisation]:
    rows = (await session.execute(_ORGANISATIONS, {"ids": list(ids)})).scalars()
    return {o.id: o for o in rows}


_ORGANISATIONS = sa.select(Organisation).where(in_param(Organisation.id, "ids"))


async def people_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Person]:
    rows = (await session.execute(_PEOPLE, {"ids": list(ids)})).scalars()
    return {p.id: p for p in rows}


_PEOPLE = sa.select(Person).where(in_param(Person.id, "ids"))


async def case_children(session: AsyncSession, case_id: uuid.UUID) -> list[Child]:
    return (await children_by_case(session, SYSTEM, [case_id])).get(case_id, [])


async def live_memberships(
    session: AsyncSession, case_id: uuid.UUID, role: CaseRole | None = None
) -> list[CaseMembership]:
    """The case's current memberships (in one role, or all)."""
    stmt = sa.select(CaseMembership).where(
        CaseMembership.proceedings_id == case_id, CaseMembership.ended_at.is_(None)
    )
    if role is not None:
        stmt = stmt.where(CaseMembership.role == role)
    return list((await session.execute(stmt)).scalars())


async def live_people(session: AsyncSession, case_id: uuid.UUID, role: CaseRole) -> list[Person]:
    """The people currently in ``role`` on the case (the guardian, the IRO ...), in one query."""
    stmt = (
        sa.select(Person)
        .join(CaseMembership, CaseMembership.person_id == Person.id)
        .where(
            CaseMembership.proceedings_id == case_id,
            CaseMembership.role == role,
            CaseMembership.ended_at.is_(None),
        )
        .distinct()
        .order_by(Person.name)
    )
    return list((await session.execute(stmt)).scalars())


async def live_case_roles_of(
    session: AsyncSession, person_id: uuid.UUID
) -> list[tuple[uuid.UUID, CaseRole, datetime | None]]:
    """Each of the person's live memberships as (case id, role, until when the guardian may read the case
    after closing their involvement, or None while it is open), in no particular order."""
    rows = await session.execute(_LIVE_CASE_ROLES, {"person_id": person_id})
    return [(case_id, role, read_only_until) for case_id, role, read_only_until in rows]


# Every request runs it (for its actor): built once.
_LIVE_CASE_ROLES = (
    sa.select(CaseMembership.proceedings_id, CaseMembership.role, Closure.read_only_until)
    .outerjoin(Closure, Closure.proceedings_id == CaseMembership.proceedings_id)
    .where(
        CaseMembership.person_id == sa.bindparam("person_id", type_=sa.Uuid()),
        CaseMembership.ended_at.is_(None),
    )
)


async def live_case_counts(session: AsyncSession) -> dict[uuid.UUID, int]:
    """For each person on any case: how many cases they are live on (people on none are absent)."""
    rows = await session.execute(
        sa.select(CaseMembership.person_id, sa.func.count(sa.distinct(CaseMembership.proceedings_id)))
        .where(CaseMembership.ended_at.is_(None))
        .group_by(CaseMembership.person_id)
    )
    return {person_id: count for person_id, count in rows}


async def open_proceedings_of_children(
    session: AsyncSession, child_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """For each child already in proceedings that have not concluded: the proceedings' id."""
    rows = await session.execute(
        sa.select(ProceedingsChild.child_id, Proceedings.id)
        .join(Proceedings, Proceedings.id == ProceedingsChild.proceedings_id)
        .where(in_list(ProceedingsChild.child_id, child_ids), Proceedings.stage != Stage.CONCLUDED)
    )
    return {child_id: proceedings_id for child_id, proceedings_id in rows}


async def case_number_taken(session: AsyncSession, court_id: uuid.UUID, case_number: str) -> bool:
    stmt = sa.select(Proceedings.id).where(
        Proceedings.court_id == court_id, sa.func.upper(Proceedings.case_number) == case_number.upper()
    )
    return (await session.execute(stmt)).first() is not None


async def organisations_of_kind(session: AsyncSession, kind: OrganisationKind) -> list[Organisation]:
    stmt = sa.select(Organisation).where(Organisation.kind == kind).order_by(Organisation.name)
    return list((await session.execute(stmt)).scalars())


async def final_orders_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[FinalOrder]]:
    """Each case's final orders (one for each child), in no particular order."""
    return await _FINAL_ORDERS.fetch(session, viewer, case_ids)


_FINAL_ORDERS = CaseRows(FinalOrder, order_by=(FinalOrder.child_id,))


async def final_orders_recorded(session: AsyncSession, case_id: uuid.UUID) -> bool:
    """Whether the case's final orders have been recorded."""
    count = await session.scalar(sa.select(sa.func.count()).where(FinalOrder.proceedings_id == case_id))
    return bool(count)


async def final_orders_made_on(session: AsyncSession, case_id: uuid.UUID) -> date | None:
    """The day the case's (first) final order was made, or None before the final orders."""
    return await session.scalar(
        sa.select(sa.func.min(FinalOrder.made_on)).where(FinalOrder.proceedings_id == case_id)
    )


async def numbers_and_authorities(
    session: AsyncSession, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str]]:
    """Each case's number and its authority's name: one query."""
    if not case_ids:
        return {}
    rows = await session.execute(
        sa.select(Proceedings.id, Proceedings.case_number, Organisation.name)
        .join(Organisation, Organisation.id == Proceedings.local_authority_id)
        .where(in_list(Proceedings.id, list(case_ids)))
    )
    return {case_id: (number, authority) for case_id, number, authority in rows}
