"""Email that gave up, seen in the portal (issue 16): an authority's administrator sees its staff's and may
send it again; a manager sees their organisation's; a national administrator everyone's; nobody else any,
and a request for another organisation's email is NOT_FOUND, as a missing one is."""

from __future__ import annotations

import re
import uuid

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import AuditEvent, OutboxMessage, OutboxState
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.graphql import gql
from tests.support.world import World


async def _given_up(world: World, engine: AsyncEngine) -> dict[str, str]:
    """A new case's notices (P2 and P3 to the guardian; P3 and the child's first review, R1, to the IRO),
    all given up: their ids by recipient and subject's code."""
    await world.open_case()
    async with AsyncSession(engine) as session, session.begin():
        await session.execute(
            sa.update(OutboxMessage).values(state=OutboxState.DEAD, attempts=2, last_error="550 No such user")
        )
        rows = await session.execute(
            sa.select(OutboxMessage.id, OutboxMessage.to_address, OutboxMessage.subject)
        )
        return {f"{to.split('@')[0]} {subject[-3:-1]}": str(id_) for id_, to, subject in rows}


async def _seen(client: httpx.AsyncClient, world: World, who: str) -> list[tuple[str, str]]:
    body = await gql(client, await world.token(who), "UndeliveredEmail")
    return sorted((e["recipientName"], e["subject"][-3:-1]) for e in body["data"]["undeliveredEmail"])


async def test_each_sees_the_email_of_the_people_they_look_after(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    await _given_up(world, engine)
    guardians = [("Gina Guardian", "P2"), ("Gina Guardian", "P3")]
    iros = [("Ivan Reviewer", "P3"), ("Ivan Reviewer", "R1")]
    assert await _seen(client, world, "admin") == iros  # Riverside's administrator
    assert await _seen(client, world, "iro_manager") == iros
    assert await _seen(client, world, "cafcass_manager") == guardians
    assert await _seen(client, world, "national_admin") == guardians + iros
    for nobody in ("guardian", "iro", "solicitor", "other_iro_manager"):
        assert await _seen(client, world, nobody) == [], nobody
    async with AsyncSession(engine) as session:
        reads = await session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "undelivered_email.read")
        )
    assert reads == 5  # the four who saw any, and the manager of another authority who saw none


async def test_an_administrator_sends_their_organisation_s_email_again(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    ids = await _given_up(world, engine)
    admin = await world.token("admin")

    async def retry(token: str, email: str) -> dict[str, object]:
        return (await gql(client, token, "RetryEmail", input={"id": email}))["data"]["retryEmail"]

    # Another organisation's, or none at all: the same answer.
    for other in (ids["guardian P2"], "5d0c0c5e-0000-4000-8000-000000000000"):
        result = await retry(admin, other)
        assert result["queued"] is False
        assert [e["code"] for e in result["errors"]] == ["NOT_FOUND"]
    result = await retry(await world.token("iro_manager"), ids["iro P3"])
    assert [e["code"] for e in result["errors"]] == ["NOT_PERMITTED"]
    assert await retry(admin, ids["iro P3"]) == {"queued": True, "errors": []}
    async with AsyncSession(engine) as session:
        message = await session.get(OutboxMessage, uuid.UUID(ids["iro P3"]))
        assert message is not None
        assert (message.state, message.attempts) == (OutboxState.PENDING, 0)
        retried = await session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "email.retry"))
    assert retried == 1
    assert await _seen(client, world, "admin") == [("Ivan Reviewer", "R1")]


async def test_the_page_lists_them_and_an_administrator_sends_one_again(
    web: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    await _given_up(world, engine)
    await sign_in_as(web, world.id("guardian"))
    assert (await web.get("/admin/email")).status_code == 404
    await sign_in_as(web, world.id("cafcass_manager"))
    page = await web.get("/admin/email")
    assert page.status_code == 200
    assert page.text.count("Gina Guardian") == 2
    assert "550 No such user" in page.text
    assert "Send again" not in page.text
    await sign_in_as(web, world.id("admin"))
    page = (await web.get("/admin/email")).text
    assert "Ivan Reviewer" in page
    assert "Gina Guardian" not in page
    actions = re.findall(r'action="(/admin/email/[0-9a-f-]+/retry)"', page)
    assert len(actions) == 2  # P3 and R1
    csrf = csrf_from(page)
    for action in actions:
        sent = await web.post(action, data={"csrf_token": csrf})
        assert (sent.status_code, sent.headers["location"]) == (303, "/admin/email?done=queued")
    page = (await web.get(sent.headers["location"])).text
    assert "The email is queued again" in page
    assert "None: every email was delivered" in page
    assert (await web.post(actions[0], data={"csrf_token": csrf})).status_code == 404
