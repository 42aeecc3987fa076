"""The pages for keeping a case's records (issue 16): everyone on the case sees how long it is kept and its
legal holds; the authority's solicitor places and lifts holds, with a reason each time; an authority's
administrator sets its rule and sees what was deleted under it. Anyone else gets the 404 of a page that is
not there."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from portal import clock
from portal.db import create_session_factory
from portal.retention import service
from portal.retention.policy import add_years
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.world import World
from tests.web.test_downloads import ended_with_a_handover


async def _post(web: httpx.AsyncClient, page: str, path: str, data: dict[str, str]) -> httpx.Response:
    form = await web.get(page)
    assert form.status_code == 200, form.text
    return await web.post(path, data={"csrf_token": csrf_from(form.text), **data})


async def test_the_solicitor_places_and_lifts_a_hold(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    case_id = await ended_with_a_handover(client, world)
    await sign_in_as(web, world.id("solicitor"))
    assert f'href="/cases/{case_id}/retention"' in (await web.get(f"/cases/{case_id}")).text
    page = await web.get(f"/cases/{case_id}/retention")
    # The child, born on 1 March four years before the case was issued (ten weeks ago), is kept until 75.
    born = (clock.today() - timedelta(weeks=10)).year - 4
    assert "Until the youngest child" in page.text
    assert "No legal hold has been placed" in page.text
    assert f"1 March {born + 75}" in page.text

    hold_form = f"/cases/{case_id}/retention/hold"
    refused = await _post(web, hold_form, hold_form, {"reason": "   "})
    assert refused.status_code == 400
    assert "Say why the records must be kept" in refused.text
    placed = await _post(web, hold_form, hold_form, {"reason": "A claim against the authority"})
    assert placed.status_code == 303
    page = await web.get(placed.headers["location"])
    assert "The legal hold is in place" in page.text
    assert "A claim against the authority" in page.text
    assert "On hold" in page.text

    lift = re.search(rf'href="(/cases/{case_id}/retention/holds/[^"/]+/lift)"', page.text)
    assert lift
    lifted = await _post(web, lift.group(1), lift.group(1), {"reason": "Settled"})
    assert lifted.status_code == 303
    page = await web.get(lifted.headers["location"])
    assert "The legal hold is lifted" in page.text
    assert "Sol Icitor: Settled" in page.text
    assert "/lift" not in page.text
    assert (await web.get(lift.group(1))).status_code == 404


async def test_others_on_the_case_see_the_holds_but_cannot_place_one(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    case_id = await ended_with_a_handover(client, world)
    await sign_in_as(web, world.id("guardian"))
    page = await web.get(f"/cases/{case_id}/retention")
    assert page.status_code == 200
    assert "Place a legal hold" not in page.text
    assert (await web.get(f"/cases/{case_id}/retention/hold")).status_code == 404
    token = csrf_from((await web.get("/settings/email")).text)
    posted = await web.post(f"/cases/{case_id}/retention/hold", data={"csrf_token": token, "reason": "Mine"})
    assert posted.status_code == 404
    await sign_in_as(web, world.id("other_solicitor"))
    assert (await web.get(f"/cases/{case_id}/retention")).status_code == 404


async def test_an_administrator_sets_the_rule_and_sees_what_went(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await ended_with_a_handover(client, world)
    await sign_in_as(web, world.id("admin"))
    people = (await web.get("/admin/people")).text
    assert "/admin/retention?organisation=" in people
    page = "/admin/retention"
    assert "Until the youngest child&#39;s 75th birthday (the default)." in (await web.get(page)).text
    for years, message in (("", "Enter the number of years"), ("0", "Enter a number of years from 1 to 100")):
        refused = await _post(web, page, page, {"rule": "years", "keepYearsAfterConclusion": years})
        assert refused.status_code == 400
        assert message in refused.text
    saved = await _post(web, page, page, {"rule": "years", "keepYearsAfterConclusion": "2"})
    assert saved.status_code == 303
    shown = (await web.get(saved.headers["location"])).text
    assert "The rule is saved" in shown
    assert "2 years after the proceedings concluded" in shown
    assert "None yet." in shown

    deleted = await service.delete_due(create_session_factory(engine), add_years(clock.today(), 3))
    assert deleted == 1
    shown = (await web.get(page)).text
    assert case_id in shown
    assert "None yet." not in shown

    northmoor = f"/admin/retention?organisation={world.orgs['northmoor'].id}"
    assert (await web.get(northmoor)).status_code == 404
    cafcass = f"/admin/retention?organisation={world.orgs['cafcass'].id}"
    await sign_in_as(web, world.id("national_admin"))
    assert (await web.get(northmoor)).status_code == 200
    assert (await web.get(cafcass)).status_code == 404
    await sign_in_as(web, world.id("iro_manager"))
    assert (await web.get(page)).status_code == 404
