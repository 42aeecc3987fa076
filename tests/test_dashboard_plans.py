"""The indexes the dashboards need are in their query plans (issue 7): the court paper timings reach a case's
versions filed in the period and their first openings by index, adherence a case's obligations, Table 1 a
case's contacts (on PostgreSQL, which hashed every contact in the country at national scale, by a LATERAL
probe for each case).
On generated data, on both databases (PostgreSQL with sequential scans discouraged, as its planner rightly
scans tables this small; bench/dashboard.py shows the plans at national scale)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import Person, PersonRole, Role
from portal import clock
from portal.auth.actor import Via
from portal.auth.service import actor_for_person
from portal.dashboards import service as dashboards
from portal.dashboards.adherence import GroupBy
from portal.db import create_session_factory
from portal.synth import generate
from tests.support.plans import indexes_used, plan, statements

TODAY = clock.today()
START = TODAY - timedelta(days=182)


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("papers", {"ix_paper_version_proceedings_filed", "ix_paper_share_version_opened"}),
        ("table1", {"ix_contact_proceedings_occurred"}),
        ("adherence", {"ix_obligation_proceedings_code"}),
    ],
)
async def test_the_dashboards_use_their_indexes(
    engine: AsyncEngine, section: str, expected: set[str]
) -> None:
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        await generate(session, scale=0.01, today=TODAY)
    async with sessions() as session:
        manager_id = (
            await session.execute(
                sa.select(Person.id).join(PersonRole).where(PersonRole.role == Role.CAFCASS_MANAGER).limit(1)
            )
        ).scalar_one()
        actor = await actor_for_person(session, manager_id, via=Via.API)
    assert actor is not None
    work = {
        "papers": lambda s: dashboards.papers(s, actor, start=START, end=TODAY, today=TODAY),
        "table1": lambda s: dashboards.table1(s, actor, start=START, end=TODAY, today=TODAY),
        "adherence": lambda s: dashboards.adherence(
            s, actor, start=START, end=TODAY, by=GroupBy.LOCAL_AUTHORITY, today=TODAY
        ),
    }[section]
    async with statements(engine) as seen, sessions() as session:
        await work(session)
    used: set[str] = set()
    for statement, parameters in seen:
        used |= indexes_used(await plan(engine, statement, parameters))
    assert expected <= used, used
