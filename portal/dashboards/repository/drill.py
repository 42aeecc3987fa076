"""The drill-downs' statements: for any figure other than adherence's, the ids of the cases behind it (the
same per-case rows its section counts, filtered to the figure), and the cases with the ids a drill-down
selects."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import Proceedings
from portal.auth.actor import Actor
from portal.dashboards.drill import Figure
from portal.dashboards.repository import handovers, papers, table1, workload
from portal.dashboards.table1 import QUESTIONS


def _case_ids(
    dialect: str,
    actor: Actor,
    figure: Figure,
    *,
    start: date,
    end: date,
    today: date,
    iro_id: uuid.UUID | None = None,
) -> sa.Select[uuid.UUID]:
    """The ids of the proceedings behind ``figure`` (for an IRO's figures, ``iro_id``'s)."""
    section, _, category = figure.value.partition(":")
    if section in QUESTIONS:
        rows = table1.per_case(dialect, actor, start, end)
        return sa.select(rows.c.id).where(rows.c[section] == category)
    if section == "tracker":
        rows = workload.per_case(dialect, actor, today)
        if category == "extended":
            return sa.select(rows.c.id).where(rows.c.extension_weeks > 0)
        if category == "at_risk":
            return sa.select(rows.c.id).where(rows.c.at_risk == 1)
        return sa.select(rows.c.id).where(rows.c.bucket == int(category))
    if section == "handovers":
        rows = handovers.per_case(dialect, actor, start, end, today)
        condition = {"due": sa.true(), "acknowledged": rows.c.acknowledged == 1}.get(
            category, rows.c.status == category
        )
        return sa.select(rows.c.id).where(condition)
    if section == "papers":
        rows = papers.per_version(actor, start, end)
        return sa.select(rows.c.id).where(sa.true() if category == "filed" else rows.c.status == category)
    rows = workload.per_child(actor, today)
    condition = {
        "children": sa.true(),
        "in_proceedings": rows.c.in_proceedings == 1,
        "overdue_reviews": rows.c.overdue_reviews > 0,
    }[category]
    return sa.select(rows.c.id).where(rows.c.iro_id == iro_id, condition)


async def cases_behind(
    session: AsyncSession,
    actor: Actor,
    figure: Figure,
    *,
    start: date,
    end: date,
    today: date,
    iro_id: uuid.UUID | None = None,
) -> list[Proceedings]:
    """The cases behind ``figure`` within the viewer's scope (for an IRO's figures, ``iro_id``'s), by case
    number."""
    ids = _case_ids(
        session.get_bind().dialect.name, actor, figure, start=start, end=end, today=today, iro_id=iro_id
    )
    return await cases_with_ids(session, ids)


async def cases_with_ids(session: AsyncSession, ids: sa.Select[uuid.UUID]) -> list[Proceedings]:
    """The cases whose ids ``ids`` selects, by case number."""
    rows = await session.execute(
        sa.select(Proceedings).where(Proceedings.id.in_(ids)).order_by(Proceedings.case_number)
    )
    return list(rows.scalars())
