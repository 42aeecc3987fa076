"""The IRO's review duties for a looked-after child (CPPCR reg 33; issue 18): R1, the first review within 20
working days of becoming looked after (across Christmas, Boxing Day's substitute and New Year); R2 within 3
months of the first; R3 within 6 months of the last (to a shorter month's last day). Each met by a review
held, opening the next; owned by the child's IRO; ended when the child stops being looked after; counted on
the IRO manager's dashboard, listed behind its figures and on the IRO's task list; statutory, so no local
rule changes them. A child whose proceedings concluded, still looked after, keeps one duty into new ones."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx

from models import LegalStatus
from portal.cases import service as cases
from tests.conftest import Travel
from tests.support.graphql import gql
from tests.support.world import World
from tests.test_protocol_walkthrough import Walk, at


def _reviews(duties: list[tuple[str, str, str, bool | None]]) -> list[tuple[str, str, str, bool | None]]:
    return [d for d in duties if d[0] in ("R1", "R2", "R3")]


async def _book_and_hold(walk: Walk, travel: Travel, child_id: str, day: date) -> str:
    """The IRO books the child's review for ``day`` a week before, and records it held on the day."""
    travel(at(date.fromordinal(day.toordinal() - 7)))
    walk.world.forget_tokens()  # the clock moves past the last tokens' expiry
    booked = await walk.change(
        "iro",
        "ScheduleReview",
        "scheduleReview",
        caseId=walk.case_id,
        childIds=[child_id],
        reviewDate=day.isoformat(),
        arrangements="At the foster home.",
    )
    review: str = booked["reviews"][0]["id"]
    travel(at(day, 16))
    await walk.change("iro", "RecordReviewHeld", "recordReviewHeld", id=review, heldOn=day.isoformat())
    return review


