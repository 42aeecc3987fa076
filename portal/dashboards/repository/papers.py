"""The court papers section's statements: one row per version filed in the period on proceedings in scope,
with its status and the working days from filing to its first opening by an IRO, and their counts and
percentiles. Working days as the protocol counts them (weekends and England's bank holidays excluded)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import PaperShare, PaperVersion, Proceedings
from portal.access.repository import managed_cases
from portal.auth.actor import Actor
from portal.dashboards.papers import PaperStatus
from portal.dashboards.repository.sql import (
    bank_holidays_cte,
    count_where,
    nearest_rank,
    utc_day,
    working_days_between,
)


def per_version(dialect: str, actor: Actor, start: date, end: date, today: date) -> sa.CTE:
    """One row per version: its case, its status and the working days from filing to first opening."""
    filed = (
        sa.select(
            PaperVersion.proceedings_id,
            PaperVersion.filed_on,
            sa.func.count(PaperShare.id).label("shares"),
            sa.func.min(PaperShare.first_opened_at).label("opened_at"),
        )
        .join(Proceedings, Proceedings.id == PaperVersion.proceedings_id)
        .outerjoin(PaperShare, PaperShare.version_id == PaperVersion.id)
        .where(managed_cases(actor), PaperVersion.filed_on >= start, PaperVersion.filed_on <= end)
        .group_by(PaperVersion.id, PaperVersion.proceedings_id, PaperVersion.filed_on)
        .cte("filed")
    )
    holidays = bank_holidays_cte(start, today)
    opened = filed.c.opened_at.is_not(None)
    return (
        sa.select(
            filed.c.proceedings_id.label("id"),
            sa.case(
                (opened, PaperStatus.OPENED.value),
                (filed.c.shares > 0, PaperStatus.UNOPENED.value),
                else_=PaperStatus.NOT_WITH_IRO.value,
            ).label("status"),
            sa.case(
                (
                    opened,
                    working_days_between(
                        dialect, filed.c.filed_on, utc_day(dialect, filed.c.opened_at), holidays
                    ),
                ),
                else_=None,
            ).label("working_days"),
        )
        .select_from(filed)
        .cte("versions")
    )


async def counts(
    session: AsyncSession, actor: Actor, *, start: date, end: date, today: date
) -> sa.RowMapping:
    """How many versions were ``filed`` in the period, how many are in each PaperStatus (keyed by its
    value), and ``p50`` and ``p90``, the nearest-rank median and 90th percentile of working days from filing
    to first opening (None when none was opened). One statement."""
    rows = per_version(session.get_bind().dialect.name, actor, start, end, today)
    timing = nearest_rank(rows, rows.c.working_days, [], "paper_timing")

    totals = sa.select(
        sa.func.count().label("filed"),
        *(count_where(rows.c.status == status.value).label(status.value) for status in PaperStatus),
    ).cte("counts")
    # The counts, and the percentiles (no row when nothing was opened).
    return (
        (
            await session.execute(
                sa.select(totals, timing.c.p50, timing.c.p90).select_from(totals).outerjoin(timing, sa.true())
            )
        )
        .mappings()
        .one()
    )
