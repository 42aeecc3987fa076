"""A significant change in a looked-after child's circumstances (issue 18; RESEARCH-NOTES.md F8): the child's
social worker tells the child's IRO (or the IRO records one they learned of), which opens SC, the IRO's duty
to consider it within 5 working days; the IRO either books an additional review for it (CPPCR 2010 reg 33(3):
a review earlier than the schedule when the IRO so directs) or records why none is needed. SC is the child's
IRO's (a sibling's IRO owns their own), goes on when the guardian's involvement closes, and ends when the
child leaves care. The IRO's email carries no case content; every read and write is audited."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import AuditEvent, LegalStatus, OutboxMessage, Person
from portal.calendar import add_working_days
from portal.db import create_session_factory
from portal.obligations.rules import CHANGE, DEFAULTS, END_AT_CONCLUSION, END_WITH_GUARDIAN
from tests.conftest import Travel
from tests.support.graphql import payload_codes
from tests.support.world import World
from tests.test_protocol_walkthrough import Walk, at

AMY_AND_BEN = [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_CARE_ORDER)]
# Wednesday 23 December 2026: 5 working days on skip Christmas Day, Boxing Day's substitute (Monday 28) and
# New Year's Day, to Monday 4 January 2027.
TOLD = date(2026, 12, 23)
DUE = date(2027, 1, 4)
SAID = "Amy moved to a new foster home on Monday after her carers gave notice."


async def _walk(
    client: httpx.AsyncClient,
    world: World,
    travel: Travel,
    children: Any = None,
    *,
    social_worker: bool = True,
) -> Walk:
    """A case of looked-after children, opened on TOLD with the guardian and the IRO, and (unless not) the
    social worker recorded for every child by the solicitor."""
    travel(at(TOLD, 9))
    world.forget_tokens()
    case_id = await world.open_case(children or [("Amy", LegalStatus.INTERIM_CARE_ORDER)], issued_weeks_ago=2)
    walk = Walk(client, world, case_id)
    if social_worker:
        await walk.change(
            "solicitor",
            "AssignSocialWorker",
            "assignSocialWorker",
            caseId=walk.case_id,
            personId=str(world.id("social_worker")),
        )
    return walk


async def _children(walk: Walk) -> dict[str, str]:
    return {c["givenName"]: c["id"] for c in (await walk.case())["children"]}


async def _notify(walk: Walk, who: str, **input: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await walk.run(who, "NotifySignificantChange", input=input))[
        "notifySignificantChange"
    ]
    return payload


def _change(walk: Walk, child_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "caseId": walk.case_id,
        "childId": child_id,
        "kind": "PLACEMENT_MOVE",
        "occurredOn": TOLD.isoformat(),
        "summary": SAID,
        **changes,
    }


async def _respond(walk: Walk, who: str, change_id: str, **input: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (
        await walk.run(who, "RespondToSignificantChange", input={"id": change_id, **input})
    )["respondToSignificantChange"]
    return payload


def _sc(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in case["obligations"] if o["code"] == CHANGE]


async def _emails(engine: AsyncEngine, kind: str) -> list[tuple[str, str, str, str]]:
    async with create_session_factory(engine)() as session:
        rows = await session.execute(
            sa.select(Person.name, OutboxMessage.subject, OutboxMessage.body, OutboxMessage.link_path)
            .join(Person, Person.id == OutboxMessage.person_id)
            .where(OutboxMessage.kind == kind)
            .order_by(Person.name)
        )
        return [(name, subject, body, link) for name, subject, body, link in rows]


async def _events(engine: AsyncEngine, case_id: str, action: str) -> list[AuditEvent]:
    async with create_session_factory(engine)() as session:
        rows = await session.execute(
            sa.select(AuditEvent).where(AuditEvent.case_id == uuid.UUID(case_id), AuditEvent.action == action)
        )
        return list(rows.scalars())


def test_sc_is_the_iros_own_duty_to_the_child() -> None:
    """SC (reg 33(3)): the IRO's, after a significant change, 5 working days, waived only by an IRO manager;
    it does not end with the proceedings or with the guardian's involvement."""
    spec = DEFAULTS[CHANGE]
    assert (spec.owner.value, spec.trigger.value, spec.deadline_kind.value, spec.working_days) == (
        "iro",
        "significant_change",
        "after",
        5,
    )
    assert spec.evidence.value == "change_considered"
    assert [r.value for r in spec.waivable_by] == ["iro_manager"]
    assert CHANGE not in END_WITH_GUARDIAN
    assert CHANGE not in END_AT_CONCLUSION


