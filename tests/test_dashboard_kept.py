"""The dashboards' statements are built once for each scope and kept (portal/dashboards/repository/kept.py):
every section answers for the viewer, the period and the day it is asked about, as a statement built afresh
does, whoever and whatever was asked before it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import Proceedings
from portal.auth.actor import Actor
from portal.dashboards.adherence import GroupBy
from portal.dashboards.repository import kept
from portal.db import create_session_factory
from tests.support.dashboards import every_section
from tests.support.world import World
from tests.test_adherence import END, START, TODAY, _world_with_known_adherence


async def _sections(
    engine: AsyncEngine, actor: Actor, start: date, end: date, today: date
) -> tuple[Any, ...]:
    async with create_session_factory(engine)() as session:
        return await every_section(session, actor, start=start, end=end, today=today, by=GroupBy.PRACTITIONER)


async def test_each_section_answers_for_its_viewer_period_and_day(world: World, engine: AsyncEngine) -> None:
    await _world_with_known_adherence(world, engine)
    managers = [
        await world.actor(who) for who in ("cafcass_manager", "other_cafcass_manager", "other_iro_manager")
    ]
    later, then = START + timedelta(days=60), TODAY + timedelta(days=90)
    periods = [(START, END, TODAY), (later, END, TODAY), (START, END, then)]
    asked = [(actor, period) for actor in managers for period in periods]
    afresh = {}
    for n, (actor, period) in enumerate(asked):
        kept._templates.clear()
        afresh[n] = await _sections(engine, actor, *period)
    # The data tells viewers, periods and days apart.
    assert len({repr(found) for found in afresh.values()}) == len(asked)
    for n in [*reversed(range(len(asked))), *range(len(asked))]:
        assert await _sections(engine, *asked[n][:1], *asked[n][1]) == afresh[n], asked[n]


async def test_managers_share_a_statement_each_with_their_own_scope(world: World) -> None:
    """A statement is built once per shape of scope (which manager roles) and run with each manager's own
    organisation: another service area's manager shares it with other values; an IRO manager's scope has
    another shape."""
    manager, other = await world.actor("cafcass_manager"), await world.actor("other_cafcass_manager")

    def build(scope: kept.Scope) -> kept.Statement:
        return sa.select(Proceedings.id).where(scope(Proceedings.id))

    mine, my_values = kept.kept(manager, "test", build)
    theirs, their_values = kept.kept(other, "test", build)
    assert mine is theirs
    assert my_values != their_values
    iro_managers, _ = kept.kept(await world.actor("iro_manager"), "test", build)
    assert iro_managers is not mine
