"""The protocol engine's first duties: P2 and P3 open at allocation under the rule in force, P2 is met by
the guardian's contact, open duties pass to a new guardian, and nothing opens where the protocol does not
apply (PROTOCOL.md §1, §2)."""

from __future__ import annotations

from datetime import date, time

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import LegalStatus
from portal import clock
from portal.app import create_app
from portal.obligations.rules import set_override
from portal.settings import Settings
from tests.conftest import Travel
from tests.support.graphql import gql, log_contact
from tests.support.world import World


@pytest.fixture
def before_christmas(monkeypatch: pytest.MonkeyPatch) -> date:
    """Monday 21 December 2026: five working days on is past Christmas Day and Boxing Day's substitute."""
    today = date(2026, 12, 21)
    monkeypatch.setattr(clock, "today", lambda: today)
    return today


async def _obligations(
    client: httpx.AsyncClient, world: World, case_id: object, who: str = "guardian"
) -> dict:
    case = (await gql(client, await world.token(who), "CaseView", id=str(case_id)))["data"]["case"]
    return {o["code"]: o for o in case["obligations"]}


async def test_allocation_opens_p2_and_p3_due_in_working_days(
    client: httpx.AsyncClient, world: World, before_christmas: date
) -> None:
    case_id = await world.open_case(issued_weeks_ago=1)
    duties = await _obligations(client, world, case_id)
    # With the IRO's R1 for the child (tests/test_review_duties.py), and the IRO managers' IA, met by the
    # IRO's assignment (tests/test_iro_appointment.py).
    assert set(duties) == {"IA", "P2", "P3", "R1"}
    p2, p3 = duties["P2"], duties["P3"]
    # 22, 23, 24 December, then (Christmas, the weekend, Boxing Day observed) 29 and 30 December.
    assert (p2["dueOn"], p2["state"], p2["owner"], p2["ownerPerson"]["name"]) == (
        "2026-12-30",
        "OPEN",
        "GUARDIAN",
        "Gina Guardian",
    )
    assert (p2["ruleVersion"], p2["ruleIsLocal"], p2["evidenceKind"]) == (1, False, "CONTACT_FROM_GUARDIAN")
    # Ten working days: New Year's Day is a bank holiday too.
    assert (p3["dueOn"], p3["owner"], p3["partnerPerson"]["name"]) == ("2027-01-07", "BOTH", "Ivan Reviewer")
    assert p2["overdue"] is False