async def test_the_social_worker_tells_the_iro_who_has_5_working_days_and_an_email_without_the_case(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, travel: Travel
) -> None:
    walk = await _walk(client, world, travel)
    amy = (await _children(walk))["Amy"]
    travel(at(TOLD, 11))
    payload = await _notify(walk, "social_worker", **_change(walk, amy, summary=f"  {SAID}\r\n"))
    assert payload["errors"] == []
    change = payload["change"]
    assert (change["kind"], change["occurredOn"], change["summary"]) == ("PLACEMENT_MOVE", "2026-12-23", SAID)
    assert change["notifiedBy"]["name"] == "Sam Worker"
    assert change["response"] is None

    # SC opens for Amy's IRO, due 5 working days later across Christmas and New Year.
    assert add_working_days(TOLD, 5) == DUE
    case = await walk.case("iro")
    [sc] = _sc(case)
    assert (sc["state"], sc["dueOn"], sc["childId"], sc["triggerId"]) == (
        "OPEN",
        DUE.isoformat(),
        amy,
        change["id"],
    )
    assert (sc["ownerPerson"]["name"], sc["owner"], sc["evidenceKind"]) == (
        "Ivan Reviewer",
        "IRO",
        "CHANGE_CONSIDERED",
    )
    # On the IRO's task list, leading to the change.
    tasks = (await walk.run("iro", "MyTasks"))["myTasks"]
    assert [t["obligation"]["code"] for t in tasks if t["obligation"]["code"] == CHANGE] == [CHANGE]

    # Everyone who reads the case sees the change (the guardian included), unanswered.
    for who in ("guardian", "iro", "solicitor", "social_worker", "iro_manager", "cafcass_manager"):
        [seen] = (await walk.case(who))["significantChanges"]
        assert (seen["id"], seen["summary"], seen["response"]) == (change["id"], SAID, None), who

    # The IRO's email: what kind of thing, by when, and a link; nothing of the case.
    [(to, subject, body, link)] = await _emails(engine, "significant_change.notified")
    assert to == "Ivan Reviewer"
    assert link == f"/cases/{walk.case_id}/significant-changes/{change['id']}"
    assert "4 January 2027" in body
    case_number = (await walk.case())["caseNumber"]
    for private in ("Amy", "Example", case_number, "foster", "carers", "Sam Worker", "placement move"):
        assert private.lower() not in (subject + body).lower(), private
    # That one email tells of the task; the write is audited as the social worker's.
    assert [e for e in await _emails(engine, "obligation.opened") if f"({CHANGE})" in e[1]] == []
    [event] = await _events(engine, walk.case_id, "significant_change.notify")
    assert (str(event.subject_id), event.person_id, event.acting_as) == (
        change["id"],
        world.id("social_worker"),
        "social_worker",
    )
    # Reads are audited: each look at the case above is on its trail.
    looks = await _events(engine, walk.case_id, "case.view")
    assert {e.person_id for e in looks} >= {
        world.id(k) for k in ("guardian", "iro", "solicitor", "social_worker")
    }


