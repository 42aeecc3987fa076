"""The adherence dashboard's page, its CSV and its drill-down, for managers only, within their scope."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from models import LegalStatus, Review, ReviewKind
from portal import clock
from portal.auth.tokens import create_token
from portal.cases.repository import case_children
from portal.db import create_session_factory
from portal.web.dashboard_pages import ADHERENCE_SEGMENTS, HANDOVERS, PAPERS, WORKLOAD_SEGMENTS
from portal.web.headers import attachment
from portal.web.labels import long_date
from tests.support.browsing import sign_in_as
from tests.support.graphql import gql, log_contact
from tests.support.world import World
from tests.test_handover import ANSWERS
from tests.test_handover import Case as HandoverCase
from tests.test_handover import _final_orders as final_orders

ROOT = Path(__file__).resolve().parent.parent.parent
STYLES = ROOT / "frontend" / "src" / "_portal.scss"
PALETTE = ROOT / "frontend/node_modules/govuk-frontend/dist/govuk/settings/_colours-palette--internal.scss"


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
    assert rows[0][:4] == ["group", "code", "obligation", "opened"]
    # The case's duties: the guardian's, and the IRO's first review of the child (R1).
    assert {(r[0], r[1]) for r in rows[1:]} == {
        ("Gina Guardian", "P2"),
        ("Gina Guardian", "P3"),
        ("Ivan Reviewer", "R1"),
    }
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
        ("handovers", ["due", "on time", "late", "missing", "not yet due", "acknowledged (P15 met)"]),
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
    # The columns before issue 19 first, as they were; the weighed workload after them.
    assert workload[0][:5] == ["IRO", "children", "in proceedings", "reviews late", "above 70"]
    # Nobody else reaches any of it.
    await sign_in_as(web, world.id("guardian"))
    assert (await web.get(links["TRACKER_AT_RISK"])).status_code == 404
    assert (await web.get(links["TRACKER_AT_RISK"].replace("/cases?", "/cases.csv?"))).status_code == 404


async def test_a_malformed_drill_down_is_not_found(web: httpx.AsyncClient, world: World) -> None:
    await world.open_case(case_number="RV1")
    await sign_in_as(web, world.id("iro_manager"))
    for query in ("figure=IRO_CHILDREN&iro=not-an-id", "figure=tracker:0", "code=P2&measure=NOPE"):
        response = await web.get(f"/dashboard/cases?{query}")
        assert response.status_code in {303, 404}, query


async def test_csv_files_carry_no_formulas_and_no_header_injection(
    web: httpx.AsyncClient, world: World
) -> None:
    await world.open_case([('=HYPERLINK("http://x")', LegalStatus.INTERIM_CARE_ORDER)], case_number="RV1")
    await sign_in_as(web, world.id("cafcass_manager"))
    response = await web.get("/dashboard/cases.csv?figure=TRACKER_UNDER_13_WEEKS")
    assert response.headers["content-disposition"] == attachment("tracker-under-13-weeks-cases.csv")
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
    # A download or a drill-down of such a period leads to the dashboard's own form with the problem.
    for path in ("/dashboard.csv", "/dashboard/cases.csv", "/dashboard/cases"):
        query = "figure=PAPERS_FILED&start=2026-06-01&end=2026-05-01"
        refused = await web.get(f"{path}?{query}")
        assert (refused.status_code, refused.headers["location"]) == (303, f"/dashboard?{query}"), path
        shown = await web.get(refused.headers["location"])
        assert shown.status_code == 400
        assert "The end of the period must be on or after its start" in shown.text
        assert 'id="start-day"' in shown.text


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
    assert (await web.get("/dashboard.csv?start=2020-01-01&end=9999-12-31")).status_code == 303
    drill = await web.get("/dashboard/cases?figure=PAPERS_FILED&start=0001-01-01&end=2020-01-01")
    assert drill.status_code == 303
    assert (await web.get(drill.headers["location"])).status_code == 400


def _csv_rows(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.text)))


def _link(page: str, pattern: str) -> str:
    found = re.search(rf'href="(/dashboard/cases\?[^"]*{pattern}[^"]*)"', page)
    assert found, pattern
    return found.group(1).replace("&amp;", "&")


async def test_obligations_are_named_beside_their_codes_everywhere(
    web: httpx.AsyncClient, world: World
) -> None:
    """P2 and P3 by name in the table, the chart's labels, the links' hidden text, the CSV, and the
    drill-down's heading and CSV: never a bare code."""
    await world.open_case(case_number="RV1")
    await sign_in_as(web, world.id("cafcass_manager"))
    page = (await web.get("/dashboard")).text
    p2, p3 = (
        "The guardian makes contact with the IRO",
        "Guardian and IRO agree whether and how to keep in touch",
    )
    assert f'P2 <span class="app-obligation-name">{p2}</span>' in page
    assert re.search(rf'<text [^>]*class="app-chart__label">P3 {p3}</text>', page)
    assert f'<span class="govuk-visually-hidden"> opened, P3 {p3}</span>' in page
    rows = _csv_rows(await web.get("/dashboard.csv"))
    assert ["All cases in your scope", "P3", p3] == rows[[r[1] for r in rows].index("P3")][:3]
    drill = _link(page, "code=P3&amp;measure=OPENED")
    cases = (await web.get(drill)).text
    assert f"P3 {p3}: opened</h1>" in cases
    listed = _csv_rows(await web.get(drill.replace("/cases?", "/cases.csv?")))
    assert listed[1][listed[0].index("obligation")] == f"P3 {p3}"


