"""The IRO's view section's statements: one row per guardian's analysis first filed in the period on
proceedings in scope, with its group and whether it cites the IRO's view of the care plan (as the guardian
recorded it), and their counts per group. An analysis is counted once, in the period its first version was
filed in; later versions do not count it again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.ext.asyncio import AsyncSession

from models import CourtPaper, IroViewCitation, Organisation, PaperVersion, Person, Proceedings, Team
from portal.auth.actor import Actor
from portal.dashboards.adherence import GroupBy
from portal.dashboards.iro_views import IroViewStatus
from portal.dashboards.repository import adherence
from portal.dashboards.repository.kept import Scope, Statement, rows
from portal.dashboards.repository.sql import END, START, count_where, period
from portal.papers.iro_view import ANALYSES


def _group(by: GroupBy) -> tuple[Any, Any, list[tuple[Any, sa.ColumnElement[bool], bool]]]:
    """The group's id and name columns, and their joins: by team and by practitioner, the guardian who filed
    the analysis (adherence groups by an obligation's owner); by service area and authority, as adherence
    does, from the proceedings."""
    if by is GroupBy.TEAM:
        employer = sa.orm.aliased(Organisation)
        # Team names are unique within an organisation only, so the organisation is named too.
        name = sa.func.coalesce(Team.name, "No team") + " (" + employer.name + ")"
        return (
            Team.id,
            name,
            [
                (Person, Person.id == CourtPaper.created_by_id, False),
                (employer, employer.id == Person.organisation_id, False),
                (Team, Team.id == Person.team_id, True),
            ],
        )
    if by is GroupBy.PRACTITIONER:
        return Person.id, Person.name, [(Person, Person.id == CourtPaper.created_by_id, False)]
    return adherence._group(by)


def per_analysis(scope: Scope, by: GroupBy) -> sa.CTE:
    """One row per analysis first filed in the period on a case in scope: its case (``id``), the
    ``paper_id``, its group and its ``status`` (an IroViewStatus value). The period bound as sql.py's
    ``period``."""
    first = (
        sa.select(PaperVersion.paper_id, sa.func.min(PaperVersion.filed_on).label("filed_on"))
        .join(CourtPaper, CourtPaper.id == PaperVersion.paper_id)
        .where(CourtPaper.kind.in_(sorted(ANALYSES)), scope(PaperVersion.proceedings_id))
        .group_by(PaperVersion.paper_id)
        .subquery("first_filed")
    )
    group_id, group_name, joins = _group(by)
    status = sa.case(
        (IroViewCitation.id.is_(None), IroViewStatus.NOT_RECORDED.value),
        (IroViewCitation.cites, IroViewStatus.CITED.value),
        else_=IroViewStatus.NOT_CITED.value,
    )
    stmt = (
        sa.select(
            CourtPaper.proceedings_id.label("id"),
            CourtPaper.id.label("paper_id"),
            group_id.label("group_id"),
            group_name.label("group_name"),
            status.label("status"),
        )
        .select_from(CourtPaper)
        .join(first, first.c.paper_id == CourtPaper.id)
        .join(Proceedings, Proceedings.id == CourtPaper.proceedings_id)
        .outerjoin(IroViewCitation, IroViewCitation.paper_id == CourtPaper.id)
    )
    for target, on, outer in joins:
        stmt = stmt.join(target, on, isouter=outer)
    return stmt.where(first.c.filed_on >= START, first.c.filed_on <= END).cte("analyses")


def _counted(scope: Scope, by: GroupBy) -> Statement:
    found = per_analysis(scope, by)
    return sa.select(
        found.c.group_id,
        sa.func.max(found.c.group_name).label("group_name"),
        sa.func.count().label("filed"),
        *(count_where(found.c.status == status.value).label(status.value) for status in IroViewStatus),
    ).group_by(found.c.group_id)


async def counts(
    session: AsyncSession, actor: Actor, *, start: date, end: date, by: GroupBy, today: date
) -> Sequence[sa.RowMapping]:
    """One row per group with any analysis first filed in the period, in no particular order: ``group_id``
    (None for everything, or for guardians without a team), ``group_name``, ``filed`` and a count for each
    IroViewStatus (keyed by its value)."""
    return await rows(
        session, actor, ("iro_views", by), lambda scope: _counted(scope, by), period(start, end, today)
    )
