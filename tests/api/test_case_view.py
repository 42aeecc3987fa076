"""The shared case view (P1): one record that the guardian, the IRO and the LA solicitor all see, and that
nobody else can tell exists."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx
import pytest

from models import LegalStatus
from tests.support.graphql import OPERATIONS, error_codes, gql, log_contact
from tests.support.world import World


async def test_guardian_iro_and_solicitor_see_the_same_ledger(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    first = await log_contact(
        client,
        world,
        "guardian",
        "iro",
        case_id,
        purpose="INTRODUCTION",
        summary="Introduced myself and shared my details (P2).",
    )
    second = await log_contact(
        client, world, "iro", "guardian", case_id, summary="Told the guardian the review is on Friday."
    )
    assert first["errors"] == []
    assert second["errors"] == []

    ledgers = {}
    for who in ("guardian", "iro", "solicitor"):
        body = await gql(client, await world.token(who), "CaseView", id=str(case_id))
        assert "errors" not in body
        ledgers[who] = body["data"]["case"]["contacts"]
    assert ledgers["guardian"] == ledgers["iro"] == ledgers["solicitor"]
    # Newest first, each side credited with the contacts it made.
    assert [c["initiatedBy"] for c in ledgers["iro"]] == ["IRO", "GUARDIAN"]
    assert ledgers["iro"][1]["fromPerson"]["name"] == "Gina Guardian"
    assert ledgers["iro"][1]["toPerson"]["name"] == "Ivan Reviewer"


@pytest.mark.parametrize(
    "outsider",
    [
        "guardian2",
        "other_iro",
        "other_cafcass_manager",
        "other_iro_manager",
        "other_solicitor",
        "admin",
        "social_worker",
    ],
)
async def test_an_outsider_gets_exactly_the_answer_for_a_missing_case(
    client: httpx.AsyncClient, world: World, outsider: str
) -> None:
    case_id = await world.open_case()
    token = await world.token(outsider)
    forbidden = await gql(client, token, "CaseView", id=str(case_id))
    missing = await gql(client, token, "CaseView", id=str(uuid.uuid4()))
    assert forbidden == missing
    assert error_codes(missing) == ["NOT_FOUND"]
    assert forbidden["data"] == {"case": None}


async def test_a_member_whose_role_ended_loses_access(client: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    await world.allocate(case_id, "guardian2", reason="Guardian on long-term leave")
    body = await gql(client, await world.token("guardian"), "CaseView", id=str(case_id))
    assert error_codes(body) == ["NOT_FOUND"]
    view = await gql(client, await world.token("guardian2"), "CaseView", id=str(case_id))
    members = view["data"]["case"]["members"]
    ended = [m for m in members if m["person"]["name"] == "Gina Guardian"]
    assert ended
    assert ended[0]["endedAt"]
    assert ended[0]["endReason"] == "Guardian on long-term leave"


async def test_managers_see_the_cases_in_their_scope(client: httpx.AsyncClient, world: World) -> None:
    ours = await world.open_case(case_number="RV1")
    theirs = await world.open_case(
        case_number="NM1", solicitor="other_solicitor", court="other_court", guardian=None, iro=None
    )
    for manager, visible in (
        ("cafcass_manager", {ours}),
        ("other_cafcass_manager", {theirs}),
        ("iro_manager", {ours}),
        ("other_iro_manager", {theirs}),
    ):
        body = await gql(client, await world.token(manager), "MyCases")
        assert {uuid.UUID(n["id"]) for n in body["data"]["cases"]["nodes"]} == visible, manager


async def test_the_view_shows_children_timeline_and_people(client: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case(
        [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_SUPERVISION_ORDER)],
        issued_weeks_ago=24,
    )
    case = (await gql(client, await world.token("iro"), "CaseView", id=str(case_id)))["data"]["case"]
    amy, ben = sorted(case["children"], key=lambda c: c["givenName"])
    assert amy["iro"]["name"] == "Ivan Reviewer"
    assert amy["iroAbsence"] is None
    # A child in proceedings who is not looked after has no IRO, and the view says why.
    assert ben["iro"] is None
    assert ben["lookedAfter"] is False
    assert ben["iroAbsence"]["reason"] == "NOT_LOOKED_AFTER"
    assert "not looked after" in ben["iroAbsence"]["explanation"]
    assert amy["guardian"]["name"] == ben["guardian"]["name"] == "Gina Guardian"

    timescale = case["timescale"]
    issued = datetime.fromisoformat(case["issuedOn"]).date()
    assert timescale["statutoryDate"] == (issued + timedelta(weeks=26)).isoformat()
    assert timescale["weeksElapsed"] == 24
    assert timescale["atRisk"] is True
    assert timescale["overdue"] is False
    assert [s["stage"] for s in case["stageHistory"]] == ["ISSUED"]

    roles = {(m["role"], m["person"]["name"], m["person"]["organisation"]["name"]) for m in case["members"]}
    assert roles == {
        ("GUARDIAN", "Gina Guardian", "Cafcass Riverside"),
        ("IRO", "Ivan Reviewer", "Riverside City Council"),
        ("LA_SOLICITOR", "Sol Icitor", "Riverside City Council"),
    }
    iro_row = next(m for m in case["members"] if m["role"] == "IRO")
    assert [c["givenName"] for c in iro_row["children"]] == ["Amy"]
    assert case["viewerRoles"] == ["IRO"]
    assert case["viewerCan"]["logContact"]
    assert not case["viewerCan"]["manageProceedings"]


async def test_unauthenticated_and_bad_tokens_are_refused(client: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    response = await client.post(
        "/graphql",
        json={
            "query": OPERATIONS["CaseView"],
            "operationName": "CaseView",
            "variables": {"id": str(case_id)},
        },
    )
    assert response.status_code == 401
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]
    response = await client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": "Bearer gip_not-a-real-token"}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_malformed_id_gets_its_own_code(client: httpx.AsyncClient, world: World) -> None:
    body = await gql(client, await world.token("guardian"), "CaseView", id="not-an-id")
    assert error_codes(body) == ["INVALID_ID"]