async def test_drill_downs_give_each_obligations_owner_due_date_and_standing(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    """P3 is both sides' (the guardian and the IRO, by name), P2 the guardian's; each with its due date, and
    when met, the day (the CSV too)."""
    case_id = await world.open_case(case_number="RV1", issued_weeks_ago=1)
    logged = await log_contact(client, world, "guardian", "iro", case_id)  # meets P2
    assert logged["errors"] == []
    view = await gql(client, await world.token("iro"), "CaseView", id=str(case_id))
    duties = {o["code"]: o for o in view["data"]["case"]["obligations"]}
    await sign_in_as(web, world.id("cafcass_manager"))
    page = (await web.get("/dashboard")).text

    shared = (await web.get(_link(page, "code=P3&amp;measure=OPENED"))).text
    assert "Gina Guardian and Ivan Reviewer" in shared
    assert "Children&#39;s guardian and IRO" in shared
    assert long_date(duties["P3"]["dueOn"]) in shared
    assert ">Open</td>" in shared

    met = _link(page, "code=P2&amp;measure=MET_ON_TIME")
    guardians = (await web.get(met)).text
    assert "Gina Guardian" in guardians
    assert "Ivan Reviewer" not in guardians
    assert long_date(duties["P2"]["dueOn"]) in guardians
    assert f"Met on {long_date(duties['P2']['closedAt'])} (on time)" in guardians
    rows = _csv_rows(await web.get(met.replace("/cases?", "/cases.csv?")))
    assert rows[0][5:] == [
        "obligation",
        "owner",
        "owner's role",
        "due",
        "where it stands",
        "met or closed on",
    ]
    assert rows[1][5:10] == [
        "P2 The guardian makes contact with the IRO",
        "Gina Guardian",
        "Children's guardian",
        duties["P2"]["dueOn"],
        f"Met on {long_date(duties['P2']['closedAt'])} (on time)",
    ]
    assert rows[1][10] == duties["P2"]["closedAt"][:10]


async def test_a_case_the_viewer_may_not_read_shows_only_its_number(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """Through the access layer: a token that may see the figures but not read cases gets each case's number
    behind a figure, but neither the case nor its obligations' owners (P2)."""
    await world.open_case(case_number="RV1")
    async with create_session_factory(engine)() as session, session.begin():
        _, figures_only = await create_token(
            session, None, world.id("cafcass_manager"), label="figures", scopes=["adherence:view"]
        )
    variables = {"start": "2000-01-01", "end": "2099-12-31", "code": "P2", "measure": "OPENED", "by": "NONE"}
    narrow = await gql(client, figures_only, "AdherenceCases", **variables)
    assert "errors" not in narrow, narrow
    assert narrow["data"]["adherenceCases"] == [
        {
            "id": narrow["data"]["adherenceCases"][0]["id"],
            "caseNumber": "RV1",
            "case": None,
            "obligations": [],
        }
    ]
    full = await gql(client, await world.token("cafcass_manager"), "AdherenceCases", **variables)
    [reference] = full["data"]["adherenceCases"]
    assert [o["ownerPerson"]["name"] for o in reference["obligations"]] == ["Gina Guardian"]


async def test_the_iros_late_reviews_are_what_the_case_pages_show(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """One rule for "late" (CPPCR reg 33), on the case page's card and in the workload figure: a child looked
    after ten weeks with no review is late though none is booked (RV1, RV3); so is one whose review was
    booked before its latest date, which has passed with the review not held (RV4); a child whose review
    was booked for two days ago, not yet recorded, with its latest date still ahead, is not (RV2). The
    figure used to count booked reviews only (RV2 and RV4); now it and its drill-down agree with the cards."""
    cases = {
        number: await world.open_case(case_number=number, issued_weeks_ago=weeks)
        for number, weeks in (("RV1", 10), ("RV2", 1), ("RV3", 10), ("RV4", 10))
    }
    async with create_session_factory(engine)() as session, session.begin():
        for number, days_ago in (("RV2", 2), ("RV4", 60)):
            [child] = await case_children(session, cases[number])
            session.add(
                Review(
                    proceedings_id=cases[number],
                    child_id=child.id,
                    kind=ReviewKind.FIRST,
                    review_date=clock.today() - timedelta(days=days_ago),
                    arrangements="At the placement",
                    scheduled_by_id=world.id("iro"),
                )
            )
    late_on_cards = set()
    for number, case_id in cases.items():
        view = await gql(client, await world.token("iro"), "CaseView", id=str(case_id))
        if any(c["nextReview"]["late"] for c in view["data"]["case"]["children"]):
            late_on_cards.add(number)
    assert late_on_cards == {"RV1", "RV3", "RV4"}
    await sign_in_as(web, world.id("iro_manager"))
    workload = _csv_rows(await web.get("/dashboard.csv?section=workload"))
    assert ["Ivan Reviewer", "4", "4", "3", "no"] in [row[:5] for row in workload]
    page = (await web.get("/dashboard")).text
    drill = _link(page, "figure=IRO_OVERDUE_REVIEWS")
    listed = _csv_rows(await web.get(drill.replace("/cases?", "/cases.csv?")))
    assert {row[0] for row in listed[1:]} == late_on_cards
    # Each with the IRO whose duty it is, the latest date (its due date) and whether it is booked.
    rv4 = next(row for row in listed if row[0] == "RV4")
    view = await gql(client, await world.token("iro"), "CaseView", id=str(cases["RV4"]))
    due = view["data"]["case"]["children"][0]["nextReview"]["dueBy"]
    booked = long_date(clock.today() - timedelta(days=60))
    assert rv4[4:10] == [
        "Amy Example",
        "Next looked-after review (regulation 33)",
        "Ivan Reviewer",
        "IRO",
        due,
        f"Late: booked for {booked}",
    ]
    shown = (await web.get(drill)).text
    assert "The IRO&#39;s children whose next review is late</h1>" in shown
    assert f'<td class="govuk-table__cell">{long_date(due)}</td>' in shown
    assert "Late: not booked" in shown


async def test_the_handovers_acknowledged_are_the_p15s_met(
    web: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    """P14 and P15, one definition: a handover submitted and acknowledged the day of the final orders (its
    P14 due ten working days later, after the period) counts as acknowledged, as P15's met figure does."""
    case = HandoverCase(client, world, await world.open_case(case_number="RV1"))
    await final_orders(case)
    draft = (await case.ok("guardian", "StartHandover", caseId=case.id))["handover"]
    saved = (await case.ok("guardian", "SaveHandover", id=draft["id"], revision=1, answers=ANSWERS))[
        "handover"
    ]
    await case.ok("guardian", "SubmitHandover", id=draft["id"], revision=saved["revision"])
    await case.ok("iro", "AcknowledgeHandover", id=draft["id"])
    for manager in ("cafcass_manager", "iro_manager"):
        await sign_in_as(web, world.id(manager))
        handovers = _csv_rows(await web.get("/dashboard.csv?section=handovers"))
        acknowledged = int(handovers[1][handovers[0].index("acknowledged (P15 met)")])
        adherence = _csv_rows(await web.get("/dashboard.csv"))
        p15 = next(dict(zip(adherence[0], row, strict=True)) for row in adherence[1:] if row[1] == "P15")
        assert acknowledged == int(p15["met on time"]) + int(p15["met late"]) == 1
        page = (await web.get("/dashboard")).text
        assert re.search(r"the IRO acknowledged <a [^>]*>1<span", page)
        drill = _link(page, "figure=HANDOVERS_ACKNOWLEDGED")
        cases = (await web.get(drill)).text
        assert "P15 The IRO acknowledges the handover and takes up sole scrutiny" in cases
        assert "Ivan Reviewer" in cases


async def test_the_period_is_two_govuk_date_inputs_with_every_problem_at_once(
    web: httpx.AsyncClient, world: World
) -> None:
    """Day, month and year (no browser date picker), sent as a GET form that works without JavaScript; each
    date's problem listed at once, linked to its first field, with what was typed kept."""
    await world.open_case(case_number="RV1")
    await sign_in_as(web, world.id("cafcass_manager"))
    page = (await web.get("/dashboard")).text
    assert 'type="date"' not in page
    assert '<form method="get" action="/dashboard"' in page
    for name in ("start-day", "start-month", "start-year", "end-day", "end-month", "end-year"):
        assert f'name="{name}"' in page
    shown = await web.get(
        "/dashboard?start-day=1&start-month=3&start-year=2026&end-day=31&end-month=5&end-year=2026&by=TEAM"
    )
    assert shown.status_code == 200
    assert "between 1 March 2026 and 31 May 2026" in shown.text
    assert "start=2026-03-01&amp;end=2026-05-31&amp;by=TEAM" in shown.text  # its links carry the period
    wrong = await web.get(
        "/dashboard?start-day=31&start-month=2&start-year=2026&end-day=&end-month=13&end-year=2026"
    )
    assert wrong.status_code == 400
    summary = re.findall(r'<li><a href="#([a-z-]+)">([^<]+)</a></li>', wrong.text)
    assert summary == [
        ("start-day", "The start of the period must be a real date"),
        ("end-day", "The end of the period must include a day"),
    ]
    assert 'name="end-month" type="text" inputmode="numeric" value="13"' in wrong.text
    assert "<title>Error: " in wrong.text
    assert "Handovers at the end of proceedings" not in wrong.text
    backwards = await web.get(
        "/dashboard?start-day=1&start-month=6&start-year=2026&end-day=1&end-month=5&end-year=2026"
    )
    assert backwards.status_code == 400
    assert '<a href="#end-day">The end of the period must be on or after its start</a>' in backwards.text
    # A date input before the portal's dates is refused as the API refuses it (issue 13).
    early = await web.get("/dashboard?start-day=1&start-month=1&start-year=1800")
    assert "The start of the period must be between 1 January 1900 and 31 December 2099" in early.text
    # Someone who may not see the dashboards gets the 404, whatever the period.
    await sign_in_as(web, world.id("guardian"))
    assert (await web.get("/dashboard?start-day=31&start-month=2&start-year=2026")).status_code == 404


async def test_screen_reader_text_is_in_words(web: httpx.AsyncClient, world: World) -> None:
    """Every visually hidden text on the dashboards is words, never an internal name like alwaysOrMostly."""
    await world.open_case(case_number="RV1")
    for manager in ("cafcass_manager", "iro_manager"):
        await sign_in_as(web, world.id(manager))
        page = (await web.get("/dashboard")).text
        hidden = re.findall(r'class="govuk-visually-hidden">([^<]*)<', page)
        assert any("rarely or never" in text for text in hidden)
        for text in hidden:
            assert not re.search(r"[a-z][A-Z]|_", text), text


def _palette() -> dict[tuple[str, str], str]:
    """GOV.UK Frontend's colour palette: (colour, variant) to hex."""
    source = PALETTE.read_text()
    found: dict[tuple[str, str], str] = {("white", "primary"): "#ffffff"}
    for colour, body in re.findall(r'"([a-z]+)": \(([^)]*)\)', source):
        for variant, value in re.findall(r'"([a-z0-9-]+)": (#[0-9a-f]{6})', body):
            found[(colour, variant)] = value
    return found


def _contrast(one: str, other: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_chart_colours_are_govuk_colours_at_3_to_1_against_white() -> None:
    """WCAG 1.4.11: every colour that carries meaning in a chart (each segment, the Handbook range's edges) is
    at least 3:1 against the white page and the white drawn between segments."""
    if not PALETTE.exists():
        pytest.skip("GOV.UK Frontend is not installed (frontend/node_modules)")
    palette = _palette()
    styles = STYLES.read_text()
    used = {css for _, css in [*ADHERENCE_SEGMENTS, *WORKLOAD_SEGMENTS]} | {
        columns[3] for columns in [*HANDOVERS, *PAPERS]
    }
    used.add("app-chart__range-edge")
    for css in sorted(used):
        rule = re.search(rf"\.{css} \{{([^}}]*)\}}", styles)
        assert rule, css
        colour = re.search(
            r'(?:fill|stroke): govuk-colour\("([a-z]+)"(?:, \$variant: "([a-z0-9-]+)")?\)', rule[1]
        )
        assert colour, css
        value = palette[(colour[1], colour[2] or "primary")]
        assert _contrast(value, "#ffffff") >= 3, (css, value)
    segment = re.search(r"\.app-chart__segment \{([^}]*)\}", styles)
    assert segment
    assert 'stroke: govuk-colour("white")' in segment[1]


async def test_the_workload_chart_draws_the_handbooks_range(web: httpx.AsyncClient, world: World) -> None:
    """The IRO Handbook's 50 to 70 children, drawn as a band with its edges on the workload chart, and who is
    above it said in words."""
    await world.open_case(
        [(f"Child{n}", LegalStatus.INTERIM_CARE_ORDER) for n in range(71)], case_number="RV1"
    )
    await sign_in_as(web, world.id("iro_manager"))
    page = (await web.get("/dashboard")).text
    # Scale 0 to 80 over 520 units: 50 at 325, 70 at 455.
    assert '<rect x="325.0" y="0" width="130.0"' in page
    assert 'class="app-chart__band"' in page
    assert page.count('class="app-chart__range-edge"') == 2
    assert "Above the range: Ivan Reviewer (71 children)." in page
    assert "Iris Second" in page
    assert "No IRO is above the range." not in page


async def test_every_table_is_in_a_scroll_container(web: httpx.AsyncClient, world: World) -> None:
    """The dashboard was 684 px wide at 320 px: each table now scrolls in its own container (WCAG 1.4.10)."""
    await world.open_case(case_number="RV1")
    await sign_in_as(web, world.id("iro_manager"))
    page = (await web.get("/dashboard?by=practitioner")).text
    drill = (await web.get(_link(page, "measure=OPENED"))).text
    for html in (page, drill):
        tables = html.count("<table")
        assert tables
        assert tables == html.count('<div class="app-table-container" role="region"')
