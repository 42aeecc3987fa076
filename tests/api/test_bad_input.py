"""Bad input gets a clear error with a stable code, and writes nothing at all."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from models import LegalStatus
from portal.cases import repository
from tests.support.graphql import contact_input, gql, payload_codes
from tests.support.queries import audit_mark, audit_since, row_counts
from tests.support.world import World

Act = Callable[[], Awaitable[dict[str, Any]]]
# A scenario does any setting up, then returns the failing request (not yet sent) and the errors expected.
Scenario = Callable[
    [httpx.AsyncClient, World, uuid.UUID], Awaitable[tuple[Act, list[tuple[str, str | None]]]]
]


def _contact(case_id: uuid.UUID, world: World, **changes: Any) -> dict[str, Any]:
    return contact_input(world, case_id, "iro", **changes)


def _log_contact(client: httpx.AsyncClient, world: World, who: str, **input: Any) -> Act:
    return _mutation(client, world, who, "LogContact", input)


def _mutation(client: httpx.AsyncClient, world: World, who: str, name: str, input: dict[str, Any]) -> Act:
    async def act() -> dict[str, Any]:
        body = await gql(client, await world.token(who), name, input=input)
        return next(iter(body["data"].values()))

    return act


async def unknown_case(client, world, case_id):
    act = _log_contact(client, world, "guardian", **_contact(uuid.uuid4(), world))
    return act, [("NOT_FOUND", None)]


async def case_of_someone_else(client, world, case_id):
    act = _log_contact(client, world, "guardian2", **_contact(case_id, world))
    return act, [("NOT_FOUND", None)]


async def empty_summary(client, world, case_id):
    act = _log_contact(client, world, "guardian", **_contact(case_id, world, summary="   \n "))
    return act, [("REQUIRED", "summary")]


async def contact_in_the_future(client, world, case_id):
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    act = _log_contact(client, world, "guardian", **_contact(case_id, world, occurredAt=tomorrow))
    return act, [("DATE_IN_FUTURE", "occurredAt")]


async def several_problems_at_once(client, world, case_id):
    act = _log_contact(
        client,
        world,
        "guardian",
        **_contact(
            case_id,
            world,
            summary="",
            counterpartId=str(world.id("guardian2")),
            occurredAt=(datetime.now(UTC) + timedelta(days=3)).isoformat(),
        ),
    )
    return act, [("NOT_ON_CASE", "counterpartId"), ("DATE_IN_FUTURE", "occurredAt"), ("REQUIRED", "summary")]


async def malformed_case_id(client, world, case_id):
    act = _log_contact(client, world, "guardian", **_contact(case_id, world, caseId="12345"))
    return act, [("INVALID_ID", "caseId")]


async def reply_due_without_a_reply_expected(client, world, case_id):
    act = _log_contact(
        client, world, "guardian", **_contact(case_id, world, replyDueOn=date.today().isoformat())
    )
    return act, [("INVALID_VALUE", "replyDueOn")]


async def guardian_for_a_child_not_in_proceedings(client, world, case_id):
    other_case = await world.open_case([("Zoe", LegalStatus.INTERIM_CARE_ORDER)], guardian=None, iro=None)
    other_child = (await gql(client, await world.token("solicitor"), "CaseView", id=str(other_case)))["data"][
        "case"
    ]["children"][0]["id"]
    act = _mutation(
        client,
        world,
        "cafcass_manager",
        "AllocateGuardian",
        {"caseId": str(case_id), "personId": str(world.id("guardian2")), "childIds": [other_child]},
    )
    return act, [("NOT_IN_PROCEEDINGS", "childIds.0")]


async def a_second_live_guardian(client, world, case_id):
    act = _mutation(
        client,
        world,
        "cafcass_manager",
        "AllocateGuardian",
        {"caseId": str(case_id), "personId": str(world.id("guardian2"))},
    )
    return act, [("ALREADY_ALLOCATED", "personId")]


async def a_guardian_who_is_not_a_guardian(client, world, case_id):
    act = _mutation(
        client,
        world,
        "cafcass_manager",
        "AllocateGuardian",
        {"caseId": str(case_id), "personId": str(world.id("cafcass_manager")), "reallocationReason": "x"},
    )
    return act, [("WRONG_ROLE", "personId")]


async def an_iro_for_a_child_not_looked_after(client, world, case_id):
    home = await world.open_case([("Ben", LegalStatus.INTERIM_SUPERVISION_ORDER)], iro=None)
    act = _mutation(
        client, world, "iro_manager", "AssignIro", {"caseId": str(home), "personId": str(world.id("iro"))}
    )
    return act, [("NOT_LOOKED_AFTER", "childIds")]


async def an_extension_too_long(client, world, case_id):
    act = _mutation(
        client,
        world,
        "solicitor",
        "RecordExtension",
        {"caseId": str(case_id), "weeks": 9, "reason": "", "grantedOn": date.today().isoformat()},
    )
    return act, [("OUT_OF_RANGE", "weeks"), ("REQUIRED", "reason")]


async def a_stage_going_backwards(client, world, case_id):
    act = _mutation(
        client,
        world,
        "solicitor",
        "AdvanceStage",
        {"caseId": str(case_id), "stage": "ISSUED", "changedOn": date.today().isoformat()},
    )
    return act, [("STAGE_NOT_FORWARD", "stage")]


async def proceedings_for_a_child_born_tomorrow(client, world, case_id):
    act = _mutation(
        client,
        world,
        "solicitor",
        "OpenProceedings",
        {
            "courtId": str(world.orgs["court"].id),
            "caseNumber": "RV99C001",
            "issuedOn": date.today().isoformat(),
            "newChildren": [
                {
                    "givenName": "Kit",
                    "familyName": "Example",
                    "legalStatus": "INTERIM_CARE_ORDER",
                    "dateOfBirth": (date.today() + timedelta(days=1)).isoformat(),
                    "lookedAfterSince": date.today().isoformat(),
                }
            ],
        },
    )
    return act, [("DATE_IN_FUTURE", "newChildren.0.dateOfBirth")]


async def proceedings_opened_by_a_guardian(client, world, case_id):
    act = _mutation(
        client,
        world,
        "guardian",
        "OpenProceedings",
        {
            "courtId": str(world.orgs["court"].id),
            "caseNumber": "RV99C002",
            "issuedOn": date.today().isoformat(),
            "newChildren": [],
        },
    )
    return act, [("NOT_PERMITTED", None)]


SCENARIOS = [
    unknown_case,
    case_of_someone_else,
    empty_summary,
    contact_in_the_future,
    several_problems_at_once,
    malformed_case_id,
    reply_due_without_a_reply_expected,
    guardian_for_a_child_not_in_proceedings,
    a_second_live_guardian,
    a_guardian_who_is_not_a_guardian,
    an_iro_for_a_child_not_looked_after,
    an_extension_too_long,
    a_stage_going_backwards,
    proceedings_for_a_child_born_tomorrow,
    proceedings_opened_by_a_guardian,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
async def test_bad_input_gets_a_stable_code_and_writes_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, scenario: Scenario
) -> None:
    case_id = await world.open_case()
    act, expected = await scenario(client, world, case_id)
    for person in World.STAFF:  # tokens are made before counting; their use only stamps them
        await world.token(person)
    before, mark = await row_counts(engine), await audit_mark(engine)
    payload = await act()
    assert payload_codes(payload) == expected
    assert all(e["message"] for e in payload["errors"])
    assert next(v for k, v in payload.items() if k != "errors") is None
    assert await row_counts(engine) == before
    # The only traces are the token's use and the record of a refusal, when the case was not the caller's
    # to touch.
    assert all(
        outcome == "refused" or action == "token.use" for action, outcome in await audit_since(engine, mark)
    )


async def test_a_race_caught_by_a_constraint_is_a_conflict_and_writes_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two managers allocate a guardian at the same moment: both pass the checks, and the database's
    one-live-guardian index stops the second (P2 needs one named guardian)."""
    case_id = await world.open_case(guardian=None)
    token = await world.token("cafcass_manager")

    async def nobody_yet(*_args: object) -> list[object]:
        return []  # what the second request saw before the first committed

    await world.allocate(case_id, "guardian")
    monkeypatch.setattr(repository, "live_memberships", nobody_yet)
    before = await row_counts(engine)
    body = await gql(
        client,
        token,
        "AllocateGuardian",
        input={"caseId": str(case_id), "personId": str(world.id("guardian2"))},
    )
    assert payload_codes(body["data"]["allocateGuardian"]) == [("CONFLICT", None)]
    assert await row_counts(engine) == before
