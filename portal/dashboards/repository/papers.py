"""The court papers section's statements: one row per version filed in the period on proceedings in scope,
with its status and the working days from filing to its first opening by an IRO, and their counts and
percentiles. Working days as the protocol counts them (weekends and England's bank holidays excluded)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import PaperShare, PaperVersion, Proceedings, utcnow
from portal.auth.actor import Actor
from portal.dashboards.papers import PaperStatus
from portal.dashboards.repository.kept import Scope, Statement, rows
from portal.dashboards.repository.sql import (
    END,
    START,
    bank_holidays,
    bank_holidays_cte,
    count_where,
    nearest_rank,
    utc_day,
    working_days_between,
)


def per_version(dialect: str, scope: Scope) -> sa.CTE:
    """One row per version: its case (``id``), the ``version_id``, its ``status``, when it was ``filed_on``
    and when an IRO first opened it (``opened_at``, NULL if none has). The period bound as sql.py's
    ``period``."""
    in_period = (scope(Proceedings.id), PaperVersion.filed_on >= START, PaperVersion.filed_on <= END)
    version = (PaperVersion.id.label("version_id"), PaperVersion.proceedings_id, PaperVersion.filed_on)
    in_scope = Proceedings.id == PaperVersion.proceedings_id
    if dialect == "postgresql":
        # Each version's shares counted by an index probe of their own, rather than joined to the versions
        # and grouped: PostgreSQL hashed tens of thousands of groups (a sixth of the section's time at
        # national scale). SQLite has no LATERAL.
        shares = (
            sa.select(
                sa.func.count().label("shares"), sa.func.min(PaperShare.first_opened_at).label("opened_at")
            )
            .where(PaperShare.version_id == PaperVersion.id)
            .lateral("shares")
        )
        filed = (
            sa.select(*version, shares.c.shares, shares.c.opened_at)
            .join(Proceedings, in_scope)
            .join(shares, sa.true())
            .where(*in_period)
            .cte("filed")
        )
    else:
        filed = (
            sa.select(
                *version,
                sa.func.count(PaperShare.id).label("shares"),
                sa.func.min(PaperShare.first_opened_at).label("opened_at"),
            )
            .join(Proceedings, in_scope)
            .outerjoin(PaperShare, PaperShare.version_id == PaperVersion.id)
            .where(*in_period)
            .group_by(PaperVersion.id, PaperVersion.proceedings_id, PaperVersion.filed_on)
            .cte("filed")
        )
    return (
        sa.select(
            filed.c.proceedings_id.label("id"),
            filed.c.version_id,
            sa.case(
                (filed.c.opened_at.is_not(None), PaperStatus.OPENED.value),
                (filed.c.shares > 0, PaperStatus.UNOPENED.value),
                else_=PaperStatus.NOT_WITH_IRO.value,
            ).label("status"),
            filed.c.filed_on,
            filed.c.opened_at,
        )
        .select_from(filed)
        .cte("versions")
    )


async def counts(session: AsyncSession, actor: Actor, *, start: date, end: date) -> sa.RowMapping:
    """How many versions were ``filed`` in the period, how many are in each PaperStatus (keyed by its
    value), and ``p50`` and ``p90``, the nearest-rank median and 90th percentile of working days from filing
    to first opening (None when none was opened).

    Two statements: the first finds the day the earliest of the versions was filed on (from an index), so
    that the second carries only the bank holidays from then to today (issue 13: not every one since the
    period's start, which a client chose, so a period starting in 1900 costs what a period starting last
    year does), and counts the working days in SQL, weekdays by arithmetic less the bank holidays."""
    dialect = session.get_bind().dialect.name
    bound: dict[str, Any] = {START.key: start, END.key: end}
    first = (await rows(session, actor, "papers.first", _first, bound))[0]["first"]
    timed = first is not None  # with none filed, no timings
    if timed:
        # Every version was opened by now, if at all.
        bound |= bank_holidays(_day(first), utcnow().date())
    found = await rows(
        session, actor, ("papers", dialect, timed), lambda scope: _counted(dialect, scope, timed), bound
    )
    return found[0]


def _first(scope: Scope) -> Statement:
    """The day the earliest version in the period was filed."""
    return sa.select(sa.func.min(PaperVersion.filed_on).label("first")).where(
        scope(PaperVersion.proceedings_id),
        PaperVersion.filed_on >= START,
        PaperVersion.filed_on <= END,
    )


def _counted(dialect: str, scope: Scope, timed: bool) -> Statement:
    """The counts and, if ``timed``, the percentiles of working days (with the bank holidays bound)."""
    rows = per_version(dialect, scope)
    opened_on = utc_day(dialect, rows.c.opened_at)
    working_days: sa.ColumnElement[Any] = (
        working_days_between(dialect, rows.c.filed_on, opened_on, bank_holidays_cte(dialect))
        if timed
        else sa.null()
    )
    # Working days, counted for the versions opened (the days they were opened on are not NULL).
    timing = nearest_rank(rows, working_days, [], "paper_timing", valued=rows.c.opened_at.is_not(None))
    totals = sa.select(
        sa.func.count().label("filed"),
        *(count_where(rows.c.status == status.value).label(status.value) for status in PaperStatus),
    ).cte("counts")
    # The counts, and the percentiles (no row when nothing was opened).
    return sa.select(totals, timing.c.p50, timing.c.p90).select_from(totals).outerjoin(timing, sa.true())


def _day(value: object) -> date:
    """A day as the database gives it: a date, or its ISO text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
