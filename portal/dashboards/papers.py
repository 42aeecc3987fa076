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
from portal.dashboards.adherence import require_viewer
from portal.dashboards.sql import bank_holidays_cte, nearest_rank, utc_day, working_days_between


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
    shares = (
        sa.select(PaperShare.version_id, sa.func.min(PaperShare.first_opened_at).label("opened_at"))
        .group_by(PaperShare.version_id)
        .subquery()
    )
    holidays = bank_holidays_cte(start, today)
    opened_on = utc_day(dialect, shares.c.opened_at)
    status = sa.case(
        (shares.c.opened_at.is_not(None), PaperStatus.OPENED.value),
        (shares.c.version_id.is_not(None), PaperStatus.UNOPENED.value),
        else_=PaperStatus.NOT_WITH_IRO.value,
    )
    return (
        sa.select(
            PaperVersion.proceedings_id.label("id"),
            status.label("status"),
            sa.case(
                (
                    shares.c.opened_at.is_not(None),
                    working_days_between(dialect, PaperVersion.filed_on, opened_on, holidays),
                ),
                else_=None,
            ).label("working_days"),
        )
        .join(Proceedings, Proceedings.id == PaperVersion.proceedings_id)
        .outerjoin(shares, shares.c.version_id == PaperVersion.id)
        .where(managed_cases(actor), PaperVersion.filed_on >= start, PaperVersion.filed_on <= end)
        .cte("versions")
    )


async def summary(session: AsyncSession, actor: Actor, *, start: date, end: date, today: date) -> Papers:
    require_viewer(actor)
    rows = per_version(session.get_bind().dialect.name, actor, start, end, today)

    def count(status: PaperStatus) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((rows.c.status == status.value, 1), else_=0)), 0)

    counts = (
        await session.execute(
            sa.select(sa.func.count(), *(count(status) for status in PaperStatus)).select_from(rows)
        )
    ).one()
    timing = nearest_rank(rows, rows.c.working_days, [], "paper_timing")
    percentiles = (await session.execute(sa.select(timing.c.p50, timing.c.p90))).one_or_none()
    p50, p90 = percentiles if percentiles is not None else (None, None)
    audit.record(session, actor, "paper_timings.read", subject_type="dashboard")
    return Papers(*counts, median_working_days=p50, p90_working_days=p90)