async def test_r1_at_20_working_days_r2_at_3_months_r3_at_6_months_each_met_by_a_review_held(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    # Looked after from Monday 14 December 2026: 20 working days skip 25 and 28 December and 1 January.
    travel(at(date(2026, 12, 14), 9))
    walk = Walk(client, world, await world.open_case(issued_weeks_ago=0))
    case = await walk.case()
    child = case["children"][0]
    assert _reviews(await walk.duties()) == [("R1", "2027-01-14", "OPEN", None)]
    assert child["nextReview"]["dueBy"] == "2027-01-14"
    r1 = next(o for o in case["obligations"] if o["code"] == "R1")
    assert (r1["ownerPerson"]["name"], r1["childId"], r1["owner"]) == ("Ivan Reviewer", child["id"], "IRO")

    # The first review on its last day: R1 met on time; R2 due three months on.
    await _book_and_hold(walk, travel, child["id"], date(2027, 1, 14))
    assert _reviews(await walk.duties()) == [
        ("R1", "2027-01-14", "MET", True),
        ("R2", "2027-04-14", "OPEN", None),
    ]
    # The second a fortnight early: R3 from it, six months on, to the last day of September.
    await _book_and_hold(walk, travel, child["id"], date(2027, 3, 31))
    assert _reviews(await walk.duties())[1:] == [
        ("R2", "2027-04-14", "MET", True),
        ("R3", "2027-09-30", "OPEN", None),
    ]
    # A third, late: met late, and the next R3 runs from it.
    await _book_and_hold(walk, travel, child["id"], date(2027, 10, 5))
    assert _reviews(await walk.duties())[2:] == [
        ("R3", "2027-09-30", "MET", False),
        ("R3", "2028-04-05", "OPEN", None),
    ]
    assert (await walk.case())["children"][0]["nextReview"]["dueBy"] == "2028-04-05"


async def _lines(client: httpx.AsyncClient, world: World, who: str) -> dict[str, dict[str, Any]]:
    body = await gql(
        client, await world.token(who), "Adherence", start="2026-01-01", end="2027-12-31", by="PRACTITIONER"
    )
    assert "errors" not in body, body
    return {line["code"]: line for line in body["data"]["adherence"] if line["code"].startswith("R")}


async def test_a_late_first_review_is_counted_listed_and_on_the_iros_task_list(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    travel(at(date(2026, 12, 14), 9))
    walk = Walk(client, world, await world.open_case(issued_weeks_ago=0))
    # Twelve weeks on, no review held.
    travel(at(date(2027, 3, 8)))
    world.forget_tokens()
    lines = await _lines(client, world, "iro_manager")
    assert lines["R1"]["groupName"] == "Ivan Reviewer"
    assert (lines["R1"]["opened"], lines["R1"]["overdue"], lines["R1"]["metOnTime"]) == (1, 1, 0)
    behind = await gql(
        client,
        await world.token("iro_manager"),
        "AdherenceCases",
        start="2026-01-01",
        end="2027-12-31",
        code="R1",
        measure="OVERDUE",
        by="PRACTITIONER",
        groupId=lines["R1"]["groupId"],
    )
    assert [c["id"] for c in behind["data"]["adherenceCases"]] == [walk.case_id]
    assert [o["code"] for o in behind["data"]["adherenceCases"][0]["obligations"]] == ["R1"]
    # Another authority's IRO manager sees none of it.
    assert await _lines(client, world, "other_iro_manager") == {}
    tasks = (await walk.run("iro", "MyTasks"))["myTasks"]
    r1 = next(t["obligation"] for t in tasks if t["obligation"]["code"] == "R1")
    assert (r1["overdue"], r1["evidenceKind"]) == (True, "REVIEW_HELD")
    # The IRO workload's figure for late reviews counts the child too.
    body = await gql(client, await world.token("iro_manager"), "IroWorkload")
    assert "errors" not in body, body
    ivan = next(w for w in body["data"]["iroWorkload"] if w["name"] == "Ivan Reviewer")
    assert ivan["overdueReviews"] == 1


async def test_a_child_who_stops_being_looked_after_ends_their_review_duty_with_the_reason(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    travel(at(date(2026, 12, 14), 9))
    walk = Walk(client, world, await world.open_case(issued_weeks_ago=0))
    child = (await walk.case())["children"][0]
    # Home on an interim supervision order on 4 January, before the first review was due: it does not apply.
    travel(at(date(2027, 1, 4)))
    changed = await walk.change(
        "solicitor",
        "RecordLegalStatus",
        "recordLegalStatus",
        caseId=walk.case_id,
        childId=child["id"],
        status="INTERIM_SUPERVISION_ORDER",
        effectiveFrom="2027-01-04",
    )
    assert changed["case"]["children"][0]["lookedAfter"] is False
    r1 = next(o for o in (await walk.case("iro_manager"))["obligations"] if o["code"] == "R1")
    assert (r1["state"], r1["reason"]) == (
        "NOT_APPLICABLE",
        "Amy stopped being looked after on 4 January 2027",
    )
    # Back into care on 1 February: a new period, a new first review within 20 working days.
    travel(at(date(2027, 2, 1)))
    world.forget_tokens()
    await walk.change(
        "solicitor",
        "RecordLegalStatus",
        "recordLegalStatus",
        caseId=walk.case_id,
        childId=child["id"],
        status="INTERIM_CARE_ORDER",
        effectiveFrom="2027-02-01",
    )
    duties = _reviews(await walk.duties("solicitor"))
    assert duties[-1] == ("R1", "2027-03-01", "OPEN", None)
    # Leaving care again, this time with the first review overdue: missed.
    travel(at(date(2027, 3, 10)))
    world.forget_tokens()
    await walk.change(
        "solicitor",
        "RecordLegalStatus",
        "recordLegalStatus",
        caseId=walk.case_id,
        childId=child["id"],
        status="NO_ORDER",
        effectiveFrom="2027-03-10",
    )
    assert _reviews(await walk.duties("solicitor"))[-1] == ("R1", "2027-03-01", "MISSED", None)


async def test_siblings_with_different_iros_each_own_their_childs_review_duty(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case(
        (("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_CARE_ORDER)), iro=None
    )
    walk = Walk(client, world, case_id)
    children = {c["givenName"]: c["id"] for c in (await walk.case())["children"]}
    # No IRO yet: the duties are nobody's.
    assert {o["ownerPerson"] for o in (await walk.case())["obligations"] if o["code"] == "R1"} == {None}
    for who, name in (("iro", "Amy"), ("iro2", "Ben")):
        await walk.change(
            "iro_manager",
            "AssignIro",
            "assignIro",
            caseId=walk.case_id,
            personId=str(world.id(who)),
            childIds=[children[name]],
        )
    owners = {
        o["childId"]: o["ownerPerson"]["name"]
        for o in (await walk.case())["obligations"]
        if o["code"] == "R1"
    }
    assert owners == {children["Amy"]: "Ivan Reviewer", children["Ben"]: world.people["iro2"].name}


async def test_a_child_still_looked_after_keeps_one_review_duty_into_new_proceedings(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    travel(at(date(2026, 12, 14), 9))
    first = Walk(client, world, await world.open_case(issued_weeks_ago=0))
    child = (await first.case())["children"][0]
    await _book_and_hold(first, travel, child["id"], date(2027, 1, 12))
    travel(at(date(2027, 2, 1)))
    await first.change(
        "solicitor",
        "RecordFinalOrders",
        "recordFinalOrders",
        caseId=first.case_id,
        madeOn="2027-02-01",
        orders=[{"childId": child["id"], "order": "CARE_ORDER"}],
    )
    # New proceedings on the same child (say, for a placement order): no second R2 opens.
    data = cases.OpenProceedings(
        court_id=world.orgs["court"].id,
        case_number="PO27000001",
        issued_on=date(2027, 2, 1),
        existing_child_ids=[uuid.UUID(child["id"])],
    )
    async with world.sessions() as session, session.begin():
        opened = await cases.open_proceedings(session, await world.actor("solicitor"), data)
    second = Walk(client, world, opened.id)
    assert _reviews(await second.duties("solicitor")) == []
    assert _reviews(await first.duties())[-1] == ("R2", "2027-04-12", "OPEN", None)
    # A review held in the new proceedings meets it, and the next opens there.
    await world.allocate(opened.id, "guardian")
    await world.assign_iro(opened.id, "iro")
    await _book_and_hold(second, travel, child["id"], date(2027, 4, 1))
    assert _reviews(await first.duties())[-1] == ("R2", "2027-04-12", "MET", True)
    assert _reviews(await second.duties("iro")) == [("R3", "2027-10-01", "OPEN", None)]


async def test_no_local_rule_changes_the_statutory_review_schedule(
    client: httpx.AsyncClient, world: World
) -> None:
    body = await gql(
        client,
        await world.token("admin"),
        "OverrideObligationRule",
        input={"code": "R1", "organisationId": str(world.orgs["riverside"].id), "workingDays": 40},
    )
    assert body["data"]["overrideObligationRule"]["errors"][0]["code"] == "NOT_PERMITTED"
    assert "CPPCR reg 33" in body["data"]["overrideObligationRule"]["errors"][0]["message"]
