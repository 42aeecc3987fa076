"""Every operation's SQL statement count is bounded and does not grow with the data (no N+1)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from models import LegalStatus
from tests.support.graphql import gql, log_contact
from tests.support.queries import QueryCounter
from tests.support.world import World

# Per request: the token (1) and its use (1), the actor (3), then the operation's own statements.
CASE_VIEW_BOUND = 16
MY_CASES_BOUND = 14


async def _contacts(
    client: httpx.AsyncClient, world: World, case_id: uuid.UUID, count: int, iro: str = "iro"
) -> None:
    for n in range(count):
        who, other = ("guardian", iro) if n % 2 else (iro, "guardian")
        occurred = (datetime.now(UTC) - timedelta(hours=n + 1)).isoformat()
        payload = await log_contact(
            client,
            world,
            who,
            other,
            case_id,
            occurredAt=occurred,
            summary=f"Update {n}",
            replyExpected=n % 3 == 0,
        )
        assert payload["errors"] == []


async def _count(
    counter: QueryCounter, client: httpx.AsyncClient, token: str, name: str, **variables: object
) -> int:
    with counter() as statements:
        body = await gql(client, token, name, **variables)
    assert "errors" not in body, body
    return len(statements)


async def test_the_case_view_does_not_grow_with_children_members_or_contacts(
    client: httpx.AsyncClient, world: World, count_queries: QueryCounter
) -> None:
    small = await world.open_case()
    await _contacts(client, world, small, 1)
    large = await world.open_case(
        [(name, LegalStatus.INTERIM_CARE_ORDER) for name in ("A", "B", "C", "D")]
        + [("E", LegalStatus.INTERIM_SUPERVISION_ORDER)]
    )
    await world.allocate(large, "guardian2", reason="Reallocated")
    await world.assign_iro(large, "iro2", reason="Reallocated")
    await world.allocate(large, "guardian", reason="Back from leave")
    await _contacts(client, world, large, 25, iro="iro2")

    token = await world.token("guardian")
    small_count = await _count(count_queries, client, token, "CaseView", id=str(small))
    large_count = await _count(count_queries, client, token, "CaseView", id=str(large))
    assert small_count == large_count <= CASE_VIEW_BOUND


async def test_your_cases_does_not_grow_with_the_number_of_cases(
    client: httpx.AsyncClient, world: World, count_queries: QueryCounter
) -> None:
    token = await world.token("guardian")
    await world.open_case()
    few = await _count(count_queries, client, token, "MyCases")
    for _ in range(8):
        await world.open_case([("A", LegalStatus.INTERIM_CARE_ORDER), ("B", LegalStatus.SECTION_20)])
    many = await _count(count_queries, client, token, "MyCases")
    assert few == many <= MY_CASES_BOUND


async def test_every_mutation_is_bounded(
    client: httpx.AsyncClient, world: World, count_queries: QueryCounter
) -> None:
    case_id = await world.open_case(
        [("A", LegalStatus.INTERIM_CARE_ORDER), ("B", LegalStatus.INTERIM_CARE_ORDER)], guardian=None
    )
    manager = await world.token("cafcass_manager")
    allocate = await _count(
        count_queries,
        client,
        manager,
        "AllocateGuardian",
        input={"caseId": str(case_id), "personId": str(world.id("guardian"))},
    )
    guardian = await world.token("guardian")
    log = await _count(
        count_queries,
        client,
        guardian,
        "LogContact",
        input={
            "caseId": str(case_id),
            "counterpartId": str(world.id("iro")),
            "direction": "OUTGOING",
            "occurredAt": datetime.now(UTC).isoformat(),
            "channel": "EMAIL",
            "purpose": "INTRODUCTION",
            "summary": "Hello",
            "replyExpected": True,
        },
    )
    assert allocate <= 20
    assert log <= 14
