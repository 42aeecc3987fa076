"""The tracker's and IRO workload's statements: one row per open set of proceedings in scope (its bucket of
weeks since issue, extensions and days to its deadline, and whether it is at risk, by the case view's rule
in portal/cases/timescale.py), and one row per child each IRO of a manager's authority is the live IRO for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseMembership, CaseRole, Extension, Person, PersonRole, Proceedings, Review, Role, Stage
from portal.access.repository import managed_cases
from portal.auth.actor import Actor
from portal.cases.timescale import AT_RISK_WEEKS_REMAINING, STATUTORY_WEEKS
from portal.dashboards.repository.sql import days_between
from portal.dashboards.workload import BUCKETS


def per_case(dialect: str, actor: Actor, today: date) -> sa.CTE:
    """One row per open set of proceedings in scope: its bucket (an index into BUCKETS), extension weeks,
    days to its deadline and whether it is at risk."""
    extensions = (
        sa.select(Extension.proceedings_id, sa.func.sum(Extension.weeks).label("weeks"))
        .group_by(Extension.proceedings_id)
        .subquery()
    )
    weeks = sa.func.coalesce(extensions.c.weeks, 0)
    elapsed = days_between(dialect, sa.literal(today, sa.Date), Proceedings.issued_on)
    remaining = (STATUTORY_WEEKS + weeks) * 7 - elapsed
    bucket = sa.case(
        *((elapsed // 7 >= low, index) for index, (low, _) in reversed(list(enumerate(BUCKETS)))), else_=0
    )
    before_final = [s for s in Stage if s.order < Stage.FINAL_HEARING.order]
    at_risk = sa.or_(
        remaining < 0, sa.and_(remaining < AT_RISK_WEEKS_REMAINING * 7, Proceedings.stage.in_(before_final))
    )
    return (
        sa.select(
            Proceedings.id.label("id"),
            Proceedings.case_number.label("case_number"),
            Proceedings.issued_on.label("issued_on"),
            bucket.label("bucket"),
            weeks.label("extension_weeks"),
            remaining.label("days_remaining"),
            sa.case((at_risk, 1), else_=0).label("at_risk"),
        )
        .outerjoin(extensions, extensions.c.proceedings_id == Proceedings.id)
        .where(managed_cases(actor), Proceedings.stage != Stage.CONCLUDED)
        .cte("open_cases")
    )


async def bucket_counts(session: AsyncSession, actor: Actor, today: date) -> dict[int, tuple[int, int]]:
    """For each bucket (an index into BUCKETS) with any open case in scope: how many cases, and how many of
    them have been extended."""
    rows = per_case(session.get_bind().dialect.name, actor, today)
    found = await session.execute(
        sa.select(
            rows.c.bucket, sa.func.count(), sa.func.sum(sa.case((rows.c.extension_weeks > 0, 1), else_=0))
        ).group_by(rows.c.bucket)
    )
    return {bucket: (n, extended) for bucket, n, extended in found}


async def at_risk(session: AsyncSession, actor: Actor, today: date) -> Sequence[sa.RowMapping]:
    """The open cases in scope at risk: ``id``, ``case_number``, ``issued_on``, ``extension_weeks`` and
    ``days_remaining`` (negative once past the deadline), the fewest days remaining first, then by number."""
    rows = per_case(session.get_bind().dialect.name, actor, today)
    found = await session.execute(
        sa.select(
            rows.c.id, rows.c.case_number, rows.c.issued_on, rows.c.extension_weeks, rows.c.days_remaining
        )
        .where(rows.c.at_risk == 1)
        .order_by(rows.c.days_remaining, rows.c.case_number)
    )
    return found.mappings().all()


def per_child(actor: Actor, today: date) -> sa.CTE:
    """One row per child each IRO of the manager's authority is the live IRO for, in the manager's scope:
    the IRO, the case, the child, whether the proceedings are open and the child's overdue reviews."""
    overdue = (
        sa.select(Review.proceedings_id, Review.child_id, sa.func.count().label("overdue"))
        .where(Review.held_on.is_(None), Review.review_date < today)
        .group_by(Review.proceedings_id, Review.child_id)
        .subquery()
    )
    return (
        sa.select(
            CaseMembership.person_id.label("iro_id"),
            CaseMembership.proceedings_id.label("id"),
            CaseMembership.child_id.label("child_id"),
            sa.case((Proceedings.stage != Stage.CONCLUDED, 1), else_=0).label("in_proceedings"),
            sa.func.coalesce(overdue.c.overdue, 0).label("overdue_reviews"),
        )
        .join(Proceedings, Proceedings.id == CaseMembership.proceedings_id)
        .join(Person, Person.id == CaseMembership.person_id)
        .outerjoin(
            overdue,
            sa.and_(
                overdue.c.proceedings_id == CaseMembership.proceedings_id,
                overdue.c.child_id == CaseMembership.child_id,
            ),
        )
        .where(
            CaseMembership.role == CaseRole.IRO,
            CaseMembership.ended_at.is_(None),
            Person.organisation_id == actor.organisation_id,
            managed_cases(actor),
        )
        .cte("iro_children")
    )


async def iro_loads(session: AsyncSession, actor: Actor, today: date) -> list[tuple[Any, str, int, int, int]]:
    """Each active IRO of the manager's organisation, by name: their id (as the database gives it), name,
    the children they are the live IRO for in the manager's scope, how many of those are in open
    proceedings, and those children's reviews overdue (booked for a day passed and not held)."""
    children = per_child(actor, today)
    loads = (
        sa.select(
            children.c.iro_id,
            sa.func.count(sa.distinct(children.c.child_id)).label("children"),
            sa.func.count(sa.distinct(sa.case((children.c.in_proceedings == 1, children.c.child_id)))).label(
                "in_proceedings"
            ),
            sa.func.sum(children.c.overdue_reviews).label("overdue"),
        )
        .group_by(children.c.iro_id)
        .subquery()
    )
    rows = await session.execute(
        sa.select(
            Person.id,
            Person.name,
            sa.func.coalesce(loads.c.children, 0),
            sa.func.coalesce(loads.c.in_proceedings, 0),
            sa.func.coalesce(loads.c.overdue, 0),
        )
        .join(PersonRole, PersonRole.person_id == Person.id)
        .outerjoin(loads, loads.c.iro_id == Person.id)
        .where(Person.organisation_id == actor.organisation_id, Person.active, PersonRole.role == Role.IRO)
        .order_by(Person.name)
    )
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]
