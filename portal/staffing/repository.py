"""The staffing queues' and the guardians' caseloads' statements. The queues start from the cases on which the
manager may allocate a guardian or assign an IRO (the access layer's predicate, token scopes included), so
a queue cannot list a case its viewer may not act on."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import (
    CaseMembership,
    CaseRole,
    Child,
    Closure,
    LegalStatus,
    Person,
    PersonRole,
    Proceedings,
    ProceedingsChild,
    Role,
    Stage,
)
from portal.access.policy import Permission
from portal.access.repository import managed_cases, readable_cases
from portal.auth.actor import Actor

Cursor = tuple[date, uuid.UUID]
LOOKED_AFTER = [s for s in LegalStatus if s.is_looked_after]


def _without(role: CaseRole, child: sa.SQLColumnExpression[uuid.UUID]) -> sa.ColumnElement[bool]:
    """No one holds ``role`` now for ``child`` on the case in the outer query."""
    held = aliased(CaseMembership)
    return ~(
        sa.select(held.id)
        .where(
            held.proceedings_id == Proceedings.id,
            held.child_id == child,
            held.role == role,
            held.ended_at.is_(None),
        )
        .exists()
    )


def waiting_for_guardian() -> sa.ColumnElement[bool]:
    """The case (of the outer query) has a child with no guardian now."""
    link = aliased(ProceedingsChild)
    return (
        sa.select(link.child_id)
        .where(link.proceedings_id == Proceedings.id, _without(CaseRole.GUARDIAN, link.child_id))
        .exists()
    )


def waiting_for_iro(authority_id: uuid.UUID) -> sa.ColumnElement[bool]:
    """The case (of the outer query) has a looked-after child of the authority with no IRO now."""
    link, child = aliased(ProceedingsChild), aliased(Child)
    return (
        sa.select(link.child_id)
        .join(child, child.id == link.child_id)
        .where(
            link.proceedings_id == Proceedings.id,
            child.local_authority_id == authority_id,
            child.legal_status.in_(LOOKED_AFTER),
            _without(CaseRole.IRO, link.child_id),
        )
        .exists()
    )


def _queue(actor: Actor, role: CaseRole, waiting: bool) -> sa.Select[Proceedings]:
    if role is CaseRole.GUARDIAN:
        # A guardian is allocated while proceedings run; concluded ones take no new guardian.
        need, lacking = Permission.ALLOCATE_GUARDIAN, waiting_for_guardian()
        stmt = sa.select(Proceedings).where(Proceedings.stage != Stage.CONCLUDED)
    else:
        # A looked-after child needs an IRO during and after proceedings (P15).
        need, lacking = Permission.ASSIGN_IRO, waiting_for_iro(actor.organisation_id)
        stmt = sa.select(Proceedings)
    return stmt.where(readable_cases(actor, need=need), lacking if waiting else ~lacking)


async def queue_page(
    session: AsyncSession, actor: Actor, role: CaseRole, *, waiting: bool, first: int, after: Cursor | None
) -> tuple[list[Proceedings], bool]:
    """One page of the queue: the cases waiting for someone in ``role``, oldest issued first (the longest
    waiting), or the others, newest issued first; and whether another page follows."""
    stmt = _queue(actor, role, waiting)
    key = sa.tuple_(Proceedings.issued_on, Proceedings.id)
    if waiting:
        if after is not None:
            stmt = stmt.where(key > sa.tuple_(*after))
        stmt = stmt.order_by(Proceedings.issued_on, Proceedings.id)
    else:
        if after is not None:
            stmt = stmt.where(key < sa.tuple_(*after))
        stmt = stmt.order_by(Proceedings.issued_on.desc(), Proceedings.id.desc())
    rows = list((await session.execute(stmt.limit(first + 1))).scalars())
    return rows[:first], len(rows) > first


async def queue_count(session: AsyncSession, actor: Actor, role: CaseRole, *, waiting: bool) -> int:
    inner = _queue(actor, role, waiting).with_only_columns(Proceedings.id).subquery()
    return (await session.execute(sa.select(sa.func.count()).select_from(inner))).scalar_one()


async def guardian_loads(session: AsyncSession, actor: Actor) -> list[tuple[Any, str, int, int]]:
    """Each active guardian of the manager's organisation, by name: their id, name, and, on the cases in the
    manager's scope whose guardian's involvement has not closed, how many cases and children they are the
    guardian for now."""
    live = (
        sa.select(
            CaseMembership.person_id.label("person_id"),
            sa.func.count(sa.distinct(CaseMembership.proceedings_id)).label("cases"),
            sa.func.count(sa.distinct(CaseMembership.child_id)).label("children"),
        )
        .outerjoin(Closure, Closure.proceedings_id == CaseMembership.proceedings_id)
        .where(
            CaseMembership.role == CaseRole.GUARDIAN,
            CaseMembership.ended_at.is_(None),
            Closure.proceedings_id.is_(None),
            managed_cases(actor, CaseMembership.proceedings_id),
        )
        .group_by(CaseMembership.person_id)
        .subquery()
    )
    rows = await session.execute(
        sa.select(
            Person.id, Person.name, sa.func.coalesce(live.c.cases, 0), sa.func.coalesce(live.c.children, 0)
        )
        .join(PersonRole, PersonRole.person_id == Person.id)
        .outerjoin(live, live.c.person_id == Person.id)
        .where(
            Person.organisation_id == actor.organisation_id, Person.active, PersonRole.role == Role.GUARDIAN
        )
        .order_by(Person.name, Person.id)
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]
