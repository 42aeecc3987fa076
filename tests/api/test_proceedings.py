"""Proceedings as the LA solicitor and the managers keep them: opening, allocation, the timetable."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import AuditEvent, Child, LegalStatus, LegalStatusEntry, Organisation
from tests.support.graphql import error_codes, gql, payload_codes
from tests.support.world import World


async def _known_child(engine: AsyncEngine, authority: Organisation) -> Child:
    """A child the authority has accommodated under section 20 since before any proceedings."""
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        since = date.today() - timedelta(days=200)
        child = Child(
            local_authority_id=authority.id,
            given_name="Tyler",
            family_name="Brooks",
            date_of_birth=date(2016, 5, 1),
            legal_status=LegalStatus.SECTION_20,
            looked_after_since=since,
        )
        session.add(child)
        await session.flush()
        session.add(LegalStatusEntry(child_id=child.id, status=LegalStatus.SECTION_20, effective_from=since))
    return child


async def test_the_solicitor_opens_proceedings_for_new_and_known_children(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    known = await _known_child(engine, world.orgs["riverside"])
    issued = date.today() - timedelta(days=3)
    body = await gql(
        client,
        await world.token("solicitor"),
        "OpenProceedings",
        input={
            "courtId": str(world.orgs["court"].id),
            "caseNumber": " rv26c00900 ",
            "issuedOn": issued.isoformat(),
            "existingChildIds": [str(known.id)],
            "newChildren": [
                {
                    "givenName": "Kai",
                    "familyName": "Brooks",
                    "dateOfBirth": "2023-02-01",
                    "legalStatus": "INTERIM_CARE_ORDER",
                    "lookedAfterSince": issued.isoformat(),
                }
            ],
        },
    )
    payload = body["data"]["openProceedings"]
    assert payload["errors"] == []
    case = payload["case"]
    assert case["caseNumber"] == "RV26C00900"
    assert case["stage"] == "ISSUED"
    assert sorted(c["givenName"] for c in case["children"]) == ["Kai", "Tyler"]

    # The solicitor is on the case; the same number again at the same court is refused.
    view = await gql(client, await world.token("solicitor"), "CaseView", id=case["id"])
    assert view["data"]["case"]["viewerRoles"] == ["LA_SOLICITOR"]
    again = await gql(
        client,
        await world.token("solicitor"),
        "OpenProceedings",
        input={
            "courtId": str(world.orgs["court"].id),
            "caseNumber": "RV26C00900",
            "issuedOn": issued.isoformat(),
            "existingChildIds": [str(known.id)],
        },
    )
    assert payload_codes(again["data"]["openProceedings"]) == [
        ("DUPLICATE", "caseNumber"),
        ("ALREADY_IN_PROCEEDINGS", "existingChildIds.0"),
    ]


async def test_another_authoritys_child_looks_absent(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    theirs = await _known_child(engine, world.orgs["northmoor"])
    body = await gql(
        client,
        await world.token("solicitor"),
        "OpenProceedings",
        input={
            "courtId": str(world.orgs["court"].id),
            "caseNumber": "RV1",
            "issuedOn": date.today().isoformat(),
            "existingChildIds": [str(theirs.id)],
        },
    )
    assert payload_codes(body["data"]["openProceedings"]) == [("NOT_FOUND", "existingChildIds.0")]


async def test_managers_allocate_and_reallocate_keeping_history(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case(
        [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.NO_ORDER)], guardian=None, iro=None
    )
    manager = await world.token("cafcass_manager")
    first = await gql(
        client,
        manager,
        "AllocateGuardian",
        input={"caseId": str(case_id), "personId": str(world.id("guardian"))},
    )
    assert [c["guardian"]["name"] for c in first["data"]["allocateGuardian"]["case"]["children"]] == [
        "Gina Guardian",
        "Gina Guardian",
    ]
    # Someone from another service area is not the manager's to allocate.
    elsewhere = await gql(
        client,
        manager,
        "AllocateGuardian",
        input={
            "caseId": str(case_id),
            "personId": str(world.id("other_guardian")),
            "reallocationReason": "Moved",
        },
    )
    assert payload_codes(elsewhere["data"]["allocateGuardian"]) == [("NOT_FOUND", "personId")]
    second = await gql(
        client,
        manager,
        "AllocateGuardian",
        input={
            "caseId": str(case_id),
            "personId": str(world.id("guardian2")),
            "reallocationReason": "Guardian retired",
        },
    )
    assert second["data"]["allocateGuardian"]["errors"] == []

    iro = await gql(
        client,
        await world.token("iro_manager"),
        "AssignIro",
        input={"caseId": str(case_id), "personId": str(world.id("iro"))},
    )
    children = {c["id"]: c for c in iro["data"]["assignIro"]["case"]["children"]}
    assert sorted((c["iro"] or {}).get("id", "none") for c in children.values()) == sorted(
        ["none", str(world.id("iro"))]
    )

    view = await gql(client, await world.token("guardian2"), "CaseView", id=str(case_id))
    guardians = [
        (m["person"]["name"], m["endedAt"] is None, m["endReason"])
        for m in view["data"]["case"]["members"]
        if m["role"] == "GUARDIAN"
    ]
    assert guardians == [("Gareth Second", True, None), ("Gina Guardian", False, "Guardian retired")]


async def test_the_solicitor_records_the_social_worker(client: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    token = await world.token("solicitor")
    body = await gql(
        client,
        token,
        "AssignSocialWorker",
        input={"caseId": str(case_id), "personId": str(world.id("social_worker"))},
    )
    members = body["data"]["assignSocialWorker"]["case"]["members"]
    assert ("SOCIAL_WORKER", "Sam Worker") in {(m["role"], m["person"]["name"]) for m in members}
    # Only the authority's own social workers: an IRO is not one.
    wrong = await gql(
        client,
        token,
        "AssignSocialWorker",
        input={
            "caseId": str(case_id),
            "personId": str(world.id("iro")),
            "reallocationReason": "Changed team",
        },
    )
    assert payload_codes(wrong["data"]["assignSocialWorker"]) == [("WRONG_ROLE", "personId")]
    # The social worker now sees the case, read-only.
    view = await gql(client, await world.token("social_worker"), "CaseView", id=str(case_id))
    assert view["data"]["case"]["viewerCan"]["logContact"] is False


async def test_an_iro_manager_of_another_authority_cannot_assign(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case(iro=None)
    body = await gql(
        client,
        await world.token("other_iro_manager"),
        "AssignIro",
        input={"caseId": str(case_id), "personId": str(world.id("other_iro"))},
    )
    assert payload_codes(body["data"]["assignIro"]) == [("NOT_FOUND", None)]


async def test_an_extension_moves_the_deadline(client: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case(issued_weeks_ago=24)
    token = await world.token("solicitor")
    body = await gql(
        client,
        token,
        "RecordExtension",
        input={
            "caseId": str(case_id),
            "weeks": 8,
            "reason": "Awaiting a psychological assessment of the mother.",
            "grantedOn": date.today().isoformat(),
        },
    )
    payload = body["data"]["recordExtension"]
    assert payload["errors"] == []
    timescale = payload["case"]["timescale"]
    statutory = date.fromisoformat(timescale["statutoryDate"])
    assert date.fromisoformat(timescale["deadline"]) == statutory + timedelta(weeks=8)
    assert timescale["extensionWeeks"] == 8
    assert timescale["atRisk"] is False


async def test_stages_move_forward_only(client: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case(issued_weeks_ago=6)
    token = await world.token("solicitor")
    hearing = date.today() - timedelta(weeks=4)
    body = await gql(
        client,
        token,
        "AdvanceStage",
        input={"caseId": str(case_id), "stage": "CASE_MANAGEMENT_HEARING", "changedOn": hearing.isoformat()},
    )
    assert [s["stage"] for s in body["data"]["advanceStage"]["case"]["stageHistory"]] == [
        "ISSUED",
        "CASE_MANAGEMENT_HEARING",
    ]
    earlier = await gql(
        client,
        token,
        "AdvanceStage",
        input={
            "caseId": str(case_id),
            "stage": "FINAL_HEARING",
            "changedOn": (hearing - timedelta(days=1)).isoformat(),
        },
    )
    assert payload_codes(earlier["data"]["advanceStage"]) == [("DATE_TOO_EARLY", "changedOn")]
    # Backwards, or concluded without final orders: refused, and nothing written.
    for stage, code in (("ISSUED", "STAGE_NOT_FORWARD"), ("CONCLUDED", "INVALID_VALUE")):
        refused = await gql(
            client,
            token,
            "AdvanceStage",
            input={"caseId": str(case_id), "stage": stage, "changedOn": date.today().isoformat()},
        )
        assert payload_codes(refused["data"]["advanceStage"]) == [(code, "stage")], stage
    view = await gql(client, token, "CaseView", id=str(case_id))
    assert view["data"]["case"]["stage"] == "CASE_MANAGEMENT_HEARING"


async def test_a_child_who_leaves_care_loses_their_iro(client: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    token = await world.token("solicitor")
    child = (await gql(client, token, "CaseView", id=str(case_id)))["data"]["case"]["children"][0]
    body = await gql(
        client,
        token,
        "RecordLegalStatus",
        input={
            "caseId": str(case_id),
            "childId": child["id"],
            "status": "INTERIM_SUPERVISION_ORDER",
            "effectiveFrom": date.today().isoformat(),
        },
    )
    [after] = body["data"]["recordLegalStatus"]["case"]["children"]
    assert after["lookedAfter"] is False
    assert after["lookedAfterSince"] is None
    assert after["iro"] is None
    assert after["iroAbsence"]["reason"] == "NOT_LOOKED_AFTER"
    # The IRO has left the case, and with it their access (P15 applies only to looked-after children).
    gone = await gql(client, await world.token("iro"), "CaseView", id=str(case_id))
    assert error_codes(gone) == ["NOT_FOUND"]


async def test_reads_and_writes_are_audited(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    await gql(client, await world.token("iro"), "CaseView", id=str(case_id))
    async with AsyncSession(engine) as session:
        events = (
            await session.execute(
                sa.select(AuditEvent.action, AuditEvent.acting_as, AuditEvent.person_id)
                .where(AuditEvent.case_id == case_id)
                .order_by(AuditEvent.occurred_at)
            )
        ).all()
    assert [(action, acting_as) for action, acting_as, _ in events] == [
        ("proceedings.open", "la_solicitor"),
        ("guardian.allocate", "cafcass_manager"),
        ("iro.allocate", "iro_manager"),
        ("case.view", "iro"),
    ]
    assert events[-1][2] == world.id("iro")
