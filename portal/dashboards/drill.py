"""The cases behind any dashboard figure other than adherence's (which has its own, by code and group):
Table 1, the tracker, handovers, court papers and an IRO's workload. Each is the same per-case rows its
section counts, filtered to the figure: a drill-down lists exactly the cases behind the number, in scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import Proceedings
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.dashboards import handovers, papers, table1, workload
from portal.dashboards.viewer import require_viewer_for


class Figure(StrEnum):
    """A figure on the dashboards, as section:category."""

    GUARDIAN_CONTACTS_IRO_ALWAYS_OR_MOSTLY = "guardian_contacts_iro:always_or_mostly"
    GUARDIAN_CONTACTS_IRO_SOMETIMES = "guardian_contacts_iro:sometimes"
    GUARDIAN_CONTACTS_IRO_RARELY_OR_NEVER = "guardian_contacts_iro:rarely_or_never"
    IRO_CONTACTS_GUARDIAN_ALWAYS_OR_MOSTLY = "iro_contacts_guardian:always_or_mostly"
    IRO_CONTACTS_GUARDIAN_SOMETIMES = "iro_contacts_guardian:sometimes"
    IRO_CONTACTS_GUARDIAN_RARELY_OR_NEVER = "iro_contacts_guardian:rarely_or_never"
    FINAL_DISCUSSION_HELD = "final_discussion:held"
    FINAL_DISCUSSION_NOT_HELD = "final_discussion:not_held"
    TRACKER_UNDER_13_WEEKS = "tracker:0"
    TRACKER_13_TO_20_WEEKS = "tracker:1"
    TRACKER_21_TO_26_WEEKS = "tracker:2"
    TRACKER_OVER_26_WEEKS = "tracker:3"
    TRACKER_EXTENDED = "tracker:extended"
    TRACKER_AT_RISK = "tracker:at_risk"
    HANDOVERS_DUE = "handovers:due"
    HANDOVERS_ON_TIME = "handovers:on_time"
    HANDOVERS_LATE = "handovers:late"
    HANDOVERS_MISSING = "handovers:missing"
    HANDOVERS_AWAITED = "handovers:awaited"
    HANDOVERS_ACKNOWLEDGED = "handovers:acknowledged"
    PAPERS_FILED = "papers:filed"
    PAPERS_OPENED = "papers:opened"
    PAPERS_UNOPENED = "papers:unopened"
    PAPERS_NOT_WITH_IRO = "papers:not_with_iro"
    IRO_CHILDREN = "iro:children"
    IRO_IN_PROCEEDINGS = "iro:in_proceedings"
    IRO_OVERDUE_REVIEWS = "iro:overdue_reviews"


def _case_ids(
    dialect: str,
    actor: Actor,
    figure: Figure,
    *,
    start: date,
    end: date,
    today: date,
    iro_id: uuid.UUID | None = None,
) -> sa.Select:
    """The ids of the proceedings behind ``figure`` (for an IRO's figures, ``iro_id``'s)."""
    section, _, category = figure.value.partition(":")
    if section in table1.QUESTIONS:
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
        rows = papers.per_version(dialect, actor, start, end, today)
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
) -> Sequence[Proceedings]:
    require_viewer_for(actor, start, end)
    ids = _case_ids(
        session.get_bind().dialect.name, actor, figure, start=start, end=end, today=today, iro_id=iro_id
    )
    return await cases_in(session, actor, ids, "dashboard.drill_down")


async def cases_in(session: AsyncSession, actor: Actor, ids: sa.Select, action: str) -> Sequence[Proceedings]:
    """The cases whose ids ``ids`` selects, by number, the reading audited as ``action``."""
    rows = await session.execute(
        sa.select(Proceedings).where(Proceedings.id.in_(ids)).order_by(Proceedings.case_number)
    )
    audit.record(session, actor, action, subject_type="dashboard")
    return list(rows.scalars())
