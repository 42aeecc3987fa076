"""The dashboards' statements are built once for each scope and kept (portal/dashboards/repository/kept.py):
every section answers for the viewer, the period and the day it is asked about, as a statement built afresh
does, whoever and whatever was asked before it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import Obligation, Proceedings
from portal.auth.actor import Actor
from portal.dashboards.adherence import GroupBy
from portal.dashboards.repository import kept
from portal.dashboards.repository import table1 as table1_rows
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
    # Each viewer's data differs between the two periods: the other authority's IRO manager's one case has
    # an obligation opened before the later period starts.
    async with create_session_factory(engine)() as session, session.begin():
        northmoor = await session.scalar(sa.select(Proceedings.id).where(Proceedings.case_number == "NM1"))
        first = await session.scalar(
            sa.select(Obligation).where(Obligation.proceedings_id == northmoor).order_by(Obligation.code)
        )
        assert first is not None
        first.opened_at = datetime.combine(START + timedelta(days=1), time(9), tzinfo=UTC)
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


async def _concurrently(
    engine: AsyncEngine, asked: list[tuple[Actor, date, date, date]]
) -> tuple[list[Any], int]:
    """Every section for each of ``asked`` at once, each on its own session, and how many statements ran."""
    ran = [0]

    def count(*_: Any) -> None:
        ran[0] += 1

    sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        found = await asyncio.gather(*(_sections(engine, *one) for one in asked))
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", count)
    return list(found), ran[0]


async def test_the_same_dashboard_asked_at_once_runs_each_section_once(
    world: World, engine: AsyncEngine
) -> None:
    """A burst of the same dashboard costs one run of each section's statement, and every request gets the
    figures it would have got alone; so does a burst of other periods and managers."""
    await _world_with_known_adherence(world, engine)
    manager, other = await world.actor("cafcass_manager"), await world.actor("other_cafcass_manager")
    alone, ran_alone = await _concurrently(engine, [(manager, START, END, TODAY)])
    burst, ran_burst = await _concurrently(engine, [(manager, START, END, TODAY)] * 5)
    assert burst == alone * 5
    assert ran_burst < 2 * ran_alone  # once each, give or take a section that finished before another came
    later = START + timedelta(days=60)
    distinct = [(manager, START, END, TODAY), (manager, later, END, TODAY), (other, START, END, TODAY)]
    # Each alone, one after another. At once, each gets the same answers: only a statement with the same
    # values is shared (the tracker, which does not depend on the period, may be, between the periods).
    apart = [(await _concurrently(engine, [one]))[0][0] for one in distinct]
    mixed, _ = await _concurrently(engine, distinct * 2)
    assert mixed[:3] == mixed[3:] == apart
    assert mixed[0] == alone[0]
    assert len({repr(found) for found in mixed[:3]}) == 3


async def test_a_request_sharing_a_run_that_fails_runs_its_own(world: World, engine: AsyncEngine) -> None:
    """The first request's failure is its own: a request that was waiting for its rows runs the statement
    for itself and gets its figures."""
    await _world_with_known_adherence(world, engine)
    manager = await world.actor("cafcass_manager")
    started = asyncio.Event()

    class Failing:
        """A session whose statement fails once another request is waiting for it."""

        def __init__(self, session: AsyncSession) -> None:
            self.get_bind = session.get_bind

        async def execute(self, *_: Any) -> Any:
            started.set()
            await asyncio.sleep(0.05)
            raise sa.exc.OperationalError("SELECT", {}, Exception("connection lost"))

    async def failing() -> None:
        async with create_session_factory(engine)() as session:
            await table1_rows.counts(
                cast(AsyncSession, Failing(session)), manager, start=START, end=END, today=END
            )

    async def waiting() -> Any:
        await started.wait()
        async with create_session_factory(engine)() as session:
            return await table1_rows.counts(session, manager, start=START, end=END, today=END)

    failed, found = await asyncio.gather(failing(), waiting(), return_exceptions=True)
    assert isinstance(failed, sa.exc.OperationalError)
    async with create_session_factory(engine)() as session:
        assert found == await table1_rows.counts(session, manager, start=START, end=END, today=END)
    assert not kept._running
