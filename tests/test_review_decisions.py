"""The review record in two steps (issue 18; IRO Handbook 2010): a held review's decisions, as actions with an
owner, a due date and a state, within 5 working days (RD, a rule each authority may change), then the full
record to the guardian within 15 (P5, unchanged). Decisions still open at the next review are done, dropped
or carried forward there, with their history; owners see theirs on their task list and mark them done; the
manager the IRO names confirms or disputes them. Emails carry no case content; every write is audited."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import AuditEvent, OutboxMessage, Person
from portal.calendar import add_working_days
from portal.cases import service as cases
from portal.db import create_session_factory
from tests.conftest import Travel
from tests.support.graphql import gql, payload_codes
from tests.support.world import World
from tests.test_protocol_walkthrough import Walk, at
from tests.test_review_duties import _book_and_hold

HELD = date(2026, 12, 23)  # a Wednesday: Christmas, Boxing Day's substitute and New Year's Day follow


def _duty(
    duties: list[tuple[str, str, str, bool | None]], code: str
) -> list[tuple[str, str, str, bool | None]]:
    return [d for d in duties if d[0] == code]


async def _record(walk: Walk, who: str, **input: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await walk.run(who, "RecordReviewDecisions", input=input))[
        "recordReviewDecisions"
    ]
    return payload


async def _emails(engine: AsyncEngine) -> list[tuple[str, str, str, str]]:
    async with create_session_factory(engine)() as session:
        rows = await session.execute(
            sa.select(OutboxMessage.kind, Person.name, OutboxMessage.subject, OutboxMessage.body)
            .join(Person, Person.id == OutboxMessage.person_id)
            .where(OutboxMessage.kind.like("review.decision%"))
            .order_by(OutboxMessage.kind, Person.name)
        )
        return [(kind, name, subject, body) for kind, name, subject, body in rows]


async def _actions(engine: AsyncEngine) -> list[str]:
    async with create_session_factory(engine)() as session:
        rows = await session.execute(
            sa.select(AuditEvent.action).where(AuditEvent.action.like("review.decision%"))
        )
        return sorted(set(rows.scalars()))


async def _tasks(walk: Walk, who: str) -> dict[str, Any]:
    return await walk.run(who, "MyTasks")


async def test_decisions_at_5_working_days_the_record_at_15_carried_forward_and_checked(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, travel: Travel
) -> None:
    travel(at(date(2026, 12, 14), 9))
    case_id = await world.open_case(issued_weeks_ago=0)
    walk = Walk(client, world, case_id)
    child = (await walk.case())["children"][0]
    first = await _book_and_hold(walk, travel, child["id"], HELD)

    # RD opens with P5 when the review is held: 5 working days across Christmas and New Year, P5 still 15.
    assert add_working_days(HELD, 5) == date(2027, 1, 4)
    duties = await walk.duties()
    assert _duty(duties, "RD") == [("RD", "2027-01-04", "OPEN", None)]
    assert _duty(duties, "P5") == [("P5", "2027-01-18", "OPEN", None)]

    # Overdue the day after, on the IRO's task list.
    travel(at(date(2027, 1, 5), 10))
    world.forget_tokens()
    rd = next(t for t in (await _tasks(walk, "iro"))["myTasks"] if t["obligation"]["code"] == "RD")
    assert rd["obligation"]["overdue"] is True
    assert rd["obligation"]["workingDaysOverdue"] == 1

    # Every problem at once, each with its stable code and field.
    wrong = await _record(
        walk,
        "iro",
        id=first,
        decisions=[
            {"description": " ", "ownerId": None, "dueOn": "2026-12-22"},
            {"description": "x" * 1001, "ownerId": str(world.id("other_iro")), "dueOn": "2028-01-01"},
            {"description": "Fine", "ownerId": str(world.id("guardian")), "dueOn": None},
        ],
        managerId=str(world.id("other_la_manager")),
    )
    assert sorted(payload_codes(wrong)) == sorted(
        [
            ("REQUIRED", "decisions.0.description"),
            ("REQUIRED", "decisions.0.ownerId"),
            ("DATE_TOO_EARLY", "decisions.0.dueOn"),
            ("TOO_LONG", "decisions.1.description"),
            ("NOT_ON_CASE", "decisions.1.ownerId"),
            ("DATE_TOO_LATE", "decisions.1.dueOn"),
            ("REQUIRED", "decisions.2.dueOn"),
            ("NOT_ON_CASE", "managerId"),
        ]
    )
    assert payload_codes(await _record(walk, "iro", id=first)) == [("REQUIRED", "decisions")]
    # Only the child's IRO: the guardian finds no such review.
    refused = await _record(walk, "guardian", id=first, decisions=[])
    assert [c for c, _ in payload_codes(refused)] == ["NOT_FOUND"]

    # Recorded: the guardian (on the case) and the social worker (of the authority, not on it) own one each.
    done = await _record(
        walk,
        "iro",
        id=first,
        decisions=[
            {
                "description": "Share the contact plan",
                "ownerId": str(world.id("guardian")),
                "dueOn": "2027-02-01",
            },
            {
                "description": "Arrange a tutor",
                "ownerId": str(world.id("social_worker")),
                "dueOn": "2027-01-11",
            },
        ],
        managerId=str(world.id("team_manager")),
    )
    assert done["errors"] == []
    decisions = done["review"]["decisions"]
    assert [(d["description"], d["owner"]["name"], d["state"]) for d in decisions] == [
        ("Share the contact plan", "Gina Guardian", "OPEN"),
        ("Arrange a tutor", "Sam Worker", "OPEN"),
    ]
    assert done["review"]["decisionsCheck"]["manager"]["name"] == "Tamsin Manager"
    duties = await walk.duties()
    assert _duty(duties, "RD") == [("RD", "2027-01-04", "MET", False)]  # met, a day late
    assert _duty(duties, "P5") == [("P5", "2027-01-18", "OPEN", None)]
    one = {"description": "More", "ownerId": str(world.id("guardian")), "dueOn": "2027-02-01"}
    again = await _record(walk, "iro", id=first, decisions=[one])
    assert payload_codes(again) == [("ALREADY_DONE", "id")]

    # The emails: link only, no case number, no child's name, no decision's text.
    case = await walk.case()
    emails = await _emails(engine)
    assert [(kind, name) for kind, name, _, _ in emails] == [
        ("review.decision", "Gina Guardian"),
        ("review.decision", "Sam Worker"),
        ("review.decisions.check", "Tamsin Manager"),
    ]
    for _, _, subject, body in emails:
        for secret in (case["caseNumber"], child["givenName"], "tutor", "contact plan"):
            assert secret not in subject + body

    # The owners' task lists: the social worker, not on the case, sees what, by when, the case's number and
    # the child's given name, and no more.
    travel(at(date(2027, 1, 12), 10))
    world.forget_tokens()
    [mine] = (await _tasks(walk, "social_worker"))["myReviewDecisions"]
    assert mine == {
        "id": decisions[1]["id"],
        "description": "Arrange a tutor",
        "dueOn": "2027-01-11",
        "overdue": True,
        "caseNumber": case["caseNumber"],
        "childGivenName": "Amy",
        "caseId": None,
        "reviewId": None,
    }
    [guardians] = (await _tasks(walk, "guardian"))["myReviewDecisions"]
    assert (guardians["caseId"], guardians["overdue"]) == (str(case_id), False)
    assert (await _tasks(walk, "solicitor"))["myReviewDecisions"] == []

    # Someone else cannot mark it done: no such decision.
    body = await gql(
        client, await world.token("solicitor"), "CompleteReviewDecision", input={"id": mine["id"]}
    )
    assert payload_codes(body["data"]["completeReviewDecision"]) == [("NOT_FOUND", "id")]
    marked = await walk.change(
        "social_worker", "CompleteReviewDecision", "completeReviewDecision", id=mine["id"], note="Booked"
    )
    assert marked["decision"]["caseNumber"] == case["caseNumber"]
    assert (await _tasks(walk, "social_worker"))["myReviewDecisions"] == []
    again = await gql(
        client, await world.token("social_worker"), "CompleteReviewDecision", input={"id": mine["id"]}
    )
    assert payload_codes(again["data"]["completeReviewDecision"]) == [("ALREADY_DONE", "id")]

    # The manager named confirms or disputes, once; nobody else may.
    [check] = (await _tasks(walk, "team_manager"))["myDecisionChecks"]
    assert (check["reviewId"], check["heldOn"], check["childGivenName"]) == (first, "2026-12-23", "Amy")
    assert [d["description"] for d in check["decisions"]] == ["Share the contact plan", "Arrange a tutor"]
    assert (await _tasks(walk, "head_of_service"))["myDecisionChecks"] == []

    async def respond(who: str, **input: Any) -> dict[str, Any]:
        body = await gql(
            client, await world.token(who), "RespondToReviewDecisions", input={"reviewId": first, **input}
        )
        payload: dict[str, Any] = body["data"]["respondToReviewDecisions"]
        return payload

    assert payload_codes(await respond("head_of_service", response="CONFIRMED")) == [
        ("NOT_FOUND", "reviewId")
    ]
    assert payload_codes(await respond("team_manager", response="DISPUTED")) == [("REQUIRED", "comment")]
    answered = await respond("team_manager", response="DISPUTED", comment="The tutor is not funded.")
    assert answered["errors"] == []
    assert answered["check"]["response"] == "DISPUTED"
    assert payload_codes(await respond("team_manager", response="CONFIRMED")) == [
        ("ALREADY_DONE", "reviewId")
    ]
    assert (await _tasks(walk, "team_manager"))["myDecisionChecks"] == []
    seen = next(
        r
        for r in (await walk.run("iro", "RecordForm", id=str(case_id)))["case"]["reviews"]
        if r["id"] == first
    )
    assert (seen["decisionsCheck"]["response"], seen["decisionsCheck"]["comment"]) == (
        "DISPUTED",
        "The tutor is not funded.",
    )
    assert ("review.decisions.answer", "Ivan Reviewer") in [(k, n) for k, n, _, _ in await _emails(engine)]

    # The second review must say what happens to the decision still open; carried forward, it continues.
    second = await _book_and_hold(walk, travel, child["id"], date(2027, 3, 10))
    world.forget_tokens()
    new = {"description": "Review the placement", "ownerId": str(world.id("iro")), "dueOn": "2027-04-01"}
    left = await _record(walk, "iro", id=second, decisions=[new])
    assert payload_codes(left) == [("REQUIRED", "earlier.0")]
    earlier = decisions[0]["id"]
    wrong = await _record(
        walk,
        "iro",
        id=second,
        earlier=[
            {"id": earlier, "outcome": "CARRIED_FORWARD"},
            {"id": earlier, "outcome": "DONE"},
            {"id": decisions[1]["id"], "outcome": "DONE"},
        ],
    )
    assert payload_codes(wrong) == [
        ("REQUIRED", "earlier.0.dueOn"),
        ("DUPLICATE", "earlier.1"),
        ("NOT_FOUND", "earlier.2"),
    ]
    dropped = await _record(walk, "iro", id=second, earlier=[{"id": earlier, "outcome": "DROPPED"}])
    assert payload_codes(dropped) == [("REQUIRED", "earlier.0.note")]
    carried = await _record(
        walk,
        "iro",
        id=second,
        decisions=[new],
        earlier=[{"id": earlier, "outcome": "CARRIED_FORWARD", "dueOn": "2027-04-30"}],
    )
    assert carried["errors"] == []
    assert [
        (d["description"], d["owner"]["name"], d["dueOn"], d["carriedFromId"])
        for d in carried["review"]["decisions"]
    ] == [
        ("Share the contact plan", "Gina Guardian", "2027-04-30", earlier),
        ("Review the placement", "Ivan Reviewer", "2027-04-01", None),
    ]
    reviews = {r["id"]: r for r in (await walk.run("iro", "RecordForm", id=str(case_id)))["case"]["reviews"]}
    assert [(d["state"], d["note"]) for d in reviews[first]["decisions"]] == [
        ("CARRIED_FORWARD", ""),
        ("DONE", "Booked"),
    ]
    assert reviews[second]["decisions"][0]["carriedFromHeldOn"] == "2026-12-23"
    assert reviews[second]["decisionsCheck"]["manager"] is None

    assert await _actions(engine) == [
        "review.decision.carried_forward",
        "review.decision.done",
        "review.decisions",
        "review.decisions.check",
        "review.decisions.disputed",
    ]


async def test_an_authority_may_give_its_own_days_for_the_decisions(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    """RD is a local rule, like the protocol's: Riverside asks for the decisions within 3 working days."""
    travel(at(date(2026, 12, 14), 9))
    admin = await world.actor("admin")
    from portal.obligations import rules

    async with world.sessions() as session, session.begin():
        await rules.set_override(
            session, admin, code="RD", organisation_id=world.orgs["riverside"].id, working_days=3
        )
    walk = Walk(client, world, await world.open_case(issued_weeks_ago=0))
    child = (await walk.case())["children"][0]
    await _book_and_hold(walk, travel, child["id"], HELD)
    duties = await walk.duties()
    assert _duty(duties, "RD") == [("RD", add_working_days(HELD, 3).isoformat(), "OPEN", None)]
    assert _duty(duties, "P5") == [("P5", "2027-01-18", "OPEN", None)]


