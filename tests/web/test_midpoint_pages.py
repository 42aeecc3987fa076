"""Monitoring between reviews on the pages (issue 19), without JavaScript: the child's IRO records a midpoint
check from the case page, every problem at once in the error summary; the case page shows each child's cycle
and the checks; the child's file export carries them; anyone who may not manage the case's reviews finds no
form (404); the IRO manager's dashboard shows the coverage, each figure a link to the children behind it."""

from __future__ import annotations

import json
import re
import uuid

import httpx

from models import LegalStatus
from portal import clock
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.world import World


def _unique_ids(html: str) -> None:
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


async def test_the_iro_records_a_check_from_the_case_page(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case([("Amy", LegalStatus.INTERIM_CARE_ORDER)], issued_weeks_ago=2)
    today = clock.today()
    await sign_in_as(web, world.id("iro"))
    case = (await web.get(f"/cases/{case_id}")).text
    assert 'id="midpoint-checks">Monitoring between reviews</h2>' in case
    link = re.search(r'href="(/cases/[^"]+/midpoint-checks/new\?child=([^"]+))"', case)
    assert link is not None
    child_id = link.group(2)
    form = (await web.get(link.group(1).replace("&amp;", "&"))).text
    _unique_ids(form)
    assert re.search(rf'name="childId" type="radio" value="{child_id}" checked', form)
    assert f'id="doneOn-day" name="doneOn-day" type="text" inputmode="numeric" value="{today.day}"' in form
    # Nothing chosen and an outcome that needs a note: every problem at once, nothing recorded.
    refused = await web.post(
        f"/cases/{case_id}/midpoint-checks",
        data={"csrf_token": csrf_from(form), "childId": child_id, "outcome": "RAISED_WITH_TEAM_MANAGER"},
    )
    assert refused.status_code == 400
    _unique_ids(refused.text)
    summary = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', refused.text)
    assert [anchor for anchor, _ in summary] == ["doneOn-day", "fileRead", "socialWorkerContact", "note"]
    done = await web.post(
        f"/cases/{case_id}/midpoint-checks",
        data={
            "csrf_token": csrf_from(form),
            "childId": child_id,
            "doneOn-day": str(today.day),
            "doneOn-month": str(today.month),
            "doneOn-year": str(today.year),
            "fileRead": "yes",
            "socialWorkerContact": "MEETING",
            "outcome": "RAISED_WITH_TEAM_MANAGER",
            "note": "The life story work has not started; raised with the team manager.",
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/cases/{case_id}?done=midpoint-check"
    case = (await web.get(done.headers["location"])).text
    assert "The midpoint check is recorded." in case
    assert f"Checked on {today.day} " in case
    assert ": I raised a matter with the team manager</h3>" in case
    assert "The life story work has not started" in case
    # In the child's file export.
    exported = await web.get(f"/cases/{case_id}/children/{child_id}/file.json")
    [check] = json.loads(exported.text)["midpointChecks"]
    assert (check["outcome"], check["socialWorkerContact"], check["fileRead"]) == (
        "RAISED_WITH_TEAM_MANAGER",
        "MEETING",
        True,
    )
    # The guardian reads the check on the case, but has no form: not found, and nothing recorded.
    await sign_in_as(web, world.id("guardian"))
    case = (await web.get(f"/cases/{case_id}")).text
    assert "The life story work has not started" in case
    assert "Record a midpoint check" not in case
    assert (await web.get(f"/cases/{case_id}/midpoint-checks/new")).status_code == 404
    refused = await web.post(
        f"/cases/{case_id}/midpoint-checks",
        data={"csrf_token": csrf_from((await web.get("/settings/email")).text), "childId": child_id},
    )
    assert refused.status_code == 404
    assert (await web.get(f"/cases/{uuid.uuid4()}/midpoint-checks/new")).status_code == 404


async def test_the_dashboard_shows_coverage_with_its_children(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case([("Amy", LegalStatus.INTERIM_CARE_ORDER)], case_number="MP0001")
    await sign_in_as(web, world.id("iro"))
    form = (await web.get(f"/cases/{case_id}/midpoint-checks/new")).text
    today = clock.today()
    child_id = re.search(r'name="childId" type="radio" value="([^"]+)"', form)
    assert child_id is not None
    done = await web.post(
        f"/cases/{case_id}/midpoint-checks",
        data={
            "csrf_token": csrf_from(form),
            "childId": child_id.group(1),
            "doneOn-day": str(today.day),
            "doneOn-month": str(today.month),
            "doneOn-year": str(today.year),
            "fileRead": "no",
            "socialWorkerContact": "EMAIL",
            "outcome": "ON_TRACK",
        },
    )
    assert done.status_code == 303
    await sign_in_as(web, world.id("iro_manager"))
    dashboard = (await web.get("/dashboard")).text
    assert 'id="midpoints">Monitoring between reviews</h2>' in dashboard
    links = re.findall(r'href="(/dashboard/cases\?[^"]*figure=MIDPOINTS_MONITORED[^"]*)"', dashboard)
    # Ivan's line and the authority's, each 1 child monitored, 100%.
    assert len(links) == 2
    assert "100%" in dashboard
    behind = (await web.get(links[-1].replace("&amp;", "&"))).text
    assert "MP0001" in behind
    assert "Amy Example" in behind
    assert f"Checked on {today.day} " in behind
    csv = (await web.get("/dashboard.csv?section=midpoints")).text
    assert csv.splitlines()[-1].startswith("Riverside City Council,1,1,1,0,0,100,")
    # A Cafcass manager's dashboard has no such section; a guardian has no dashboard.
    await sign_in_as(web, world.id("cafcass_manager"))
    assert 'id="midpoints"' not in (await web.get("/dashboard")).text
    await sign_in_as(web, world.id("guardian"))
    assert (await web.get("/dashboard")).status_code == 404
