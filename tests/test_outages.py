"""Outages answered as such (issue 16): with the database unreachable, or stopped while the portal runs and
started again, people get the GOV.UK "Sorry, the service is unavailable" page and API clients JSON 503 with
a code and Retry-After, never a 500; the portal recovers without a restart; and the background loops say so
in a line rather than a traceback every round."""

from __future__ import annotations

import asyncio
import errno
import logging
import sqlite3
import uuid
from collections.abc import Iterator

import asyncpg
import httpx
import pytest
import sqlalchemy as sa

from portal import background
from portal.app import create_app
from portal.db import create_engine, create_session_factory
from portal.migrations import upgrade
from portal.outage import Outage, outage
from portal.settings import Settings
from tests.support.ports import free_port
from tests.support.postgres import Cluster, restartable_cluster
from tests.support.world import World

ME = {"query": "{ me { id } }"}


def _unavailable_json(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"].startswith("application/json")


def _unavailable_page(response: httpx.Response) -> None:
    """The demo sign-in page, which lists the demo's people from the database."""
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert "<title>Sorry, the service is unavailable" in response.text


async def test_with_the_database_unreachable_everyone_is_told_to_come_back(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    gone = create_engine(f"postgresql+asyncpg://portal@127.0.0.1:{free_port()}/portal")  # nothing listens
    app = create_app(settings.model_copy(update={"demo_sign_in": True}), engine=gone)
    bearer = {"Authorization": "Bearer some-token"}
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://portal.test"
        ) as c:
            _unavailable_page(await c.get("/sign-in"))
            response = await c.post("/graphql", json=ME, headers=bearer)
            _unavailable_json(response)
            assert response.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
            for response in (
                await c.get(f"/papers/{uuid.uuid4()}", headers=bearer),
                await c.post(f"/cases/{uuid.uuid4()}/papers/uploads", content=b"%PDF-", headers=bearer),
                await c.get(f"/dispute-documents/{uuid.uuid4()}", headers=bearer),
                await c.post(f"/disputes/{uuid.uuid4()}/documents/uploads", content=b"%PDF-", headers=bearer),
            ):
                _unavailable_json(response)
                assert response.json()["errors"][0]["code"] == "UNAVAILABLE"
    finally:
        await gone.dispose()
    # A line for each, not a traceback.
    assert [r for r in caplog.records if r.exc_info] == []
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) >= 4


@pytest.fixture(scope="module")
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("stops and starts a PostgreSQL cluster of its own: runs in the suite's PostgreSQL pass")
    with restartable_cluster() as cluster:
        yield cluster


async def test_postgresql_stopped_and_started_while_the_portal_runs(
    cluster: Cluster, settings: Settings
) -> None:
    """Stopped: 503s, each with a code; started again: the same process serves again within seconds,
    having answered nothing with a 500 in between."""
    engine = create_engine(cluster.url)
    try:
        await upgrade(engine)
        world = await World.create(create_session_factory(engine))
        app = create_app(
            settings.model_copy(update={"database_url": cluster.url, "demo_sign_in": True}), engine=engine
        )
        bearer = {"Authorization": f"Bearer {await world.token('guardian')}"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://portal.test"
        ) as c:
            assert (await c.post("/graphql", json=ME, headers=bearer)).status_code == 200
            await asyncio.to_thread(cluster.stop)
            _unavailable_json(await c.post("/graphql", json=ME, headers=bearer))
            _unavailable_page(await c.get("/sign-in"))
            await asyncio.to_thread(cluster.start)
            for _ in range(40):
                response = await c.post("/graphql", json=ME, headers=bearer)
                if response.status_code == 200:
                    break
                _unavailable_json(response)
                await asyncio.sleep(0.5)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["me"]["id"] == str(world.id("guardian"))
    finally:
        await engine.dispose()


async def test_a_background_loop_says_the_database_is_out_in_a_line_and_waits_longer(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The clock and the outbox's sender logged a traceback every round while the database was down."""
    pauses: list[float] = []
    results: list[Exception | None] = [ConnectionRefusedError(111, "Connect call failed")] * 4 + [None]
    results += [RuntimeError("a bug"), None]

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == len(results):
            raise asyncio.CancelledError

    async def work() -> None:
        result = results[len(pauses)]
        if result is not None:
            raise result

    monkeypatch.setattr(background.asyncio, "sleep", sleep)
    with pytest.raises(asyncio.CancelledError):
        await background.repeat("the clock", work, 10)
    assert pauses == [20, 40, 80, 160, 10, 10, 10]
    lines = [(r.levelno, r.getMessage(), bool(r.exc_info)) for r in caplog.records]
    assert lines[0] == (
        logging.WARNING,
        "the clock cannot use the database ([Errno 111] Connect call failed); trying again in 20 s",
        False,
    )
    assert len(lines) == 5
    assert lines[4] == (logging.ERROR, "the clock failed a round", True)
    assert background.pause(10, 40) == background.LONGEST_PAUSE_SECONDS


def _wrapped(orig: BaseException, invalidated: bool = False) -> sa.exc.DBAPIError:
    return sa.exc.DBAPIError.instance("SELECT 1", {}, orig, Exception, connection_invalidated=invalidated)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), Outage.UNAVAILABLE),
        (TimeoutError(), Outage.UNAVAILABLE),
        (_wrapped(asyncpg.CannotConnectNowError("the database system is starting up")), Outage.UNAVAILABLE),
        (_wrapped(asyncpg.AdminShutdownError("terminating connection")), Outage.UNAVAILABLE),
        (_wrapped(Exception("connection was closed in the middle of operation"), True), Outage.UNAVAILABLE),
        (_wrapped(sqlite3.OperationalError("database is locked")), Outage.UNAVAILABLE),
        (OSError(errno.ENOSPC, "No space left on device"), Outage.STORAGE_FULL),
        (_wrapped(sqlite3.OperationalError("database or disk is full")), Outage.STORAGE_FULL),
        (RuntimeError("a bug"), None),
        (_wrapped(sqlite3.OperationalError("no such column: x")), None),
        (_wrapped(asyncpg.UndefinedColumnError("column x does not exist")), None),
        (OSError(errno.EACCES, "Permission denied"), None),
    ],
)
def test_what_counts_as_an_outage(error: BaseException, expected: Outage | None) -> None:
    assert outage(error) is expected
    raised = RuntimeError("while answering")
    raised.__cause__ = error
    assert outage(raised) is expected  # what it was raised from counts
