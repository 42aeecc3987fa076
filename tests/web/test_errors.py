"""Unexpected failures: masked for the person, logged with a reference, and nothing written."""

from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.api import queries
from portal.app import create_app
from portal.settings import Settings
from tests.support.browsing import sign_in_as
from tests.support.graphql import gql
from tests.support.queries import row_counts
from tests.support.world import World


async def _explode(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("the database fell over")


async def test_an_unexpected_api_error_is_masked_and_logged(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    case_id = await world.open_case()
    token = await world.token("guardian")
    monkeypatch.setattr(queries, "access_case", _explode)
    before = await row_counts(engine)
    with caplog.at_level(logging.ERROR, logger="portal.api"):
        body = await gql(client, token, "CaseView", id=str(case_id))
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INTERNAL"
    assert "database" not in error["message"]
    assert error["extensions"]["correlationId"] in error["message"]
    assert any(error["extensions"]["correlationId"] in r.getMessage() for r in caplog.records)
    assert await row_counts(engine) == before  # the failed request was rolled back


async def test_an_unexpected_page_error_shows_the_service_problem_page(
    settings: Settings, engine: AsyncEngine, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(settings.model_copy(update={"demo_sign_in": True}), engine=engine)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as web:
        await sign_in_as(web, world.id("guardian"))
        monkeypatch.setattr("portal.web.operations.Operations.run", _explode)
        response = await web.get("/cases")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "fell over" not in response.text
