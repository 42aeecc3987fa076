"""The tracker's and IRO workload's statements: one row per open set of proceedings in scope (its bucket of
weeks since issue, extensions and days to its deadline, and whether it is at risk, by the case view's rule
in portal/cases/timescale.py), and one row per child each IRO of a manager's authority is the live IRO for,
with the reviews that tell whether the child's next review is late."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CaseMembership,
    CaseRole,
    Child,
    Extension,
    Person,
    PersonRole,
    Proceedings,
    Review,
    Role,
    Stage,
)
from portal.auth.actor import Actor
from portal.cases.timescale import AT_RISK_WEEKS_REMAINING, STATUTORY_WEEKS
from portal.dashboards.repository.kept import Scope, Statement, rows, scope_of
from portal.dashboards.repository.sql import TODAY, days_between
from portal.dashboards.workload import BUCKETS


def per_case(dialect: str, scope: Scope) -> sa.CTE:
    """One row per open set of proceedings in scope: its bucket (an index into BUCKETS), extension weeks,
    days to its deadline and whether it is at risk (today bound as sql.py's TODAY)."""
    extensions = (
        sa.select(Extension.proceedings_id, sa.func.sum(Extension.weeks).label("weeks"))
        .group_by(Extension.proceedings_id)
        .subquery()
    )
    weeks = sa.func.coalesce(extensions.c.weeks, 0)
    elapsed = days_between(dialect, TODAY, Proceedings.issued_on)
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
        .where(scope(Proceedings.id), Proceedings.stage != Stage.CONCLUDED)
        .cte("open_cases")
    )


async def tracker(
    session: AsyncSession, actor: Actor, today: date
) -> tuple[dict[int, tuple[int, int]], Sequence[sa.RowMapping]]:
    """In one statement (one pass over the open cases): for each bucket (an index into BUCKETS) with any
    open case in scope, how many cases and how many of them have been extended; and the open cases in scope
    at risk, ``id``, ``case_number``, ``issued_on``, ``extension_weeks`` and ``days_remaining`` (negative
    once past the deadline), the fewest days remaining first, then by number."""
    dialect = session.get_bind().dialect.name
    found = await rows(
        session, actor, ("tracker", dialect), lambda scope: _tracked(dialect, scope), {TODAY.key: today}
    )
    buckets, risky = {}, []
    for row in found:
        if row["at_risk"]:
            risky.append(row)
        else:
            buckets[row["bucket"]] = (row["cases"], row["extended"])
    return buckets, risky


def _tracked(dialect: str, scope: Scope) -> Statement:
    rows = per_case(dialect, scope)
    # The cases at risk first: the union's columns are typed by its first SELECT (dates, on SQLite).
    risky = sa.select(
        sa.literal(1).label("at_risk"),
        rows.c.id,
        rows.c.case_number,
        rows.c.issued_on,
        rows.c.extension_weeks,
        rows.c.days_remaining,
        sa.null().label("bucket"),
        sa.null().label("cases"),
        sa.null().label("extended"),
    ).where(rows.c.at_risk == 1)
    buckets = sa.select(
        sa.literal(0),
        *(sa.null() for _ in range(5)),
        rows.c.bucket,
        sa.func.count(),
        sa.func.sum(sa.case((rows.c.extension_weeks > 0, 1), else_=0)),
    ).group_by(rows.c.bucket)
    union: sa.CompoundSelect[*tuple[Any, ...]] = sa.union_all(risky, buckets)
    return union.order_by(
        union.selected_columns.at_risk,
        union.selected_columns.days_remaining,
        union.selected_columns.case_number,
    )


def per_child(actor: Actor) -> sa.CTE:
    """One row per child each IRO of the manager's authority is the live IRO for, in the manager's scope:
    the IRO, the case, the child, whether the proceedings are open, and the child's legal status and when
    they became looked after (for their next review)."""
    return (
        sa.select(
            CaseMembership.person_id.label("iro_id"),
            CaseMembership.proceedings_id.label("id"),
            CaseMembership.child_id.label("child_id"),
            sa.case((Proceedings.stage != Stage.CONCLUDED, 1), else_=0).label("in_proceedings"),
            Child.legal_status.label("legal_status"),
            Child.looked_after_since.label("looked_after_since"),
        )
        .join(Proceedings, Proceedings.id == CaseMembership.proceedings_id)
        .join(Person, Person.id == CaseMembership.person_id)
        .join(Child, Child.id == CaseMembership.child_id)
        .where(
            CaseMembership.role == CaseRole.IRO,
            CaseMembership.ended_at.is_(None),
            Person.organisation_id == actor.organisation_id,
            scope_of(actor)(Proceedings.id),
        )
        .cte("iro_children")
    )


async def children_and_reviews(
    session: AsyncSession, actor: Actor
) -> tuple[Sequence[sa.RowMapping], Sequence[sa.RowMapping]]:
    """The rows of ``per_child``, and the reviews of those children on those cases (``id``, ``child_id``,
    ``review_date``, ``held_on``): what the service needs to tell whose next review is late by the case
    page's rule, which counts months and working days as SQL cannot on both databases."""
    children = per_child(actor)
    found = (await session.execute(sa.select(children))).mappings().all()
    reviews = await session.execute(
        sa.select(
            Review.proceedings_id.label("id"),
            Review.child_id,
            Review.review_date,
            Review.held_on,
        ).where(Review.proceedings_id.in_(sa.select(children.c.id)))
    )
    return found, reviews.mappings().all()


async def iros(session: AsyncSession, actor: Actor) -> list[tuple[Any, str]]:
    """Each active IRO of the manager's organisation, by name: their id (as the database gives it) and
    name."""
    rows = await session.execute(
        sa.select(Person.id, Person.name)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(Person.organisation_id == actor.organisation_id, Person.active, PersonRole.role == Role.IRO)
        .order_by(Person.name)
    )
    return [(r[0], r[1]) for r in rows]
