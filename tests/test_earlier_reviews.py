"""A child looked after before their proceedings (issue 18): their IRO was appointed then (IA judged on that
day), and their reviews held before the case came to the portal are recorded by the IRO, so that the reg 33
schedule carries on from them (R1 met when the first was held, R2 from it, R3 from the second); nothing the
protocol asks around a review (P4, P5, P11, RD) opens for them."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from models import LegalStatus
from portal.app import create_app
from portal.cases import service as cases
from portal.settings import Settings
from tests.conftest import Travel
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.graphql import gql, payload_codes
from tests.support.world import World
from tests.test_protocol_walkthrough import Walk, at


async def _accommodated_then_in_proceedings(client: httpx.AsyncClient, world: World) -> Walk:
    """Amy, accommodated under section 20 from Monday 14 December 2026; proceedings issued on 19 April 2027
    and opened in the portal today, with her guardian and IRO (appointed on 16 December)."""
    data = cases.OpenProceedings(
        court_id=world.orgs["court"].id,
        case_number="RV20S",
        issued_on=date(2027, 4, 19),
        new_children=[
            cases.NewChild(
                given_name="Amy",
                family_name="Example",
                date_of_birth=date(2019, 3, 1),
                legal_status=LegalStatus.SECTION_20,
                looked_after_since=date(2026, 12, 14),
            )
        ],
    )
    async with world.sessions() as session, session.begin():
        case = await cases.open_proceedings(session, await world.actor("solicitor"), data)
    await world.allocate(case.id, "guardian")
    async with world.sessions() as session, session.begin():
        await cases.assign_iro(
            session,
            await world.actor("iro_manager"),
            cases.Allocation(case.id, world.id("iro"), appointed_on=date(2026, 12, 16)),
        )
    return Walk(client, world, case.id)


async def _earlier(client: httpx.AsyncClient, world: World, who: str, **input: Any) -> Any:
    body = await gql(client, await world.token(who), "RecordEarlierReview", input=input)
    assert "errors" not in body, body
    return body["data"]["recordEarlierReview"]


def _duties(duties: list[tuple[str, str, str, bool | None]]) -> list[tuple[str, str, str, bool | None]]:
    return [d for d in duties if d[0] in ("IA", "R1", "R2", "R3")]


async def test_reviews_before_the_proceedings_keep_the_schedule_going_into_them(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    travel(at(date(2027, 5, 3), 9))
    walk = await _accommodated_then_in_proceedings(client, world)
    child = (await walk.case())["children"][0]
    # The IRO was appointed within 5 working days; the first review looks long overdue, until it is recorded.
    assert _duties(await walk.duties()) == [
        ("IA", "2026-12-21", "MET", True),
        ("R1", "2027-01-14", "OPEN", None),
    ]
    base = {"caseId": walk.case_id, "childId": child["id"]}
    for day, code in (("2026-12-11", "DATE_TOO_EARLY"), ("2027-05-04", "DATE_IN_FUTURE")):
        assert payload_codes(await _earlier(client, world, "iro", **base, heldOn=day)) == [(code, "heldOn")]
    # Not the guardian's to record, nor another IRO's: as if there were no such case.
    for who in ("guardian", "iro2"):
        refused = await _earlier(client, world, who, **base, heldOn="2027-01-12")
        assert [code for code, _ in payload_codes(refused)] == ["NOT_FOUND"], who

    first = await _earlier(client, world, "iro", **base, heldOn="2027-01-12")
    assert first["errors"] == []
    assert (first["review"]["kind"], first["review"]["heldBeforePortal"]) == ("FIRST", True)
    assert _duties(await walk.duties())[1:] == [
        ("R1", "2027-01-14", "MET", True),
        ("R2", "2027-04-12", "OPEN", None),
    ]
    # In order: the next is after the last.
    early = await _earlier(client, world, "iro", **base, heldOn="2027-01-10")
    assert payload_codes(early) == [("DATE_TOO_EARLY", "heldOn")]
    second = await _earlier(client, world, "iro", **base, heldOn="2027-04-08")
    assert second["review"]["kind"] == "SECOND"
    assert _duties(await walk.duties())[2:] == [
        ("R2", "2027-04-12", "MET", True),
        ("R3", "2027-10-08", "OPEN", None),
    ]
    case = await walk.case()
    assert case["children"][0]["nextReview"] == {
        "kind": "SUBSEQUENT",
        "dueBy": "2027-10-08",
        "bookedOn": None,
        "late": False,
    }
    # Nothing around those reviews was due through the portal: no notice, consultation, record or decisions.
    assert not {o["code"] for o in case["obligations"]} & {"P4", "P5", "P11", "RD", "SW1", "SW2"}

    # Reviews held since the case came to the portal are booked, not recorded here.
    travel(at(date(2027, 5, 10), 9))
    world.forget_tokens()
    late = await _earlier(client, world, "iro", **base, heldOn="2027-05-05")
    assert payload_codes(late) == [("DATE_TOO_LATE", "heldOn")]


async def test_the_iro_records_them_on_the_pages(
    client: httpx.AsyncClient, world: World, travel: Travel, settings: Settings, engine: AsyncEngine
) -> None:
    travel(at(date(2027, 5, 3), 9))
    walk = await _accommodated_then_in_proceedings(client, world)
    app = create_app(settings.model_copy(update={"demo_sign_in": True}), engine=engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://portal.test"
    ) as web:
        await sign_in_as(web, world.id("iro"))
        path = f"/cases/{walk.case_id}/earlier-reviews"
        assert f'href="{path}"' in (await web.get(f"/cases/{walk.case_id}")).text
        form = await web.get(path)
        # One child: the form names her, and carries her id.
        child = (await walk.case())["children"][0]["id"]
        assert f'name="childId" value="{child}"' in form.text
        posted = {
            "csrf_token": csrf_from(form.text),
            "childId": child,
            "heldOn-day": "12",
            "heldOn-month": "13",
            "heldOn-year": "2027",
        }
        wrong = await web.post(path, data=posted)
        assert wrong.status_code == 400
        assert 'href="#heldOn-day"' in wrong.text
        right = await web.post(path, data=posted | {"heldOn-month": "1"})
        assert (right.status_code, right.headers["location"]) == (
            303,
            f"/cases/{walk.case_id}?done=review-earlier",
        )
        page = await web.get(right.headers["location"])
        assert "Held before the case came to the portal" in page.text
        assert "12 January 2027" in page.text
        # The guardian sees the review, but the form is not theirs.
        await sign_in_as(web, world.id("guardian"))
        assert (await web.get(path)).status_code == 404
