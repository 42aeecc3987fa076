"""The disputes and referrals section's statements: one row per dispute and per referral to Cafcass on the
cases in scope, with what the figures ask of it, and their counts. Each figure is one condition on those
rows (``CONDITIONS``), which the counts and the drill-downs share, so a number and the cases behind it
cannot drift."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import CafcassReferral, Dispute, DisputeState, ReferralOutcome, ReferralState
from portal.auth.actor import Actor
from portal.dashboards.drill import Figure
from portal.dashboards.repository.kept import Scope, Statement, rows
from portal.dashboards.repository.sql import END, START, TODAY, count_where, period, utc_day
from portal.disputes.ladders import STAGES_MAX


def per_dispute(dialect: str, scope: Scope) -> sa.CTE:
    """One row per dispute on a case in scope: its case (``id``), the dispute (``dispute_id``) and its child
    (``child_id``, NULL for every child of the case), the day it was raised, whether it was fast-tracked and
    is resolved, the stage it is (or was last) at, and its ladder's dates."""
    return (
        sa.select(
            Dispute.proceedings_id.label("id"),
            Dispute.id.label("dispute_id"),
            Dispute.child_id.label("child_id"),
            utc_day(dialect, Dispute.raised_at).label("raised_on"),
            Dispute.fast_track_reason.is_not(None).label("fast_tracked"),
            (Dispute.state == DisputeState.RESOLVED).label("resolved"),
            Dispute.stage.label("stage"),
            Dispute.formal_from.label("formal_from"),
            Dispute.limit_on.label("limit_on"),
            Dispute.resolved_on.label("resolved_on"),
        )
        .where(scope(Dispute.proceedings_id))
        .cte("disputes")
    )


def per_referral(scope: Scope) -> sa.CTE:
    """One row per referral on a case in scope: its case (``id``), when it was made, whether it is open,
    its next step's due date, and its outcome and the day of it."""
    return (
        sa.select(
            CafcassReferral.proceedings_id.label("id"),
            CafcassReferral.referred_on.label("referred_on"),
            (CafcassReferral.state != ReferralState.CONCLUDED).label("open"),
            CafcassReferral.due_on.label("due_on"),
            CafcassReferral.outcome.label("outcome"),
            CafcassReferral.outcome_on.label("outcome_on"),
        )
        .where(scope(CafcassReferral.proceedings_id))
        .cte("referrals")
    )


Rows = sa.ColumnCollection[str, sa.ColumnElement[Any]]


def _in_period(day: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    return sa.and_(day >= START, day <= END)


def _resolved(d: Rows) -> sa.ColumnElement[bool]:
    """Resolved in the period."""
    return sa.and_(d.resolved, _in_period(d.resolved_on))


def _resolved_at(stage: int) -> Callable[[Rows], sa.ColumnElement[bool]]:
    """Resolved in the period at ``stage`` (0: informally)."""
    return lambda d: sa.and_(_resolved(d), d.stage == stage)


def _open(d: Rows) -> sa.ColumnElement[bool]:
    """Open now, having been raised by the period's end."""
    return sa.and_(sa.not_(d.resolved), d.raised_on <= END)


def _referral_open(r: Rows) -> sa.ColumnElement[bool]:
    return sa.and_(r.open, r.referred_on <= END)


def _concluded(outcome: ReferralOutcome) -> Callable[[Rows], sa.ColumnElement[bool]]:
    return lambda r: sa.and_(r.outcome == outcome, _in_period(r.outcome_on))


# Each figure's rows: of the disputes' CTE (section "disputes") or the referrals' ("referrals").
CONDITIONS: dict[Figure, Callable[[Rows], sa.ColumnElement[bool]]] = {
    Figure.DISPUTES_OPENED: lambda d: _in_period(d.raised_on),
    Figure.DISPUTES_FAST_TRACKED: lambda d: sa.and_(_in_period(d.raised_on), d.fast_tracked),
    Figure.DISPUTES_RESOLVED: _resolved,
    **{Figure(f"disputes:stage_{n}"): _resolved_at(n) for n in range(STAGES_MAX + 1)},
    Figure.DISPUTES_RESOLVED_WITHIN_LIMIT: lambda d: sa.and_(_resolved(d), d.resolved_on <= d.limit_on),
    Figure.DISPUTES_RESOLVED_BEYOND_LIMIT: lambda d: sa.and_(_resolved(d), d.resolved_on > d.limit_on),
    Figure.DISPUTES_OPEN: _open,
    Figure.DISPUTES_OPEN_BEYOND_LIMIT: lambda d: sa.and_(_open(d), d.limit_on < TODAY),
    Figure.REFERRALS_MADE: lambda r: _in_period(r.referred_on),
    Figure.REFERRALS_OPEN: _referral_open,
    Figure.REFERRALS_OVERDUE: lambda r: sa.and_(_referral_open(r), r.due_on < TODAY),
    **{Figure(f"referrals:{outcome.value}"): _concluded(outcome) for outcome in ReferralOutcome},
}


def figure_rows(dialect: str, scope: Scope, figure: Figure) -> sa.Select[Any, Any]:
    """The cases behind ``figure`` (one row per dispute or referral), the period bound as sql.py's."""
    section = figure.value.partition(":")[0]
    found = per_dispute(dialect, scope) if section == "disputes" else per_referral(scope)
    return sa.select(found.c.id, sa.null()).where(CONDITIONS[figure](found.c))


async def counts(
    session: AsyncSession, actor: Actor, *, start: date, end: date, today: date
) -> sa.RowMapping:
    """Each figure of the section, keyed by its Figure's value."""
    dialect = session.get_bind().dialect.name
    found = await rows(
        session,
        actor,
        ("disputes", dialect),
        lambda scope: _counted(dialect, scope),
        period(start, end, today),
    )
    return found[0]


def _counted(dialect: str, scope: Scope) -> Statement:
    disputes, referrals = per_dispute(dialect, scope), per_referral(scope)

    def counted(table: sa.CTE, section: str) -> sa.Subquery:
        """One row of the section's counts, each figure's under its value."""
        return (
            sa.select(
                *(
                    count_where(condition(table.c)).label(figure.value)
                    for figure, condition in CONDITIONS.items()
                    if figure.value.startswith(f"{section}:")
                )
            )
            .select_from(table)
            .subquery()
        )

    by_dispute, by_referral = counted(disputes, "disputes"), counted(referrals, "referrals")
    return sa.select(*by_dispute.c, *by_referral.c).select_from(by_dispute.join(by_referral, sa.true()))
