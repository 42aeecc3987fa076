"""The 26-week tracker for managers, and IRO workload for IRO managers (issue 7), counted in SQL.

The tracker buckets open proceedings in scope by weeks since issue, counts those extended, and lists those at
risk by the same rule as the case view (portal/cases/timescale.py): past their deadline (26 weeks plus
extensions), or fewer than 4 weeks left before it with the final hearing not reached.

Workload: for each IRO of the manager's authority, the children they are the live IRO for, how many of
those are in open proceedings, and their reviews booked for a date already passed and not recorded as held,
against the IRO Handbook's range of 50 to 70 children for a full-time IRO."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseMembership, CaseRole, Extension, Person, PersonRole, Proceedings, Review, Role, Stage
from portal.access.cases import managed_cases
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.cases.timescale import AT_RISK_WEEKS_REMAINING, STATUTORY_WEEKS
from portal.dashboards.adherence import require_viewer
from portal.dashboards.sql import days_between

# Weeks since issue: the buckets' lower bounds.
BUCKETS = ((0, "Under 13 weeks"), (13, "13 to 20 weeks"), (21, "21 to 26 weeks"), (27, "Over 26 weeks"))
HANDBOOK_RANGE = (50, 70)


@dataclass(frozen=True)
class Tracker:
    buckets: list[tuple[str, int]]
    extended: int
    at_risk: list[tuple[uuid.UUID, str, date, int]]  # case id, number, deadline, days remaining


async def tracker(session: AsyncSession, actor: Actor, today: date) -> Tracker:
    require_viewer(actor)
    dialect = session.get_bind().dialect.name
    extensions = (
        sa.select(Extension.proceedings_id, sa.func.sum(Extension.weeks).label("weeks"))
        .group_by(Extension.proceedings_id)
        .subquery()
    )
    weeks = sa.func.coalesce(extensions.c.weeks, 0)
    elapsed = days_between(dialect, sa.literal(today, sa.Date), Proceedings.issued_on)
    remaining = (STATUTORY_WEEKS + weeks) * 7 - elapsed
    open_cases = (
        sa.select(
            Proceedings.id,
            Proceedings.case_number,
            Proceedings.issued_on,
            Proceedings.stage,
            (elapsed // 7).label("weeks_elapsed"),
            weeks.label("extension_weeks"),
            remaining.label("days_remaining"),
        )
        .outerjoin(extensions, extensions.c.proceedings_id == Proceedings.id)
        .where(managed_cases(actor), Proceedings.stage != Stage.CONCLUDED)
        .cte("open_cases")
    )
    bounds = [low for low, _ in BUCKETS]
    bucket = sa.case(
        *((open_cases.c.weeks_elapsed >= low, index) for index, low in reversed(list(enumerate(bounds)))),
        else_=0,
    )
    counts = dict(
        (
            await session.execute(sa.select(bucket, sa.func.count()).select_from(open_cases).group_by(bucket))
        ).all()
    )
    extended = await session.scalar(
        sa.select(sa.func.count()).select_from(open_cases).where(open_cases.c.extension_weeks > 0)
    )
    before_final = [s for s in Stage if s.order < Stage.FINAL_HEARING.order]
    risky = await session.execute(
        sa.select(
            open_cases.c.id,
            open_cases.c.case_number,
            open_cases.c.issued_on,
            open_cases.c.extension_weeks,
            open_cases.c.days_remaining,
        )
        .where(
            sa.or_(
                open_cases.c.days_remaining < 0,
                sa.and_(
                    open_cases.c.days_remaining < AT_RISK_WEEKS_REMAINING * 7,
                    open_cases.c.stage.in_(before_final),
                ),
            )
        )
        .order_by(open_cases.c.days_remaining, open_cases.c.case_number)
    )
    at_risk = [
        (
            uuid.UUID(str(row.id)),
            row.case_number,
            row.issued_on + timedelta(weeks=STATUTORY_WEEKS + row.extension_weeks),
            row.days_remaining,
        )
        for row in risky
    ]
    audit.record(session, actor, "tracker.read", subject_type="dashboard")
    return Tracker(
        buckets=[(label, counts.get(index, 0)) for index, (_, label) in enumerate(BUCKETS)],
        extended=extended or 0,
        at_risk=at_risk,
    )


@dataclass(frozen=True)
class IroLoad:
    iro_id: uuid.UUID
    name: str
    children: int
    in_proceedings: int
    overdue_reviews: int


async def iro_workload(session: AsyncSession, actor: Actor, today: date) -> list[IroLoad]:
    """For an IRO manager: each IRO of their authority and their caseload."""
    require_viewer(actor)
    if not actor.has_role(Role.IRO_MANAGER):
        return []
    live = sa.and_(CaseMembership.role == CaseRole.IRO, CaseMembership.ended_at.is_(None))
    children = (
        sa.select(
            CaseMembership.person_id.label("iro_id"),
            sa.func.count(sa.distinct(CaseMembership.child_id)).label("children"),
            sa.func.count(
                sa.distinct(sa.case((Proceedings.stage != Stage.CONCLUDED, CaseMembership.child_id)))
            ).label("in_proceedings"),
        )
        .join(Proceedings, Proceedings.id == CaseMembership.proceedings_id)
        .where(live)
        .group_by(CaseMembership.person_id)
        .subquery()
    )
    overdue = (
        sa.select(
            CaseMembership.person_id.label("iro_id"), sa.func.count(sa.distinct(Review.id)).label("overdue")
        )
        .join(
            Review,
            sa.and_(
                Review.child_id == CaseMembership.child_id,
                Review.proceedings_id == CaseMembership.proceedings_id,
            ),
        )
        .where(live, Review.held_on.is_(None), Review.review_date < today)
        .group_by(CaseMembership.person_id)
        .subquery()
    )
    iros = (
        sa.select(Person.id)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(Person.organisation_id == actor.organisation_id, Person.active, PersonRole.role == Role.IRO)
        .subquery()
    )
    rows = await session.execute(
        sa.select(
            Person.id,
            Person.name,
            sa.func.coalesce(children.c.children, 0),
            sa.func.coalesce(children.c.in_proceedings, 0),
            sa.func.coalesce(overdue.c.overdue, 0),
        )
        .join(iros, iros.c.id == Person.id)
        .outerjoin(children, children.c.iro_id == Person.id)
        .outerjoin(overdue, overdue.c.iro_id == Person.id)
        .order_by(Person.name)
    )
    audit.record(session, actor, "workload.read", subject_type="dashboard")
    return [IroLoad(uuid.UUID(str(r[0])), r[1], r[2], r[3], r[4]) for r in rows]
