"""Log lines a request leaves (issue 16): each carries the request's correlation id (X-Request-Id, in and
out, and the reference a caller is given to quote), the operation and the person; as JSON, one object a
line; never a client's text beyond its request id."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import httpx
import pytest

from portal import logs
from portal.dashboards import service as dashboards
from tests.support.world import World


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The portal's log lines as the JSON format writes them."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.JsonLines())
    handler.addFilter(logs.InContext())
    logger = logging.getLogger("portal")
    logger.addHandler(handler)
    yield out
    logger.removeHandler(handler)


async def test_a_request_id_comes_back_and_only_a_plain_one_is_taken(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-Id": "lb-7f3a.2"})
    assert response.headers["x-request-id"] == "lb-7f3a.2"
    for forged in ("two words", "x" * 65, "a;b=<c>", ""):
        response = await client.get("/healthz", headers={"X-Request-Id": forged})
        assert response.headers["x-request-id"] != forged
        assert len(response.headers["x-request-id"]) == 32


async def test_a_failure_s_log_line_names_the_request_the_operation_and_the_person(
    client: httpx.AsyncClient, world: World, json_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(dashboards, "table1", broken)
    token = await world.token("cafcass_manager")
    query = {"query": '{ table1(start: "2026-01-01", end: "2026-06-30") { question } }'}
    response = await client.post(
        "/graphql", json=query, headers={"Authorization": f"Bearer {token}", "X-Request-Id": "req-42"}
    )
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL", "correlationId": "req-42"}
    [line] = [json.loads(text) for text in json_lines.getvalue().splitlines()]
    assert line["level"] == "ERROR"
    assert line["request_id"] == "req-42"
    assert line["operation"] == "graphql"
    assert line["person_id"] == str(world.id("cafcass_manager"))
    assert "RuntimeError: a bug" in line["exception"]


def test_the_logging_configuration_writes_json_lines_for_the_portal_and_uvicorn(
    capsys: pytest.CaptureFixture[str],
) -> None:
    saved = {name: logging.getLogger(name).handlers[:] for name in ("portal", "uvicorn", "uvicorn.access")}
    try:
        logging.config.dictConfig(logs.config("json"))
        logging.getLogger("portal.mail").warning("the relay is slow")
        logging.getLogger("uvicorn.error").info("Started server process")
    finally:
        for name, handlers in saved.items():
            logging.getLogger(name).handlers[:] = handlers
            logging.getLogger(name).propagate = True
    lines = [json.loads(text) for text in capsys.readouterr().err.splitlines()]
    assert [(line["logger"], line["message"]) for line in lines] == [
        ("portal.mail", "the relay is slow"),
        ("uvicorn.error", "Started server process"),
    ]
