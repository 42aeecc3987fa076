"""The monthly management report's statements (issue 19): over the cases in the IRO manager's scope, who each
child's social worker is and their team, the reviews' decisions overdue, and the disputes of the month, the
last from the dashboard's own rows and conditions (repository/disputes.py), so that the report's figures and
the dashboard's are counted alike. The reviews come from the dashboard's workload statement
(``workload.children_and_reviews``), called by the service."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CaseMembership,
    CaseRole,
    Child,
    DecisionState,
    Person,
    Proceedings,
    ReviewDecision,
    Team,
)
from portal.auth.actor import Actor
from portal.dashboards.drill import Figure
from portal.dashboards.repository.disputes import CONDITIONS, per_dispute
from portal.dashboards.repository.kept import scope_of
from portal.dashboards.repository.sql import END, period


async def teams(session: AsyncSession, organisation_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """The organisation's teams, by name."""
    rows = await session.execute(
        sa.select(Team.id, Team.name).where(Team.organisation_id == organisation_id).order_by(Team.name)
    )
    return [(r[0], r[1]) for r in rows]


async def social_worker_teams(session: AsyncSession, actor: Actor) -> Sequence[sa.RowMapping]:
    """Each child's live social worker on each case in scope, with their team: ``id`` (the case),
    ``child_id``, ``team_id`` and ``team_name`` (None for a social worker in no team)."""
    return (
        (
            await session.execute(
                sa.select(
                    CaseMembership.proceedings_id.label("id"),
                    CaseMembership.child_id,
                    Team.id.label("team_id"),
                    Team.name.label("team_name"),
                )
                .join(Person, Person.id == CaseMembership.person_id)
                .outerjoin(Team, Team.id == Person.team_id)
                .where(
                    scope_of(actor)(CaseMembership.proceedings_id),
                    CaseMembership.role == CaseRole.SOCIAL_WORKER,
                    CaseMembership.ended_at.is_(None),
                )
            )
        )
        .mappings()
        .all()
    )


async def named(
    session: AsyncSession, case_ids: Collection[uuid.UUID], child_ids: Collection[uuid.UUID]
) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, tuple[str, str]]]:
    """The cases' numbers and the children's names (given, family), by id."""
    numbers: dict[uuid.UUID, str] = {}
    names: dict[uuid.UUID, tuple[str, str]] = {}
    if case_ids:
        rows = await session.execute(
            sa.select(Proceedings.id, Proceedings.case_number).where(Proceedings.id.in_(list(case_ids)))
        )
        numbers = {r[0]: r[1] for r in rows}
    if child_ids:
        found = await session.execute(
            sa.select(Child.id, Child.given_name, Child.family_name).where(Child.id.in_(list(child_ids)))
        )
        names = {r[0]: (r[1], r[2]) for r in found}
    return numbers, names


async def overdue_decisions(session: AsyncSession, actor: Actor, as_of: date) -> Sequence[sa.RowMapping]:
    """The reviews' decisions (actions with an owner and a due date, IRO Handbook; RESEARCH-NOTES.md §5.5) on
    cases in scope that were overdue on ``as_of``: due before it and not closed (done, carried forward or
    dropped) by its end. ``id`` (the case), ``child_id``, ``description``, ``due_on``."""
    after = datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=UTC)
    return (
        (
            await session.execute(
                sa.select(
                    ReviewDecision.proceedings_id.label("id"),
                    ReviewDecision.child_id,
                    ReviewDecision.description,
                    ReviewDecision.due_on,
                )
                .where(
                    scope_of(actor)(ReviewDecision.proceedings_id),
                    ReviewDecision.due_on < as_of,
                    sa.or_(
                        ReviewDecision.state == DecisionState.OPEN,
                        ReviewDecision.closed_at.is_(None),
                        ReviewDecision.closed_at >= after,
                    ),
                )
                .order_by(ReviewDecision.due_on)
            )
        )
        .mappings()
        .all()
    )


async def disputes(
    session: AsyncSession, actor: Actor, *, start: date, end: date, today: date
) -> Sequence[sa.RowMapping]:
    """The disputes on cases in scope raised in the month, resolved in it, or open at its end, from the
    dashboard's rows with its own conditions for the first two (so the report's counts are the dashboard's):
    ``id`` (the case), ``dispute_id``, ``child_id``, and 1 or 0 for ``opened``, ``resolved`` and
    ``open_at_end`` (raised by the month's end and not resolved by then)."""
    found = per_dispute(session.get_bind().dialect.name, scope_of(actor)).c
    opened = CONDITIONS[Figure.DISPUTES_OPENED](found)
    resolved = CONDITIONS[Figure.DISPUTES_RESOLVED](found)
    open_at_end = sa.and_(
        found.raised_on <= END,
        sa.or_(sa.not_(found.resolved), found.resolved_on.is_(None), found.resolved_on > END),
    )

    def flag(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.case((condition, 1), else_=0)

    stmt = sa.select(
        found.id,
        found.dispute_id,
        found.child_id,
        flag(opened).label("opened"),
        flag(resolved).label("resolved"),
        flag(open_at_end).label("open_at_end"),
    ).where(sa.or_(opened, resolved, open_at_end))
    return (await session.execute(stmt, period(start, end, today))).mappings().all()
