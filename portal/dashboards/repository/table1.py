"""Table 1's statements: one row per set of proceedings in scope that ran during the period, with the
category of each side's initiating of contact and whether the final discussion was held, and their counts.
(The categories and thresholds: portal/dashboards/table1.py.)"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CaseMembership,
    CaseRole,
    Child,
    Contact,
    Discussion,
    DiscussionKind,
    LegalStatus,
    Proceedings,
    ProceedingsChild,
    Side,
    Stage,
    StageChange,
)
from portal.auth.actor import Actor
from portal.dashboards.repository.kept import Scope, Statement, rows
from portal.dashboards.repository.sql import (
    END,
    START,
    TODAY,
    count_where,
    days_between,
    earliest,
    period,
    utc_day,
)
from portal.dashboards.table1 import MOSTLY, RARELY, WINDOW_DAYS, FinalDiscussion, Regularity

REGULARITY_QUESTIONS = ("guardian_contacts_iro", "iro_contacts_guardian")


def per_case(dialect: str, scope: Scope) -> sa.CTE:
    """One row per set of proceedings counted: its id, the category of each side's initiating, and (when it
    concluded in the period) whether the final discussion was held. The period and the day bound as
    sql.py's ``period``.

    Counted: proceedings in scope where the protocol applies (a child of theirs is looked after) and a
    guardian has been allocated, that ran during the period. Their windows run from the guardian's first
    allocation to the earliest of the conclusion, the period's end and today: a case open today is measured
    the same whether the period ends today or next year, and only contacts inside its windows count."""
    concluded = (
        sa.select(StageChange.proceedings_id, sa.func.min(StageChange.changed_on).label("on"))
        .where(StageChange.stage == Stage.CONCLUDED)
        .group_by(StageChange.proceedings_id)
        .subquery()
    )
    allocated = (
        sa.select(CaseMembership.proceedings_id, sa.func.min(CaseMembership.started_at).label("at"))
        .where(CaseMembership.role == CaseRole.GUARDIAN)
        .group_by(CaseMembership.proceedings_id)
        .subquery()
    )
    looked_after = sa.exists().where(
        ProceedingsChild.proceedings_id == Proceedings.id,
        Child.id == ProceedingsChild.child_id,
        Child.legal_status.in_([status for status in LegalStatus if status.is_looked_after]),
    )
    starts = utc_day(dialect, allocated.c.at)
    ends = earliest(dialect, sa.func.coalesce(concluded.c.on, END), END, TODAY)
    cases = (
        sa.select(
            Proceedings.id.label("id"),
            starts.label("starts_on"),
            ends.label("ends_on"),
            concluded.c.on.label("concluded_on"),
            (days_between(dialect, ends, starts) // WINDOW_DAYS + 1).label("windows"),
        )
        .join(allocated, allocated.c.proceedings_id == Proceedings.id)
        .outerjoin(concluded, concluded.c.proceedings_id == Proceedings.id)
        .where(
            scope(Proceedings.id),
            looked_after,
            starts <= earliest(dialect, END, TODAY),
            sa.or_(concluded.c.on.is_(None), concluded.c.on >= START),
        )
        .cte("cases")
    )
    day = utc_day(dialect, Contact.occurred_at)
    inside = sa.and_(day >= cases.c.starts_on, day <= cases.c.ends_on)
    window = days_between(dialect, day, cases.c.starts_on) // WINDOW_DAYS
    windows = sa.func.count(sa.distinct(window)).label("windows")
    if dialect == "postgresql":
        # Each case's contacts by an index probe of their own: PostgreSQL, misjudging how many cases are in
        # scope, otherwise read every contact in the country and hashed them (twice the time at national
        # scale, and more as the contacts grow). SQLite has no LATERAL.
        theirs = (
            sa.select(Contact.initiated_by.label("side"), windows)
            .where(Contact.proceedings_id == cases.c.id, Contact.corrects_id.is_(None), inside)
            .group_by(Contact.initiated_by)
            .lateral("theirs")
        )
        windows_with = (
            sa.select(cases.c.id.label("id"), theirs.c.side, theirs.c.windows)
            .select_from(cases)
            .join(theirs, sa.true())
            .cte("windows_with")
        )
    else:
        windows_with = (
            sa.select(Contact.proceedings_id.label("id"), Contact.initiated_by.label("side"), windows)
            .join(cases, cases.c.id == Contact.proceedings_id)
            # Also as a list, so that the contacts are reached by their index from the cases in scope.
            .where(Contact.proceedings_id.in_(sa.select(cases.c.id)), Contact.corrects_id.is_(None), inside)
            .group_by(Contact.proceedings_id, Contact.initiated_by)
            .cte("windows_with")
        )
    by_guardian, by_iro = windows_with.alias("by_guardian"), windows_with.alias("by_iro")

    def regularity(theirs: sa.CTE) -> sa.ColumnElement[str]:
        share = sa.cast(sa.func.coalesce(theirs.c.windows, 0), sa.Float) / cases.c.windows
        return sa.case(
            (share >= MOSTLY, Regularity.ALWAYS_OR_MOSTLY.value),
            (share >= RARELY, Regularity.SOMETIMES.value),
            else_=Regularity.RARELY_OR_NEVER.value,
        )

    discussed = sa.exists().where(
        Discussion.proceedings_id == cases.c.id, Discussion.kind == DiscussionKind.FINAL_DISCUSSION
    )
    return (
        sa.select(
            cases.c.id,
            regularity(by_guardian).label("guardian_contacts_iro"),
            regularity(by_iro).label("iro_contacts_guardian"),
            sa.case(
                (sa.or_(cases.c.concluded_on.is_(None), cases.c.concluded_on > END), None),
                (discussed, FinalDiscussion.HELD.value),
                else_=FinalDiscussion.NOT_HELD.value,
            ).label("final_discussion"),
        )
        .outerjoin(by_guardian, sa.and_(by_guardian.c.id == cases.c.id, by_guardian.c.side == Side.GUARDIAN))
        .outerjoin(by_iro, sa.and_(by_iro.c.id == cases.c.id, by_iro.c.side == Side.IRO))
        .cte("table1")
    )


async def counts(
    session: AsyncSession, actor: Actor, *, start: date, end: date, today: date
) -> sa.RowMapping:
    """How many sets of proceedings ran during the period (``cases``); for each of REGULARITY_QUESTIONS
    and each Regularity, how many fall in that category (keyed ``question:category``); and for each
    FinalDiscussion outcome, how many of those that concluded had it (keyed ``final_discussion:outcome``)."""
    dialect = session.get_bind().dialect.name
    found = await rows(
        session,
        actor,
        ("table1", dialect),
        lambda scope: _counted(per_case(dialect, scope)),
        period(start, end, today),
    )
    return found[0]


def _counted(rows: sa.CTE) -> Statement:
    regular = [
        count_where(rows.c[question] == category.value).label(f"{question}:{category.value}")
        for question in REGULARITY_QUESTIONS
        for category in Regularity
    ]
    final = [
        count_where(rows.c.final_discussion == outcome.value).label(f"final_discussion:{outcome.value}")
        for outcome in FinalDiscussion
    ]
    return sa.select(sa.func.count().label("cases"), *regular, *final).select_from(rows)
