"""Adherence's statements: one row per obligation opened in the period on a case in the viewer's scope, its
counts per group and code (the percentiles of days late in the same pass), and the cases behind a count.
Days late are calendar days from the due date to the day met (in UTC)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar, TypeVarTuple

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from models import Obligation, ObligationState, Organisation, Person, Proceedings, Team
from portal.auth.actor import Actor
from portal.dashboards.adherence import GroupBy, Measure
from portal.dashboards.drill import Behind
from portal.dashboards.repository.behind import behind
from portal.dashboards.repository.kept import Scope, Statement, rows, scope_of
from portal.dashboards.repository.sql import (
    ENDS_BEFORE,
    STARTS_AT,
    TODAY,
    Columns,
    count_where,
    days_between,
    period,
    utc_day,
)


def _days_late(dialect: str) -> sa.ColumnElement[int]:
    """Calendar days from the due date to the (UTC) day it was met."""
    return days_between(dialect, utc_day(dialect, Obligation.closed_at), Obligation.due_on)


T = TypeVar("T")
Ts = TypeVarTuple("Ts")
Column = sa.ColumnElement[T] | InstrumentedAttribute[T]
Joins = list[tuple[type, sa.ColumnElement[bool], bool]]  # target, on, outer


def _group(by: GroupBy) -> tuple[Column[Any], Column[str], Joins]:
    """The group's id and name columns, and the joins they need."""
    if by is GroupBy.SERVICE_AREA:
        court, area = sa.orm.aliased(Organisation), sa.orm.aliased(Organisation)
        return (
            area.id,
            area.name,
            [
                (court, court.id == Proceedings.court_id, False),
                (area, area.id == court.service_area_id, False),
            ],
        )
    if by is GroupBy.LOCAL_AUTHORITY:
        authority = sa.orm.aliased(Organisation)
        on = authority.id == Proceedings.local_authority_id
        return authority.id, authority.name, [(authority, on, False)]
    if by is GroupBy.TEAM:
        employer = sa.orm.aliased(Organisation)
        # Team names are unique within an organisation only, so the organisation is named too.
        name = sa.func.coalesce(Team.name, "No team") + " (" + employer.name + ")"
        return (
            Team.id,
            name,
            [
                (Person, Person.id == Obligation.owner_person_id, False),
                (employer, employer.id == Person.organisation_id, False),
                (Team, Team.id == Person.team_id, True),
            ],
        )
    if by is GroupBy.PRACTITIONER:
        return Person.id, Person.name, [(Person, Person.id == Obligation.owner_person_id, False)]
    return sa.null(), sa.literal("All cases in your scope"), []


def _joined(stmt: sa.Select[*Ts], joins: Joins) -> sa.Select[*Ts]:
    for target, on, outer in joins:
        stmt = stmt.join(target, on, isouter=outer)
    return stmt


def _in_period() -> sa.ColumnElement[bool]:
    return sa.and_(Obligation.opened_at >= STARTS_AT, Obligation.opened_at < ENDS_BEFORE)


def per_obligation(dialect: str, scope: Scope, by: GroupBy) -> sa.CTE:
    """One row per obligation opened in the period on a case in scope: its case, its id, group, code, state,
    days late (when met) and whether it is open past its due date (the period and today bound as sql.py's
    ``period``)."""
    group_id, group_name, joins = _group(by)
    stmt = sa.select(
        Obligation.proceedings_id.label("id"),
        Obligation.id.label("obligation_id"),
        group_id.label("group_id"),
        group_name.label("group_name"),
        Obligation.code.label("code"),
        Obligation.state.label("state"),
        sa.case((Obligation.state == ObligationState.MET, _days_late(dialect)), else_=None).label(
            "days_late"
        ),
        sa.case(
            (sa.and_(Obligation.state == ObligationState.OPEN, Obligation.due_on < TODAY), 1), else_=0
        ).label("overdue"),
    ).join(Proceedings, Proceedings.id == Obligation.proceedings_id)
    return _joined(stmt, joins).where(scope(Proceedings.id), _in_period()).cte("obligations")


