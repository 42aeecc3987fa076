"""The synthetic national dataset, at a small scale: sized in proportion, adherence varying by authority, and
the dashboards working on it within a manager's scope."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import Child, Obligation, Organisation, OrganisationKind, Person, PersonRole, Proceedings, Role
from portal import clock
from portal.auth.actor import Via
from portal.auth.service import actor_for_person
from portal.dashboards.adherence import GroupBy
from portal.dashboards.service import adherence
from portal.db import create_session_factory
from portal.synth import generate


async def test_a_small_synthetic_england(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    today = clock.today()
    async with sessions() as session, session.begin():
        summary = await generate(session, scale=0.02, today=today)
    assert summary.authorities == 3
    assert 1_600 <= summary.children <= 2_000  # 85,000 x 0.02, plus the children in proceedings
    async with sessions() as session:
        authorities = (
            await session.execute(
                sa.select(sa.func.count()).where(Organisation.kind == OrganisationKind.LOCAL_AUTHORITY)
            )
        ).scalar_one()
        children = (await session.execute(sa.select(sa.func.count()).select_from(Child))).scalar_one()
        cases = (await session.execute(sa.select(sa.func.count()).select_from(Proceedings))).scalar_one()
        per_case = (
            await session.execute(sa.select(sa.func.count()).select_from(Obligation))
        ).scalar_one() / cases
        manager_id = (
            await session.execute(
                sa.select(Person.id).join(PersonRole).where(PersonRole.role == Role.CAFCASS_MANAGER).limit(1)
            )
        ).scalar_one()
    assert (authorities, children) == (3, summary.children)
    assert per_case >= 5  # the five during proceedings, and P12-P15 at the end
    async with sessions() as session:
        manager = await actor_for_person(session, manager_id, via=Via.API)
    assert manager is not None
    async with sessions() as session:
        lines = await adherence(
            session,
            manager,
            start=today - timedelta(days=400),
            end=today,
            by=GroupBy.LOCAL_AUTHORITY,
            today=today,
        )
    rates = {}
    for line in lines:
        totals = rates.setdefault(line.group_name, [0, 0])
        totals[0] += line.met_on_time
        totals[1] += line.opened
    assert len(rates) >= 2
    shares = [met / opened for met, opened in rates.values() if opened]
    assert max(shares) - min(shares) > 0.05  # adherence varies by authority
