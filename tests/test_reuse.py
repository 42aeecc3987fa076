"""A case's view served again while nothing it shows has changed (issue 15, portal/api/reuse.py): the same
bytes a fresh run gives, after a write to any table a view reads, for whoever asks; each request still has
its access checked and its look recorded; and every table a view reads moves the view versions, checked
from the schema, so a table added later without its triggers fails here."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import models
from models import AuditEvent, Child, Person
from portal import clock
from portal.api import view
from portal.api.reuse import case_variable
from portal.app import create_app
from portal.auth.tokens import hash_token
from portal.retention.repository import belonging_to
from portal.settings import Settings
from tests.conftest import Travel
from tests.support.graphql import OPERATIONS, gql, log_contact
from tests.support.queries import QueryCounter
from tests.support.world import World

# The tables no case's view reads, and why.
NOT_READ = {
    "api_token": "tokens are checked afresh on every request",
    "audit_event": "the access log is never served again (reuse.UNFOLLOWED)",
    "audit_queue": "the sealer's",
    "audit_seal": "the sealer's",
    "deleted_case": "a deleted case has no view",
    "dispute_ladder": "a dispute copies what it needs of its ladder when it starts and at each stage",
    "dispute_ladder_stage": "a dispute copies what it needs of its ladder when it starts and at each stage",
    "referral_timescale": "a referral copies each step's due date when the step starts",
    "outbox_message": "email",
    "person_identity": "sign-in",
    "sign_in_attempt": "sign-in",
    "web_session": "sign-in",
    "view_version": "the versions themselves",
    "iro_profile": "an IRO's workload as their manager keeps it: no case's",
    "conferences_chaired": "an IRO's workload as their manager keeps it: no case's",
    "workload_weighting": "an authority's weightings of its IROs' workloads: no case's",
}
DIRECTORY = {"organisation", "team", "person", "person_role", "obligation_rule"}


def test_every_table_is_followed_or_not_read() -> None:
    """What belongs to a case or a child (by the foreign keys) and the directory: every other table is named
    above as one no view reads."""
    followed = {*belonging_to("proceedings"), *belonging_to("child")} | DIRECTORY
    assert followed.isdisjoint(NOT_READ)
    assert followed | set(NOT_READ) == set(models.metadata.tables)


async def test_every_followed_table_has_its_triggers(engine: AsyncEngine, is_postgres: bool) -> None:
    followed = set(models.metadata.tables) - set(NOT_READ)
    async with engine.connect() as connection:
        if is_postgres:
            rows = await connection.execute(
                sa.text(
                    "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE t.tgname LIKE 'view_version_%'"
                )
            )
            found = {(table, name.removeprefix("view_version_")) for table, name in rows.all()}
        else:
            rows = await connection.execute(
                sa.text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            )
            found = {
                (table, name.removeprefix(f"view_version_{table}_"))
                for table, name in rows.all()
                if name.startswith("view_version_")
            }
    expected = {(table, event) for table in followed for event in ("insert", "update", "delete")}
    assert found == expected


def test_only_case_views_without_the_access_log_are_kept() -> None:
    kept = {name for name, text in OPERATIONS.items() if case_variable(text)}
    assert "CaseView" in kept
    assert "CasePapers" in kept
    assert "AccessLog" not in kept  # read from the audit trail, which no version follows
    assert "MyCases" not in kept
    assert not {name for name in kept if OPERATIONS[name].lstrip().startswith("mutation")}


@pytest.fixture
async def fresh(settings: Settings, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a portal that keeps nothing: every answer a fresh run."""
    app = create_app(settings.model_copy(update={"reuse_entries": 0}), engine=engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test") as c:
        yield c


async def _view(client: httpx.AsyncClient, token: str, case_id: object) -> bytes:
    response = await client.post(
        "/graphql",
        json={"query": OPERATIONS["CaseView"], "variables": {"id": str(case_id)}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    return response.content


async def _looks(engine: AsyncEngine, case_id: object) -> int:
    async with AsyncSession(engine) as session:
        found = await session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.case_id == case_id, AuditEvent.action == "case.view")
        )
    return int(found or 0)


async def test_a_view_served_again_is_what_a_fresh_run_gives_after_each_kind_of_write(
    client: httpx.AsyncClient,
    fresh: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    count_queries: QueryCounter,
) -> None:
    """Writes to a case's own rows, to rows under them, to a child and to the directory each change what is
    served next; in between, a second request is served again (fewer statements), with its look recorded."""
    case_id = await world.open_case()
    token = await world.token("guardian")

    async def same_as_fresh() -> bytes:
        first = await _view(client, token, case_id)
        with count_queries() as statements:
            again = await _view(client, token, case_id)
        assert again == first
        assert len(statements) <= 7, statements  # token, its use, the actor (2), versions, access, look
        assert await _view(fresh, token, case_id) == first
        return first

    async def write(statement: Any) -> None:
        async with AsyncSession(engine) as session, session.begin():
            await session.execute(statement)

    before = await same_as_fresh()
    await log_contact(client, world, "guardian", "iro", case_id, summary="A new entry")
    after_contact = await same_as_fresh()
    assert b"A new entry" in after_contact
    assert after_contact != before
    await write(sa.update(Person).where(Person.id == world.id("iro")).values(name="Ivan Renamed"))
    renamed = await same_as_fresh()
    assert b"Ivan Renamed" in renamed
    child = sa.select(models.ProceedingsChild.child_id).where(
        models.ProceedingsChild.proceedings_id == case_id
    )
    await write(sa.update(Child).where(Child.id.in_(child)).values(given_name="Zoe"))
    assert b"Zoe" in await same_as_fresh()
    reply = sa.insert(models.ContactReply).from_select(
        ["contact_id", "replied_at", "recorded_by_id"],
        sa.select(models.Contact.id, sa.func.current_timestamp(), sa.literal(world.id("iro"))).where(
            models.Contact.proceedings_id == case_id
        ),
    )
    unreplied = await same_as_fresh()
    await write(reply)  # a row under a row of the case
    assert await same_as_fresh() != unreplied
    # Every request, served again or not, recorded its look: three per round, six rounds.
    assert await _looks(engine, case_id) == 3 * 6


async def test_each_asker_is_served_their_own_and_an_ended_member_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    guardian, iro = await world.token("guardian"), await world.token("iro")
    mine = await _view(client, guardian, case_id)
    assert await _view(client, guardian, case_id) == mine
    theirs = await _view(client, iro, case_id)
    assert b'"viewerRoles":["IRO"]' in theirs
    assert b'"viewerRoles":["GUARDIAN"]' in mine
    await world.allocate(case_id, "guardian2", reason="Moved team")
    refused = await gql(client, guardian, "CaseView", id=str(case_id))
    assert refused["data"] == {"case": None} or refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_new_day_is_a_fresh_run(
    client: httpx.AsyncClient, world: World, travel: Travel, count_queries: QueryCounter
) -> None:
    """What a view shows depends on the day (weeks elapsed, what is overdue): tomorrow runs afresh."""
    case_id = await world.open_case()
    token = await world.token("guardian")
    await _view(client, token, case_id)
    with count_queries() as served_again:
        await _view(client, token, case_id)
    travel(clock.london_datetime(clock.today() + timedelta(days=1), clock.time(12)))
    with count_queries() as tomorrow:
        await _view(client, token, case_id)
    assert len(tomorrow) > len(served_again) + 5


async def test_a_kept_answer_is_not_served_under_another_operation_name(
    client: httpx.AsyncClient, world: World
) -> None:
    """The operation name is part of the key: a request naming an operation the document does not have gets
    graphql-core's error, not the kept answer."""
    case_id = await world.open_case()
    token = await world.token("guardian")
    await _view(client, token, case_id)
    response = await client.post(
        "/graphql",
        json={"query": OPERATIONS["CaseView"], "variables": {"id": str(case_id)}, "operationName": "Other"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert "data" not in response.json() or response.json()["data"] is None
    assert response.json()["errors"]


async def test_a_burst_of_the_same_dashboard_is_built_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, count_queries: QueryCounter
) -> None:
    """Five identical requests at once get the same bytes from one build, each recording the dashboard's
    reading as its own; another manager's request is built for them."""
    await world.open_case()
    token = await world.token("cafcass_manager")
    today = clock.today()
    variables = {"start": (today - timedelta(days=90)).isoformat(), "end": today.isoformat(), "by": "NONE"}

    async def ask(who: str = token) -> httpx.Response:
        return await client.post(
            "/graphql",
            json={"query": OPERATIONS["Adherence"], "variables": variables},
            headers={"Authorization": f"Bearer {who}"},
        )

    with count_queries() as alone:
        single = await ask()
    with count_queries() as together:
        burst = await asyncio.gather(*(ask() for _ in range(5)))
    assert {r.content for r in burst} == {single.content}
    assert b'"errors"' not in single.content
    # Each request checks its token and reads its actor (4 statements) and writes its audit events; the
    # figures are read once.
    assert len(together) < len(alone) + 4 * 8, (len(alone), len(together))
    async with AsyncSession(engine) as session:
        reads = await session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "adherence.read"))
    assert reads == 6
    other = await ask(await world.token("other_cafcass_manager"))
    assert other.content != single.content


