"""The adherence dashboard's page, its CSV and its drill-down, for managers only, within their scope."""

from __future__ import annotations

import csv
import io
import re

import httpx

from models import LegalStatus
from portal.web.headers import attachment
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


def _links(page: str) -> dict[str, str]:
    """The drill-down links of the page's other figures, by figure."""
    return {
        match.group(1): match.group(0).replace("&amp;", "&")
        for match in re.finditer(r'/dashboard/cases\?[^"]*figure=([A-Z0-9_]+)[^"]*', page)
    }


async def test_every_section_drills_down_and_downloads_within_scope(
    web: httpx.AsyncClient, world: World
) -> None:
    mine = await world.open_case(case_number="RV1", issued_weeks_ago=30)
    elsewhere = await world.open_case(
        case_number="FA1", court="other_court", guardian=None, issued_weeks_ago=30
    )
    await world.allocate(elsewhere, "other_guardian", manager="other_cafcass_manager")
    await sign_in_as(web, world.id("cafcass_manager"))
    page = (await web.get("/dashboard")).text
    for heading in (
        "The 26-week limit",
        "Handovers at the end of proceedings",
        "Court papers reaching the IRO",
    ):
        assert heading in page
    links = _links(page)
    # Both cases are over 26 weeks and at risk: the cafcass manager's figures link to RV1 alone.
    assert {"TRACKER_OVER_26_WEEKS", "TRACKER_AT_RISK", "GUARDIAN_CONTACTS_IRO_RARELY_OR_NEVER"} <= set(links)
    for figure in ("TRACKER_OVER_26_WEEKS", "TRACKER_AT_RISK", "GUARDIAN_CONTACTS_IRO_RARELY_OR_NEVER"):
        cases = (await web.get(links[figure])).text
        assert str(mine) in cases
        assert "FA1" not in cases
        listed = list(
            csv.reader(io.StringIO((await web.get(links[figure].replace("/cases?", "/cases.csv?"))).text))
        )
        assert [row[0] for row in listed] == ["case number", "RV1"]
    for section, header in (
        ("tracker", ["figure", "open proceedings"]),
        ("handovers", ["due", "on time", "late", "missing", "not yet due", "acknowledged"]),
        ("papers", ["filed", "opened by the IRO"]),
        ("table1", ["question", "proceedings"]),
    ):
        rows = list(csv.reader(io.StringIO((await web.get(f"/dashboard.csv?section={section}")).text)))
        assert rows[0][: len(header)] == header, section
    tracker = list(csv.reader(io.StringIO((await web.get("/dashboard.csv?section=tracker")).text)))
    assert ["Over 26 weeks", "1"] in tracker
    assert (await web.get("/dashboard/cases?figure=NO_SUCH_FIGURE")).status_code == 404
    # The IRO manager sees their IROs' caseloads, each figure linking to the IRO's cases.
    await sign_in_as(web, world.id("iro_manager"))
    page = (await web.get("/dashboard")).text
    assert "IRO workload" in page
    children = _links(page)["IRO_CHILDREN"]
    assert "iro=" in children
    assert str(mine) in (await web.get(children)).text
    workload = list(csv.reader(io.StringIO((await web.get("/dashboard.csv?section=workload")).text)))
    assert workload[0] == ["IRO", "children", "in proceedings", "overdue reviews", "above 70"]
    # Nobody else reaches any of it.
    await sign_in_as(web, world.id("guardian"))
    assert (await web.get(links["TRACKER_AT_RISK"])).status_code == 404
    assert (await web.get(links["TRACKER_AT_RISK"].replace("/cases?", "/cases.csv?"))).status_code == 404


async def test_a_malformed_drill_down_is_not_found(web: httpx.AsyncClient, world: World) -> None:
    await world.open_case(case_number="RV1")
    await sign_in_as(web, world.id("iro_manager"))
    for query in ("figure=IRO_CHILDREN&iro=not-an-id", "figure=tracker:0", "code=P2&measure=NOPE"):
        response = await web.get(f"/dashboard/cases?{query}")
        assert response.status_code in {400, 404}, query


async def test_csv_files_carry_no_formulas_and_no_header_injection(
    web: httpx.AsyncClient, world: World
) -> None:
    await world.open_case([('=HYPERLINK("http://x")', LegalStatus.INTERIM_CARE_ORDER)], case_number="RV1")
    await sign_in_as(web, world.id("cafcass_manager"))
    response = await web.get("/dashboard/cases.csv?figure=TRACKER_UNDER_13_WEEKS")
    assert response.headers["content-disposition"] == attachment("tracker-under-13-weeks-cases.csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="tracker-under-13-weeks')
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[1][4] == '\'=HYPERLINK("http://x") Example'
    forged = await web.get('/dashboard/cases.csv?code=x"%0d%0aSet-Cookie:a=b&measure=OPENED')
    assert forged.headers["content-disposition"] == attachment("x-set-cookie-a-b-opened-cases.csv")


async def test_a_period_ending_before_it_starts_is_explained_not_computed(
    web: httpx.AsyncClient, world: World
) -> None:
    await sign_in_as(web, world.id("cafcass_manager"))
    page = await web.get("/dashboard?start=2026-06-01&end=2026-05-01")
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert "The end of the period must be on or after its start" in page.text
    assert "Handovers at the end of proceedings" not in page.text
    backwards = await web.get("/dashboard.csv?start=2026-06-01&end=2026-05-01")
    assert backwards.status_code == 400
    assert backwards.text == "The end of the period must be on or after its start"
    drill = await web.get("/dashboard/cases?figure=PAPERS_FILED&start=2026-06-01&end=2026-05-01")
    assert drill.status_code == 400


async def test_a_period_beyond_the_portals_dates_is_explained_not_computed(
    web: httpx.AsyncClient, world: World
) -> None:
    """Issue 13: a period from year 1 to 9999 (the day after its end overflowed) is refused as the API
    refuses it, with the range named against each date, and nothing is computed."""
    await sign_in_as(web, world.id("cafcass_manager"))
    page = await web.get("/dashboard?start=0001-01-01&end=9999-12-31")
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert "Dates must be between 1 January 1900 and 31 December 2099; 0001-01-01 is not" in page.text
    assert "Dates must be between 1 January 1900 and 31 December 2099; 9999-12-31 is not" in page.text
    assert "Handovers at the end of proceedings" not in page.text
    assert (await web.get("/dashboard.csv?start=2020-01-01&end=9999-12-31")).status_code == 400
    drill = await web.get("/dashboard/cases?figure=PAPERS_FILED&start=0001-01-01&end=2020-01-01")
    assert drill.status_code == 400
