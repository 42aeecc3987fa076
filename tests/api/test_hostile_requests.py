"""Hostile and careless requests to /graphql get a cheap, clear refusal in JSON with a stable code, and
nothing is stored (issue 13). Each test sends the input the outside testers sent."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from graphql import OperationDefinitionNode, parse
from portal.api.documents import Documents, Rules, documents_for, load_operations
from portal.api.limits import Limits, Measure, _Meter, exceeded
from portal.api.schema import schema
from portal.app import create_app
from portal.settings import Environment, Settings
from tests.support.graphql import OPERATIONS, contact_input
from tests.support.queries import row_counts
from tests.support.world import World


def fragment_doubling(levels: int) -> str:
    """Twenty-odd fragments that each spread the next one twice: 2**levels fields, in under a kilobyte."""
    fragments = " ".join(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(levels))
    return f"query {{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


def code(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith(
        ("application/json", "application/graphql-response+json")
    )
    errors = response.json()["errors"]
    return str(errors[0]["extensions"]["code"])


async def post(client: httpx.AsyncClient, token: str | None, body: Any, **headers: str) -> httpx.Response:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return await client.post("/graphql", json=body, headers=headers)


@pytest.mark.parametrize("levels", [20, 25, 30])
async def test_fragment_doubling_is_refused_before_it_runs(
    client: httpx.AsyncClient, world: World, levels: int
) -> None:
    """The 840-byte query that took 4.7 s of CPU at 20 levels: refused by the cost limit, POST or GET."""
    token = await world.token("guardian")
    query = fragment_doubling(levels)
    response = await post(client, token, {"query": query})
    assert response.status_code == 200
    assert code(response) == "QUERY_TOO_COSTLY"
    assert "data" not in response.json()
    response = await client.get(
        "/graphql", params={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )
    assert code(response) == "QUERY_TOO_COSTLY"


def test_fragments_are_measured_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Linear in the document: 200 levels of doubling (2**200 paths, past the limit on fragments, which
    this measures without) take one measurement per fragment."""
    measured: list[object] = []
    selection = _Meter.selection

    def counting(self: _Meter, *args: Any) -> Measure:
        measured.append(args[0])
        return selection(self, *args)

    monkeypatch.setattr(_Meter, "selection", counting)
    document = parse(fragment_doubling(200), max_tokens=100_000)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    root = schema._schema.query_type
    assert root is not None
    measure = _Meter(document, schema._schema, Limits()).selection(operation.selection_set, root)
    assert measure.cost > Limits().max_cost
    assert len(measured) == 202  # the operation's selection and each fragment's, once


def test_every_trusted_document_is_within_the_limits() -> None:
    """The pages' own documents pass the limits their users' API clients are held to."""
    limits = Limits()
    for name, text in load_operations().items():
        assert exceeded(parse(text), schema._schema, limits) is None, name


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            '{ case(id: "x") { ' + "members { person { cases { nodes { " * 4 + "id" + " } } } }" * 4 + " } }",
            "QUERY_TOO_DEEP",
        ),
        ("{ " + " ".join(f"a{n}: me {{ id }}" for n in range(31)) + " }", "TOO_MANY_ALIASES"),
        (
            "{ cases(first: 100) { nodes { children { legalStatusHistory { status } } members { person { id "
            "organisation { name } } children { id legalStatusHistory { status } } } } } }",
            "QUERY_TOO_COSTLY",
        ),
        ("{ " + "me { id } " * 1500 + "}", "GRAPHQL_PARSE_FAILED"),
        ("{ me { id }", "GRAPHQL_PARSE_FAILED"),
        ("{ me { nope } }", "GRAPHQL_VALIDATION_FAILED"),
        # 300 copies of `me { id }` took 0.6 s to validate (every pair is compared): refused first.
        ("{ " + "me { id } " * 300 + "}", "QUERY_TOO_COSTLY"),
        # So did 150 fragments spread together.
        (
            "query { "
            + " ".join(f"...F{n}" for n in range(150))
            + " } "
            + " ".join(f"fragment F{n} on Query {{ me {{ id }} }}" for n in range(150)),
            "QUERY_TOO_COSTLY",
        ),
    ],
    ids=["deep", "aliases", "costly", "tokens", "syntax", "invalid", "repeated", "fragments"],
)
async def test_documents_beyond_the_limits_are_refused_with_the_limit_named(
    client: httpx.AsyncClient, world: World, query: str, expected: str
) -> None:
    response = await post(client, await world.token("guardian"), {"query": query})
    assert code(response) == expected
    assert "data" not in response.json()
    # GraphQL over HTTP's own media type gives a request error its 400.
    response = await post(
        client, await world.token("guardian"), {"query": query}, Accept="application/graphql-response+json"
    )
    assert response.status_code == 400
    assert code(response) == expected


