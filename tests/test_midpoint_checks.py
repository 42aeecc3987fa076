"""Midpoint checks between a looked-after child's reviews (issue 19; RESEARCH-NOTES.md §5.6; IRO Handbook 2010
paras 3.74-3.79): the child's IRO records the day, whether they read the file, their contact with the social
worker and the outcome, with a note unless the plan is on track. Only the child's IRO records one (another IRO
on the case is told so; anyone who may not manage the case's reviews finds no case). A check counts for the
child's current cycle, from their last review held to their next review's latest date: one done before the
last review, or on its day, does not count for the new cycle."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import AuditEvent, Child, LegalStatus
from portal.db import create_session_factory
from portal.midpoints.coverage import counts_for, current_cycle, midpoint, percent, review_cycles
from tests.conftest import Travel
from tests.support.graphql import gql, payload_codes
from tests.support.world import World
from tests.test_protocol_walkthrough import Walk, at
from tests.test_review_duties import _book_and_hold

# Looked after from Monday 1 March 2027: the first review within 20 working days, across Good Friday and
# Easter Monday, is due by Wednesday 31 March; the cycle's midpoint is halfway, Tuesday 16 March.
SINCE = date(2027, 3, 1)
FIRST_DUE = date(2027, 3, 31)
FIRST_MIDPOINT = date(2027, 3, 16)
# The first review held on 25 March: the second is due within 3 months, by 25 June, midpoint 10 May.
HELD = date(2027, 3, 25)
SECOND_DUE = date(2027, 6, 25)
SECOND_MIDPOINT = date(2027, 5, 10)
NOTE = "Read the file and spoke with the social worker: contact with Amy's mother has not restarted."


def _check(walk: Walk, child_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "caseId": walk.case_id,
        "childId": child_id,
        "doneOn": "2027-03-17",
        "fileRead": True,
        "socialWorkerContact": "CONVERSATION",
        "outcome": "RAISED_WITH_SOCIAL_WORKER",
        "note": NOTE,
        **changes,
    }


async def _record(walk: Walk, who: str, **input: Any) -> dict[str, Any]:
    body = await gql(walk.client, await walk.world.token(who), "RecordMidpointCheck", input=input)
    if body.get("errors"):
        return {"check": None, "errors": [e["extensions"] | {"field": None} for e in body["errors"]]}
    payload: dict[str, Any] = body["data"]["recordMidpointCheck"]
    return payload


async def _midpoint(walk: Walk, name: str = "Amy") -> dict[str, Any]:
    case = await walk.case("iro")
    child: dict[str, Any] = next(c for c in case["children"] if c["givenName"] == name)
    return child["midpoint"]


async def _open(client: httpx.AsyncClient, world: World, travel: Travel, children: Any = None) -> Walk:
    travel(at(SINCE, 9))
    world.forget_tokens()
    return Walk(
        client,
        world,
        await world.open_case(children or [("Amy", LegalStatus.INTERIM_CARE_ORDER)], issued_weeks_ago=0),
    )


def test_the_rule_in_plain_dates() -> None:
    """The cycle, its midpoint and which checks count, without a database."""
    assert midpoint(SINCE, FIRST_DUE) == FIRST_MIDPOINT
    assert midpoint(HELD, SECOND_DUE) == SECOND_MIDPOINT
    first = current_cycle(SINCE, [], [], date(2027, 3, 15))
    assert (first.starts_on, first.last_review, first.ends_by, first.midpoint, first.standing.value) == (
        SINCE,
        None,
        FIRST_DUE,
        FIRST_MIDPOINT,
        "not_yet_due",
    )
    assert current_cycle(SINCE, [], [], FIRST_MIDPOINT).standing.value == "not_monitored"
    # A check on the day the child became looked after counts for a first cycle; on a review's day, not.
    assert counts_for(SINCE, SINCE, None)
    assert not counts_for(HELD, HELD, HELD)
    assert counts_for(date(2027, 3, 26), HELD, HELD)
    assert not counts_for(HELD, SINCE, None, until=HELD)
    # A check before the last review belongs to the cycle that review ended.
    after = current_cycle(SINCE, [HELD], [date(2027, 3, 17)], date(2027, 5, 11))
    assert (after.starts_on, after.ends_by, after.checked_on, after.standing.value) == (
        HELD,
        SECOND_DUE,
        None,
        "not_monitored",
    )
    [before] = review_cycles(SINCE, [HELD], [date(2027, 3, 17), date(2027, 5, 1)])
    assert (before.starts_on, before.previous, before.held_on, before.checked_on) == (
        SINCE,
        None,
        HELD,
        date(2027, 3, 17),
    )
    # With no day of becoming looked after known, a first review had no cycle; the second had one.
    assert [c.previous for c in review_cycles(None, [HELD, date(2027, 6, 20)], [])] == [HELD]
    assert (percent(1, 3), percent(1, 2), percent(2, 3), percent(0, 0)) == (33, 50, 67, None)


async def test_the_iro_records_a_check_and_it_counts_for_the_cycle_it_falls_in(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, travel: Travel
) -> None:
    walk = await _open(client, world, travel)
    amy = (await walk.case())["children"][0]["id"]
    assert await _midpoint(walk) == {
        "startsOn": "2027-03-01",
        "lastReview": None,
        "endsBy": "2027-03-31",
        "midpoint": "2027-03-16",
        "checkedOn": None,
        "standing": "NOT_YET_DUE",
    }
    # The midpoint passes with no check: not monitored.
    travel(at(date(2027, 3, 17), 9))
    world.forget_tokens()
    assert (await _midpoint(walk))["standing"] == "NOT_MONITORED"
    payload = await _record(walk, "iro", **_check(walk, amy))
    assert payload["errors"] == []
    check = payload["check"]
    assert {
        k: check[k] for k in ("childId", "doneOn", "fileRead", "socialWorkerContact", "outcome", "note")
    } == {
        "childId": amy,
        "doneOn": "2027-03-17",
        "fileRead": True,
        "socialWorkerContact": "CONVERSATION",
        "outcome": "RAISED_WITH_SOCIAL_WORKER",
        "note": NOTE,
    }
    assert check["recordedBy"]["name"] == "Ivan Reviewer"
    assert (await _midpoint(walk))["standing"] == "MONITORED"
    assert (await _midpoint(walk))["checkedOn"] == "2027-03-17"
    # Everyone who reads the case sees it; audited on the child's case, as the IRO.
    seen = (await walk.case("guardian"))["midpointChecks"]
    assert [(c["doneOn"], c["outcome"], c["recordedBy"]["name"]) for c in seen] == [
        ("2027-03-17", "RAISED_WITH_SOCIAL_WORKER", "Ivan Reviewer")
    ]
    async with create_session_factory(engine)() as session:
        events = list(
            (
                await session.execute(
                    sa.select(AuditEvent).where(
                        AuditEvent.case_id == uuid.UUID(walk.case_id),
                        AuditEvent.action == "midpoint_check.record",
                    )
                )
            ).scalars()
        )
    assert [(e.person_id, e.subject_id, e.acting_as) for e in events] == [
        (world.id("iro"), uuid.UUID(check["id"]), "iro")
    ]
    # The first review, on 25 March: a new cycle to 25 June, midpoint 10 May; the check of 17 March was the
    # last cycle's, and one on the review's own day is the review's.
    await _book_and_hold(walk, travel, amy, HELD)
    on_track = _check(
        walk, amy, doneOn=HELD.isoformat(), outcome="ON_TRACK", note="", socialWorkerContact="NONE"
    )
    assert (await _record(walk, "iro", **on_track))["errors"] == []
    assert await _midpoint(walk) == {
        "startsOn": "2027-03-25",
        "lastReview": "2027-03-25",
        "endsBy": "2027-06-25",
        "midpoint": "2027-05-10",
        "checkedOn": None,
        "standing": "NOT_YET_DUE",
    }
    travel(at(SECOND_MIDPOINT, 9))
    world.forget_tokens()
    assert (await _midpoint(walk))["standing"] == "NOT_MONITORED"
    email = _check(walk, amy, doneOn="2027-04-20", outcome="ON_TRACK", note="", socialWorkerContact="EMAIL")
    assert (await _record(walk, "iro", **email))["errors"] == []
    assert ((await _midpoint(walk))["standing"], (await _midpoint(walk))["checkedOn"]) == (
        "MONITORED",
        "2027-04-20",
    )
    assert [c["doneOn"] for c in (await walk.case("iro"))["midpointChecks"]] == [
        "2027-04-20",
        "2027-03-25",
        "2027-03-17",
    ]


async def test_every_refusal_and_problem_with_its_code(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, travel: Travel
) -> None:
    walk = await _open(
        client,
        world,
        travel,
        [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_CARE_ORDER)],
    )
    children = {c["givenName"]: c["id"] for c in (await walk.case())["children"]}
    # Ben's IRO is another.
    await walk.change(
        "iro_manager",
        "AssignIro",
        "assignIro",
        caseId=walk.case_id,
        personId=str(world.id("iro2")),
        childIds=[children["Ben"]],
        reallocationReason="Ben's own IRO",
    )
    travel(at(date(2027, 3, 17), 9))
    world.forget_tokens()
    amy = _check(walk, children["Amy"])
    # Anyone who may not manage the case's reviews finds no case: the guardian, the social worker, an IRO of
    # another authority.
    for who in ("guardian", "social_worker", "solicitor", "other_iro", "iro_manager"):
        assert payload_codes(await _record(walk, who, **amy)) == [("NOT_FOUND", "caseId")], who
    # Another IRO on the case is not Amy's.
    assert payload_codes(await _record(walk, "iro2", **amy)) == [("NOT_ON_CASE", "childId")]
    # Every problem at once.
    empty = {
        "caseId": walk.case_id,
        "childId": None,
        "doneOn": None,
        "fileRead": None,
        "socialWorkerContact": None,
        "outcome": None,
    }
    assert payload_codes(await _record(walk, "iro", **empty)) == [
        ("REQUIRED", "childId"),
        ("REQUIRED", "doneOn"),
        ("REQUIRED", "fileRead"),
        ("REQUIRED", "socialWorkerContact"),
        ("REQUIRED", "outcome"),
    ]
    assert payload_codes(await _record(walk, "iro", **{**amy, "childId": str(uuid.uuid4())})) == [
        ("NOT_IN_PROCEEDINGS", "childId")
    ]
    assert payload_codes(await _record(walk, "iro", **{**amy, "childId": children["Ben"]})) == [
        ("NOT_ON_CASE", "childId")
    ]
    assert payload_codes(await _record(walk, "iro", **{**amy, "doneOn": "2027-03-18"})) == [
        ("DATE_IN_FUTURE", "doneOn")
    ]
    assert payload_codes(await _record(walk, "iro", **{**amy, "doneOn": "2027-02-28"})) == [
        ("DATE_TOO_EARLY", "doneOn")
    ]
    assert payload_codes(await _record(walk, "iro", **{**amy, "note": "  "})) == [("REQUIRED", "note")]
    assert payload_codes(await _record(walk, "iro", **{**amy, "note": "x" * 4001})) == [("TOO_LONG", "note")]
    assert (await _record(walk, "iro", **{**amy, "note": "x" * 4000}))["errors"] == []
    # Amy goes home on a supervision order: no reviews to monitor between.
    await walk.change(
        "solicitor",
        "RecordLegalStatus",
        "recordLegalStatus",
        caseId=walk.case_id,
        childId=children["Amy"],
        status="INTERIM_SUPERVISION_ORDER",
        effectiveFrom="2027-03-17",
    )
    # Her IRO's part ended with her care: the case is no longer theirs.
    assert payload_codes(await _record(walk, "iro", **amy)) == [("NOT_FOUND", "caseId")]
    # Should a child's status and their IRO's part ever disagree (records from elsewhere), a child not
    # looked after still has no reviews to monitor between.
    async with create_session_factory(engine)() as session, session.begin():
        await session.execute(
            sa.update(Child)
            .where(Child.id == uuid.UUID(children["Ben"]))
            .values(legal_status=LegalStatus.NO_ORDER, looked_after_since=None)
        )
    ben = _check(walk, children["Ben"])
    assert payload_codes(await _record(walk, "iro2", **ben)) == [("NOT_LOOKED_AFTER", "childId")]
    # Nothing was written by the refusals: the one check of 4,000 characters only.
    assert len((await walk.case("guardian"))["midpointChecks"]) == 1
    async with create_session_factory(engine)() as session:
        refused = await session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.case_id == uuid.UUID(walk.case_id), AuditEvent.action == "refused:review:manage"
            )
        )
    assert refused == 6
