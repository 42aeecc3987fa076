"""The contact ledger in part (P1): `Case.contacts(first:)` gives the newest entries as the whole ledger has
them (a correction outside them still marks what it corrects), and `Case.contactCounts` counts them all."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support.graphql import error_codes, gql, log_contact
from tests.support.world import World


async def _case(
    client: httpx.AsyncClient, world: World, case_id: uuid.UUID, **variables: Any
) -> dict[str, Any]:
    body = await gql(client, await world.token("guardian"), "CaseView", id=str(case_id), **variables)
    assert body.get("errors") is None, body
    case: dict[str, Any] = body["data"]["case"]
    return case


def _hours_ago(hours: int) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat()


async def test_the_newest_entries_are_as_the_whole_ledger_has_them(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    ids = []
    for hours, who, other in ((1, "guardian", "iro"), (2, "iro", "guardian"), (3, "guardian", "iro")):
        payload = await log_contact(
            client, world, who, other, case_id, occurredAt=_hours_ago(hours), replyExpected=True
        )
        assert payload["errors"] == []
        ids.append(payload["contact"]["id"])
    # The newest entry corrected to an earlier time: the correction is the oldest entry of all.
    correction = await log_contact(
        client, world, "guardian", "iro", case_id, occurredAt=_hours_ago(4), correctsId=ids[0]
    )
    assert correction["errors"] == []

    everything = await _case(client, world, case_id)
    newest = await _case(client, world, case_id, ledgerSize=2)
    assert [c["id"] for c in newest["contacts"]] == ids[:2]
    assert newest["contacts"] == everything["contacts"][:2]
    assert newest["contacts"][0]["correctedById"] == correction["contact"]["id"]
    assert newest["contacts"][0]["awaitingReply"] is False
    # Counted over the whole ledger: four entries; the corrected one is not current.
    expected = {"total": 4, "fromGuardian": 2, "fromIro": 1, "awaitingReply": 2}
    assert newest["contactCounts"] == everything["contactCounts"] == expected
    assert len(everything["contacts"]) == 4


async def test_an_empty_ledger_counts_nothing(client: httpx.AsyncClient, world: World) -> None:
    case = await _case(client, world, await world.open_case(), ledgerSize=20)
    assert case["contacts"] == []
    assert case["contactCounts"] == {"total": 0, "fromGuardian": 0, "fromIro": 0, "awaitingReply": 0}


async def test_the_number_asked_for_is_within_the_cap(client: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    token = await world.token("guardian")
    for size in (0, -1, 10_000):
        body = await gql(client, token, "CaseView", id=str(case_id), ledgerSize=size)
        assert error_codes(body) == ["OUT_OF_RANGE"], size


async def test_an_outsider_counts_nothing_of_a_case_they_cannot_read(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    assert (await log_contact(client, world, "guardian", "iro", case_id))["errors"] == []
    body = await gql(client, await world.token("other_iro"), "CaseView", id=str(case_id), ledgerSize=5)
    assert body["data"]["case"] is None
    assert error_codes(body) == ["NOT_FOUND"]
