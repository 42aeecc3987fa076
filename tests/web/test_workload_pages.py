"""IRO workloads and conflicts of interest on the pages (issue 19), without JavaScript: the IRO manager keeps
an IRO's profile, the weights and the conferences (every problem at once in the error summary) and sees each
IRO weighed; an IRO enters their own conferences and declares a conflict of interest; assigning an IRO with
a conflict warns with its kind and details and goes ahead only once the manager ticks that they considered
it. Nobody else finds the pages."""

from __future__ import annotations

import re
import uuid

import httpx

from models import LegalStatus
from portal.cases.repository import case_children
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.world import World


async def _post(web: httpx.AsyncClient, form_path: str, action: str, **data: str) -> httpx.Response:
    page = (await web.get(form_path)).text
    return await web.post(action, data={"csrf_token": csrf_from(page), **data})


async def test_the_iro_manager_keeps_the_figures_and_sees_each_iro_weighed(
    web: httpx.AsyncClient, world: World
) -> None:
    await world.open_case()
    iro = world.id("iro")
    await sign_in_as(web, world.id("iro_manager"))
    listing = await web.get("/workloads")
    assert listing.status_code == 200
    assert "No profile" in listing.text
    assert f'href="/workloads/iros/{iro}"' in listing.text
    # Every problem at once.
    bad = await _post(
        web,
        f"/workloads/iros/{iro}",
        f"/workloads/iros/{iro}",
        fullTimeEquivalence="lots",
        childrenHeld="",
        siblingGroupChildren="0",
        outOfAreaChildren="0",
    )
    assert bad.status_code == 400
    assert "Enter the full-time equivalence as a number, like 0.8" in bad.text
    assert "Say how the IRO is employed" in bad.text
    assert "Enter the looked-after children the IRO holds as a number, like 60" in bad.text
    over = await _post(
        web,
        f"/workloads/iros/{iro}",
        f"/workloads/iros/{iro}",
        fullTimeEquivalence="1.5",
        employment="DIRECT",
        childrenHeld="40",
        siblingGroupChildren="41",
        outOfAreaChildren="0",
    )
    assert over.status_code == 400
    assert "The full-time equivalence must be from 0.01 to 1" in over.text
    assert "The children in sibling groups cannot be more than the 40 children held" in over.text
    saved = await _post(
        web,
        f"/workloads/iros/{iro}",
        f"/workloads/iros/{iro}",
        fullTimeEquivalence="0.5",
        employment="AGENCY",
        childrenHeld="30",
        siblingGroupChildren="4",
        outOfAreaChildren="2",
    )
    assert (saved.status_code, saved.headers["location"]) == (303, "/workloads?done=profile")
    # The form again holds what was kept, to change.
    kept = await web.get(f"/workloads/iros/{iro}")
    assert kept.status_code == 200
    assert 'value="0.5"' in kept.text
    assert re.search(r'value="AGENCY" checked|value="AGENCY" selected', kept.text)
    weights = await _post(
        web,
        "/workloads/weights",
        "/workloads/weights",
        siblingGroup="-0.25",
        inProceedings="0.5",
        outOfArea="0.5",
        conference="0",
    )
    assert weights.status_code == 303
    # 30 - 4 × 0.25 + 1 × 0.5 + 2 × 0.5 = 30.5 weighted; over 0.5 FTE, 61 per full-time IRO: within.
    listing = await web.get("/workloads")
    assert "30.5" in listing.text
    assert "61" in listing.text
    assert "Within 50 to 70" in listing.text
    assert "Agency" in listing.text
    # The dashboard's workload section says the same, and downloads it.
    dashboard = (await web.get("/dashboard")).text
    assert "61 (within 50 to 70)" in dashboard
    download = await web.get("/dashboard.csv?section=workload")
    assert "Ivan Reviewer,1,1,1,no,0.5,Agency,30,4,2,,30.5,61,Within 50 to 70,no,0" in download.text
    assert "All IROs with a profile,,,,,0.5,,,,,,30.5,61,Within 50 to 70,," in download.text


