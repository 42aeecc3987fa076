"""The social worker's part before a looked-after review (issue 18; IRO Handbook 2010, ch. 3): they consult
the IRO at least 15 working days before it (SW1) and the IRO has their report and the papers at least 3
working days before it (SW2). Both open when the review is booked, owned by the child's social worker, and are
judged on the day each happened, however late it is recorded; a review held without them leaves them missed.
And the information-gathering review, only for a child settled in a long-term foster placement who agrees."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import AuditEvent, OutboxMessage
from portal.app import create_app
from portal.cases import service as cases
from portal.db import create_session_factory
from portal.settings import Settings
from tests.conftest import Travel
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.graphql import gql, payload_codes
from tests.support.world import World
from tests.test_protocol_walkthrough import Walk, at
from tests.test_review_duties import _book_and_hold


async def _with_social_worker(world: World, **case: Any) -> uuid.UUID:
    case_id = await world.open_case(**case)
    async with world.sessions() as session, session.begin():
        await cases.assign_social_worker(
            session, await world.actor("solicitor"), cases.Allocation(case_id, world.id("social_worker"))
        )
    return case_id


async def _prepare(client: httpx.AsyncClient, world: World, who: str, review_id: str, **days: str) -> Any:
    body = await gql(
        client, await world.token(who), "RecordReviewPreparation", input={"id": review_id, **days}
    )
    assert "errors" not in body, body
    return body["data"]["recordReviewPreparation"]


def _sw(duties: list[tuple[str, str, str, bool | None]]) -> list[tuple[str, str, str, bool | None]]:
    return [d for d in duties if d[0].startswith("SW")]


async def test_sw1_and_sw2_fall_due_before_the_review_across_christmas_and_are_the_social_workers(
    client: httpx.AsyncClient, world: World, travel: Travel, engine: AsyncEngine
) -> None:
    travel(at(date(2026, 12, 1), 9))
    walk = Walk(client, world, await _with_social_worker(world))
    child = (await walk.case())["children"][0]
    booked = await walk.change(
        "iro",
        "ScheduleReview",
        "scheduleReview",
        caseId=walk.case_id,
        childIds=[child["id"]],
        reviewDate="2027-01-08",
        arrangements="At the foster home.",
    )
    review = booked["reviews"][0]["id"]
    # 15 working days before Friday 8 January 2027 skip 1 January, 28 December (for Boxing Day, a Saturday)
    # and Christmas Day: Tuesday 15 December. 3 before it: Tuesday 5 January.
    assert _sw(await walk.duties()) == [
        ("SW1", "2026-12-15", "OPEN", None),
        ("SW2", "2027-01-05", "OPEN", None),
    ]
    case = await walk.case()
    for duty in (o for o in case["obligations"] if o["code"].startswith("SW")):
        assert (duty["owner"], duty["ownerPerson"]["name"], duty["childId"]) == (
            "SOCIAL_WORKER",
            "Sam Worker",
            child["id"],
        )
    # Told by a link-only email: what kind of task, and by when; nothing of the case.
    async with create_session_factory(engine)() as session:
        emails = (
            await session.execute(
                sa.select(OutboxMessage).where(OutboxMessage.person_id == world.id("social_worker"))
            )
        ).scalars()
        told = {m.subject: m.body for m in emails}
    assert set(told) == {
        "New task before a looked-after child's review (SW1)",
        "New task before a looked-after child's review (SW2)",
    }
    assert not any("Amy" in body or "foster home" in body for body in told.values())

    # The social worker consulted the IRO on time; a day in the future or after the review is refused.
    refused = await _prepare(client, world, "social_worker", review, papersReceivedOn="2026-12-02")
    assert payload_codes(refused) == [("DATE_IN_FUTURE", "papersReceivedOn")]
    travel(at(date(2026, 12, 16), 9))
    world.forget_tokens()
    done = await _prepare(client, world, "social_worker", review, socialWorkerConsultedOn="2026-12-14")
    assert done["errors"] == []
    assert done["review"]["preparation"]["socialWorkerConsultedOn"] == "2026-12-14"
    assert done["review"]["preparation"]["updatedBy"]["name"] == "Sam Worker"
    assert _sw(await walk.duties())[0] == ("SW1", "2026-12-15", "MET", True)
    # A day once recorded stands.
    again = await _prepare(client, world, "social_worker", review, socialWorkerConsultedOn="2026-12-15")
    assert payload_codes(again) == [("ALREADY_DONE", "socialWorkerConsultedOn")]
    nothing = await _prepare(client, world, "iro", review)
    assert payload_codes(nothing) == [("REQUIRED", "papersReceivedOn")]

    # The review is held with no papers: SW2 is missed, and counted so.
    travel(at(date(2027, 1, 8), 16))
    world.forget_tokens()
    await walk.change("iro", "RecordReviewHeld", "recordReviewHeld", id=review, heldOn="2027-01-08")
    assert _sw(await walk.duties())[1] == ("SW2", "2027-01-05", "MISSED", None)
    # The IRO records that they had the papers on the 6th: late, but had before the review.
    after = await _prepare(client, world, "iro", review, papersReceivedOn="2027-01-06")
    assert after["errors"] == []
    assert _sw(await walk.duties())[1] == ("SW2", "2027-01-05", "MET", False)

    async with create_session_factory(engine)() as session:
        actions = (
            await session.execute(
                sa.select(AuditEvent.action).where(AuditEvent.action.like("review.preparation%"))
            )
        ).scalars()
        assert sorted(actions) == ["review.preparation", "review.preparation.change"]


async def test_only_the_childs_social_worker_or_iro_records_it(
    client: httpx.AsyncClient, world: World, travel: Travel, settings: Settings, engine: AsyncEngine
) -> None:
    travel(at(date(2027, 2, 1), 9))
    walk = Walk(client, world, await _with_social_worker(world))
    child = (await walk.case())["children"][0]
    booked = await walk.change(
        "iro",
        "ScheduleReview",
        "scheduleReview",
        caseId=walk.case_id,
        childIds=[child["id"]],
        reviewDate="2027-03-01",
        arrangements="At school.",
    )
    review = booked["reviews"][0]["id"]
    # The guardian and the authority's lawyer read the case, but this is not theirs: as if there were none.
    for who in ("guardian", "solicitor", "iro2"):
        refused = await _prepare(client, world, who, review, socialWorkerConsultedOn="2027-02-01")
        assert payload_codes(refused) == [("NOT_FOUND", "id")], who
    # The social worker's part shows to everyone who reads the case; the link to record it, to those whose
    # part it is.
    shown = await gql(client, await world.token("guardian"), "CaseView", id=walk.case_id)
    assert shown["data"]["case"]["viewerCan"]["prepareReviews"] is False
    mine = await gql(client, await world.token("social_worker"), "CaseView", id=walk.case_id)
    assert mine["data"]["case"]["viewerCan"]["prepareReviews"] is True

    # On the pages: the social worker follows the case's link to the form and records the day.
    app = create_app(settings.model_copy(update={"demo_sign_in": True}), engine=engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://portal.test"
    ) as web:
        path = f"/cases/{walk.case_id}/reviews/{review}/preparation"
        await sign_in_as(web, world.id("social_worker"))
        assert f'href="{path}"' in (await web.get(f"/cases/{walk.case_id}")).text
        form = await web.get(path)
        assert form.status_code == 200
        posted = {"csrf_token": csrf_from(form.text), "socialWorkerConsultedOn-day": "29"}
        wrong = await web.post(path, data=posted)
        assert wrong.status_code == 400
        assert 'href="#socialWorkerConsultedOn-day"' in wrong.text
        assert "must include a month and year" in wrong.text
        right = await web.post(
            path, data=posted | {"socialWorkerConsultedOn-month": "1", "socialWorkerConsultedOn-year": "2027"}
        )
        assert (right.status_code, right.headers["location"]) == (
            303,
            f"/cases/{walk.case_id}?done=review-preparation",
        )
        assert "29 January 2027" in (await web.get(f"/cases/{walk.case_id}")).text
        # The guardian sees what was recorded, but no link and no form.
        await sign_in_as(web, world.id("guardian"))
        page = await web.get(f"/cases/{walk.case_id}")
        assert "29 January 2027" in page.text
        assert f'href="{path}"' not in page.text
        assert (await web.get(path)).status_code == 404


async def test_an_information_gathering_review_needs_a_settled_long_term_placement_and_the_childs_agreement(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    travel(at(date(2026, 12, 14), 9))
    walk = Walk(client, world, await world.open_case(issued_weeks_ago=0))
    child = (await walk.case())["children"][0]
    gathering = {
        "caseId": walk.case_id,
        "childIds": [child["id"]],
        "reviewDate": "2027-01-14",
        "arrangements": "Views by form.",
        "kind": "INFORMATION_GATHERING",
    }

    async def book(**confirmed: bool) -> Any:
        body = await gql(client, await world.token("iro"), "ScheduleReview", input={**gathering, **confirmed})
        assert "errors" not in body, body
        return body["data"]["scheduleReview"]

    # Never the first review, and never without both conditions confirmed.
    assert sorted(payload_codes(await book())) == [
        ("INVALID_VALUE", "kind"),
        ("REQUIRED", "childAgreed"),
        ("REQUIRED", "longTermFosterSettled"),
    ]
    await _book_and_hold(walk, travel, child["id"], date(2027, 1, 14))
    await _book_and_hold(walk, travel, child["id"], date(2027, 4, 8))
    gathering["reviewDate"] = "2027-10-01"
    assert payload_codes(await book(longTermFosterSettled=True)) == [("REQUIRED", "childAgreed")]
    assert payload_codes(await book(childAgreed=True)) == [("REQUIRED", "longTermFosterSettled")]
    booked = await book(longTermFosterSettled=True, childAgreed=True)
    assert booked["errors"] == []
    [review] = (await walk.case())["reviews"][-1:]
    assert (review["kind"], review["longTermFosterSettled"], review["childAgreed"]) == (
        "INFORMATION_GATHERING",
        True,
        True,
    )
    # A meeting records neither.
    assert {(r["longTermFosterSettled"], r["childAgreed"]) for r in (await walk.case())["reviews"][:-1]} == {
        (False, False)
    }