async def test_the_iro_books_an_additional_review_for_it(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, travel: Travel
) -> None:
    walk = await _walk(client, world, travel, AMY_AND_BEN)
    children = await _children(walk)
    amy, ben = children["Amy"], children["Ben"]
    change = (await _notify(walk, "social_worker", **_change(walk, amy)))["change"]
    travel(at(date(2026, 12, 29), 10))
    world.forget_tokens()
    booking = {
        "caseId": walk.case_id,
        "childIds": [amy],
        "reviewDate": "2027-01-12",
        "arrangements": "At the foster home, 10am.",
        "kind": "ADDITIONAL",
        "significantChangeId": change["id"],
    }

    async def book(**changes: Any) -> dict[str, Any]:
        payload: dict[str, Any] = (await walk.run("iro", "ScheduleReview", input={**booking, **changes}))[
            "scheduleReview"
        ]
        return payload

    # It must be an additional review, of the child whose change it is, for a change on the case.
    assert payload_codes(await book(kind=None)) == [("INVALID_VALUE", "significantChangeId")]
    assert payload_codes(await book(childIds=[ben])) == [("INVALID_VALUE", "significantChangeId")]
    assert payload_codes(await book(significantChangeId=str(uuid.uuid4()))) == [
        ("NOT_FOUND", "significantChangeId")
    ]
    assert payload_codes(await book(significantChangeId="nonsense")) == [
        ("INVALID_ID", "significantChangeId")
    ]
    # Refused, nothing was booked.
    assert (await walk.case("iro"))["reviews"] == []

    booked = await book(childIds=[amy, ben])
    assert booked["errors"] == []
    review = next(r for r in booked["reviews"] if r["childId"] == amy)
    assert review["kind"] == "ADDITIONAL"
    case = await walk.case("iro")
    [seen] = case["significantChanges"]
    assert (seen["response"], seen["reviewId"], seen["responseReason"]) == ("REVIEW_BOOKED", review["id"], "")
    assert seen["respondedBy"]["name"] == "Ivan Reviewer"
    [sc] = _sc(case)
    assert (sc["state"], sc["metOnTime"], sc["evidenceId"]) == ("MET", True, change["id"])
    # Answered once: no second answer, by booking or otherwise.
    again = await _respond(walk, "iro", change["id"], response="NO_REVIEW", reason="Changed my mind")
    assert payload_codes(again) == [("ALREADY_DONE", "id")]
    # The social worker who told the IRO is told it was answered (no case content); both writes audited.
    [(to, subject, body, link)] = await _emails(engine, "significant_change.answered")
    assert to == "Sam Worker"
    assert "Amy" not in subject + body
    assert link.endswith(change["id"])
    [event] = await _events(engine, walk.case_id, "significant_change.review_booked")
    assert (str(event.subject_id), event.person_id, event.acting_as) == (change["id"], world.id("iro"), "iro")


async def test_no_review_needs_a_reason_and_is_given_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, travel: Travel
) -> None:
    walk = await _walk(client, world, travel)
    amy = (await _children(walk))["Amy"]
    change = (await _notify(walk, "social_worker", **_change(walk, amy, kind="EDUCATION")))["change"]
    travel(at(date(2027, 1, 5), 10))  # a working day late
    world.forget_tokens()
    assert payload_codes(await _respond(walk, "iro", change["id"], response="NO_REVIEW", reason=" \n ")) == [
        ("REQUIRED", "reason")
    ]
    assert payload_codes(await _respond(walk, "iro", change["id"])) == [("REQUIRED", "response")]
    assert payload_codes(await _respond(walk, "iro", change["id"], response="REVIEW_BOOKED")) == [
        ("INVALID_VALUE", "response")
    ]
    too_long = await _respond(walk, "iro", change["id"], response="NO_REVIEW", reason="x" * 4001)
    assert payload_codes(too_long) == [("TOO_LONG", "reason")]
    assert _sc(await walk.case("iro"))[0]["state"] == "OPEN"

    reason = "The new school is in the same trust; the review in March will consider it."
    done = await _respond(walk, "iro", change["id"], response="NO_REVIEW", reason=reason)
    assert done["errors"] == []
    assert (done["change"]["response"], done["change"]["responseReason"]) == ("NO_REVIEW", reason)
    [sc] = _sc(await walk.case("iro"))
    assert (sc["state"], sc["metOnTime"], sc["evidenceId"]) == ("MET", False, change["id"])
    # Once only.
    twice = await _respond(walk, "iro", change["id"], response="NO_REVIEW", reason=reason)
    assert payload_codes(twice) == [("ALREADY_DONE", "id")]
    [event] = await _events(engine, walk.case_id, "significant_change.no_review")
    assert (event.person_id, event.acting_as) == (world.id("iro"), "iro")


