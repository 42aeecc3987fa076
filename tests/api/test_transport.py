"""No cross-site page can drive the API: it takes JSON POSTs (and GETs for queries), and no websockets."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from portal.app import create_app
from portal.settings import Settings
from tests.support.queries import row_counts
from tests.support.world import World

MUTATION = 'mutation { addOrganisation(input: {kind: COURT, name: "Forged Court"}) { errors { code } } }'


async def test_a_cross_site_form_post_is_refused(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    token = await world.token("admin")
    before = await row_counts(engine)
    for content_type in ("application/x-www-form-urlencoded", "text/plain"):
        response = await client.post(
            "/graphql",
            content=f"query={MUTATION}",
            headers={"Content-Type": content_type, "Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 415, content_type
    assert await row_counts(engine) == before


async def test_a_multipart_post_is_refused(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    token = await world.token("admin")
    before = await row_counts(engine)
    response = await client.post(
        "/graphql",
        files={"operations": (None, f'{{"query": "{MUTATION}"}}')},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 415
    assert await row_counts(engine) == before


async def test_a_mutation_over_get_is_refused(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    token = await world.token("admin")
    before = await row_counts(engine)
    response = await client.get(
        "/graphql", params={"query": MUTATION}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code in {400, 405}
    assert await row_counts(engine) == before


def test_websocket_handshakes_are_refused(settings: Settings) -> None:
    with TestClient(create_app(settings)) as browser, pytest.raises(WebSocketDisconnect):  # noqa: SIM117
        with browser.websocket_connect(
            "/graphql", subprotocols=["graphql-transport-ws"], headers={"Origin": "https://evil.example"}
        ):
            pass


async def test_deep_and_wide_queries_are_refused(client: httpx.AsyncClient, world: World) -> None:
    token = await world.token("guardian")
    # What the pages ask is well inside the limits; far deeper, or with dozens of aliases, is refused.
    reasonable = "{ cases { nodes { children { legalStatusHistory { status } } members { person { "
    reasonable += "organisation { name } } children { guardian { organisation { name } } } } } } }"
    nested = '{ case(id: "x") { ' + "members { children { " * 5 + "id" + " } }" * 5 + " } }"
    aliases = "{ " + " ".join(f"a{n}: me {{ id }}" for n in range(40)) + " }"
    for query in (nested, aliases):
        response = await client.post(
            "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
        )
        body = response.json()
        assert body.get("data") is None
        assert body["errors"]
    assert (
        "errors"
        not in (
            await client.post(
                "/graphql", json={"query": reasonable}, headers={"Authorization": f"Bearer {token}"}
            )
        ).json()
    )
