"""Running the named operations in graphql/operations/ over HTTP, as the API's clients do."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx

from portal import clock
from portal.api.documents import load_operations
from tests.support.world import World

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


def a_moment_ago() -> datetime:
    """An hour ago, but never before today's midnight in England: a contact "an hour ago" just after
    midnight would fall on the day before the case's allocation."""
    midnight = clock.london_datetime(clock.today(), time(0))
    return max(datetime.now(UTC) - timedelta(hours=1), midnight.astimezone(UTC) + timedelta(seconds=1))


def contact_input(world: World, case_id: uuid.UUID, counterpart: str, **changes: Any) -> dict[str, Any]:
    """A valid LogContactInput for a contact made an hour ago, with ``changes`` applied."""
    return {
        "caseId": str(case_id),
        "counterpartId": str(world.id(counterpart)),
        "direction": "OUTGOING",
        "occurredAt": a_moment_ago().isoformat(),
        "channel": "PHONE",
        "purpose": "COURT_UPDATE",
        "summary": "Told the IRO the final hearing is listed for next month.",
        **changes,
    }


async def log_contact(
    client: httpx.AsyncClient, world: World, who: str, counterpart: str, case_id: uuid.UUID, **changes: Any
) -> dict[str, Any]:
    """Log a contact as ``who`` with ``counterpart``; return the LogContact payload."""
    input = contact_input(world, case_id, counterpart, **changes)
    return (await gql(client, await world.token(who), "LogContact", input=input))["data"]["logContact"]