async def test_every_problem_with_a_notification_at_once(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    walk = await _walk(
        client, world, travel, [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Cal", LegalStatus.NO_ORDER)]
    )
    children = await _children(walk)
    wrong = await _notify(
        walk,
        "social_worker",
        **_change(walk, children["Amy"], kind=None, occurredOn="2026-12-24", summary=" "),
    )
    assert payload_codes(wrong) == [
        ("REQUIRED", "kind"),
        ("DATE_IN_FUTURE", "occurredOn"),
        ("REQUIRED", "summary"),
    ]
    assert wrong["change"] is None
    long = await _notify(walk, "social_worker", **_change(walk, children["Amy"], summary="x" * 4001))
    assert payload_codes(long) == [("TOO_LONG", "summary")]
    before_birth = await _notify(
        walk, "social_worker", **_change(walk, children["Amy"], occurredOn="1990-01-01")
    )
    assert payload_codes(before_birth) == [("DATE_TOO_EARLY", "occurredOn")]
    # A child who is not looked after has no IRO to tell.
    cal = await _notify(walk, "social_worker", **_change(walk, children["Cal"]))
    assert payload_codes(cal) == [("NOT_LOOKED_AFTER", "childId")]
    assert payload_codes(await _notify(walk, "social_worker", **_change(walk, None))) == [
        ("REQUIRED", "childId")
    ]
    stranger = await _notify(walk, "social_worker", **_change(walk, str(uuid.uuid4())))
    assert payload_codes(stranger) == [("NOT_IN_PROCEEDINGS", "childId")]
    # Nothing was written, and no duty opened.
    case = await walk.case("iro")
    assert case["significantChanges"] == []
    assert _sc(case) == []


async def test_only_the_childs_social_worker_or_iro_tells_and_only_the_iro_answers(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    """Anyone who cannot read the case finds no such case (another case's social worker, another
    authority's IRO); anyone who reads it but is not the child's social worker or IRO is told so
    (NOT_ON_CASE: the guardian, the LA solicitor, the managers in scope)."""
    walk = await _walk(client, world, travel)
    amy = (await _children(walk))["Amy"]
    # The social worker's other case is one they are not on.
    other = await _walk(client, world, travel, social_worker=False)
    other_amy = (await _children(other))["Amy"]
    refused = await _notify(other, "social_worker", **_change(other, other_amy))
    assert payload_codes(refused) == [("NOT_FOUND", None)]
    assert payload_codes(await _notify(walk, "other_iro", **_change(walk, amy))) == [("NOT_FOUND", None)]
    for who in ("guardian", "solicitor", "iro_manager", "cafcass_manager"):
        assert payload_codes(await _notify(walk, who, **_change(walk, amy))) == [
            ("NOT_ON_CASE", "childId")
        ], who
    # The IRO records one they learned of: SC is theirs, and they are not emailed about their own record.
    mine = await _notify(walk, "iro", **_change(walk, amy, kind="HEALTH", summary="A hospital stay."))
    assert mine["errors"] == []
    change = (await _notify(walk, "social_worker", **_change(walk, amy)))["change"]
    assert [o["ownerPerson"]["name"] for o in _sc(await walk.case())] == ["Ivan Reviewer", "Ivan Reviewer"]
    # Only the child's IRO answers.
    for who in ("guardian", "social_worker", "solicitor", "iro_manager"):
        answer = await _respond(walk, who, change["id"], response="NO_REVIEW", reason="No")
        assert payload_codes(answer) == [("NOT_ON_CASE", "id")], who
    for who in ("other_iro", "other_iro_manager"):
        answer = await _respond(walk, who, change["id"], response="NO_REVIEW", reason="No")
        assert payload_codes(answer) == [("NOT_FOUND", "id")], who
    # Nor may another case's review be booked for it.
    other_booking = await other.run(
        "iro",
        "ScheduleReview",
        input={
            "caseId": other.case_id,
            "childIds": [other_amy],
            "reviewDate": "2027-01-12",
            "arrangements": "Here",
            "kind": "ADDITIONAL",
            "significantChangeId": change["id"],
        },
    )
    assert payload_codes(other_booking["scheduleReview"]) == [("NOT_FOUND", "significantChangeId")]


async def test_a_siblings_change_is_their_own_iros(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, travel: Travel
) -> None:
    walk = await _walk(client, world, travel, AMY_AND_BEN)
    children = await _children(walk)
    await walk.change(
        "iro_manager",
        "AssignIro",
        "assignIro",
        caseId=walk.case_id,
        personId=str(world.id("iro2")),
        childIds=[children["Ben"]],
        reallocationReason="Ben's own IRO",
    )
    case = await walk.case()
    assert {c["givenName"]: c["iro"]["name"] for c in case["children"]} == {
        "Amy": "Ivan Reviewer",
        "Ben": "Iris Second",
    }
    change = (await _notify(walk, "social_worker", **_change(walk, children["Ben"], kind="CARE_PLAN")))[
        "change"
    ]
    [sc] = _sc(await walk.case())
    assert (sc["ownerPerson"]["name"], sc["childId"]) == ("Iris Second", children["Ben"])
    assert [to for to, *_ in await _emails(engine, "significant_change.notified")] == ["Iris Second"]
    # Amy's IRO is not Ben's: they neither answer it nor book a review for it.
    answer = await _respond(walk, "iro", change["id"], response="NO_REVIEW", reason="No")
    assert payload_codes(answer) == [("NOT_ON_CASE", "id")]
    booking = await walk.run(
        "iro",
        "ScheduleReview",
        input={
            "caseId": walk.case_id,
            "childIds": [children["Amy"]],
            "reviewDate": "2027-01-12",
            "arrangements": "Here",
            "kind": "ADDITIONAL",
            "significantChangeId": change["id"],
        },
    )
    assert payload_codes(booking["scheduleReview"]) == [("INVALID_VALUE", "significantChangeId")]
    done = await _respond(
        walk, "iro2", change["id"], response="NO_REVIEW", reason="Discussed at the LAC review."
    )
    assert done["errors"] == []
    assert _sc(await walk.case())[0]["state"] == "MET"


async def test_sc_goes_on_when_the_guardian_closes_and_ends_when_the_child_leaves_care(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    walk = await _walk(client, world, travel, AMY_AND_BEN)
    children = await _children(walk)
    amy = (await _notify(walk, "social_worker", **_change(walk, children["Amy"])))["change"]
    ben = (await _notify(walk, "social_worker", **_change(walk, children["Ben"], kind="LEGAL_STATUS")))[
        "change"
    ]
    # The final orders (care orders: both stay looked after), then the guardian's involvement closed.
    travel(at(date(2026, 12, 24), 10))
    world.forget_tokens()
    await walk.change(
        "solicitor",
        "RecordFinalOrders",
        "recordFinalOrders",
        caseId=walk.case_id,
        madeOn="2026-12-24",
        orders=[{"childId": c, "order": "CARE_ORDER"} for c in children.values()],
    )
    await walk.change(
        "cafcass_manager",
        "CloseGuardianInvolvement",
        "closeGuardianInvolvement",
        caseId=walk.case_id,
        overrideReason="The guardian has left Cafcass.",
    )
    assert {o["triggerId"]: o["state"] for o in _sc(await walk.case("iro"))} == {
        amy["id"]: "OPEN",
        ben["id"]: "OPEN",
    }
    # Ben returns home: his IRO has no review to bring forward, so his SC ends; Amy's goes on.
    travel(at(date(2026, 12, 30), 10))
    world.forget_tokens()
    await walk.change(
        "solicitor",
        "RecordLegalStatus",
        "recordLegalStatus",
        caseId=walk.case_id,
        childId=children["Ben"],
        status="NO_ORDER",
        effectiveFrom="2026-12-30",
    )
    states = {o["triggerId"]: (o["state"], o["reason"]) for o in _sc(await walk.case("iro"))}
    assert states == {
        amy["id"]: ("OPEN", None),
        ben["id"]: ("NOT_APPLICABLE", "Ben stopped being looked after on 30 December 2026"),
    }


async def test_a_placement_change_is_a_time_to_talk_when_guardian_and_iro_agreed_so(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, travel: Travel
) -> None:
    """P3: the guardian and the IRO may agree to talk when the placement changes, or when something
    significant changes; a notified change reminds both, through the outbox, with no case content."""
    walk = await _walk(client, world, travel)
    amy = (await _children(walk))["Amy"]
    await walk.change(
        "iro",
        "RecordConsultationArrangement",
        "recordConsultationArrangement",
        caseId=walk.case_id,
        agreedOn=TOLD.isoformat(),
        onEvents=["ON_PLACEMENT_CHANGE"],
    )
    await _notify(walk, "social_worker", **_change(walk, amy, kind="EDUCATION"))
    assert await _emails(engine, "arrangement.event") == []
    await _notify(walk, "social_worker", **_change(walk, amy, kind="PLACEMENT_ENDED"))
    emails = await _emails(engine, "arrangement.event")
    assert [to for to, *_ in emails] == ["Gina Guardian", "Ivan Reviewer"]
    assert all("Amy" not in subject + body for _, subject, body, _ in emails)