async def test_an_iro_enters_their_conferences_and_nobody_else_finds_the_pages(
    web: httpx.AsyncClient, world: World
) -> None:
    iro = world.id("iro")
    await sign_in_as(web, iro)
    tasks = (await web.get("/tasks")).text
    assert f'href="/workloads/iros/{iro}/conferences"' in tasks
    form = (await web.get(f"/workloads/iros/{iro}/conferences")).text
    month = form.split('<option value="')[1].split('"')[0]
    bad = await web.post(
        f"/workloads/iros/{iro}/conferences",
        data={"csrf_token": csrf_from(form), "month": month, "conferences": "x"},
    )
    assert bad.status_code == 400
    assert "Enter the conferences chaired as a number (0 if none)" in bad.text
    done = await web.post(
        f"/workloads/iros/{iro}/conferences",
        data={"csrf_token": csrf_from(form), "month": month, "conferences": "7"},
    )
    assert done.status_code == 303
    assert ">7</td>" in (await web.get(done.headers["location"])).text
    # Not another IRO's, nor the manager's pages.
    for path in (f"/workloads/iros/{world.id('iro2')}/conferences", "/workloads", "/workloads/weights"):
        assert (await web.get(path)).status_code == 404, path
    await sign_in_as(web, world.id("guardian"))
    assert (await web.get("/workloads")).status_code == 404


async def test_assigning_an_iro_with_a_conflict_warns_and_needs_it_acknowledged(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case([("Amy", LegalStatus.INTERIM_CARE_ORDER)])
    async with world.sessions() as session:
        [amy] = await case_children(session, case_id)
    await sign_in_as(web, world.id("iro_manager"))
    recorded = await _post(
        web,
        f"/cases/{case_id}/conflicts/new",
        f"/cases/{case_id}/conflicts",
        iroId=str(world.id("iro2")),
        childId=str(amy.id),
        kind="SOCIAL_WORKERS_MANAGER",
        details="Managed Amy's social worker until May",
    )
    assert (recorded.status_code, recorded.headers["location"]) == (303, f"/cases/{case_id}?done=conflict")
    form = (await web.get(f"/cases/{case_id}/iro")).text
    assert "A conflict of interest is recorded with Amy Example" in form
    data = {"csrf_token": csrf_from(form), "personId": str(world.id("iro2")), "reallocationReason": "Leave"}
    check = await web.post(f"/cases/{case_id}/iro", data=data)
    assert check.status_code == 200
    assert (
        "was the manager of the child&#39;s social worker (Managed Amy&#39;s social worker until May)"
        in check.text
    )
    unticked = await web.post(f"/cases/{case_id}/iro", data={**data, "step": "confirm"})
    assert unticked.status_code == 400
    assert "Confirm that you have considered the conflict of interest, or choose another IRO" in unticked.text
    done = await web.post(
        f"/cases/{case_id}/iro", data={**data, "step": "confirm", "conflictAcknowledged": "yes"}
    )
    assert (done.status_code, done.headers["location"]) == (303, f"/cases/{case_id}?done=iro")
    # Now the child's IRO with the conflict standing: flagged on the assignments page.
    assignments = (await web.get("/assignments")).text
    assert (
        "An IRO has a conflict of interest with a child they are assigned to: Iris Second with Amy"
        in assignments
    )


async def test_an_iro_declares_their_own_conflict_from_the_case(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case([("Amy", LegalStatus.INTERIM_CARE_ORDER)])
    async with world.sessions() as session:
        [amy] = await case_children(session, case_id)
    await sign_in_as(web, world.id("iro"))
    case = (await web.get(f"/cases/{case_id}")).text
    assert f'href="/cases/{case_id}/conflicts/new"' in case
    form = (await web.get(f"/cases/{case_id}/conflicts/new")).text
    assert 'name="iroId"' not in form  # their own
    missing = await web.post(
        f"/cases/{case_id}/conflicts", data={"csrf_token": csrf_from(form), "kind": "OTHER"}
    )
    assert missing.status_code == 400
    assert "Say what the conflict of interest is" in missing.text
    declared = await web.post(
        f"/cases/{case_id}/conflicts",
        data={"csrf_token": csrf_from(form), "childId": str(amy.id), "kind": "FOSTERING_REVIEWER"},
    )
    assert declared.status_code == 303
    await sign_in_as(web, world.id("guardian"))
    assert (await web.get(f"/cases/{case_id}/conflicts/new")).status_code == 404
    assert (await web.get(f"/cases/{uuid.uuid4()}/conflicts/new")).status_code == 404
