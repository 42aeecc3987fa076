"""Unexpected failures: masked for the person, logged with a reference, and nothing written."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.api import queries
from portal.app import create_app
from portal.settings import Settings
from tests.support.browsing import csrf_from, sign_in_as
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


async def test_a_form_post_too_large_for_any_form_is_refused_unread(
    web: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """Page forms were read whole, however large (issue 13): past 1 MiB, declared or chunked, the post is
    refused with a page of its own, and nothing is saved."""
    case_id = await world.open_case()
    await sign_in_as(web, world.id("guardian"))
    csrf = csrf_from((await web.get(f"/cases/{case_id}/contacts/new")).text)
    before = await row_counts(engine)
    huge = f"csrf_token={csrf}&summary=" + "x" * (2 * 1024 * 1024)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    async def chunked() -> AsyncIterator[bytes]:
        for start in range(0, len(huge), 65536):
            yield huge[start : start + 65536].encode()

    for content in (huge.encode(), chunked()):
        response = await web.post(f"/cases/{case_id}/contacts", content=content, headers=headers)
        assert response.status_code == 413
        assert "Your form is too large to send" in response.text
        assert response.headers["connection"] == "close"
    assert await row_counts(engine) == before
