"""The adherence dashboard's page, its CSV and its drill-down, for managers only, within their scope."""

from __future__ import annotations

import csv
import io
import re

import httpx

from tests.support.browsing import sign_in_as
from tests.support.world import World


async def test_a_cafcass_manager_reads_the_dashboard_csv_and_drills_down(
    web: httpx.AsyncClient, world: World
) -> None:
    mine = await world.open_case(case_number="RV1")
    elsewhere = await world.open_case(case_number="FA1", court="other_court", guardian=None)
    await world.allocate(elsewhere, "other_guardian", manager="other_cafcass_manager")
    await sign_in_as(web, world.id("cafcass_manager"))
    page = (await web.get("/dashboard?by=practitioner")).text
    assert "Is the protocol working?" in page
    assert "Gina Guardian" in page
    assert "Olga Elsewhere" not in page
    assert "<svg" in page
    assert "<table" in page
    rows = list(csv.reader(io.StringIO((await web.get("/dashboard.csv?by=practitioner")).text)))
    assert rows[0][:3] == ["group", "code", "opened"]
    assert {(r[0], r[1]) for r in rows[1:]} == {("Gina Guardian", "P2"), ("Gina Guardian", "P3")}
    link = re.search(r'href="(/dashboard/cases\?[^"]+measure=OPENED[^"]*)"', page)
    assert link
    cases = (await web.get(link.group(1).replace("&amp;", "&"))).text
    assert "RV1" in cases
    assert "FA1" not in cases
    assert str(mine) in cases
    await sign_in_as(web, world.id("guardian"))
    assert (await web.get("/dashboard")).status_code == 404
    assert (await web.get("/dashboard.csv")).status_code == 404
