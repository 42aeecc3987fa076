"""Handovers at the end of proceedings (P14), for managers: of the sets of proceedings in scope whose handover
fell due in the period, how many were handed over on time (first submitted by the due date), late, are
missing (due date passed, none submitted) or not yet due, and how many the IRO has acknowledged (P15).
Proceedings whose P14 did not apply (no child stayed looked after) are left out. Counted in SQL from one
row per set of proceedings, which the drill-down filters too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import Handover, HandoverState, Obligation, ObligationState, Proceedings
from portal.access.cases import managed_cases
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.dashboards.sql import count_where, utc_day
from portal.dashboards.viewer import require_viewer_for


class HandoverStatus(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    AWAITED = "awaited"


@dataclass(frozen=True)
class Handovers:
    due: int
    on_time: int
    late: int
    missing: int
    awaited: int
    acknowledged: int


def per_case(dialect: str, actor: Actor, start: date, end: date, today: date) -> Any:
    """One row per set of proceedings: its id, its status and whether the IRO acknowledged it."""
    due = (
        sa.select(Obligation.proceedings_id, sa.func.min(Obligation.due_on).label("due_on"))
        .where(Obligation.code == "P14", Obligation.state != ObligationState.NOT_APPLICABLE)
        .group_by(Obligation.proceedings_id)
        .subquery()
    )
    written = (
        sa.select(
            Handover.proceedings_id,
            sa.func.min(Handover.submitted_at).label("submitted_at"),
            sa.func.max(sa.case((Handover.state == HandoverState.ACKNOWLEDGED, 1), else_=0)).label(
                "acknowledged"
            ),
        )
        .group_by(Handover.proceedings_id)
        .subquery()
    )
    submitted_on = utc_day(dialect, written.c.submitted_at)
    status = sa.case(
        (
            sa.and_(written.c.submitted_at.is_not(None), submitted_on <= due.c.due_on),
            HandoverStatus.ON_TIME.value,
        ),
        (written.c.submitted_at.is_not(None), HandoverStatus.LATE.value),
        (due.c.due_on < today, HandoverStatus.MISSING.value),
        else_=HandoverStatus.AWAITED.value,
    )
    return (
        sa.select(
            Proceedings.id.label("id"),
            status.label("status"),
            sa.func.coalesce(written.c.acknowledged, 0).label("acknowledged"),
        )
        .join(due, due.c.proceedings_id == Proceedings.id)
        .outerjoin(written, written.c.proceedings_id == Proceedings.id)
        .where(managed_cases(actor), due.c.due_on >= start, due.c.due_on <= end)
        .cte("handovers")
    )


async def summary(session: AsyncSession, actor: Actor, *, start: date, end: date, today: date) -> Handovers:
    require_viewer_for(actor, start, end)
    rows = per_case(session.get_bind().dialect.name, actor, start, end, today)

    row = (
        await session.execute(
            sa.select(
                sa.func.count(),
                *(count_where(rows.c.status == status.value) for status in HandoverStatus),
                count_where(rows.c.acknowledged == 1),
            ).select_from(rows)
        )
    ).one()
    audit.record(session, actor, "handovers_dashboard.read", subject_type="dashboard")
    return Handovers(*row)