async def test_decisions_open_from_earlier_proceedings_are_settled_at_the_next_review(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    """A child still looked after when their proceedings conclude keeps their open decisions into new ones:
    the next review's IRO is shown them (decisionsToSettle) and carries them forward; nobody else is."""
    travel(at(date(2026, 12, 14), 9))
    first = Walk(client, world, await world.open_case(issued_weeks_ago=0))
    child = (await first.case())["children"][0]
    review = await _book_and_hold(first, travel, child["id"], date(2027, 1, 12))
    recorded = await _record(
        first,
        "iro",
        id=review,
        decisions=[
            {"description": "Life-story work", "ownerId": str(world.id("iro")), "dueOn": "2027-04-01"}
        ],
    )
    assert recorded["errors"] == []
    travel(at(date(2027, 1, 19), 12))
    world.forget_tokens()
    await first.change(
        "solicitor",
        "RecordFinalOrders",
        "recordFinalOrders",
        caseId=first.case_id,
        madeOn="2027-01-19",
        orders=[{"childId": child["id"], "order": "CARE_ORDER"}],
    )
    data = cases.OpenProceedings(
        court_id=world.orgs["court"].id,
        case_number="PO27000002",
        issued_on=date(2027, 1, 19),
        existing_child_ids=[uuid.UUID(child["id"])],
    )
    async with world.sessions() as session, session.begin():
        opened = await cases.open_proceedings(session, await world.actor("solicitor"), data)
    await world.allocate(opened.id, "guardian")
    await world.assign_iro(opened.id, "iro")
    second = Walk(client, world, opened.id)
    later = await _book_and_hold(second, travel, child["id"], date(2027, 3, 30))
    settle = (await second.run("iro", "DecisionsToSettle", reviewId=later))["decisionsToSettle"]
    assert [(d["description"], d["heldOn"]) for d in settle] == [("Life-story work", "2027-01-12")]
    for nobody in ("guardian", "solicitor", "iro_manager", "other_iro"):
        assert (await second.run(nobody, "DecisionsToSettle", reviewId=later))["decisionsToSettle"] == []
    carried = await _record(
        second,
        "iro",
        id=later,
        earlier=[{"id": settle[0]["id"], "outcome": "CARRIED_FORWARD", "dueOn": "2027-06-30"}],
    )
    assert carried["errors"] == []
    assert [(d["description"], d["carriedFromId"]) for d in carried["review"]["decisions"]] == [
        ("Life-story work", settle[0]["id"])
    ]
    # Settled: nothing more to settle.
    assert (await second.run("iro", "DecisionsToSettle", reviewId=later))["decisionsToSettle"] == []
