"""Your cases: keyset pages, newest issued first, filtered by stage and authority, capped in size."""

from __future__ import annotations

import httpx

from tests.support.graphql import error_codes, gql
from tests.support.world import World


async def test_pages_walk_every_case_once_newest_first(client: httpx.AsyncClient, world: World) -> None:
    for weeks in (3, 8, 1, 12, 5, 8, 20):
        await world.open_case(issued_weeks_ago=weeks)
    token = await world.token("guardian")
    seen: list[dict] = []
    after = None
    while True:
        body = await gql(client, token, "MyCases", first=3, after=after)
        connection = body["data"]["cases"]
        assert connection["totalCount"] == 7
        seen += connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert len(seen) == len({c["id"] for c in seen}) == 7
    issued = [c["issuedOn"] for c in seen]
    assert issued == sorted(issued, reverse=True)


async def test_filters_by_stage_and_authority(client: httpx.AsyncClient, world: World) -> None:
    await world.open_case(case_number="RV1")
    northmoor_case = await world.open_case(case_number="NM1", solicitor="other_solicitor", iro=None)
    await world.assign_iro(northmoor_case, "other_iro", manager="other_iro_manager")
    token = await world.token("guardian")
    everything = (await gql(client, token, "MyCases"))["data"]
    assert {c["caseNumber"] for c in everything["cases"]["nodes"]} == {"RV1", "NM1"}
    northmoor = next(
        a["id"] for a in everything["localAuthorities"] if a["name"] == "Northmoor County Council"
    )
    filtered = (await gql(client, token, "MyCases", localAuthorityId=northmoor))["data"]["cases"]
    assert [c["caseNumber"] for c in filtered["nodes"]] == ["NM1"]
    assert (await gql(client, token, "MyCases", stage="FINAL_HEARING"))["data"]["cases"]["totalCount"] == 0


async def test_page_size_is_capped_and_cursors_are_checked(client: httpx.AsyncClient, world: World) -> None:
    token = await world.token("guardian")
    assert error_codes(await gql(client, token, "MyCases", first=101)) == ["OUT_OF_RANGE"]
    assert error_codes(await gql(client, token, "MyCases", first=0)) == ["OUT_OF_RANGE"]
    assert error_codes(await gql(client, token, "MyCases", after="not-a-cursor")) == ["INVALID_VALUE"]
