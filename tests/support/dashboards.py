"""Every dashboard section for one viewer, period and day: what tests compare between databases, viewers and
statements built afresh or kept."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portal.auth.actor import Actor
from portal.dashboards import service as dashboards
from portal.dashboards.adherence import GroupBy


async def every_section(
    session: AsyncSession, actor: Actor, *, start: date, end: date, today: date, by: GroupBy
) -> tuple[Any, ...]:
    return (
        await dashboards.adherence(session, actor, start=start, end=end, by=by, today=today),
        await dashboards.table1(session, actor, start=start, end=end, today=today),
        await dashboards.tracker(session, actor, today),
        await dashboards.handovers(session, actor, start=start, end=end, today=today),
        await dashboards.papers(session, actor, start=start, end=end, today=today),
        await dashboards.iro_workload(session, actor, today),
        await dashboards.participation(session, actor, start=start, end=end, today=today),
    )