async def test_nested_introspection_is_refused(client: httpx.AsyncClient, world: World) -> None:
    """1.35 KB of nested __schema cost 2.4 s of CPU and returned 5.3 MB."""
    nested = "{__schema{types{fields{type{fields{type{fields{type{fields{name}}}}}}}}}}"
    response = await post(client, await world.token("guardian"), {"query": nested})
    assert code(response) == "QUERY_TOO_COSTLY"


async def test_unauthenticated_requests_get_an_authentication_error_and_nothing_else(
    client: httpx.AsyncClient,
) -> None:
    """No introspection, no suggestions, no validation: nothing about the schema before a token."""
    for body in (
        {"query": "{ __schema { types { name } } }"},
        {"query": "{ mee { id } }"},
        {"query": fragment_doubling(30)},
        {"query": "query($d: Date!) { adherence(start: $d, end: $d) { code } }", "variables": {"d": "x"}},
    ):
        for token in (None, "not-a-token"):
            response = await post(client, token, body)
            assert response.status_code == 401
            assert code(response) == "UNAUTHENTICATED"
            assert "Did you mean" not in response.text
            assert "data" not in response.json()
            assert response.headers["www-authenticate"].startswith("Bearer")


async def test_introspection_is_a_setting_off_in_production(
    settings: Settings, engine: AsyncEngine, world: World
) -> None:
    production = settings.model_copy(
        update={"environment": Environment.PRODUCTION, "graphql_introspection": False, "secret_key": "s" * 40}
    )
    token = await world.token("guardian")
    case_id = await world.open_case()
    cases = [(production, False), (settings.model_copy(update={"graphql_introspection": True}), True)]
    cases.append((production.model_copy(update={"graphql_introspection": True}), True))
    for configured, open_ in cases:
        async with _client(configured, engine) as client:
            response = await post(client, token, {"query": "{ __schema { queryType { name } } }"})
            assert ("errors" not in response.json()) is open_
            if not open_:
                assert code(response) == "GRAPHQL_VALIDATION_FAILED"
            response = await post(client, token, {"query": "{ mee { id } }"})
            assert ("Did you mean" in response.text) is open_
            bad = {"input": {**contact_input(world, case_id, "iro"), "channel": "PHON"}}
            response = await post(client, token, {"query": OPERATIONS["LogContact"], "variables": bad})
            assert code(response) == "BAD_USER_INPUT"
            assert ("Did you mean" in response.text) is open_


