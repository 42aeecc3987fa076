"""Court papers reaching the IRO (P6), for managers: of the versions filed in the period on proceedings in
scope, how many reached an IRO, how many an IRO has opened (the median and 90th percentile of working days
from the date filed to the first opening), how many are unopened, and how many have not reached an IRO at all
(none assigned yet, or withheld by the court). Working days as the protocol counts them (weekends and
England's bank holidays excluded); computed in SQL from one row per version, which the drill-down filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import PaperShare, PaperVersion, Proceedings
from portal.access.cases import managed_cases
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.dashboards.sql import bank_holidays_cte, count_where, nearest_rank, utc_day, working_days_between
from portal.dashboards.viewer import require_viewer_for


class PaperStatus(StrEnum):
    OPENED = "opened"
    UNOPENED = "unopened"
    NOT_WITH_IRO = "not_with_iro"


@dataclass(frozen=True)
class Papers:
    filed: int
    opened: int
    unopened: int
    not_with_iro: int
    median_working_days: int | None
    p90_working_days: int | None


def per_version(dialect: str, actor: Actor, start: date, end: date, today: date) -> Any:
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


async def summary(session: AsyncSession, actor: Actor, *, start: date, end: date, today: date) -> Papers:
    require_viewer_for(actor, start, end)
    rows = per_version(session.get_bind().dialect.name, actor, start, end, today)
    timing = nearest_rank(rows, rows.c.working_days, [], "paper_timing")

    counts = sa.select(
        sa.func.count().label("filed"),
        *(count_where(rows.c.status == status.value) for status in PaperStatus),
    ).cte("counts")
    # One statement: the counts, and the percentiles (no row when nothing was opened).
    row = (
        await session.execute(
            sa.select(counts, timing.c.p50, timing.c.p90).select_from(counts).outerjoin(timing, sa.true())
        )
    ).one()
    audit.record(session, actor, "paper_timings.read", subject_type="dashboard")
    return Papers(*row[:4], median_working_days=row[4], p90_working_days=row[5])