async def _dashboard_burst(
    client: httpx.AsyncClient, tokens: list[str], while_built: Any
) -> list[httpx.Response]:
    """The Adherence dashboard asked with each of ``tokens`` at once, its first build held until
    ``while_built()`` (run while the others wait) has returned."""
    today = clock.today()
    variables = {"start": (today - timedelta(days=90)).isoformat(), "end": today.isoformat(), "by": "NONE"}
    building, release = asyncio.Event(), asyncio.Event()
    real = view.execute

    async def held(*args: Any, **kwargs: Any) -> Any:
        building.set()
        await release.wait()
        return await real(*args, **kwargs)

    async def ask(token: str) -> httpx.Response:
        return await client.post(
            "/graphql",
            json={"query": OPERATIONS["Adherence"], "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )

    view.execute = held  # type: ignore[assignment]
    try:
        first = asyncio.ensure_future(ask(tokens[0]))
        await building.wait()
        view.execute = real
        rest = [asyncio.ensure_future(ask(token)) for token in tokens[1:]]
        await asyncio.sleep(0.2)  # every request has arrived and is waiting
        await while_built()
        release.set()
        return [await first, *[await r for r in rest]]
    finally:
        view.execute = real
        release.set()


async def test_a_burst_waits_for_its_answer_without_holding_connections(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """While one request builds a dashboard, the others asking for it hold no database connection: a burst
    does not take every connection of the process from the requests for anything else."""
    await world.open_case()
    token = await world.token("cafcass_manager")
    held = [0]
    seen: list[int] = []

    def out(*_: Any) -> None:
        held[0] += 1

    def back(*_: Any) -> None:
        held[0] -= 1

    async def count() -> None:
        seen.append(held[0])

    sa.event.listen(engine.sync_engine.pool, "checkout", out)
    sa.event.listen(engine.sync_engine.pool, "checkin", back)
    try:
        answers = await _dashboard_burst(client, [token] * 6, count)
    finally:
        sa.event.remove(engine.sync_engine.pool, "checkout", out)
        sa.event.remove(engine.sync_engine.pool, "checkin", back)
    assert seen == [1]  # the builder's
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    assert b'"errors"' not in answers[0].content


async def test_a_token_revoked_during_a_burst_is_refused(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """A request waiting for a burst's answer checks its own token afterwards: one revoked meanwhile gets
    401 and no data; a token of another manager gets an answer built for them."""
    await world.open_case()
    token = await world.token("cafcass_manager")
    other = await world.token("other_cafcass_manager")

    async def revoke() -> None:
        async with AsyncSession(engine) as session:
            await session.execute(
                sa.update(models.ApiToken)
                .where(models.ApiToken.token_hash == hash_token(token))
                .values(revoked_at=models.utcnow())
            )
            await session.commit()

    first, second, theirs = await _dashboard_burst(client, [token, token, other], revoke)
    assert first.status_code == 200
    assert b'"errors"' not in first.content
    assert second.status_code == 401
    assert "data" not in second.json()
    assert theirs.status_code == 200
    assert theirs.content != first.content