@asynccontextmanager
async def _client(settings: Settings, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, engine=engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test") as c:
        yield c


@pytest.fixture
def log_records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="portal")
    return caplog


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"input": {"channel": "PIGEON"}}, "input.channel"),
        ({"input": {"occurredAt": "yesterday"}}, "input.occurredAt"),
        ({"input": None}, "input"),
        ({}, "input"),
        ({"input": {"summary": "Missing everything else"}}, "input"),
    ],
    ids=["bad-enum", "bad-date", "null-for-non-null", "missing-variable", "missing-fields"],
)
async def test_a_mistake_in_variables_is_bad_user_input(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    log_records: pytest.LogCaptureFixture,
    variables: dict[str, Any],
    field: str,
) -> None:
    """Reported as INTERNAL and logged at ERROR with a traceback before: now the caller's mistake, at INFO."""
    case_id = await world.open_case()
    token = await world.token("guardian")
    full = contact_input(world, case_id, "iro")
    if variables.get("input"):
        variables = (
            {"input": {**full, **variables["input"]}} if "summary" not in variables["input"] else variables
        )
    before = await row_counts(engine)
    body = {"query": OPERATIONS["LogContact"], "operationName": "LogContact", "variables": variables}
    response = await post(client, token, body)
    assert response.status_code == 200
    assert code(response) == "BAD_USER_INPUT"
    assert response.json()["errors"][0]["extensions"]["field"] == field
    assert await row_counts(engine) == before
    assert not [r for r in log_records.records if r.levelno >= logging.WARNING]
    assert not [r for r in log_records.records if r.exc_info]


async def test_an_out_of_range_int_is_bad_user_input(client: httpx.AsyncClient, world: World) -> None:
    body = {"query": "query($n: Int) { cases(first: $n) { nodes { id } } }", "variables": {"n": 2**40}}
    response = await post(client, await world.token("guardian"), body)
    assert code(response) == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"[" * 1000 + b"]" * 1000, "JSON_TOO_DEEP"),
        (
            json.dumps(
                {"query": "{ me { id } }", "variables": {"v": json.loads("[" * 40 + "]" * 40)}}
            ).encode(),
            "JSON_TOO_DEEP",
        ),
        (b"{not json", "BAD_REQUEST"),
        (b"\xff\xfe", "BAD_REQUEST"),
        (b"[]", "BAD_REQUEST"),
        (b'{"query": 7}', "BAD_REQUEST"),
        (b'{"query": "{ me { id } }", "variables": [1]}', "BAD_REQUEST"),
        (b'{"query": "{ me { id } }", "operationName": 3}', "BAD_REQUEST"),
        (b'{"documentId": "NoSuchOperation"}', "DOCUMENT_NOT_FOUND"),
    ],
    ids=[
        "deep-json",
        "deep-variables",
        "malformed",
        "not-utf8",
        "array",
        "query-not-string",
        "variables-array",
        "name-not-string",
        "unknown-document",
    ],
)
async def test_malformed_bodies_are_refused_in_json(
    client: httpx.AsyncClient, world: World, content: bytes, expected: str
) -> None:
    """400 under GraphQL over HTTP's media type; plain JSON answers request errors with 200, as that
    specification (and its audit suite) asks. Either way a JSON body with the code, and no data."""
    token = await world.token("guardian")
    for accept, status in (("application/graphql-response+json", 400), ("application/json", 200)):
        response = await client.post(
            "/graphql",
            content=content,
            headers={
                "Content-Type": "application/json",
                "Accept": accept,
                "Authorization": f"Bearer {token}",
            },
        )
        assert response.status_code == status
        assert code(response) == expected
        assert "data" not in response.json()


