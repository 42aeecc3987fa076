"""The IRO service's annual report (issue 19; IRO Handbook 2010 ch. 7; RESEARCH-NOTES.md §7.2, F20), drafted
from the data for an authority and a reporting year (1 April to 31 March), on data whose answers are known by
construction: two looked-after children allocated an IRO in the year, one introduced to (told of advocacy),
one reviewed with the child there and one with nothing recorded, a dispute resolved and written up for the
child. Each figure is the dashboard's for the same period (the sections' own functions give the same); the
PDF's and the Word document's text is read back; only the authority's IRO managers may have it."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date
from typing import Any

import docx
import httpx
from pypdf import PdfReader

from models import DisputeSubject, LegalStatus, LetterTo
from portal.dashboards import service as dashboards
from portal.dashboards.adherence import GroupBy
from portal.disputes import service as disputes
from portal.letters import child_summaries
from portal.midpoints.service import coverage_for_period
from portal.reports import annual
from tests.conftest import Travel
from tests.support.browsing import sign_in_as
from tests.support.graphql import gql
from tests.support.world import World
from tests.test_protocol_walkthrough import Walk, at

OPENED = date(2026, 11, 2)
HELD = date(2026, 11, 10)
DRAWN = date(2027, 1, 11)
YEAR = 2026


async def _year_of_work(client: httpx.AsyncClient, world: World, travel: Travel) -> Walk:
    """Amy and Ben, looked after from 19 October 2026, their IRO assigned on 2 November; the IRO introduces
    themselves to Amy (telling her of advocacy), holds both reviews on 10 November (Amy there, Ben's not
    recorded), and resolves a dispute about Amy's plan, written up for her."""
    travel(at(OPENED, 9))
    world.forget_tokens()
    children = [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_CARE_ORDER)]
    walk = Walk(client, world, await world.open_case(children, issued_weeks_ago=2))
    ids = {c["givenName"]: c["id"] for c in (await walk.case())["children"]}
    await walk.change(
        "iro",
        "RecordIroIntroduction",
        "recordIroIntroduction",
        caseId=walk.case_id,
        childId=ids["Amy"],
        explainedOn=OPENED.isoformat(),
        explainedHow="MET_ALONE",
        keepingInTouch="I will see you before each review.",
        advocacyExplained=True,
        letterTo="CHILD",
    )
    booked = await walk.change(
        "iro",
        "ScheduleReview",
        "scheduleReview",
        caseId=walk.case_id,
        childIds=list(ids.values()),
        reviewDate=HELD.isoformat(),
        arrangements="At the foster home",
    )
    travel(at(HELD, 15))
    world.forget_tokens()
    reviews = {r["childId"]: r["id"] for r in booked["reviews"]}
    for review in reviews.values():
        await walk.change("iro", "RecordReviewHeld", "recordReviewHeld", id=review, heldOn=HELD.isoformat())
    await walk.change(
        "iro",
        "RecordReviewParticipation",
        "recordReviewParticipation",
        id=reviews[ids["Amy"]],
        attendance="ATTENDED",
        viewsConveyed="AT_THE_REVIEW",
        wishesAndFeelings="To stay where I am.",
    )
    iro = await world.actor("iro")
    async with world.sessions() as session, session.begin():
        raised = await disputes.raise_challenge(
            session,
            iro,
            disputes.RaiseChallenge(
                case_id=uuid.UUID(walk.case_id),
                subject=DisputeSubject.PLACEMENT_MOVE,
                summary="The plan moves Amy away from her school.",
                raised_with="The team manager",
                resolution_sought="Keep the placement.",
                sought_by=date(2026, 11, 24),
                child_id=uuid.UUID(ids["Amy"]),
            ),
        )
        await disputes.resolve(session, iro, raised.id, "The team manager agreed.", None)
        await child_summaries.write_child_summary(
            session,
            iro,
            child_summaries.WriteChildSummary(raised.id, None, "You stay.", "You said so.", LetterTo.CHILD),
        )
    travel(at(DRAWN, 10))
    world.forget_tokens()
    return walk


def _section(report: dict[str, Any], heading: str) -> dict[str, Any]:
    section: dict[str, Any] = next(s for s in report["sections"] if s["heading"] == heading)
    return section


