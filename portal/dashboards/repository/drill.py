"""The drill-downs' statements: for any figure other than adherence's, the cases behind it (the same per-case
rows its section counts, filtered to the figure), each with the obligations the figure is about."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import Obligation, ObligationState, Proceedings
from portal.auth.actor import Actor
from portal.dashboards.adherence import GroupBy
from portal.dashboards.drill import Behind, Figure
from portal.dashboards.repository import (
    adherence,
    disputes,
    handovers,
    iro_views,
    papers,
    participation,
    table1,
    workload,
)
from portal.dashboards.repository.behind import behind
from portal.dashboards.repository.kept import scope_of
from portal.dashboards.repository.sql import period
from portal.dashboards.table1 import QUESTIONS

NO_OBLIGATION = sa.null()


def _with_code(rows: sa.CTE, condition: sa.ColumnElement[bool], code: str) -> sa.Select[Any, Any]:
    """The cases of ``rows`` meeting ``condition``, each with its obligations of ``code`` that applied."""
    return (
        sa.select(rows.c.id, Obligation.id)
        .outerjoin(
            Obligation,
            sa.and_(
                Obligation.proceedings_id == rows.c.id,
                Obligation.code == code,
                Obligation.state != ObligationState.NOT_APPLICABLE,
            ),
        )
        .where(condition)
    )


def _rows(
    dialect: str,
    actor: Actor,
    figure: Figure,
    *,
    iro_id: uuid.UUID | None = None,
    by: GroupBy = GroupBy.NONE,
    group_id: uuid.UUID | None = None,
) -> sa.Select[Any, Any]:
    """The ids of the proceedings behind ``figure`` (for an IRO's figures, ``iro_id``'s; for a grouped
    figure, the group ``group_id`` of the grouping ``by``), each with the id of an obligation the figure is
    about (NULL for a figure of no obligation), the period bound as sql.py's ``period``."""
    section, _, category = figure.value.partition(":")
    scope = scope_of(actor)
    if section == "iro_view":
        analyses = iro_views.per_analysis(scope, by).c
        condition = sa.true() if category == "filed" else analyses.status == category
        if by is not GroupBy.NONE:
            # Analyses whose guardian has no team form the group without an id.
            in_group = analyses.group_id == group_id if group_id is not None else analyses.group_id.is_(None)
            condition = sa.and_(condition, in_group)
        return sa.select(analyses.id, NO_OBLIGATION).where(condition)
    if section in QUESTIONS:
        rows = table1.per_case(dialect, scope)
        condition = rows.c[section] == category
        if section == "final_discussion":  # the final discussion is P13
            return _with_code(rows, condition, "P13")
        return sa.select(rows.c.id, NO_OBLIGATION).where(condition)
    if section == "tracker":
        rows = workload.per_case(dialect, scope)
        if category == "extended":
            return sa.select(rows.c.id, NO_OBLIGATION).where(rows.c.extension_weeks > 0)
        if category == "at_risk":
            return sa.select(rows.c.id, NO_OBLIGATION).where(rows.c.at_risk == 1)
        return sa.select(rows.c.id, NO_OBLIGATION).where(rows.c.bucket == int(category))
    if section == "handovers":
        if category == "acknowledged":  # one definition with the adherence line's: P15 met
            return adherence.met(dialect, scope, "P15")
        rows = handovers.per_case(dialect, scope)
        return _with_code(rows, sa.true() if category == "due" else rows.c.status == category, "P14")
    if section in {"disputes", "referrals"}:
        return disputes.figure_rows(dialect, scope, figure)
    if section == "participation":
        return participation.figure_rows(dialect, scope, figure)
    if section == "papers":
        rows = papers.per_version(dialect, scope)
        condition = sa.true() if category == "filed" else rows.c.status == category
        # Each version's own P6, opened when it was filed.
        on = sa.and_(Obligation.code == "P6", Obligation.trigger_id == rows.c.version_id)
        return sa.select(rows.c.id, Obligation.id).outerjoin(Obligation, on).where(condition)
    rows = workload.per_child(actor)
    condition = {"children": sa.true(), "in_proceedings": rows.c.in_proceedings == 1}[category]
    return sa.select(rows.c.id, NO_OBLIGATION).where(rows.c.iro_id == iro_id, condition)


async def cases_behind(
    session: AsyncSession,
    actor: Actor,
    figure: Figure,
    *,
    start: date,
    end: date,
    today: date,
    iro_id: uuid.UUID | None = None,
    by: GroupBy = GroupBy.NONE,
    group_id: uuid.UUID | None = None,
) -> list[Behind]:
    """The cases behind ``figure`` within the viewer's scope (for an IRO's figures, ``iro_id``'s; for a
    grouped figure, ``by`` and ``group_id``), by case number, each with the obligations the figure is about.
    (Not an IRO's late reviews: the service counts those by the case page's rule, with cases_with_ids.)"""
    rows = _rows(session.get_bind().dialect.name, actor, figure, iro_id=iro_id, by=by, group_id=group_id)
    return await behind(session, rows, period(start, end, today))


async def cases_with_ids(session: AsyncSession, ids: Collection[uuid.UUID]) -> list[Behind]:
    """The cases with ``ids``, by case number, with no obligations."""
    if not ids:
        return []
    return await behind(session, sa.select(Proceedings.id, NO_OBLIGATION).where(Proceedings.id.in_(ids)))