async def test_a_body_over_the_limit_is_refused_while_it_arrives(
    client: httpx.AsyncClient, world: World, settings: Settings
) -> None:
    """No body-size limit let a 200 MB POST take the server from 196 MB to 743 MB."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {await world.token('guardian')}"}
    limit = settings.graphql_max_body_bytes
    big = b'{"query": "' + b" " * limit + b'{ me { id } }"}'
    response = await client.post("/graphql", content=big, headers=headers)
    assert response.status_code == 413
    assert code(response) == "REQUEST_TOO_LARGE"
    # The rest is not read and thrown away: the connection closes instead.
    assert response.headers["connection"] == "close"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
        yield b'{"query": "'
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536
        yield b'{ me { id } }"}'

    response = await client.post("/graphql", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert code(response) == "REQUEST_TOO_LARGE"


async def test_http_refusals_are_json_with_a_code(client: httpx.AsyncClient, world: World) -> None:
    token = await world.token("guardian")
    auth = {"Authorization": f"Bearer {token}"}
    for method in ("PUT", "DELETE", "PATCH"):
        response = await client.request(method, "/graphql", headers=auth)
        assert response.status_code == 405
        assert code(response) == "METHOD_NOT_ALLOWED"
        assert response.headers["allow"] == "GET, POST"
    for content_type in (
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
        "",
    ):
        response = await client.post(
            "/graphql", content=b'{"query": "{ me { id } }"}', headers={**auth, "Content-Type": content_type}
        )
        assert response.status_code == 415
        assert code(response) == "UNSUPPORTED_MEDIA_TYPE"
    response = await client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={**auth, "Accept": "text/html"}
    )
    assert response.status_code == 406
    assert code(response) == "NOT_ACCEPTABLE"


async def test_media_types_are_compared_case_insensitively(client: httpx.AsyncClient, world: World) -> None:
    for content_type in (
        "Application/JSON",
        "application/json; charset=UTF-8",
        "APPLICATION/JSON;CHARSET=utf-8",
    ):
        response = await client.post(
            "/graphql",
            content=b'{"query": "{ me { id } }"}',
            headers={
                "Content-Type": content_type,
                "Authorization": f"Bearer {await world.token('guardian')}",
            },
        )
        assert response.status_code == 200, content_type
        assert response.json()["data"]["me"]["id"] == str(world.id("guardian"))


async def test_graphql_response_json_is_served_when_asked_for(
    client: httpx.AsyncClient, world: World
) -> None:
    token = await world.token("guardian")
    for accept, media in (
        ("application/graphql-response+json", "application/graphql-response+json"),
        ("application/graphql-response+json, application/json;q=0.9", "application/graphql-response+json"),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("application/json, application/graphql-response+json;q=0.5", "application/json"),
    ):
        response = await post(client, token, {"query": "{ me { id } }"}, Accept=accept)
        assert response.status_code == 200, accept
        assert response.headers["content-type"].startswith(media), accept
        assert response.json()["data"]["me"]["id"] == str(world.id("guardian"))
    # A variable that does not fit is a request error: 400 under the GraphQL media type, no data entry.
    body = {"query": "query($n: Int) { cases(first: $n) { nodes { id } } }", "variables": {"n": "many"}}
    response = await post(client, token, body, Accept="application/graphql-response+json")
    assert response.status_code == 400
    assert code(response) == "BAD_USER_INPUT"
    assert "data" not in response.json()


async def test_trusted_documents_by_name_or_hash(client: httpx.AsyncClient, world: World) -> None:
    token = await world.token("guardian")
    digest = "sha256:" + hashlib.sha256(OPERATIONS["Me"].encode()).hexdigest()
    for document_id in ("Me", digest, digest.upper().replace("SHA256", "sha256")):
        response = await post(client, token, {"documentId": document_id})
        assert response.json()["data"]["me"]["id"] == str(world.id("guardian")), document_id
    response = await client.get(
        "/graphql", params={"documentId": "Me"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.json()["data"]["me"]["id"] == str(world.id("guardian"))


def test_documents_are_prepared_once(settings: Settings) -> None:
    """The pages' documents are parsed and validated when the portal starts; a client's document once for
    all the requests that send it."""
    documents = documents_for(settings)
    assert documents.prepare(OPERATIONS["CaseView"]) is documents.prepare(OPERATIONS["CaseView"])
    query = "{ me { id } }"
    assert documents.prepare(query) is documents.prepare(query)
    assert Rules(Limits(), introspection=False) != Rules(Limits(), introspection=True)


async def test_a_fault_of_the_portals_own_is_json_too(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Even the portal's own bug before the operation runs answers in JSON, with a reference to quote."""
    token = await world.token("guardian")

    def broken(self: object, query: str) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Documents, "prepare", broken)
    response = await post(client, token, {"query": "{ me { id } }"})
    assert response.status_code == 500
    assert code(response) == "INTERNAL"
    reference = response.json()["errors"][0]["extensions"]["correlationId"]
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)