async def test_the_guardians_contact_meets_p2_and_the_iros_does_not(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    await log_contact(client, world, "iro", "guardian", case_id, purpose="INTRODUCTION")
    assert (await _obligations(client, world, case_id))["P2"]["state"] == "OPEN"
    logged = await log_contact(client, world, "guardian", "iro", case_id, purpose="INTRODUCTION")
    p2 = (await _obligations(client, world, case_id, who="iro"))["P2"]
    assert (p2["state"], p2["evidenceId"], p2["metOnTime"]) == ("MET", logged["contact"]["id"], True)
    assert (await _obligations(client, world, case_id))["P3"]["state"] == "OPEN"


async def test_nothing_opens_where_no_child_is_looked_after(client: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case([("Maya", LegalStatus.INTERIM_SUPERVISION_ORDER)])
    case = (await gql(client, await world.token("guardian"), "CaseView", id=str(case_id)))["data"]["case"]
    assert case["obligations"] == []
    assert case["protocol"]["applies"] is False
    assert "no IRO" in case["protocol"]["explanation"]


async def test_a_new_guardian_takes_over_open_duties_with_history(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    await world.allocate(case_id, "guardian2", reason="Guardian on long-term leave")
    duties = {
        code: duty
        for code, duty in (await _obligations(client, world, case_id, who="guardian2")).items()
        if duty["owner"] in ("GUARDIAN", "BOTH")
    }
    assert {d["ownerPerson"]["name"] for d in duties.values()} == {"Gareth Second"}
    assert set(duties) == {"P2", "P3"}  # passed on, not opened twice
    history = await gql(client, await world.token("guardian2"), "CaseView", id=str(case_id))
    guardians = [o for o in history["data"]["case"]["obligations"] if o["owner"] in ("GUARDIAN", "BOTH")]
    assert {o["id"] for o in guardians} == {d["id"] for d in duties.values()}


async def test_an_override_for_one_authority_changes_new_obligations_there_only(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, before_christmas: date
) -> None:
    earlier = await world.open_case(case_number="RV1")
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        rule = await set_override(
            session, None, code="P2", organisation_id=world.orgs["riverside"].id, working_days=2
        )
    assert rule.version == 1  # the first override for Riverside
    riverside = await world.open_case(case_number="RV2")
    northmoor = await world.open_case(case_number="NM1", solicitor="other_solicitor", iro=None)
    assert (await _obligations(client, world, earlier))["P2"]["dueOn"] == "2026-12-30"
    local = (await _obligations(client, world, riverside))["P2"]
    assert (local["dueOn"], local["ruleIsLocal"]) == ("2026-12-23", True)
    default = (await _obligations(client, world, northmoor))["P2"]
    assert (default["dueOn"], default["ruleIsLocal"]) == ("2026-12-30", False)


async def test_an_open_duty_past_its_date_is_overdue_in_working_days(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch, before_christmas: date
) -> None:
    case_id = await world.open_case(issued_weeks_ago=1)
    monkeypatch.setattr(clock, "today", lambda: date(2027, 1, 6))
    p2 = (await _obligations(client, world, case_id))["P2"]
    # Due 30 December; by 6 January: 31 December, 4, 5 and 6 January (New Year's Day is a bank holiday).
    assert (p2["overdue"], p2["workingDaysOverdue"]) == (True, 4)


async def test_administrators_override_rules_through_the_api_and_everyone_reads_them(
    client: httpx.AsyncClient, world: World
) -> None:
    admin, guardian = await world.token("national_admin"), await world.token("guardian")
    northmoor = str(world.orgs["northmoor"].id)
    body = await gql(
        client,
        admin,
        "OverrideObligationRule",
        input={"code": "p7", "organisationId": northmoor, "workingDays": 3},
    )
    assert body["data"]["overrideObligationRule"]["rule"]["version"] == 1
    again = await gql(
        client,
        admin,
        "OverrideObligationRule",
        input={"code": "P7", "organisationId": northmoor, "workingDays": 4},
    )
    assert again["data"]["overrideObligationRule"]["rule"]["version"] == 2
    refused = await gql(
        client,
        guardian,
        "OverrideObligationRule",
        input={"code": "P7", "organisationId": northmoor, "workingDays": 1},
    )
    assert refused["data"]["overrideObligationRule"]["errors"][0]["code"] == "NOT_PERMITTED"
    # Riverside's administrator sets Riverside's rules, and finds no other authority to set.
    riverside_admin = await world.token("admin")
    elsewhere = await gql(
        client,
        riverside_admin,
        "OverrideObligationRule",
        input={"code": "P7", "organisationId": northmoor, "workingDays": 1},
    )
    assert elsewhere["data"]["overrideObligationRule"]["errors"][0]["code"] == "NOT_FOUND"
    own = await gql(
        client,
        riverside_admin,
        "OverrideObligationRule",
        input={"code": "P2", "organisationId": str(world.orgs["riverside"].id), "workingDays": 4},
    )
    assert own["data"]["overrideObligationRule"]["errors"] == []
    court = await gql(
        client,
        admin,
        "OverrideObligationRule",
        input={"code": "P7", "organisationId": str(world.orgs["court"].id), "workingDays": 1},
    )
    assert court["data"]["overrideObligationRule"]["errors"][0]["code"] == "NOT_FOUND"
    rules = (await gql(client, guardian, "ObligationRules"))["data"]["obligationRules"]
    p7 = [(r["organisationId"], r["workingDays"], r["version"]) for r in rules if r["code"] == "P7"]
    assert p7 == [(None, 5, 1), (northmoor, 4, 2)]


async def test_a_manager_waives_with_a_reason_and_only_the_rules_roles_may(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    duties = await _obligations(client, world, case_id)

    async def waive(who: str, code: str, reason: str = "Agreed at the case conference") -> dict:
        body = await gql(
            client,
            await world.token(who),
            "WaiveObligation",
            input={"id": duties[code]["id"], "reason": reason},
        )
        return body["data"]["waiveObligation"]

    assert [e["code"] for e in (await waive("guardian", "P2"))["errors"]] == ["NOT_PERMITTED"]
    assert [e["code"] for e in (await waive("iro_manager", "P2"))["errors"]] == ["NOT_PERMITTED"]
    assert [e["code"] for e in (await waive("cafcass_manager", "P3", " "))["errors"]] == ["REQUIRED"]
    waived = await waive("iro_manager", "P3")
    assert (waived["obligation"]["state"], waived["obligation"]["reason"]) == (
        "WAIVED",
        "Agreed at the case conference",
    )
    assert [e["code"] for e in (await waive("cafcass_manager", "P3"))["errors"]] == ["ALREADY_CLOSED"]


async def test_a_consultation_arrangement_meets_p3_and_replaces_the_last(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    today = clock.today().isoformat()

    async def record(who: str, **input: object) -> dict:
        body = await gql(
            client,
            await world.token(who),
            "RecordConsultationArrangement",
            input={"caseId": str(case_id), **input},
        )
        return body["data"]["recordConsultationArrangement"]

    bad = await record("guardian", agreedOn=None)
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [
        ("REQUIRED", "agreedOn"),
        ("REQUIRED", "onEvents"),
    ]
    assert [e["code"] for e in (await record("guardian", agreedOn=today, everyWeeks=40))["errors"]] == [
        "OUT_OF_RANGE"
    ]
    assert [e["code"] for e in (await record("solicitor", agreedOn=today, everyWeeks=4))["errors"]] == [
        "NOT_FOUND"
    ]
    first = await record("guardian", agreedOn=today, onEvents=["AFTER_EACH_HEARING", "BEFORE_EACH_REVIEW"])
    assert first["errors"] == []
    p3 = (await _obligations(client, world, case_id))["P3"]
    assert (p3["state"], p3["metOnTime"]) == ("MET", True)
    await record("iro", agreedOn=today, everyWeeks=3, notes="The IRO calls after each hearing.")
    case = (await gql(client, await world.token("guardian"), "CaseView", id=str(case_id)))["data"]["case"]
    assert case["consultationArrangement"]["everyWeeks"] == 3
    assert case["consultationArrangement"]["onEvents"] == []


async def test_each_side_sees_its_tasks_across_its_cases(client: httpx.AsyncClient, world: World) -> None:
    first = await world.open_case(case_number="RV1")
    await world.open_case(case_number="RV2")
    await log_contact(client, world, "guardian", "iro", first, purpose="INTRODUCTION")

    async def tasks(who: str) -> list[tuple[str, str, str]]:
        body = await gql(client, await world.token(who), "MyTasks")
        return sorted(
            (t["case"]["caseNumber"], t["obligation"]["code"], t["obligation"]["state"])
            for t in body["data"]["myTasks"]
        )

    assert await tasks("guardian") == [
        ("RV1", "P2", "MET"),
        ("RV1", "P3", "OPEN"),
        ("RV2", "P2", "OPEN"),
        ("RV2", "P3", "OPEN"),
    ]
    # The IRO shares P3 on both cases; P2 is the guardian's alone.
    # The call was a discussion: recording it on the child's file is the IRO's (P7).
    # Each child's first review is the IRO's to hold (R1).
    assert await tasks("iro") == [
        ("RV1", "P3", "OPEN"),
        ("RV1", "P7", "OPEN"),
        ("RV1", "R1", "OPEN"),
        ("RV2", "P3", "OPEN"),
        ("RV2", "R1", "OPEN"),
    ]
    assert await tasks("solicitor") == []


async def test_a_message_left_meets_p2_only_once_the_iro_answers_it(
    client: httpx.AsyncClient, world: World, settings: Settings, engine: AsyncEngine
) -> None:
    """Issue 18: P2 is met by a conversation the guardian starts; a message left (or an email, or a letter)
    meets it only when the IRO's reply is marked, at the reply's time. PORTAL_P2_ONE_WAY_CONTACT_MEETS
    restores the protocol's letter: any contact the guardian starts."""
    case_id = await world.open_case()
    left = await log_contact(
        client, world, "guardian", "iro", case_id, channel="MESSAGE_LEFT", replyExpected=True
    )
    await log_contact(client, world, "guardian", "iro", case_id, channel="EMAIL")
    assert (await _obligations(client, world, case_id))["P2"]["state"] == "OPEN"
    marked = await gql(
        client,
        await world.token("iro"),
        "MarkReply",
        input={"caseId": str(case_id), "contactId": left["contact"]["id"]},
    )
    assert marked["data"]["markReply"]["errors"] == []
    p2 = (await _obligations(client, world, case_id))["P2"]
    assert (p2["state"], p2["evidenceId"]) == ("MET", left["contact"]["id"])

    letter = settings.model_copy(update={"p2_one_way_contact_meets": True})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(letter, engine=engine)), base_url="http://portal.test"
    ) as lenient:
        other = await world.open_case()
        emailed = await log_contact(lenient, world, "guardian", "iro", other, channel="EMAIL")
        p2 = (await _obligations(lenient, world, other))["P2"]
        assert (p2["state"], p2["evidenceId"]) == ("MET", emailed["contact"]["id"])


async def test_a_message_corrected_to_a_call_meets_p2(client: httpx.AsyncClient, world: World) -> None:
    """The entry said "a message" when it was a call: its correction is the conversation that meets P2."""
    case_id = await world.open_case()
    left = await log_contact(client, world, "guardian", "iro", case_id, channel="MESSAGE_LEFT")
    assert (await _obligations(client, world, case_id))["P2"]["state"] == "OPEN"
    call = await log_contact(
        client, world, "guardian", "iro", case_id, channel="PHONE", correctsId=left["contact"]["id"]
    )
    p2 = (await _obligations(client, world, case_id))["P2"]
    assert (p2["state"], p2["evidenceId"]) == ("MET", call["contact"]["id"])


async def test_the_reply_window_is_a_rule_each_authority_or_service_area_sets(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, travel: Travel
) -> None:
    """Issue 18: a reply expected with no date given is due within the reply window (RW) in force on the
    case: the authority's rule, else the Cafcass service area's, else 3 working days."""
    travel(clock.london_datetime(date(2026, 12, 21), time(15)))  # Monday: Christmas and Boxing Day ahead
    case_id = await world.open_case()

    async def reply_due(who: str = "iro", counterpart: str = "guardian") -> str:
        payload = await log_contact(
            client, world, who, counterpart, case_id, channel="EMAIL", replyExpected=True
        )
        assert payload["errors"] == [], payload["errors"]
        due: str = payload["contact"]["replyDueOn"]
        return due

    assert await reply_due() == "2026-12-24"  # the default, 3 working days
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        cafcass = world.orgs["cafcass"].id
        await set_override(session, None, code="RW", organisation_id=cafcass, working_days=5)
    assert await reply_due("guardian", "iro") == "2026-12-30"  # the service area's 5
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        await set_override(
            session, None, code="RW", organisation_id=world.orgs["riverside"].id, working_days=2
        )
    assert await reply_due() == "2026-12-23"  # the authority's 2 comes first
    # A date given is kept.
    payload = await log_contact(
        client, world, "iro", "guardian", case_id, replyExpected=True, replyDueOn="2027-01-08"
    )
    assert payload["contact"]["replyDueOn"] == "2027-01-08"
