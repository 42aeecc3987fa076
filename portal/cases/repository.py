"""Every query about cases. List queries start from what the actor may read."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import TypeVar

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
from portal.access.policy import Permission
from portal.access.repository import granted, readable_cases, rows_by_case
from portal.auth.actor import SYSTEM, Actor, Viewer
from portal.db import grouped

Cursor = tuple[date, uuid.UUID]
T = TypeVar("T")


def _filtered(
    actor: Actor, stage: Stage | None, local_authority_id: uuid.UUID | None
) -> sa.Select[Proceedings]:
    stmt = sa.select(Proceedings).where(readable_cases(actor))
    if stage is not None:
        stmt = stmt.where(Proceedings.stage == stage)
    if local_authority_id is not None:
        stmt = stmt.where(Proceedings.local_authority_id == local_authority_id)
    return stmt


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
    stmt = _filtered(actor, stage, local_authority_id)
    if after is not None:
        stmt = stmt.where(sa.tuple_(Proceedings.issued_on, Proceedings.id) < sa.tuple_(*after))
    stmt = stmt.order_by(Proceedings.issued_on.desc(), Proceedings.id.desc()).limit(first + 1)
    rows = list((await session.execute(stmt)).scalars())
    return rows[:first], len(rows) > first


async def count_readable(
    session: AsyncSession, actor: Actor, *, stage: Stage | None, local_authority_id: uuid.UUID | None
) -> int:
    inner = _filtered(actor, stage, local_authority_id).with_only_columns(Proceedings.id).subquery()
    return (await session.execute(sa.select(sa.func.count()).select_from(inner))).scalar_one()


async def children_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Child]]:
    """The children of each case, eldest first."""
    return await grouped(
        session,
        sa.select(ProceedingsChild.proceedings_id, Child)
        .join(Child, Child.id == ProceedingsChild.child_id)
        .where(
            ProceedingsChild.proceedings_id.in_(case_ids),
            granted(viewer, Permission.READ_CASE, ProceedingsChild.proceedings_id),
        )
        .order_by(Child.date_of_birth, Child.given_name),
    )


async def memberships_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[CaseMembership]]:
    """Every membership of each case, live and ended, oldest first."""
    order = (CaseMembership.started_at, CaseMembership.id)
    return await rows_by_case(session, viewer, CaseMembership, case_ids, order_by=order)


async def extensions_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Extension]]:
    """Each case's extensions, oldest first."""
    order = (Extension.granted_on, Extension.recorded_at)
    return await rows_by_case(session, viewer, Extension, case_ids, order_by=order)


async def stage_changes_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[StageChange]]:
    """Each case's stages reached, oldest first."""
    order = (StageChange.changed_on, StageChange.recorded_at)
    return await rows_by_case(session, viewer, StageChange, case_ids, order_by=order)


async def legal_status_by_child(
    session: AsyncSession, viewer: Viewer, child_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[LegalStatusEntry]]:
    return await grouped(
        session,
        sa.select(LegalStatusEntry.child_id, LegalStatusEntry)
        .where(
            LegalStatusEntry.child_id.in_(child_ids),
            sa.select(ProceedingsChild.proceedings_id)
            .where(
                ProceedingsChild.child_id == LegalStatusEntry.child_id,
                granted(viewer, Permission.READ_CASE, ProceedingsChild.proceedings_id),
            )
            .exists(),
        )
        .order_by(LegalStatusEntry.effective_from, LegalStatusEntry.recorded_at),
    )


async def children_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Child]:
    rows = (await session.execute(sa.select(Child).where(Child.id.in_(ids)))).scalars()
    return {c.id: c for c in rows}


async def organisations_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Organisation]:
    rows = (await session.execute(sa.select(Organisation).where(Organisation.id.in_(ids)))).scalars()
    return {o.id: o for o in rows}


async def people_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Person]:
    rows = (await session.execute(sa.select(Person).where(Person.id.in_(ids)))).scalars()
    return {p.id: p for p in rows}


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
    rows = await session.execute(
        sa.select(CaseMembership.proceedings_id, CaseMembership.role, Closure.read_only_until)
        .outerjoin(Closure, Closure.proceedings_id == CaseMembership.proceedings_id)
        .where(CaseMembership.person_id == person_id, CaseMembership.ended_at.is_(None))
    )
    return [(case_id, role, read_only_until) for case_id, role, read_only_until in rows]


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
        .where(ProceedingsChild.child_id.in_(child_ids), Proceedings.stage != Stage.CONCLUDED)
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
    return await rows_by_case(session, viewer, FinalOrder, case_ids)


async def final_orders_recorded(session: AsyncSession, case_id: uuid.UUID) -> bool:
    """Whether the case's final orders have been recorded."""
    count = await session.scalar(sa.select(sa.func.count()).where(FinalOrder.proceedings_id == case_id))
    return bool(count)


async def final_orders_made_on(session: AsyncSession, case_id: uuid.UUID) -> date | None:
    """The day the case's (first) final order was made, or None before the final orders."""
    return await session.scalar(
        sa.select(sa.func.min(FinalOrder.made_on)).where(FinalOrder.proceedings_id == case_id)
    )
