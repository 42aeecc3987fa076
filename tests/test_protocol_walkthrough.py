"""One set of proceedings walked from the guardian's allocation to the final order, on the calendar of
England and Wales: every obligation's opening, due date, evidence and closing (P2-P14), the clock's notices
sent once each, and the chaser for an unanswered contact. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import OutboxMessage, Person
from portal.clock import london_datetime
from portal.db import create_session_factory
from portal.reminders.service import tick
from portal.settings import Settings
from tests.conftest import Travel
from tests.support.graphql import gql
from tests.support.world import World


def at(day: date, hour: int = 10) -> datetime:
    return london_datetime(day, time(hour))


class Walk:
    def __init__(self, client: httpx.AsyncClient, world: World, case_id: object) -> None:
        self.client, self.world, self.case_id = client, world, str(case_id)

    async def run(self, who: str, operation: str, **variables: Any) -> dict[str, Any]:
        body = await gql(self.client, await self.world.token(who), operation, **variables)
        assert "errors" not in body, body
        return body["data"]

    async def change(self, who: str, operation: str, field: str, **input: Any) -> dict[str, Any]:
        payload = (await self.run(who, operation, input=input))[field]
        assert payload["errors"] == [], payload["errors"]
        return payload

    async def case(self, who: str = "guardian") -> dict[str, Any]:
        return (await self.run(who, "CaseView", id=self.case_id))["case"]

    async def duties(self, who: str = "guardian") -> list[tuple[str, str, str, bool | None]]:
        """(code, due, state, met on time) for every obligation on the case, in the order they fall due."""
        return [
            (o["code"], o["dueOn"], o["state"], o["metOnTime"]) for o in (await self.case(who))["obligations"]
        ]

    async def contact(self, who: str, to: str, when: datetime, **changes: Any) -> str:
        contact = {
            "caseId": self.case_id,
            "counterpartId": str(self.world.id(to)),
            "direction": "OUTGOING",
            "occurredAt": when.isoformat(),
            "channel": "PHONE",
            "purpose": "COURT_UPDATE",
            "summary": "An update.",
        }
        payload = await self.change(who, "LogContact", "logContact", **(contact | changes))
        return payload["contact"]["id"]


async def _emails(engine: AsyncEngine, kind: str) -> list[str]:
    async with create_session_factory(engine)() as session:
        rows = await session.execute(
            sa.select(Person.name)
            .join(OutboxMessage, OutboxMessage.person_id == Person.id)
            .where(OutboxMessage.kind == kind)
            .order_by(Person.name)
        )
        return list(rows.scalars())


async def test_one_set_of_proceedings_from_allocation_to_final_order(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, travel: Travel
) -> None:
    sessions = create_session_factory(engine)
    # Monday 30 November 2026: proceedings issued a week ago; the guardian and IRO are allocated today.
    travel(at(date(2026, 11, 30), 9))
    case_id = await world.open_case(issued_weeks_ago=1)
    walk = Walk(client, world, case_id)
    child = (await walk.case())["children"][0]
    # P2 five working days on, P3 ten. Reg 33: looked after since 23 November, so the first review is due
    # within 20 working days (R1), the IRO's duty, with the same date as the child's card.
    assert await walk.duties() == [
        ("IA", "2026-11-30", "MET", True),  # the IRO assigned with the case opened (IRO Handbook)
        ("P2", "2026-12-07", "OPEN", None),
        ("P3", "2026-12-14", "OPEN", None),
        ("R1", "2026-12-21", "OPEN", None),
    ]
    assert child["nextReview"] == {"kind": "FIRST", "dueBy": "2026-12-21", "bookedOn": None, "late": False}

    # P2: the guardian's call meets it; a call is a discussion, opening the IRO's P7.
    travel(at(date(2026, 12, 2)))
    call = await walk.contact("guardian", "iro", at(date(2026, 12, 2), 9), purpose="INTRODUCTION")
    duties = await walk.duties()
    assert ("P2", "2026-12-07", "MET", True) in duties
    assert ("P7", "2026-12-09", "OPEN", None) in duties

    # P3: the consultation arrangement.
    travel(at(date(2026, 12, 3)))
    await walk.change(
        "iro",
        "RecordConsultationArrangement",
        "recordConsultationArrangement",
        caseId=walk.case_id,
        agreedOn="2026-12-03",
        everyWeeks=4,
        onEvents=["BEFORE_EACH_REVIEW"],
    )

    # P7: the IRO records the call on the child's file, with an action agreed.
    travel(at(date(2026, 12, 4)))
    recorded = await walk.change(
        "iro",
        "RecordDiscussion",
        "recordDiscussion",
        caseId=walk.case_id,
        heldOn="2026-12-02",
        mode="PHONE",
        summary="Introductions; agreed to share the interim care plan.",
        contactId=call,
        actions=[
            {
                "description": "Send the interim care plan",
                "ownerId": str(world.id("guardian")),
                "dueOn": "2026-12-09",
            }
        ],
    )
    assert recorded["discussion"]["actions"][0]["owner"]["name"] == "Gina Guardian"
    duties = await walk.duties()
    assert ("P3", "2026-12-14", "MET", True) in duties
    assert ("P7", "2026-12-09", "MET", True) in duties

    # P4 and P11: the IRO books the first review for Friday 18 December without telling the guardian yet.
    travel(at(date(2026, 12, 1)))
    booked = await walk.change(
        "iro",
        "ScheduleReview",
        "scheduleReview",
        caseId=walk.case_id,
        childIds=[child["id"]],
        reviewDate="2026-12-18",
        arrangements="10am at the children's centre, or by video.",
        tellGuardian=False,
    )
    review = booked["reviews"][0]
    assert (review["kind"], review["guardianInvited"], review["noticeSentAt"]) == ("FIRST", False, None)
    # Ten working days before 18 December is 4 December; P11 by the review itself.
    opened = [d for d in await walk.duties() if d[0] in ("P4", "P11")]
    assert opened == [("P4", "2026-12-04", "OPEN", None), ("P11", "2026-12-18", "OPEN", None)]
    travel(at(date(2026, 12, 3)))
    await walk.change("iro", "TellGuardianOfReview", "tellGuardianOfReview", id=review["id"])
    assert await _emails(engine, "review.notice") == ["Gina Guardian"]
    # The guardian's pre-review consultation meets P11 (and, being a call, opens P7 again).
    travel(at(date(2026, 12, 16)))
    await walk.contact("guardian", "iro", at(date(2026, 12, 16), 9), purpose="PRE_REVIEW_CONSULTATION")
    duties = await walk.duties()
    assert ("P4", "2026-12-04", "MET", True) in duties
    assert ("P11", "2026-12-18", "MET", True) in duties
    assert ("P7", "2026-12-23", "OPEN", None) in duties

    # P5: the review is held; its record is due 15 working days on, past Christmas, Boxing Day (observed on
    # Monday 28 December) and New Year's Day.
    travel(at(date(2026, 12, 18), 15))
    await walk.change("iro", "RecordReviewHeld", "recordReviewHeld", id=review["id"], heldOn="2026-12-18")
    duties = await walk.duties()
    assert ("P5", "2027-01-13", "OPEN", None) in duties
    # R1 met by the review; R2, the second review, due within 3 months of it.
    assert ("R1", "2026-12-21", "MET", True) in duties
    assert ("R2", "2027-03-18", "OPEN", None) in duties
    # RD: its decisions within 5 working days (29 December, past Christmas and Boxing Day's substitute),
    # recorded the same day, each an action with an owner and a date.
    assert ("RD", "2026-12-29", "OPEN", None) in duties
    decided = await walk.change(
        "iro",
        "RecordReviewDecisions",
        "recordReviewDecisions",
        id=review["id"],
        decisions=[
            {"description": "Start life-story work", "ownerId": str(world.id("iro")), "dueOn": "2027-02-26"}
        ],
    )
    assert [d["state"] for d in decided["review"]["decisions"]] == ["OPEN"]
    assert ("RD", "2026-12-29", "MET", True) in await walk.duties()
    assert (await walk.case())["reviews"][0]["record"] is None
    travel(at(date(2027, 1, 5)))
    await walk.change(
        "iro",
        "ShareReviewRecord",
        "shareReviewRecord",
        id=review["id"],
        record="Plan endorsed; next review in March.",
    )
    case = await walk.case()
    assert case["reviews"][0]["record"] == "Plan endorsed; next review in March."
    assert ("P5", "2027-01-13", "MET", True) in await walk.duties()
    # The second review is due within 3 months of the first.
    assert case["children"][0]["nextReview"]["kind"] == "SECOND"
    assert case["children"][0]["nextReview"]["dueBy"] == "2027-03-18"

    # The clock on 5 January: the second call's P7 (due 23 December) is overdue: one notice, to the IRO.
    report = await tick(sessions, settings)
    assert report.overdue == 1
    assert await _emails(engine, "obligation.overdue") == ["Ivan Reviewer"]
    assert (await tick(sessions, settings)).overdue == 0
    assert await _emails(engine, "obligation.overdue") == ["Ivan Reviewer"]
    # The IRO records it late: P7 met, not on time.
    await walk.change(
        "iro",
        "RecordDiscussion",
        "recordDiscussion",
        caseId=walk.case_id,
        heldOn="2026-12-16",
        mode="PHONE",
        summary="Pre-review consultation.",
    )
    p7s = [d for d in await walk.duties() if d[0] == "P7"]
    assert ("P7", "2026-12-23", "OPEN", None) in p7s  # linked to no contact: the record met a P7 of its own
    assert ("P7", "2026-12-23", "MET", False) in p7s

    # P9: a significant issue from a meeting on Wednesday 6 January, recorded on the 11th and kept back.
    travel(at(date(2027, 1, 11)))
    issue = await walk.change(
        "iro",
        "RecordSignificantIssue",
        "recordSignificantIssue",
        caseId=walk.case_id,
        aroseOn="2027-01-06",
        meeting="Placement planning meeting",
        summary="The placement may end.",
        tellGuardianNow=False,
    )
    assert ("P9", "2027-01-08", "OPEN", None) in await walk.duties("iro")
    # The guardian does not see it until it is shared.
    assert (await walk.case())["raisedIssues"] == []
    await walk.change("iro", "ShareSignificantIssue", "shareSignificantIssue", id=issue["issue"]["id"])
    assert ("P9", "2027-01-08", "MET", False) in await walk.duties()
    tasks = (await walk.run("guardian", "MyTasks"))["myIssuesToAcknowledge"]
    assert [t["issue"]["kind"] for t in tasks] == ["SIGNIFICANT_ISSUE"]
    await walk.change(
        "guardian", "AcknowledgeIssue", "acknowledgeIssue", id=issue["issue"]["id"], response="Noted."
    )
    assert (await walk.run("guardian", "MyTasks"))["myIssuesToAcknowledge"] == []
    # P8: the guardian's concern, which the IRO acknowledges; the LA solicitor never sees either.
    concern = await walk.change(
        "guardian", "RaiseConcern", "raiseConcern", caseId=walk.case_id, summary="Contact is not happening."
    )
    assert [t["issue"]["id"] for t in (await walk.run("iro", "MyTasks"))["myIssuesToAcknowledge"]] == [
        concern["issue"]["id"]
    ]
    await walk.change("iro", "AcknowledgeIssue", "acknowledgeIssue", id=concern["issue"]["id"])
    assert (await walk.case("solicitor"))["raisedIssues"] == []

    # An unanswered message: a reply expected (by default within 3 working days, so by Friday 15th).
    travel(at(date(2027, 1, 12)))
    message = await walk.contact(
        "iro", "guardian", at(date(2027, 1, 12), 9), channel="EMAIL", replyExpected=True
    )
    travel(at(date(2027, 1, 18)))
    assert (await tick(sessions, settings)).chasers == 1
    assert (await tick(sessions, settings)).chasers == 0
    assert await _emails(engine, "contact.chaser") == ["Gina Guardian"]
    assert await _emails(engine, "contact.chased") == ["Ivan Reviewer"]
    for who, waiting_on_them in (("guardian", True), ("iro", False)):
        awaited = (await walk.run(who, "MyTasks"))["myAwaitedReplies"]
        assert [(a["contact"]["id"], a["waitingOnYou"]) for a in awaited] == [(message, waiting_on_them)]

    # The final order on Monday 1 February: P12 five working days on, P13 and P14 ten.
    travel(at(date(2027, 2, 1)))
    await walk.change(
        "solicitor",
        "RecordFinalOrders",
        "recordFinalOrders",
        caseId=walk.case_id,
        madeOn="2027-02-01",
        orders=[{"childId": child["id"], "order": "CARE_ORDER"}],
    )
    duties = await walk.duties()
    assert {d for d in duties if d[0] in ("P12", "P13", "P14")} == {
        ("P12", "2027-02-08", "OPEN", None),
        ("P13", "2027-02-15", "OPEN", None),
        ("P14", "2027-02-15", "OPEN", None),
    }
    case = await walk.case()
    assert case["stage"] == "CONCLUDED"
    assert case["finalOrders"][0]["order"] == "CARE_ORDER"
    # P13: the final discussion of the care plan.
    travel(at(date(2027, 2, 3)))
    await walk.change(
        "iro",
        "RecordDiscussion",
        "recordDiscussion",
        caseId=walk.case_id,
        heldOn="2027-02-03",
        mode="IN_PERSON",
        kind="FINAL_DISCUSSION",
        summary="The final care plan; issues to keep under review.",
    )
    assert ("P13", "2027-02-15", "MET", True) in await walk.duties()
    # P12 and P14 wait for the final care plan and the handover.
    open_now = {d[0] for d in await walk.duties() if d[2] == "OPEN"}
    assert open_now == {"P7", "P12", "P14", "R2"}


async def test_a_final_order_that_ends_care_makes_the_handover_not_applicable(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    walk = Walk(client, world, case_id)
    child = (await walk.case())["children"][0]
    await walk.change(
        "solicitor",
        "RecordFinalOrders",
        "recordFinalOrders",
        caseId=walk.case_id,
        madeOn=date.today().isoformat(),
        orders=[{"childId": child["id"], "order": "SPECIAL_GUARDIANSHIP_ORDER"}],
    )
    case = await walk.case()
    handover = [o for o in case["obligations"] if o["code"] in ("P12", "P13", "P14")]
    assert [o["state"] for o in handover] == ["NOT_APPLICABLE"] * 3
    assert "no IRO to hand over to" in handover[0]["reason"]
    assert case["children"][0]["lookedAfter"] is False
