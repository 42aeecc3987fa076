"""Obligations that end when they should (issue 18): a duty whose moment has passed closes, missed when it
was left undone past its due date or before the event it served, else as not applicable, with the reason;
and the dashboard counts the missed ones. P2, P3 and P11 end with the proceedings; every duty of, with or
to the guardian ends when the guardian's involvement closes, the IRO's own duties (P7, P15) going on; P4
and P11 are missed once their review is held without them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import ObligationEvent
from portal.app import create_app
from portal.db import create_session_factory
from portal.settings import Settings
from tests.conftest import Travel
from tests.support.browsing import sign_in_as
from tests.support.graphql import gql
from tests.support.world import World
from tests.test_protocol_walkthrough import Walk, at


def _states(case: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    """Each code's (state, reason), for codes that appear once."""
    return {o["code"]: (o["state"], o["reason"]) for o in case["obligations"]}


async def _adherence(client: httpx.AsyncClient, world: World, who: str) -> dict[str, dict[str, int]]:
    body = await gql(
        client, await world.token(who), "Adherence", start="2026-11-01", end="2027-03-31", by="NONE"
    )
    assert "errors" not in body, body
    return {line["code"]: line for line in body["data"]["adherence"]}


async def test_p2_overdue_at_conclusion_is_missed_and_p3_not_yet_due_does_not_apply(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    # Allocated on Monday 30 November 2026: P2 due 7 December, P3 14 December.
    travel(at(date(2026, 11, 30), 9))
    walk = Walk(client, world, await world.open_case(issued_weeks_ago=1))
    child = (await walk.case())["children"][0]
    booked = await walk.change(
        "iro",
        "ScheduleReview",
        "scheduleReview",
        caseId=walk.case_id,
        childIds=[child["id"]],
        reviewDate="2026-12-18",
        arrangements="10am at the children's centre.",
    )
    assert booked["reviews"]
    # The final orders on Wednesday 9 December, with P2 undone and overdue, P3 undone but not yet due.
    travel(at(date(2026, 12, 9)))
    await walk.change(
        "solicitor",
        "RecordFinalOrders",
        "recordFinalOrders",
        caseId=walk.case_id,
        madeOn="2026-12-09",
        orders=[{"childId": child["id"], "order": "CARE_ORDER"}],
    )
    states = _states(await walk.case())
    assert states["P2"] == ("MISSED", "The proceedings concluded on 9 December 2026")
    assert states["P3"] == ("NOT_APPLICABLE", "The proceedings concluded on 9 December 2026")
    # P11 (the pre-review consultation, due at the review on the 18th) ends with the proceedings.
    assert states["P11"][0] == "NOT_APPLICABLE"
    # The IRO's own duties and the handover's go on.
    assert states["P4"][0] == "MET"
    assert {states[code][0] for code in ("P12", "P13", "P14")} == {"OPEN"}
    # Nothing ended stays on the guardian's list as open; the dashboard counts P2 missed, not overdue.
    lines = await _adherence(client, world, "cafcass_manager")
    assert (lines["P2"]["missed"], lines["P2"]["open"], lines["P2"]["overdue"]) == (1, 0, 0)
    assert (lines["P3"]["notApplicable"], lines["P3"]["missed"], lines["P3"]["open"]) == (1, 0, 0)


async def test_closing_the_guardians_involvement_ends_every_duty_of_with_or_to_the_guardian(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    travel(at(date(2026, 11, 30), 9))
    walk = Walk(client, world, await world.open_case(issued_weeks_ago=1))
    child = (await walk.case())["children"][0]
    travel(at(date(2026, 11, 30), 11))
    await walk.contact("guardian", "iro", at(date(2026, 11, 30), 10), purpose="INTRODUCTION")  # P2; opens P7
    travel(at(date(2026, 12, 9)))
    await walk.change(
        "solicitor",
        "RecordFinalOrders",
        "recordFinalOrders",
        caseId=walk.case_id,
        madeOn="2026-12-09",
        orders=[{"childId": child["id"], "order": "CARE_ORDER"}],
    )
    # Monday 4 January 2027: P12 (due 16 December) and P14 (due 23 December) undone; the manager closes the
    # guardian's involvement without the gate.
    travel(at(date(2027, 1, 4)))
    closed = await walk.change(
        "cafcass_manager",
        "CloseGuardianInvolvement",
        "closeGuardianInvolvement",
        caseId=walk.case_id,
        overrideReason="The guardian has left Cafcass.",
    )
    assert closed["closure"]["overrideReason"] == "The guardian has left Cafcass."
    states = _states(await walk.case("iro"))
    for code in ("P12", "P13", "P14"):
        assert states[code] == ("MISSED", "The guardian's involvement closed"), code
    # The IRO's record of the first call on the child's file (P7) is still theirs to do.
    assert states["P7"][0] == "OPEN"
    lines = await _adherence(client, world, "cafcass_manager")
    assert [lines[code]["missed"] for code in ("P12", "P13", "P14")] == [1, 1, 1]
    assert lines["P14"]["open"] == 0


async def test_a_review_held_without_the_notice_or_the_consultation_misses_p4_and_p11(
    client: httpx.AsyncClient, world: World, travel: Travel, settings: Settings, engine: AsyncEngine
) -> None:
    travel(at(date(2026, 11, 30), 9))
    walk = Walk(client, world, await world.open_case(issued_weeks_ago=1))
    child = (await walk.case())["children"][0]
    booked = await walk.change(
        "iro",
        "ScheduleReview",
        "scheduleReview",
        caseId=walk.case_id,
        childIds=[child["id"]],
        reviewDate="2026-12-18",
        arrangements="10am at the children's centre.",
        tellGuardian=False,
    )
    review = booked["reviews"][0]["id"]
    travel(at(date(2026, 12, 18), 15))
    await walk.change("iro", "RecordReviewHeld", "recordReviewHeld", id=review, heldOn="2026-12-18")
    states = _states(await walk.case())
    reason = "The review was held on 18 December 2026 before it was done"
    assert states["P4"] == ("MISSED", reason)
    assert states["P11"] == ("MISSED", reason)
    # Missed, not open: a consultation after the review cannot meet P11 ...
    travel(at(date(2026, 12, 21)))
    await walk.contact("guardian", "iro", at(date(2026, 12, 19), 9), purpose="PRE_REVIEW_CONSULTATION")
    assert _states(await walk.case())["P11"][0] == "MISSED"
    assert (await _adherence(client, world, "cafcass_manager"))["P11"]["missed"] == 1
    assert (await _adherence(client, world, "iro_manager"))["P4"]["missed"] == 1
    # ... but one held before it and logged late shows it was done after all.
    await walk.contact("guardian", "iro", at(date(2026, 12, 17), 9), purpose="PRE_REVIEW_CONSULTATION")
    p11 = next(o for o in (await walk.case())["obligations"] if o["code"] == "P11")
    assert (p11["state"], p11["metOnTime"]) == ("MET", True)
    async with create_session_factory(engine)() as session:
        kinds = await session.scalars(
            sa.select(ObligationEvent.kind).where(ObligationEvent.obligation_id == uuid.UUID(p11["id"]))
        )
        assert sorted(kinds) == ["met", "missed", "opened"]
    # The case page says what was missed, and why.
    app = create_app(settings.model_copy(update={"demo_sign_in": True}), engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as web:
        await sign_in_as(web, world.id("iro"))
        page = await web.get(f"/cases/{walk.case_id}")
    assert page.status_code == 200
    assert "Missed</strong>" in page.text
    assert reason in page.text
