"""Every operation's SQL statement count is bounded and does not grow with the data (no N+1)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from models import LegalStatus
from tests.support.graphql import OPERATIONS, contact_input, gql, log_contact
from tests.support.queries import QueryCounter
from tests.support.world import World

# Per request: the token (1) and its use (1), the actor (3), the operation's own statements, then the audit
# trail's append at commit (its head locked and moved, the events inserted).
CASE_VIEW_BOUND = 20
MY_CASES_BOUND = 15


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


# Every operation in graphql/operations/, with the statements it may take on a small case; the large-data
# tests above show the two read operations do not grow. Adding an operation without a bound fails below.
BOUNDS = {
    "Me": 9,
    "MyCases": MY_CASES_BOUND,
    "CaseView": CASE_VIEW_BOUND,
    "ContactForm": 14,
    "LogContact": 14,
    "MarkReply": 11,
    "OpenProceedings": 17,
    "AllocateGuardian": 26,
    "AssignIro": 24,
    "AssignSocialWorker": 18,
    "RecordExtension": 12,
    "AdvanceStage": 14,
    "RecordLegalStatus": 17,
    "AccessLog": 14,
    "ApiTokens": 9,
    "CreateApiToken": 11,
    "RevokeApiToken": 10,
    "Organisations": 9,
    "People": 11,
    "AddOrganisation": 11,
    "AddPerson": 14,
    "UpdatePerson": 12,
    "ObligationRules": 10,
    "OverrideObligationRule": 14,
    "WaiveObligation": 14,
    "RecordConsultationArrangement": 17,
    "ArrangementForm": 11,
    "MyTasks": 11,
}


def test_every_operation_has_a_bound() -> None:
    assert set(BOUNDS) == set(OPERATIONS)


async def _variables(client: httpx.AsyncClient, world: World, name: str) -> tuple[str, dict[str, object]]:
    """Who runs the operation, and with what, on a case of two children with a guardian and an IRO."""
    case_id = await world.open_case(
        [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_CARE_ORDER)]
    )
    case = str(case_id)
    today = datetime.now(UTC).date().isoformat()
    if name in {"Me", "MyCases", "MyTasks"}:
        return "guardian", {}
    if name in {"CaseView", "ArrangementForm"}:
        return "guardian", {"id": case}
    if name == "ContactForm":
        return "guardian", {"id": case, "correcting": True}
    if name == "LogContact":
        return "guardian", {"input": contact_input(world, case_id, "iro")}
    if name == "MarkReply":
        logged = await log_contact(client, world, "guardian", "iro", case_id, replyExpected=True)
        return "iro", {"input": {"caseId": case, "contactId": logged["contact"]["id"]}}
    if name == "OpenProceedings":
        child = {
            "givenName": "Cal",
            "familyName": "Example",
            "dateOfBirth": "2024-01-01",
            "legalStatus": "INTERIM_CARE_ORDER",
            "lookedAfterSince": today,
        }
        return "solicitor", {
            "input": {
                "courtId": str(world.orgs["court"].id),
                "caseNumber": "RV9",
                "issuedOn": today,
                "newChildren": [child, {**child, "givenName": "Dee"}],
            }
        }
    if name == "AllocateGuardian":
        return "cafcass_manager", {
            "input": {
                "caseId": case,
                "personId": str(world.id("guardian2")),
                "reallocationReason": "Moved team",
            }
        }
    if name == "AssignIro":
        return "iro_manager", {
            "input": {"caseId": case, "personId": str(world.id("iro2")), "reallocationReason": "Moved team"}
        }
    riverside = str(world.orgs["riverside"].id)
    simple: dict[str, tuple[str, dict[str, object]]] = {
        "AccessLog": ("cafcass_manager", {"id": case}),
        "ApiTokens": ("guardian", {}),
        "CreateApiToken": ("guardian", {"input": {"label": "Case system", "scopes": ["READ_CASE"]}}),
        "Organisations": ("guardian", {}),
        "People": ("admin", {"organisationId": riverside}),
        "AddOrganisation": (
            "admin",
            {
                "input": {
                    "kind": "LOCAL_AUTHORITY",
                    "name": "Eastfield Borough Council",
                    "onsCode": "E09000901",
                }
            },
        ),
        "AddPerson": (
            "admin",
            {
                "input": {
                    "organisationId": riverside,
                    "name": "Nia New",
                    "email": "nia.new@riverside.example.gov.uk",
                    "roles": ["IRO"],
                }
            },
        ),
        "UpdatePerson": ("admin", {"input": {"id": str(world.id("guardian2")), "active": False}}),
        "ObligationRules": ("guardian", {}),
        "OverrideObligationRule": (
            "admin",
            {"input": {"code": "P2", "organisationId": riverside, "workingDays": 3}},
        ),
    }
    if name in simple:
        return simple[name]
    if name == "RecordConsultationArrangement":
        return "iro", {
            "input": {"caseId": case, "agreedOn": today, "everyWeeks": 4, "onEvents": ["AFTER_EACH_HEARING"]}
        }
    if name == "WaiveObligation":
        view = await gql(client, await world.token("cafcass_manager"), "CaseView", id=case)
        p3 = next(o for o in view["data"]["case"]["obligations"] if o["code"] == "P3")
        return "cafcass_manager", {"input": {"id": p3["id"], "reason": "Agreed at the case conference"}}
    if name == "RevokeApiToken":
        made = await gql(
            client,
            await world.token("guardian"),
            "CreateApiToken",
            input={"label": "Spare", "scopes": ["READ_CASE"]},
        )
        return "guardian", {"input": {"id": made["data"]["createApiToken"]["token"]["id"]}}
    if name == "AssignSocialWorker":
        return "solicitor", {"input": {"caseId": case, "personId": str(world.id("social_worker"))}}
    if name == "RecordExtension":
        return "solicitor", {
            "input": {"caseId": case, "weeks": 4, "reason": "Expert report", "grantedOn": today}
        }
    if name == "AdvanceStage":
        return "solicitor", {
            "input": {"caseId": case, "stage": "CASE_MANAGEMENT_HEARING", "changedOn": today}
        }
    children = (await gql(client, await world.token("solicitor"), "CaseView", id=case))["data"]["case"][
        "children"
    ]
    return "solicitor", {
        "input": {
            "caseId": case,
            "childId": children[0]["id"],
            "status": "CARE_ORDER",
            "effectiveFrom": today,
        }
    }


@pytest.mark.parametrize("name", sorted(BOUNDS))
async def test_each_operation_stays_within_its_bound(
    client: httpx.AsyncClient, world: World, count_queries: QueryCounter, name: str
) -> None:
    who, variables = await _variables(client, world, name)
    token = await world.token(who)
    with count_queries() as statements:
        body = await gql(client, token, name, **variables)
    assert "errors" not in body, body
    payload = next(iter(body["data"].values()))
    assert not (isinstance(payload, dict) and payload.get("errors")), payload
    assert len(statements) <= BOUNDS[name], "\n".join(s.split("\n")[0][:120] for s in statements)


async def test_the_task_list_does_not_grow_with_the_number_of_obligations(
    client: httpx.AsyncClient, world: World, count_queries: QueryCounter
) -> None:
    token = await world.token("guardian")
    await world.open_case()
    few = await _count(count_queries, client, token, "MyTasks")
    for _ in range(6):
        await world.open_case([("A", LegalStatus.INTERIM_CARE_ORDER), ("B", LegalStatus.SECTION_20)])
    many = await _count(count_queries, client, token, "MyTasks")
    assert few == many <= BOUNDS["MyTasks"]