def _measured(rows: Columns, measure: Measure) -> sa.ColumnElement[bool]:
    """Whether an obligation's row counts towards ``measure``: the one definition of each figure."""
    return {
        Measure.OPENED: sa.true(),
        Measure.MET_ON_TIME: sa.and_(rows.state == ObligationState.MET, rows.days_late <= 0),
        Measure.MET_LATE: rows.days_late > 0,
        Measure.WAIVED: rows.state == ObligationState.WAIVED,
        Measure.NOT_APPLICABLE: rows.state == ObligationState.NOT_APPLICABLE,
        Measure.MISSED: rows.state == ObligationState.MISSED,
        Measure.OPEN: rows.state == ObligationState.OPEN,
        Measure.OVERDUE: rows.overdue == 1,
    }[measure]


def _counted(rows: Columns) -> Statement:
    """The counts of ``per_obligation``'s rows per group and code."""
    is_late = sa.case((rows.days_late > 0, 1), else_=0)
    # Each row ranked among its group's and code's late ones (or the others), so that the nearest-rank median
    # and 90th percentile come out of the same pass as the counts, with no join back on a group that may be
    # NULL.
    ranked = sa.select(
        *rows,
        is_late.label("late"),
        sa.func.row_number()
        .over(partition_by=(rows.group_id, rows.code, is_late), order_by=rows.days_late)
        .label("rank"),
        sa.func.sum(is_late).over(partition_by=(rows.group_id, rows.code)).label("n_late"),
    ).cte("ranked")
    r = ranked.c

    def late_at(rank: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
        return sa.func.max(sa.case((sa.and_(r.late == 1, r.rank == rank), r.days_late)))

    return sa.select(
        r.group_id,
        sa.func.max(r.group_name).label("group_name"),
        r.code,
        *(count_where(_measured(r, measure)).label(measure.value) for measure in Measure),
        late_at((r.n_late + 1) // 2).label("p50"),
        late_at((9 * r.n_late + 9) // 10).label("p90"),
    ).group_by(r.group_id, r.code)


async def counts(
    session: AsyncSession, actor: Actor, *, start: date, end: date, by: GroupBy, today: date
) -> Sequence[sa.RowMapping]:
    """One row per group and code with any obligation opened in the period, in no particular order:
    ``group_id`` (None for everything, or for the owners without a team), ``group_name``, ``code``, a count
    for each Measure (keyed by its value), and ``p50`` and ``p90``, the nearest-rank median and 90th
    percentile of days late over those met late (None when none was)."""
    dialect = session.get_bind().dialect.name
    return await rows(
        session,
        actor,
        ("adherence", dialect, by),
        lambda scope: _counted(per_obligation(dialect, scope, by).c),
        period(start, end, today),
    )


async def cases_behind(
    session: AsyncSession,
    actor: Actor,
    *,
    start: date,
    end: date,
    code: str,
    measure: Measure,
    by: GroupBy,
    group_id: uuid.UUID | None,
    today: date,
) -> list[Behind]:
    """The cases behind one count of ``counts`` (the same rows it counts), by case number, each with the
    obligations it counts."""
    rows = per_obligation(session.get_bind().dialect.name, scope_of(actor), by).c
    ids = sa.select(rows.id, rows.obligation_id).where(rows.code == code, _measured(rows, measure))
    if by is not GroupBy.NONE:
        # Obligations whose owner has no team form the group without an id.
        ids = ids.where(rows.group_id == group_id if group_id is not None else rows.group_id.is_(None))
    return await behind(session, ids, period(start, end, today))


def met(dialect: str, scope: Scope, code: str) -> sa.Select[Any, Any]:
    """The cases and obligations of ``code`` opened in the period on cases in ``scope`` and met since (on
    time or late): the rows an adherence line's met figures count."""
    rows = per_obligation(dialect, scope, GroupBy.NONE).c
    return sa.select(rows.id, rows.obligation_id).where(
        rows.code == code, sa.or_(_measured(rows, Measure.MET_ON_TIME), _measured(rows, Measure.MET_LATE))
    )
