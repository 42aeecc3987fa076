"""A case's access log: who looked and what they did, for the managers whose scope covers the case."""

from __future__ import annotations

import httpx

from tests.support.graphql import error_codes, gql, log_contact
from tests.support.world import World


async def test_a_manager_in_scope_sees_who_looked_newest_first(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    await gql(client, await world.token("iro"), "CaseView", id=str(case_id))
    await log_contact(client, world, "guardian", "iro", case_id)
    await gql(client, await world.token("guardian2"), "CaseView", id=str(case_id))  # refused: not theirs
    log = (await gql(client, await world.token("cafcass_manager"), "AccessLog", id=str(case_id)))["data"]
    events = log["case"]["accessLog"]["nodes"]
    assert [(e["action"], e["person"]["name"], e["outcome"]) for e in events[:3]] == [
        ("refused:case:read", "Gareth Second", "REFUSED"),
        ("contact.log", "Gina Guardian", "SUCCESS"),
        ("case.view", "Ivan Reviewer", "SUCCESS"),
    ]
    assert events[0]["channel"] == "api"
    # Reading the log is itself recorded, for the next reader.
    again = await gql(client, await world.token("iro_manager"), "AccessLog", id=str(case_id), first=1)
    page = again["data"]["case"]["accessLog"]
    assert page["nodes"][0]["action"] == "case.access_log"
    assert page["nodes"][0]["person"]["name"] == "Carla Manager"
    assert page["pageInfo"]["hasNextPage"] is True


async def test_members_and_outsiders_get_not_found(client: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    for who in ("guardian", "iro", "solicitor", "other_cafcass_manager"):
        body = await gql(client, await world.token(who), "AccessLog", id=str(case_id))
        assert error_codes(body) == ["NOT_FOUND"], who
