"""The dashboard's disputes and referrals on the page (issue 17): each figure links to its cases, the cases
download as CSV, the section downloads as CSV, and the IRO manager and the Cafcass manager see their own
scope's only."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import httpx

from models import DisputeSubject, ReferralGround
from portal.disputes import service as disputes
from portal.referrals import service as referrals
from tests.support.browsing import sign_in_as
from tests.support.world import World


def _links(page: str) -> dict[str, str]:
    return {
        match.group(1): match.group(0).replace("&amp;", "&")
        for match in re.finditer(
            r'/dashboard/cases\?[^"]*figure=((?:DISPUTES|REFERRALS)_[A-Z0-9_]+)[^"]*', page
        )
    }


async def test_the_dispute_figures_drill_down_and_download(web: httpx.AsyncClient, world: World) -> None:
    disputed = await world.open_case(case_number="RV7")
    elsewhere = await world.open_case(case_number="NM7", solicitor="other_solicitor", iro=None)
    await world.assign_iro(elsewhere, "other_iro", manager="other_iro_manager")
    actors = {key: await world.actor(key) for key in ("iro", "other_iro")}
    async with world.sessions() as session, session.begin():
        for case_id, iro in ((disputed, "iro"), (elsewhere, "other_iro")):
            actor = actors[iro]
            await disputes.raise_challenge(
                session,
                actor,
                disputes.RaiseChallenge(
                    case_id=case_id,
                    subject=DisputeSubject.CARE_PLAN,
                    summary="Sibling contact stopped.",
                    raised_with="The team manager",
                    resolution_sought="Contact restored.",
                    sought_by=date.today() + timedelta(days=7),
                ),
            )
        await referrals.refer(
            session,
            actors["iro"],
            referrals.Refer(disputed, ReferralGround.FAMILY_LIFE, "Contact stopped.", "The ladder."),
        )
    await sign_in_as(web, world.id("iro_manager"))
    page = (await web.get("/dashboard")).text
    assert "Disputes and referrals to Cafcass" in page
    links = _links(page)
    assert {"DISPUTES_OPENED", "DISPUTES_OPEN", "REFERRALS_MADE", "REFERRALS_OPEN"} <= set(links)
    for figure in ("DISPUTES_OPEN", "REFERRALS_OPEN"):
        cases = await web.get(links[figure])
        assert cases.status_code == 200
        assert "RV7" in cases.text
        assert "NM7" not in cases.text
        listed = list(
            csv.reader(io.StringIO((await web.get(links[figure].replace("/cases?", "/cases.csv?"))).text))
        )
        assert [row[0] for row in listed] == ["case number", "RV7"]
    section = list(csv.reader(io.StringIO((await web.get("/dashboard.csv?section=disputes")).text)))
    assert section[0] == ["figure", "count"]
    assert ["Disputes: raised in the period", "1"] in section
    assert ["Referrals: made in the period", "1"] in section
    assert ["Referrals concluded: cafcass disagrees with the iro", "0"] in section
    # The Cafcass manager of the court's service area counts the same case (never the dispute's content).
    await sign_in_as(web, world.id("cafcass_manager"))
    links = _links((await web.get("/dashboard")).text)
    assert "RV7" in (await web.get(links["REFERRALS_MADE"])).text
    await sign_in_as(web, world.id("guardian"))
    assert (await web.get(links["REFERRALS_MADE"])).status_code == 404
