"""The appointment of a looked-after child's IRO within 5 working days of their becoming looked after (IA;
issue 18; IRO Handbook 2010, ch. 2): the IRO managers' duty, opened for a looked-after child with no IRO,
met when one is assigned, judged on the day the IRO was appointed when that was before the proceedings, and
ended when the child stops being looked after."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.app import create_app
from portal.errors import DomainError
from portal.obligations import rules
from portal.settings import Settings
from tests.conftest import Travel
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.graphql import gql, payload_codes
from tests.support.world import World
from tests.test_protocol_walkthrough import Walk, at


def _ia(case: dict[str, Any]) -> list[tuple[str, str, bool | None, str | None]]:
    return [
        (o["dueOn"], o["state"], o["metOnTime"], o["reason"])
        for o in case["obligations"]
        if o["code"] == "IA"
    ]


async def _assign(client: httpx.AsyncClient, world: World, case_id: str, **input: Any) -> Any:
    body = await gql(
        client,
        await world.token("iro_manager"),
        "AssignIro",
        input={"caseId": case_id, "personId": str(world.id("iro")), **input},
    )
    assert "errors" not in body, body
    return body["data"]["assignIro"]


async def test_ia_falls_due_5_working_days_after_becoming_looked_after_and_is_met_by_the_assignment(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    # Looked after from Monday 21 December 2026: 5 working days skip Christmas Day and the 28th (for Boxing
    # Day, a Saturday).
    travel(at(date(2026, 12, 21), 9))
    walk = Walk(client, world, await world.open_case(issued_weeks_ago=0, iro=None))
    case = await walk.case("iro_manager")
    assert _ia(case) == [("2026-12-30", "OPEN", None, None)]
    [ia] = [o for o in case["obligations"] if o["code"] == "IA"]
    # The authority's IRO managers', none of them by name.
    assert (ia["owner"], ia["ownerPerson"], ia["childId"]) == ("IRO_MANAGER", None, case["children"][0]["id"])
    # Assigned on 4 January: met, late.
    travel(at(date(2027, 1, 4)))
    world.forget_tokens()
    assert (await _assign(client, world, walk.case_id))["errors"] == []
    assert _ia(await walk.case("iro_manager")) == [("2026-12-30", "MET", False, None)]


async def test_an_iro_appointed_before_the_proceedings_is_judged_on_the_day_they_were(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    # Accommodated under section 20 from 1 March 2027; proceedings issued on 3 May (nine weeks on).
    travel(at(date(2027, 5, 3), 9))
    walk = Walk(client, world, await world.open_case(issued_weeks_ago=9, iro=None))
    looked_after_since = (await walk.case("iro_manager"))["children"][0]["lookedAfterSince"]
    assert looked_after_since == "2027-03-01"
    assert _ia(await walk.case("iro_manager")) == [("2027-03-08", "OPEN", None, None)]
    for day, code in (
        ("2027-02-26", "DATE_TOO_EARLY"),  # before the child was looked after
        ("2027-05-04", "DATE_IN_FUTURE"),
    ):
        refused = await _assign(client, world, walk.case_id, appointedOn=day)
        assert payload_codes(refused) == [(code, "appointedOn")], day
    guardian = await gql(
        client,
        await world.token("cafcass_manager"),
        "AllocateGuardian",
        input={"caseId": walk.case_id, "personId": str(world.id("guardian2")), "appointedOn": "2027-03-02"},
    )
    assert ("INVALID_VALUE", "appointedOn") in payload_codes(guardian["data"]["allocateGuardian"])
    # Their IRO was appointed on 3 March, within the 5 working days: met on time.
    assert (await _assign(client, world, walk.case_id, appointedOn="2027-03-03"))["errors"] == []
    assert _ia(await walk.case("iro_manager")) == [("2027-03-08", "MET", True, None)]


async def test_a_child_who_stops_being_looked_after_before_an_iro_is_assigned_ends_ia(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    travel(at(date(2027, 6, 7), 9))
    walk = Walk(client, world, await world.open_case(issued_weeks_ago=0, iro=None))
    child = (await walk.case())["children"][0]
    travel(at(date(2027, 6, 9)))
    world.forget_tokens()
    await walk.change(
        "solicitor",
        "RecordLegalStatus",
        "recordLegalStatus",
        caseId=walk.case_id,
        childId=child["id"],
        status="INTERIM_SUPERVISION_ORDER",
        effectiveFrom="2027-06-09",
    )
    assert _ia(await walk.case("iro_manager")) == [
        ("2027-06-14", "NOT_APPLICABLE", None, "Amy stopped being looked after on 9 June 2027")
    ]


async def test_no_local_rule_changes_ia(world: World) -> None:
    async with world.sessions() as session, session.begin():
        with pytest.raises(DomainError) as refused:
            await rules.set_override(
                session,
                await world.actor("admin"),
                code="IA",
                organisation_id=world.orgs["riverside"].id,
                working_days=10,
            )
    assert refused.value.problems[0].code == "NOT_PERMITTED"


async def test_the_iro_manager_gives_the_day_on_the_assignment_form(
    world: World, travel: Travel, settings: Settings, engine: AsyncEngine
) -> None:
    travel(at(date(2027, 5, 3), 9))
    case_id = await world.open_case(issued_weeks_ago=9, iro=None)
    app = create_app(settings.model_copy(update={"demo_sign_in": True}), engine=engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://portal.test"
    ) as web:
        await sign_in_as(web, world.id("iro_manager"))
        form = await web.get(f"/cases/{case_id}/iro")
        assert 'id="appointedOn-day"' in form.text
        posted = {
            "csrf_token": csrf_from(form.text),
            "personId": str(world.id("iro")),
            "appointedOn-day": "3",
            "appointedOn-month": "2",
            "appointedOn-year": "2027",
        }
        wrong = await web.post(f"/cases/{case_id}/iro", data=posted)
        assert wrong.status_code == 400
        assert 'href="#appointedOn-day"' in wrong.text
        right = await web.post(f"/cases/{case_id}/iro", data=posted | {"appointedOn-month": "3"})
        assert right.status_code == 303
        page = await web.get(f"/cases/{case_id}")
    assert "Ivan Reviewer" in page.text
