"""The connection pool under strain (issue 15): a request that cannot get a connection in time is refused
at once with 503 and Retry-After, in JSON on /graphql and as a page in the browser; an idle connection that
the server dropped is replaced before it is used, without a ping on every request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

import portal.pool
from portal.app import create_app
from portal.db import Intent, create_engine, create_session_factory, unit_of_work
from portal.pool import PoolSize
from portal.settings import Settings
from tests.support.browsing import sign_in_as
from tests.support.graphql import gql
from tests.support.world import World


@pytest.fixture
async def one_connection(database_url: str, engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """An engine with a single connection and a 50 ms wait for it (``engine`` migrated the database)."""
    small = create_engine(database_url, pool=PoolSize(size=1, overflow=0, timeout_seconds=0.05))
    yield small
    await small.dispose()


async def test_a_request_that_gets_no_connection_in_time_is_refused_with_503_and_retry_after(
    settings: Settings, one_connection: AsyncEngine, world: World
) -> None:
    """At 64 clients requests waited 30 s for a connection and ended in an HTML 500."""
    token = await world.token("guardian")
    app = create_app(settings.model_copy(update={"demo_sign_in": True}), engine=one_connection)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test") as c:
        await sign_in_as(c, world.id("guardian"))
        assert (await gql(c, token, "MyCases"))["data"]["cases"] is not None
        # The only connection for requests, held by another request.
        async with unit_of_work(create_session_factory(one_connection), Intent.READ):
            response = await c.post(
                "/graphql", json={"documentId": "MyCases"}, headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 503
            assert response.headers["retry-after"] == "1"
            assert response.headers["content-type"].startswith("application/json")
            assert response.json()["errors"][0]["extensions"]["code"] == "BUSY"
            page = await c.get("/cases")
            assert page.status_code == 503
            assert page.headers["retry-after"] == "1"
            assert "Sorry, the service is busy" in page.text
        # Free again: the same requests succeed.
        assert (await gql(c, token, "MyCases"))["data"]["cases"] is not None
        assert (await c.get("/cases")).status_code == 200


async def test_an_idle_connection_the_server_dropped_is_replaced_before_use(
    one_connection: AsyncEngine, engine: AsyncEngine, is_postgres: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not is_postgres:
        pytest.skip("SQLite has no server to drop a connection")
    async with one_connection.connect() as connection:
        first = (await connection.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
    async with engine.connect() as other:
        await other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    monkeypatch.setattr(portal.pool, "IDLE_PING_SECONDS", 0.0)
    async with one_connection.connect() as connection:
        second = (await connection.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
    assert second != first


async def test_a_read_holds_one_connection_for_its_work_and_its_audit(
    settings: Settings, one_connection: AsyncEngine, world: World
) -> None:
    """A read's looks were written on a second connection, for which the request queued again, behind
    everyone who came after it (p99 twice the median under load)."""
    token = await world.token("guardian")
    app = create_app(settings, engine=one_connection)
    checkouts: list[object] = []

    def count(_dbapi: object, record: object, _proxy: object) -> None:
        checkouts.append(record)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test") as c:
        # The token's first use is stamped afterwards, on a connection of its own.
        await gql(c, token, "MyCases")
        sa.event.listen(one_connection.sync_engine.pool, "checkout", count)
        try:
            body = await gql(c, token, "MyCases")
        finally:
            sa.event.remove(one_connection.sync_engine.pool, "checkout", count)
    assert body["data"]["cases"] is not None
    assert len(checkouts) == 1


async def test_units_of_work_take_their_turn_in_order(one_connection: AsyncEngine) -> None:
    """The pool's own queue let a newcomer who was ready to run as a connection came back take it from the
    one who had waited for it, who then waited again at the back: under load, p99 was twice the median."""
    sessions = create_session_factory(one_connection)
    order: list[str] = []
    queued, go = asyncio.Event(), asyncio.Event()

    async def waiter() -> None:
        queued.set()
        async with unit_of_work(sessions, Intent.READ):
            order.append("waited")

    async def newcomer() -> None:
        await go.wait()
        async with unit_of_work(sessions, Intent.READ):
            order.append("newcomer")

    def arrive(*_: object) -> None:
        # The newcomer becomes ready just as the connection goes back to the pool.
        go.set()

    async with unit_of_work(sessions, Intent.READ):
        tasks = [asyncio.create_task(waiter()), asyncio.create_task(newcomer())]
        await queued.wait()
        await asyncio.sleep(0.01)  # the waiter is waiting for the connection
        sa.event.listen(one_connection.sync_engine.pool, "checkin", arrive, once=True)
    await asyncio.gather(*tasks)
    assert order == ["waited", "newcomer"]


async def test_one_that_others_wait_on_goes_first(database_url: str, engine: AsyncEngine) -> None:
    """Building a dashboard for a burst (portal/reuse/service.py) goes ahead of those already waiting, so
    it runs while the previous burst's requests record their looks; the rest keep their order."""
    small = create_engine(database_url, pool=PoolSize(size=1, overflow=0, timeout_seconds=5))
    sessions = create_session_factory(small)
    order: list[str] = []

    async def unit(name: str, first: bool = False) -> None:
        async with unit_of_work(sessions, Intent.READ, first=first):
            order.append(name)

    try:
        async with unit_of_work(sessions, Intent.READ):
            tasks = []
            for name, first in [("a", False), ("b", False), ("builder", True), ("c", False)]:
                tasks.append(asyncio.create_task(unit(name, first)))
                await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)
    finally:
        await small.dispose()
    assert order == ["builder", "a", "b", "c"]


async def test_a_turn_handed_to_one_that_gave_up_is_passed_on() -> None:
    """A request cancelled (its wait timed out, or its client went) just as a turn was handed to it passes
    the turn on: otherwise the process would have one connection fewer for good."""
    turns = portal.pool.Turns(PoolSize(size=1, overflow=0, timeout_seconds=5))
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with turns.turn():
            holding.set()
            await release.wait()

    holder = asyncio.create_task(hold())
    await holding.wait()
    late = asyncio.create_task(turns.turn().__aenter__())
    await asyncio.sleep(0.01)  # waiting for the one turn
    release.set()
    await asyncio.sleep(0)  # the holder gives its turn to the waiter ...
    late.cancel()  # ... which gives up before it runs again
    await holder
    with pytest.raises(asyncio.CancelledError):
        await late
    async with asyncio.timeout(1), turns.turn():
        pass


async def test_background_work_takes_no_connection_from_the_requests(one_connection: AsyncEngine) -> None:
    """The outbox sender keeps a connection for a batch of emails (through a slow relay, many seconds): a
    request still gets one at once rather than a 503."""
    sessions = create_session_factory(one_connection)
    async with one_connection.connect() as background:
        await background.execute(sa.text("SELECT 1"))
        async with unit_of_work(sessions, Intent.READ) as uow:
            assert await uow.run(lambda s: s.scalar(sa.text("SELECT 1"))) == 1
