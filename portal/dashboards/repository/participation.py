"""The children's participation section's statements (issue 19): one row per review held in the period, per
IRO allocation begun in it and per dispute resolved in it, on the cases in scope, with what the figures ask of
each, and their counts. Each figure is one condition on those rows (``CONDITIONS``), which the counts and the
drill-downs share, so a number and the cases behind it cannot drift."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CaseMembership,
    CaseRole,
    ChildAttendance,
    ChildSummary,
    Dispute,
    DisputeState,
    IroIntroduction,
    Review,
    ReviewParticipation,
    ViewsConveyed,
)
from portal.auth.actor import Actor
from portal.dashboards.drill import Figure
from portal.dashboards.repository.kept import Scope, Statement, rows
from portal.dashboards.repository.sql import END, START, count_where, period, utc_day

Rows = sa.ColumnCollection[str, sa.ColumnElement[Any]]


def per_review(scope: Scope) -> sa.CTE:
    """One row per review held in the period (not one recorded from before the portal) on a case in scope:
    its case (``id``) and the child's participation in it, NULL where not recorded."""
    return (
        sa.select(
            Review.proceedings_id.label("id"),
            ReviewParticipation.attendance.label("attendance"),
            ReviewParticipation.views_conveyed.label("conveyed"),
        )
        .outerjoin(ReviewParticipation, ReviewParticipation.review_id == Review.id)
        .where(
            scope(Review.proceedings_id),
            Review.held_on >= START,
            Review.held_on <= END,
            sa.not_(Review.held_before_portal),
        )
        .cte("reviews")
    )


def per_allocation(dialect: str, scope: Scope) -> sa.CTE:
    """One row per IRO allocated to a child in the period on a case in scope: its case (``id``), and whether
    that IRO recorded their introduction to the child, and telling them of advocacy, by the period's end."""
    introduction = sa.and_(
        IroIntroduction.proceedings_id == CaseMembership.proceedings_id,
        IroIntroduction.child_id == CaseMembership.child_id,
        IroIntroduction.iro_id == CaseMembership.person_id,
        IroIntroduction.explained_on <= END,
    )
    started = utc_day(dialect, CaseMembership.started_at)
    return (
        sa.select(
            CaseMembership.proceedings_id.label("id"),
            IroIntroduction.id.is_not(None).label("introduced"),
            sa.func.coalesce(IroIntroduction.advocacy_explained, sa.false()).label("advocacy"),
        )
        .outerjoin(IroIntroduction, introduction)
        .where(
            scope(CaseMembership.proceedings_id),
            CaseMembership.role == CaseRole.IRO,
            started >= START,
            started <= END,
        )
        .cte("allocations")
    )


def per_resolved_dispute(scope: Scope) -> sa.CTE:
    """One row per dispute resolved in the period on a case in scope: its case (``id``), and whether the
    IRO wrote for a child it concerns what was decided."""
    told = sa.exists().where(ChildSummary.dispute_id == Dispute.id)
    return (
        sa.select(Dispute.proceedings_id.label("id"), told.label("told"))
        .where(
            scope(Dispute.proceedings_id),
            Dispute.state == DisputeState.RESOLVED,
            Dispute.resolved_on >= START,
            Dispute.resolved_on <= END,
        )
        .cte("resolved")
    )


def _attended(how: ChildAttendance) -> Callable[[Rows], sa.ColumnElement[bool]]:
    return lambda r: r.attendance == how


def _conveyed(how: ViewsConveyed) -> Callable[[Rows], sa.ColumnElement[bool]]:
    return lambda r: r.conveyed == how


# Each figure's rows: of the reviews' CTE ("participation:reviews..."), the allocations'
# ("participation:allocations..."), or the resolved disputes' ("participation:disputes...").
CONDITIONS: dict[Figure, Callable[[Rows], sa.ColumnElement[bool]]] = {
    Figure.PARTICIPATION_REVIEWS: lambda r: sa.true(),
    **{Figure(f"participation:reviews_{how.value}"): _attended(how) for how in ChildAttendance},
    Figure.PARTICIPATION_REVIEWS_NOT_RECORDED: lambda r: r.attendance.is_(None),
    **{Figure(f"participation:reviews_by_{how.value}"): _conveyed(how) for how in ViewsConveyed},
    Figure.PARTICIPATION_ALLOCATIONS: lambda a: sa.true(),
    Figure.PARTICIPATION_ALLOCATIONS_INTRODUCED: lambda a: a.introduced,
    Figure.PARTICIPATION_ALLOCATIONS_NOT_INTRODUCED: lambda a: sa.not_(a.introduced),
    Figure.PARTICIPATION_ALLOCATIONS_ADVOCACY: lambda a: a.advocacy,
    Figure.PARTICIPATION_DISPUTES_RESOLVED: lambda d: sa.true(),
    Figure.PARTICIPATION_DISPUTES_TOLD: lambda d: d.told,
}


def _part(figure: Figure) -> str:
    """Which rows a figure counts: "reviews", "allocations" or "disputes"."""
    category = figure.value.partition(":")[2]
    return next(part for part in ("reviews", "allocations", "disputes") if category.startswith(part))


def _tables(dialect: str, scope: Scope) -> dict[str, sa.CTE]:
    return {
        "reviews": per_review(scope),
        "allocations": per_allocation(dialect, scope),
        "disputes": per_resolved_dispute(scope),
    }


def figure_rows(dialect: str, scope: Scope, figure: Figure) -> sa.Select[Any, Any]:
    """The cases behind ``figure`` (one row per review, allocation or dispute), the period bound as
    sql.py's."""
    found = _tables(dialect, scope)[_part(figure)]
    return sa.select(found.c.id, sa.null()).where(CONDITIONS[figure](found.c))


async def counts(
    session: AsyncSession, actor: Actor, *, start: date, end: date, today: date
) -> sa.RowMapping:
    """Each figure of the section, keyed by its Figure's value."""
    dialect = session.get_bind().dialect.name
    found = await rows(
        session,
        actor,
        ("participation", dialect),
        lambda scope: _counted(dialect, scope),
        period(start, end, today),
    )
    return found[0]


def _counted(dialect: str, scope: Scope) -> Statement:
    counted = []
    for part, table in _tables(dialect, scope).items():
        columns = (
            count_where(condition(table.c)).label(figure.value)
            for figure, condition in CONDITIONS.items()
            if _part(figure) == part
        )
        counted.append(sa.select(*columns).select_from(table).subquery())
    reviews, allocations, disputes = counted
    return sa.select(*reviews.c, *allocations.c, *disputes.c).select_from(
        reviews.join(allocations, sa.true()).join(disputes, sa.true())
    )