async def test_the_annual_report_is_drafted_from_the_data(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    await _year_of_work(client, world, travel)
    body = await gql(client, await world.token("iro_manager"), "AnnualReport", year=YEAR)
    assert "errors" not in body, body
    report = body["data"]["annualReport"]
    assert (report["start"], report["end"], report["drawnOn"]) == ("2026-04-01", "2027-03-31", "2027-01-11")
    assert report["title"] == "Independent Reviewing Officer service annual report 2026 to 2027"
    assert report["subtitle"] == "Riverside City Council"
    assert "From 1 April 2026 to 11 January 2027 (the year so far)." in report["about"]
    assert (report["pdfUrl"], report["wordUrl"]) == ("/reports/annual/2026.pdf", "/reports/annual/2026.docx")
    took_part = _section(report, "How children took part")
    assert took_part["paragraphs"] == [
        "Of the 2 allocations of an IRO to a child in the year, the IRO recorded explaining their role and "
        "agreeing how to keep in touch in 1 (50%), each confirmed to the child (or their carer) in a letter, "
        "and telling the child they can have an advocate in 1 (50%).",
        "Of the 1 dispute about a child's plan resolved in the year, the IRO wrote to the child what was "
        "decided, and how their views counted, in 1 (100%).",
    ]
    [attendance, conveyed] = took_part["tables"]
    assert attendance["rows"] == [
        ["Attended the review", "1 (50%)"],
        ["Attended part of the review", "0 (0%)"],
        ["Did not attend; their views were conveyed", "0 (0%)"],
        ["Did not attend; their views were not conveyed", "0 (0%)"],
        ["Not recorded", "1 (50%)"],
    ]
    assert conveyed["rows"] == [["Said them at the review", "1"]]
    on_time = _section(report, "Reviews on time")
    assert on_time["paragraphs"][0].startswith("The IROs held 2 looked-after reviews of children in care")
    r1 = next(row for row in on_time["tables"][0]["rows"] if row[0].startswith("R1:"))
    # Both first reviews fell due in the year (20 working days from 19 October) and were met on time.
    assert r1[1:] == ["2", "2 (100%)", "0", "0", "0", "0", "0"]
    concerns = _section(report, "Concerns and disputes")
    assert concerns["paragraphs"][0].startswith(
        "The IROs raised 1 dispute about children's plans in the year"
    )
    assert ["Informally", "1"] in concerns["tables"][0]["rows"]
    # Where the IRO manager writes: the summary, and each section's narrative.
    assert _section(report, "Summary")["narrative"].startswith("The year's main messages")
    assert _section(report, "Priorities for the coming year")["paragraphs"] == []


async def test_each_figure_is_the_dashboards_for_the_same_period(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    await _year_of_work(client, world, travel)
    manager = await world.actor("iro_manager")
    start, end = date(2026, 4, 1), date(2027, 3, 31)
    async with world.sessions() as session, session.begin():
        report = await annual.annual_report(session, manager, YEAR, DRAWN)
        lines = await dashboards.adherence(
            session, manager, start=start, end=end, by=GroupBy.LOCAL_AUTHORITY, today=DRAWN
        )
        assert report.participation == await dashboards.participation(
            session, manager, start=start, end=end, today=DRAWN
        )
        assert report.disputes == await dashboards.disputes(
            session, manager, start=start, end=end, today=DRAWN
        )
        coverage = await coverage_for_period(session, manager, start=start, end=end, today=DRAWN)
        assert (report.coverage.authority, report.coverage.iros) == (coverage.authority, coverage.iros)
    # R2 opened when R1 was met; R3 opens only when R2 is.
    assert [line.code for line in report.reviews] == ["R1", "R2", "RD"]
    assert set(report.reviews) <= set(lines)
    assert report.protocol
    assert set(report.protocol) <= set(lines)
    assert all(line.code.startswith("P") for line in report.protocol)
    assert (report.participation.reviews, report.participation.not_recorded) == (2, 1)
    assert (report.participation.allocations, report.participation.introduced) == (2, 1)


async def test_the_report_is_a_tagged_pdf_and_a_word_document_to_complete(
    client: httpx.AsyncClient, web: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    await _year_of_work(client, world, travel)
    await sign_in_as(web, world.id("iro_manager"))
    page = await web.get("/reports/annual")
    assert page.status_code == 200
    assert "Independent Reviewing Officer service annual report 2026 to 2027" in page.text
    assert 'href="/reports/annual/2026.docx"' in page.text
    pdf = await web.get("/reports/annual/2026.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "iro-annual-report-2026-2027.pdf" in pdf.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(pdf.content))
    assert reader.metadata is not None
    assert reader.metadata.title == (
        "Independent Reviewing Officer service annual report 2026 to 2027, Riverside City Council"
    )
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    for said in (
        "How children took part",
        "Of the 2 allocations of an IRO to a child in the year",
        "Monitoring between reviews",
        "Working with children's guardians",
        "For the IRO manager to write: The year's main messages",
    ):
        assert said in text, said
    word = await web.get("/reports/annual/2026.docx")
    assert word.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    document = docx.Document(io.BytesIO(word.content))
    assert (
        document.core_properties.title == "Independent Reviewing Officer service annual report 2026 to 2027"
    )
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings == [
        "Summary",
        "How the service is organised",
        "Reviews on time",
        "How children took part",
        "Monitoring between reviews",
        "Concerns and disputes",
        "Working with children's guardians",
        "Priorities for the coming year",
    ]
    paragraphs = [p.text for p in document.paragraphs]
    assert any(p.startswith("Of the 2 allocations of an IRO to a child in the year") for p in paragraphs)
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert {"Attended the review", "1 (50%)", "Not recorded"} <= cells


async def test_the_report_is_its_authoritys_iro_managers(
    client: httpx.AsyncClient, web: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    travel(at(DRAWN, 10))
    world.forget_tokens()
    for who in ("guardian", "iro", "cafcass_manager", "solicitor"):
        body = await gql(client, await world.token(who), "AnnualReport", year=YEAR)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_PERMITTED"], who
        await sign_in_as(web, world.id(who))
        assert (await web.get("/reports/annual")).status_code == 404
        assert (await web.get("/reports/annual/2026.pdf")).status_code == 404
    manager = await world.token("iro_manager")
    for year, code in ((2012, "OUT_OF_RANGE"), (2027, "DATE_IN_FUTURE")):
        body = await gql(client, manager, "AnnualReport", year=year)
        assert [e["extensions"]["code"] for e in body["errors"]] == [code]
    await sign_in_as(web, world.id("iro_manager"))
    refused = await web.get("/reports/annual?year=2027")
    assert refused.status_code == 400
    assert "That reporting year has not begun yet" in refused.text
    assert (await web.get("/reports/annual/2027.docx")).status_code == 404
    assert (await web.get("/reports/annual/2026.odt")).status_code == 404


async def test_the_dashboard_shows_how_children_took_part_with_the_cases_behind_it(
    client: httpx.AsyncClient, web: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    walk = await _year_of_work(client, world, travel)
    case_number = (await walk.case())["caseNumber"]
    await sign_in_as(web, world.id("iro_manager"))
    period = "start-day=1&start-month=4&start-year=2026&end-day=31&end-month=3&end-year=2027"
    page = await web.get(f"/dashboard?{period}")
    assert page.status_code == 200
    assert 'href="/reports/annual"' in page.text
    section = page.text[page.text.index('id="participation"') :]
    drill = re.search(r'href="(/dashboard/cases\?[^"]*PARTICIPATION_REVIEWS_NOT_RECORDED[^"]*)"', section)
    assert drill is not None
    behind = await web.get(drill[1].replace("&amp;", "&"))
    assert behind.status_code == 200
    assert "The child&#39;s part not recorded" in behind.text
    assert case_number in behind.text
    csv = await web.get("/dashboard.csv?start=2026-04-01&end=2027-03-31&by=NONE&section=participation")
    rows = csv.text.splitlines()
    assert rows[0] == "figure,count"
    assert "Reviews held,2" in rows
    assert "The child's part not recorded,1" in rows
    assert '"The IRO introduced themselves, with a letter",1' in rows
