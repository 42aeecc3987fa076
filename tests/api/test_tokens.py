"""API tokens: scoped (never beyond their person), listed, revocable, expiring, and every use audited."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import ApiToken, utcnow
from tests.support.graphql import error_codes, gql, log_contact, payload_codes
from tests.support.queries import audit_mark, audit_since
from tests.support.world import World


async def _make(client: httpx.AsyncClient, token: str, *scopes: str, label: str = "Case system") -> dict:
    body = await gql(client, token, "CreateApiToken", input={"label": label, "scopes": list(scopes)})
    return body["data"]["createApiToken"]


async def test_a_read_only_token_reads_but_cannot_write(client: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    made = await _make(client, await world.token("guardian"), "READ_CASE")
    assert made["errors"] == []
    assert made["token"]["scopes"] == ["READ_CASE"]
    read_only = made["secret"]
    assert (await gql(client, read_only, "CaseView", id=str(case_id)))["data"]["case"]["id"] == str(case_id)
    # Writing needs a scope the token lacks: refused exactly as for a case that is not there.
    body = await gql(
        client,
        read_only,
        "LogContact",
        input={
            "caseId": str(case_id),
            "counterpartId": str(world.id("iro")),
            "direction": "OUTGOING",
            "occurredAt": utcnow().isoformat(),
            "channel": "PHONE",
            "purpose": "INTRODUCTION",
            "summary": "Hello",
        },
    )
    assert payload_codes(body["data"]["logContact"]) == [("NOT_FOUND", None)]


async def test_a_token_never_carries_more_than_its_person_or_its_maker(
    client: httpx.AsyncClient, world: World
) -> None:
    full = await world.token("guardian")
    beyond = await _make(client, full, "READ_CASE", "ALLOCATE_GUARDIAN")
    assert payload_codes(beyond) == [("OUT_OF_RANGE", "scopes")]
    reader = (await _make(client, full, "READ_CASE", "MANAGE_TOKENS"))["secret"]
    escalate = await _make(client, reader, "READ_CASE", "LOG_CONTACT")
    assert payload_codes(escalate) == [("OUT_OF_RANGE", "scopes")]
    assert payload_codes(await _make(client, full, label=" ")) == [
        ("REQUIRED", "label"),
        ("REQUIRED", "scopes"),
    ]
    # A token without the tokens scope cannot make tokens at all.
    plain = (await _make(client, full, "READ_CASE"))["secret"]
    assert payload_codes(await _make(client, plain, "READ_CASE")) == [("NOT_PERMITTED", None)]


async def test_tokens_are_listed_without_secrets_and_revoked_at_once(
    client: httpx.AsyncClient, world: World
) -> None:
    full = await world.token("iro")
    made = await _make(client, full, "READ_CASE", label="Reviews system")
    listed = (await gql(client, full, "ApiTokens"))["data"]["apiTokens"]
    assert {t["label"] for t in listed} == {"tests", "Reviews system"}
    assert all("secret" not in t for t in listed)
    revoked = await gql(client, full, "RevokeApiToken", input={"id": made["token"]["id"]})
    assert revoked["data"]["revokeApiToken"]["token"]["live"] is False
    response = await client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": f"Bearer {made['secret']}"}
    )
    assert response.status_code == 401
    # Someone else's token is not yours to revoke, and looks absent.
    other = await gql(client, await world.token("guardian"), "RevokeApiToken", input={"id": listed[0]["id"]})
    assert payload_codes(other["data"]["revokeApiToken"]) == [("NOT_FOUND", "id")]


async def test_an_expired_token_is_refused(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    secret = await world.token("guardian")
    async with AsyncSession(engine) as session, session.begin():
        await session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    response = await client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 401


async def test_every_use_of_a_token_is_audited(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    token = await world.token("guardian")
    mark = await audit_mark(engine)
    await gql(client, token, "Me")
    await log_contact(client, world, "guardian", "iro", case_id)
    assert await audit_since(engine, mark) == [
        ("token.use", "success"),
        ("token.use", "success"),
        ("contact.log", "success"),
    ]


async def test_an_inactive_persons_token_stops_working(client: httpx.AsyncClient, world: World) -> None:
    token = await world.token("guardian2")
    body = await gql(
        client,
        await world.token("national_admin"),
        "UpdatePerson",
        input={"id": str(world.id("guardian2")), "active": False},
    )
    assert body["data"]["updatePerson"]["person"]["active"] is False
    response = await client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


async def _status(client: httpx.AsyncClient, secret: str) -> int:
    response = await client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": f"Bearer {secret}"}
    )
    return response.status_code


async def test_a_token_made_with_a_token_never_outlives_it(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    full = await world.token("guardian")
    parent = await _make(client, full, "READ_CASE", "MANAGE_TOKENS")
    async with AsyncSession(engine) as session, session.begin():
        await session.execute(
            sa.update(ApiToken)
            .where(ApiToken.id == uuid.UUID(parent["token"]["id"]))
            .values(expires_at=utcnow() + timedelta(days=3))
        )
    asked = await gql(
        client,
        parent["secret"],
        "CreateApiToken",
        input={"label": "Longer", "scopes": ["READ_CASE"], "expiresInDays": 365},
    )
    child = asked["data"]["createApiToken"]
    assert child["errors"] == []
    async with AsyncSession(engine) as session:
        parent_row = await session.get(ApiToken, uuid.UUID(parent["token"]["id"]))
        child_row = await session.get(ApiToken, uuid.UUID(child["token"]["id"]))
    assert parent_row is not None
    assert child_row is not None
    assert child_row.made_with_id == parent_row.id
    assert child_row.expires_at == parent_row.expires_at


async def test_revoking_a_token_revokes_the_tokens_made_with_it(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    full = await world.token("iro")
    parent = await _make(client, full, "READ_CASE", "MANAGE_TOKENS")
    child = await _make(client, parent["secret"], "READ_CASE", "MANAGE_TOKENS")
    grandchild = await _make(client, child["secret"], "READ_CASE")
    sibling = await _make(client, full, "READ_CASE")
    assert [await _status(client, t["secret"]) for t in (parent, child, grandchild, sibling)] == [200] * 4
    mark = await audit_mark(engine)
    revoked = await gql(client, full, "RevokeApiToken", input={"id": parent["token"]["id"]})
    assert revoked["data"]["revokeApiToken"]["errors"] == []
    assert [await _status(client, t["secret"]) for t in (parent, child, grandchild, sibling)] == [
        401,
        401,
        401,
        200,
    ]
    assert [a for a in await audit_since(engine, mark) if a[0] == "token.revoke"] == [
        ("token.revoke", "success")
    ] * 3
    listed = {t["id"]: t["live"] for t in (await gql(client, full, "ApiTokens"))["data"]["apiTokens"]}
    assert [listed[t["token"]["id"]] for t in (parent, child, grandchild, sibling)] == [
        False,
        False,
        False,
        True,
    ]
