"""Running the named operations in graphql/operations/ over HTTP, as the API's clients do."""

from __future__ import annotations

from typing import Any

import httpx

from portal.web.operations import load_operations

OPERATIONS = load_operations()


async def gql(client: httpx.AsyncClient, token: str | None, name: str, **variables: Any) -> dict[str, Any]:
    """POST the named operation; return the whole response body (data and errors)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql",
        json={"query": OPERATIONS[name], "operationName": name, "variables": variables},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


def payload_codes(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]
