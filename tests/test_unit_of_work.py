"""The unit of work: a read runs in a read-only transaction that, on SQLite, holds no lock; its looks are
written after it in a short transaction of their own; no row is written by every request (no hot rows), so
readers and writers on one token run side by side without deadlocks or "database is locked"."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from models import ApiToken, Person, utcnow
from portal.db import Intent, create_session_factory, unit_of_work
from tests.conftest import Travel
from tests.support.graphql import contact_input, gql
from tests.support.world import World


async def test_a_read_may_not_write(engine: AsyncEngine) -> None:
    """The database itself refuses a write in a reading transaction, so none can creep into a read."""
    with pytest.raises(DBAPIError, match=r"(?i)read.?only"):
        async with unit_of_work(create_session_factory(engine), Intent.READ) as uow:
            await uow.run(lambda s: s.execute(sa.update(Person).values(name="Changed")))


async def test_on_sqlite_a_read_takes_the_write_lock_only_for_its_audit_insert(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, is_postgres: bool
) -> None:
    """Every statement a request sends, in order: the case view reads in a deferred, query-only
    transaction, and only the final INSERT of its looks runs in a transaction that takes the write lock."""
    if is_postgres:
        pytest.skip("PostgreSQL has no database-wide write lock")
    case_id = await world.open_case()
    token = await world.token("iro")
    await gql(client, token, "Me")  # the token's use is stamped once a minute, after a request: done
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split())[:40])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await gql(client, token, "CaseView", id=str(case_id))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    locking = sent.index("BEGIN IMMEDIATE")
    assert sent[:2] == ["PRAGMA query_only = 1", "BEGIN"]
    assert all(s.startswith("SELECT") for s in sent[2:locking] if not s.startswith(("PRAGMA", "BEGIN")))
    assert len([s for s in sent[2:locking] if s.startswith("SELECT")]) >= 10
    assert [s for s in sent[locking:] if not s.startswith("PRAGMA")] == [
        "BEGIN IMMEDIATE",
        "INSERT INTO audit_event (id, occurred_at",
    ]


async def test_on_sqlite_a_read_runs_while_a_writer_holds_the_lock(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, is_postgres: bool
) -> None:
    """A writer holds SQLite's write lock; the case view reads everything meanwhile and waits only to
    record its look, which it does as soon as the writer commits."""
    if is_postgres:
        pytest.skip("PostgreSQL has no database-wide write lock")
    case_id = await world.open_case()
    token = await world.token("iro")
    await gql(client, token, "Me")
    selects = 0

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal selects
        selects += statement.lstrip().startswith("SELECT")

    async with engine.connect() as writer:
        await writer.execute(sa.update(Person).where(Person.id == world.id("guardian")).values(name="Gina G"))
        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            view = asyncio.create_task(gql(client, token, "CaseView", id=str(case_id)))
            for _ in range(200):
                await asyncio.sleep(0.02)
                if selects >= 10:
                    break
            await asyncio.sleep(0.2)
            assert not view.done()  # it waits for the lock, to write its look
            assert selects >= 10  # but everything it shows was read while the writer held the lock
            await writer.commit()
            body = await asyncio.wait_for(view, 10)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert body["data"]["case"]["id"] == str(case_id)


async def test_a_tokens_use_is_stamped_at_most_once_a_minute_and_after_the_request(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, travel: Travel
) -> None:
    token = await world.token("guardian")

    async def last_used() -> object:
        async with engine.connect() as connection:
            return (
                await connection.execute(
                    sa.select(ApiToken.last_used_at).where(ApiToken.person_id == world.id("guardian"))
                )
            ).scalar_one()

    assert await last_used() is None
    await gql(client, token, "Me")
    first = await last_used()
    assert first is not None
    await gql(client, token, "Me")
    assert await last_used() == first
    travel(utcnow() + timedelta(minutes=2))
    await gql(client, token, "Me")
    later = await last_used()
    assert later is not None
    assert later > first  # type: ignore[operator]


async def test_readers_and_writers_on_one_token_run_side_by_side(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, is_postgres: bool
) -> None:
    """Eight clients read the case view and eight log contacts at once, all with the guardian's one token:
    every request succeeds, and PostgreSQL detects no deadlock (there is no row they all update)."""
    case_id = await world.open_case()
    token = await world.token("guardian")

    async def deadlocks() -> int:
        if not is_postgres:
            return 0
        async with engine.connect() as connection:
            await connection.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
            return (
                await connection.execute(
                    sa.text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
                )
            ).scalar_one()

    before = await deadlocks()

    async def read() -> list[str]:
        body = await gql(client, token, "CaseView", id=str(case_id))
        return [e["message"] for e in body.get("errors") or []]

    async def write() -> list[str]:
        body = await gql(client, token, "LogContact", input=contact_input(world, case_id, "iro"))
        payload = body["data"]["logContact"] if body.get("data") else None
        return [e["message"] for e in (body.get("errors") or []) + ((payload or {}).get("errors") or [])]

    for _ in range(3):
        results = await asyncio.gather(*(read() for _ in range(8)), *(write() for _ in range(8)))
        assert [r for r in results if r] == []
    assert await deadlocks() == before
