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
