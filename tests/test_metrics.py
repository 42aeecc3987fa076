"""/metrics (issue 16): Prometheus's text format, only with the metrics token; requests timed by operation
and status, with labels the code chose (never a client's); and the outbox, the audit sealer and the pool
read as they are scraped."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.app import create_app
from portal.db import create_engine
from portal.settings import Settings
from tests.support.ports import free_port
from tests.support.world import World

TOKEN = "a-metrics-token-for-the-tests"


@pytest.fixture
async def portal(settings: Settings, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"metrics_token": TOKEN}), engine=engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test") as c:
        yield c


async def _scrape(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _count(
    scraped: dict[tuple[str, tuple[tuple[str, str], ...]], float], operation: str, status: str
) -> float:
    key = ("portal_request_duration_seconds_count", (("operation", operation), ("status", status)))
    return scraped.get(key, 0.0)


async def test_metrics_answer_only_the_metrics_token(
    client: httpx.AsyncClient, portal: httpx.AsyncClient
) -> None:
    assert (await client.get("/metrics")).status_code == 404  # no token set: no such page
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = await portal.get("/metrics", headers=headers)
        assert response.status_code == 401
        assert "portal_" not in response.text


async def test_requests_are_timed_by_operation_and_status_and_the_backlogs_read(
    portal: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()  # three emails queued, and audit events to seal
    token = await world.token("guardian")
    before = await _scrape(portal)
    bearer = {"Authorization": f"Bearer {token}"}
    variables = {"id": str(case_id)}
    assert (
        await portal.post("/graphql", json={"documentId": "CaseView", "variables": variables}, headers=bearer)
    ).status_code == 200
    # A client's own name for its operation is not a label: it could be anything, as many as it likes.
    own = {"query": "query Mine { me { id } }", "operationName": "Mine"}
    assert (await portal.post("/graphql", json=own, headers=bearer)).status_code == 200
    assert (await portal.get("/no-such-page")).status_code == 404
    assert (await portal.get("/healthz")).status_code == 200
    after = await _scrape(portal)
    assert _count(after, "CaseView", "200") == _count(before, "CaseView", "200") + 1
    assert _count(after, "graphql", "200") == _count(before, "graphql", "200") + 1
    assert _count(after, "_healthz", "200") == _count(before, "_healthz", "200") + 1
    assert not any(dict(labels).get("operation") == "Mine" for _, labels in after)
    assert (
        after[("portal_outbox_messages", (("state", "pending"),))] == 4
    )  # a new case's P2, P3 (both sides) and R1
    assert after[("portal_outbox_oldest_waiting_seconds", ())] >= 0
    assert after[("portal_audit_unsealed_events", ())] > 0
    assert after[("portal_db_pool_size", ())] == 5
    assert after[("portal_database_up", ())] == 1
    assert ("portal_uploads_in_flight", ()) in after


async def test_with_the_database_out_metrics_still_answer_and_say_so(settings: Settings) -> None:
    gone = create_engine(f"postgresql+asyncpg://portal@127.0.0.1:{free_port()}/portal")
    app = create_app(settings.model_copy(update={"metrics_token": TOKEN}), engine=gone)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://portal.test"
        ) as c:
            scraped = await _scrape(c)
    finally:
        await gone.dispose()
    assert scraped[("portal_database_up", ())] == 0
