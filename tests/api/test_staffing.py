"""The managers' staffing queries: allocationQueue (a Cafcass manager's cases waiting for a guardian, P2 and
P3 running from the allocation), assignmentQueue (an IRO manager's cases with a looked-after child waiting
for an IRO) and guardianCaseloads. Nobody sees a case because of their role alone (PROTOCOL.md §6): to
anyone else a queue answers exactly as it would if the case did not exist."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from models import LegalStatus
from portal.auth.tokens import create_token
from tests.support.graphql import error_codes, gql
from tests.support.world import World

ICO = LegalStatus.INTERIM_CARE_ORDER


def _numbers(body: dict[str, Any], alias: str) -> list[str]:
    return [c["caseNumber"] for c in body["data"][alias]["nodes"]]


async def test_the_allocation_queue_is_the_cafcass_manager_in_scopes_alone(
    client: httpx.AsyncClient, world: World
) -> None:
    """A guardian, an IRO, an IRO manager and a Cafcass manager of another area get what they would get if
    the case did not exist."""
    before = {
        who: await gql(client, await world.token(who), "AllocationQueue")
        for who in ("guardian", "iro", "iro_manager", "other_cafcass_manager")
    }
    await world.open_case(case_number="RVWAITS", guardian=None)
    await world.open_case(case_number="RVHAS")
    answer = await gql(client, await world.token("cafcass_manager"), "AllocationQueue")
    assert _numbers(answer, "waiting") == ["RVWAITS"]
    assert _numbers(answer, "allocated") == ["RVHAS"]
    assert answer["data"]["waiting"]["totalCount"] == 1
    for who, empty in before.items():
        after = await gql(client, await world.token(who), "AllocationQueue")
        assert after == empty, who
        assert _numbers(after, "waiting") == _numbers(after, "allocated") == [], who


async def test_the_queue_waits_on_every_child_and_leaves_concluded_proceedings_out(
    client: httpx.AsyncClient, world: World
) -> None:
    half = await world.open_case([("Amy", ICO), ("Ben", ICO)], case_number="RVHALF", guardian=None)
    done = await world.open_case(case_number="RVDONE", guardian=None)
    token = await world.token("cafcass_manager")
    body = await gql(client, token, "CaseView", id=str(half))
    amy = body["data"]["case"]["children"][0]["id"]
    allocated = await gql(
        client,
        token,
        "AllocateGuardian",
        input={"caseId": str(half), "personId": str(world.id("guardian")), "childIds": [amy]},
    )
    assert allocated["data"]["allocateGuardian"]["errors"] == []
    solicitor = await world.token("solicitor")
    orders = await gql(
        client,
        solicitor,
        "RecordFinalOrders",
        input={
            "caseId": str(done),
            "madeOn": date.today().isoformat(),
            "orders": [
                {"childId": c["id"], "order": "CARE_ORDER"}
                for c in (await gql(client, solicitor, "CaseView", id=str(done)))["data"]["case"]["children"]
            ],
        },
    )
    assert orders["data"]["recordFinalOrders"]["errors"] == []
    answer = await gql(client, token, "AllocationQueue")
    # Ben still has no guardian; concluded proceedings take no new guardian.
    assert _numbers(answer, "waiting") == ["RVHALF"]
    assert "RVDONE" not in _numbers(answer, "allocated")


async def test_the_queue_pages_the_longest_waiting_first(client: httpx.AsyncClient, world: World) -> None:
    for weeks in (3, 9, 6):
        await world.open_case(case_number=f"RV{weeks}", issued_weeks_ago=weeks, guardian=None)
    token = await world.token("cafcass_manager")
    seen, after = [], None
    while True:
        page = await gql(client, token, "AllocationQueue", first=1, waitingAfter=after)
        seen += _numbers(page, "waiting")
        info = page["data"]["waiting"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert seen == ["RV9", "RV6", "RV3"]
    bad = await gql(client, token, "AllocationQueue", waitingAfter="not a cursor")
    assert error_codes(bad) == ["INVALID_VALUE"]


async def test_a_token_without_guardian_allocate_lists_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    await world.open_case(case_number="RVWAITS", guardian=None)
    async with world.sessions() as session, session.begin():
        _, secret = await create_token(
            session, None, world.id("cafcass_manager"), label="read only", scopes=["case:read"]
        )
    answer = await gql(client, secret, "AllocationQueue")
    assert _numbers(answer, "waiting") == []


async def test_the_assignment_queue_is_the_iro_manager_in_scopes_alone(
    client: httpx.AsyncClient, world: World
) -> None:
    before = {
        who: await gql(client, await world.token(who), "AssignmentQueue")
        for who in ("iro", "guardian", "cafcass_manager", "other_iro_manager")
    }
    await world.open_case(case_number="RVNOIRO", iro=None)
    await world.open_case(case_number="RVIRO")
    await world.open_case([("Di", LegalStatus.INTERIM_SUPERVISION_ORDER)], case_number="RVHOME")
    answer = await gql(client, await world.token("iro_manager"), "AssignmentQueue")
    assert _numbers(answer, "waiting") == ["RVNOIRO"]
    assert sorted(_numbers(answer, "assigned")) == ["RVHOME", "RVIRO"]
    for who, empty in before.items():
        assert await gql(client, await world.token(who), "AssignmentQueue") == empty, who


async def test_guardian_caseloads_are_the_cafcass_managers(client: httpx.AsyncClient, world: World) -> None:
    await world.open_case([("Amy", ICO), ("Ben", ICO)])
    await world.open_case()
    answer = await gql(client, await world.token("cafcass_manager"), "GuardianCaseloads")
    loads = {load["name"]: (load["cases"], load["children"]) for load in answer["data"]["guardianCaseloads"]}
    assert loads == {"Gareth Second": (0, 0), "Gina Guardian": (2, 3)}
    elsewhere = await gql(client, await world.token("other_cafcass_manager"), "GuardianCaseloads")
    assert [load["name"] for load in elsewhere["data"]["guardianCaseloads"]] == ["Olga Elsewhere"]
    assert (await gql(client, await world.token("iro_manager"), "GuardianCaseloads"))["data"] == {
        "guardianCaseloads": []
    }
    for who in ("guardian", "iro", "solicitor"):
        refused = await gql(client, await world.token(who), "GuardianCaseloads")
        assert error_codes(refused) == ["NOT_PERMITTED"], who
