"""The handovers section's statements: one row per set of proceedings in scope whose handover (P14) fell due
in the period, with its status, and their counts; and the handovers the IRO acknowledged, counted from
adherence's rows for P15. Proceedings whose P14 did not apply are left out."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import Handover, Obligation, ObligationState, Proceedings
from portal.auth.actor import Actor
from portal.dashboards.handovers import HandoverStatus
from portal.dashboards.repository import adherence
from portal.dashboards.repository.kept import Scope, Statement, rows
from portal.dashboards.repository.sql import END, START, TODAY, count_where, period, utc_day


def per_case(dialect: str, scope: Scope) -> sa.CTE:
    """One row per set of proceedings: its id and its status (the period and today bound as sql.py's
    ``period``)."""
    due = (
        sa.select(Obligation.proceedings_id, sa.func.min(Obligation.due_on).label("due_on"))
        .where(Obligation.code == "P14", Obligation.state != ObligationState.NOT_APPLICABLE)
        .group_by(Obligation.proceedings_id)
        .subquery()
    )
    written = (
        sa.select(Handover.proceedings_id, sa.func.min(Handover.submitted_at).label("submitted_at"))
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
        (due.c.due_on < TODAY, HandoverStatus.MISSING.value),
        else_=HandoverStatus.AWAITED.value,
    )
    return (
        sa.select(
            Proceedings.id.label("id"),
            status.label("status"),
        )
        .join(due, due.c.proceedings_id == Proceedings.id)
        .outerjoin(written, written.c.proceedings_id == Proceedings.id)
        .where(
            scope(Proceedings.id),
            due.c.due_on >= START,
            due.c.due_on <= END,
        )
        .cte("handovers")
    )


async def counts(
    session: AsyncSession, actor: Actor, *, start: date, end: date, today: date
) -> sa.RowMapping:
    """How many sets of proceedings had their handover due in the period (``due``), how many of those are in
    each HandoverStatus (keyed by its value), and how many the IRO ``acknowledged``: by one definition with
    the adherence line's, the P15s opened in the period (handovers submitted) and met since."""
    dialect = session.get_bind().dialect.name
    found = await rows(
        session,
        actor,
        ("handovers", dialect),
        lambda scope: _counted(dialect, scope),
        period(start, end, today),
    )
    return found[0]


def _counted(dialect: str, scope: Scope) -> Statement:
    # The cases in scope worked out once, for the handovers and for the acknowledgements.
    cases = sa.select(Proceedings.id).where(scope(Proceedings.id)).cte("in_scope")

    def in_scope(column: sa.SQLColumnExpression[Any]) -> sa.ColumnElement[bool]:
        return column.in_(sa.select(cases.c.id))

    rows = per_case(dialect, in_scope)
    return sa.select(
        sa.func.count().label("due"),
        *(count_where(rows.c.status == status.value).label(status.value) for status in HandoverStatus),
        sa.select(sa.func.count())
        .select_from(adherence.met(dialect, in_scope, "P15").subquery())
        .scalar_subquery()
        .label("acknowledged"),
    ).select_from(rows)
