"""The GraphQL-over-HTTP specification's server audit (the graphql-http suite's items, MUST and SHOULD),
rewritten here against /graphql with a token, so that the transport keeps passing it (issue 13)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.world import World

RESPONSE = "application/graphql-response+json"
JSON = "application/json"
TYPENAME = {"query": "{ __typename }"}
INVALID = [{"obj": "ect"}, 0, False, ["array"]]


@dataclass(frozen=True)
class Audit:
    name: str
    body: Any = None  # JSON-encoded unless bytes; None: no body
    accept: str | None = JSON
    content_type: str | None = JSON
    method: str = "POST"
    params: dict[str, str] = field(default_factory=dict)
    status: int | tuple[int, int] = 200
    media: str | None = None  # the response's content type must contain this
    errors: bool | None = None  # the body must (True) or must not (False) have errors
    no_data: bool = False


AUDITS = [
    Audit("accept graphql-response+json", TYPENAME, accept=RESPONSE, media=RESPONSE, errors=False),
    Audit("accept application/json", TYPENAME, media=JSON, errors=False),
    Audit("accept */*: application/json", TYPENAME, accept="*/*", media=JSON),
    Audit("no accept on GET: application/json", method="GET", accept=None, params=TYPENAME, media=JSON),
    Audit("utf-8 request", TYPENAME, content_type="application/json; charset=utf-8"),
    Audit("GET", method="GET", params=TYPENAME, errors=False),
    Audit(
        "no mutation on GET",
        method="GET",
        params={"query": "mutation { __typename }"},
        accept=RESPONSE,
        status=(400, 499),
    ),
    Audit("no content-type on POST", content_type=None, status=(400, 499)),
    Audit("POST needs a body", errors=True),
    Audit("missing query (response+json)", {"notquery": "{ __typename }"}, accept=RESPONSE, status=400),
    Audit("missing query (json)", {"notquery": "{ __typename }"}, errors=True),
    *(Audit(f"{v!r} query (response+json)", {"query": v}, accept=RESPONSE, status=400) for v in INVALID),
    *(Audit(f"{v!r} query (json)", {"query": v}, errors=True) for v in INVALID),
    *(
        Audit(
            f"{v!r} operationName (response+json)",
            {**TYPENAME, "operationName": v},
            accept=RESPONSE,
            status=400,
        )
        for v in INVALID
    ),
    *(Audit(f"{v!r} operationName (json)", {**TYPENAME, "operationName": v}, errors=True) for v in INVALID),
    Audit("string operationName", {"query": "query Q { __typename }", "operationName": "Q"}, errors=False),
    *(
        Audit(f"null {p}", {**TYPENAME, p: None}, accept=a, errors=False)
        for p in ("variables", "operationName", "extensions")
        for a in (RESPONSE, JSON)
    ),
    *(
        Audit(f"{v!r} {p} (response+json)", {**TYPENAME, p: v}, accept=RESPONSE, status=400)
        for p in ("variables", "extensions")
        for v in ["string", 0, False, ["array"]]
    ),
    *(
        Audit(f"{v!r} {p} (json)", {**TYPENAME, p: v}, errors=True)
        for p in ("variables", "extensions")
        for v in ["string", 0, False, ["array"]]
    ),
    Audit(
        "map variables",
        {"query": "query T($n: String!) { __type(name: $n) { name } }", "variables": {"n": "Case"}},
        errors=False,
    ),
    Audit(
        "URL-encoded variables on GET",
        method="GET",
        params={
            "query": "query T($n: String!) { __type(name: $n) { name } }",
            "variables": json.dumps({"n": "Case"}),
        },
        errors=False,
    ),
    Audit("map extensions", {**TYPENAME, "extensions": {"some": "value"}}, errors=False),
    Audit("JSON parsing failure (json)", b'{ "not a JSON', status=200, errors=True),
    Audit("invalid parameters (json)", {"qeury": "{ __typename }"}, status=200),
    Audit("document parsing failure (json)", {"query": "{"}, status=200, errors=True),
    Audit(
        "document validation failure (json)", {"query": "{ 8f31403dfe404bccbb0e835f2629c6a7 }"}, status=200
    ),
    Audit("JSON parsing failure (response+json)", b'{ "not a JSON', accept=RESPONSE, status=400),
    Audit(
        "invalid parameters (response+json)",
        {"qeury": "{ __typename }"},
        accept=RESPONSE,
        status=400,
        no_data=True,
    ),
    Audit(
        "document parsing failure (response+json)", {"query": "{"}, accept=RESPONSE, status=400, no_data=True
    ),
    Audit(
        "document validation failure (response+json)",
        {"query": "{ 8f31403dfe404bccbb0e835f2629c6a7 }"},
        accept=RESPONSE,
        status=400,
        no_data=True,
    ),
]


async def test_graphql_over_http_audit(client: httpx.AsyncClient, world: World) -> None:
    """Every item in one test (one world, one token): the failures are listed together."""
    token = await world.token("guardian")
    failed = [f"{audit.name}: {problem}" for audit in AUDITS if (problem := await _run(client, token, audit))]
    assert failed == []


async def _run(client: httpx.AsyncClient, token: str, audit: Audit) -> str | None:
    headers = {"Authorization": f"Bearer {token}"}
    if audit.accept:
        headers["Accept"] = audit.accept
    if audit.content_type and audit.method == "POST":
        headers["Content-Type"] = audit.content_type
    content = audit.body if isinstance(audit.body, bytes) or audit.body is None else json.dumps(audit.body)
    response = await client.request(
        audit.method, "/graphql", headers=headers, params=audit.params, content=content
    )
    low, high = audit.status if isinstance(audit.status, tuple) else (audit.status, audit.status)
    if not low <= response.status_code <= high:
        return f"status {response.status_code}"
    body = response.json()  # whatever happened, the answer is JSON in UTF-8 ...
    if not all(e["extensions"]["code"] for e in body.get("errors", [])):
        return "an error without a code"  # ... and any error carries a stable code
    if audit.media and audit.media not in response.headers["content-type"]:
        return f"content type {response.headers['content-type']}"
    if audit.errors is not None and ("errors" in body) is not audit.errors:
        return f"errors {body.get('errors')}"
    if audit.no_data and "data" in body:
        return "a data entry"
    return None
