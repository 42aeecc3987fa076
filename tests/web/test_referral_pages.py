"""The pages for referrals to Cafcass (issue 17), used without JavaScript as a browser would: the IRO refers
a case from a dispute (its course filled in as the steps taken), refused first with every problem and
nothing kept; the Cafcass manager finds it in the service area's queue, acknowledges it and appoints an
officer; the officer records an enquiry and the outcome; who may not see it finds no such page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import sqlalchemy as sa

from models import CafcassReferral, DisputeSubject
from portal.disputes import service as disputes
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.world import World


def _date(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


async def _post(web: httpx.AsyncClient, page: str, action: str, **fields: str) -> httpx.Response:
    form = await web.get(page)
    assert form.status_code == 200, page
    return await web.post(action, data={"csrf_token": csrf_from(form.text), **fields})


async def test_a_referral_from_a_dispute_to_its_outcome_on_the_pages(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case(case_number="RV42")
    iro = await world.actor("iro")
    async with world.sessions() as session, session.begin():
        dispute = await disputes.raise_challenge(
            session,
            iro,
            disputes.RaiseChallenge(
                case_id=case_id,
                subject=DisputeSubject.CARE_PLAN,
                summary="Sibling contact stopped.",
                raised_with="The team manager",
                resolution_sought="Contact restored.",
                sought_by=date.today() + timedelta(days=7),
                fast_track_stage=2,
                fast_track_reason="Contact stopped last week.",
                answerer_id=world.id("head_of_service"),
            ),
        )
    await sign_in_as(web, world.id("iro"))
    new = f"/cases/{case_id}/referrals/new"
    form = (await web.get(f"{new}?dispute={dispute.id}")).text
    # The dispute's course is the steps taken, to start from.
    assert "Challenge raised on" in form
    assert "Stage 2 (Service manager (raised by the IRO manager))" in form
    refused = await _post(web, new, f"/cases/{case_id}/referrals", grounds=" ", stepsTaken="")
    assert refused.status_code == 400
    for message in ("Choose the right that may be breached", "Say how the child", "Say what you have done"):
        assert message in refused.text
    async with world.sessions() as session:
        assert (await session.scalars(sa.select(CafcassReferral))).all() == []
    made = await _post(
        web,
        new,
        f"/cases/{case_id}/referrals",
        ground="FAMILY_LIFE",
        grounds="No contact with her brother for six weeks.",
        stepsTaken="Fast-tracked to the head of service, unanswered.",
        disputeId=str(dispute.id),
    )
    assert made.status_code == 303
    page = made.headers["location"].split("?")[0]
    shown = (await web.get(made.headers["location"])).text
    assert "The referral is made" in shown
    assert "Acknowledge the referral" not in shown  # Cafcass's steps are not the IRO's

    case_page = (await web.get(f"/cases/{case_id}")).text
    assert f'href="{page}"' in case_page
    dispute_page = (await web.get(f"/disputes/{dispute.id}")).text
    assert f"/cases/{case_id}/referrals/new?dispute={dispute.id}" in dispute_page

    await sign_in_as(web, world.id("cafcass_manager"))
    queue = (await web.get("/referrals")).text
    assert "RV42" in queue
    assert "Acknowledge the referral" in (await web.get("/tasks")).text
    assert f'href="{page}"' in (await web.get(f"/cases/{case_id}")).text
    acknowledged = await _post(web, page, f"{page}/acknowledge")
    assert acknowledged.status_code == 303
    nobody = await _post(web, page, f"{page}/appoint", officerId="")
    assert nobody.status_code == 400
    assert "Choose the officer" in nobody.text
    officer_page = (await web.get(page)).text
    officer = re.search(r'<option value="([^"]+)"[^>]*>Gareth Second</option>', officer_page)
    assert officer
    assert (await _post(web, page, f"{page}/appoint", officerId=officer.group(1))).status_code == 303

    await sign_in_as(web, world.id("guardian2"))
    assert "RV42" in (await web.get("/referrals")).text
    assert "Make enquiries and record the outcome" in (await web.get("/tasks")).text
    today = date.today()
    enquiry = await _post(
        web,
        page,
        f"{page}/enquiry",
        **_date("madeOn", today),
        madeWith="Head of service",
        note="Contact to resume next week.",
    )
    assert enquiry.status_code == 303
    no_outcome = await _post(web, page, f"{page}/outcome", **_date("outcomeOn", today), outcomeNote="")
    assert no_outcome.status_code == 400
    assert "Choose how the referral ended" in no_outcome.text
    done = await _post(
        web,
        page,
        f"{page}/outcome",
        outcome="RESOLVED_BY_CORRESPONDENCE",
        **_date("outcomeOn", today),
        outcomeNote="Contact restored by letter.",
    )
    assert done.status_code == 303
    final = (await web.get(page)).text
    assert "Resolved by correspondence" in final
    assert "Contact to resume next week." in final
    assert "Record the outcome" not in final

    for who in ("guardian", "solicitor", "social_worker", "other_cafcass_manager"):
        await sign_in_as(web, world.id(who))
        assert (await web.get(page)).status_code == 404, who
        assert "/referrals/" not in (await web.get(f"/cases/{case_id}")).text, who
    await sign_in_as(web, world.id("guardian"))
    assert (await web.get(new)).status_code == 404


async def test_a_national_administrator_sets_a_service_areas_timescale(
    web: httpx.AsyncClient, world: World
) -> None:
    cafcass = world.orgs["cafcass"].id
    page = f"/admin/referral-timescale?organisation={cafcass}"
    for who in ("admin", "cafcass_manager", "iro"):
        await sign_in_as(web, world.id(who))
        assert (await web.get(page)).status_code == 404, who
    await sign_in_as(web, world.id("national_admin"))
    assert page in (await web.get(f"/admin/people?organisation={cafcass}")).text
    shown = (await web.get(page)).text
    assert "The national default (version 1)" in shown
    assert 'value="20"' in shown  # the form starts from the timescale in force
    refused = await _post(
        web,
        page,
        "/admin/referral-timescale",
        organisation=str(cafcass),
        acknowledgeWorkingDays="two",
        appointWorkingDays="40",
        outcomeWorkingDays="20",
    )
    assert refused.status_code == 400
    for message in ("Enter the working days to acknowledge a referral as a number", "Allow from 1 to 30"):
        assert message in refused.text, message
    saved = await _post(
        web,
        page,
        "/admin/referral-timescale",
        organisation=str(cafcass),
        acknowledgeWorkingDays="1",
        appointWorkingDays="3",
        outcomeWorkingDays="30",
    )
    assert (saved.status_code, saved.headers["location"]) == (303, f"{page}&done=set")
    shown = (await web.get(saved.headers["location"])).text
    assert "1, the service area's own" in shown
    assert "30 working days from the appointment" in shown
