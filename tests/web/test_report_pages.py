"""The monthly management report's page and PDF (issue 19), and the guardian's record of whether their
analysis cites the IRO's view (the papers tab and its form), without JavaScript: who may see each, every
problem in the error summary, and the PDF's text read back."""

from __future__ import annotations

import io
import uuid
from datetime import date

import httpx
from pypdf import PdfReader

from models import PaperKind
from tests.conftest import Travel
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.world import World
from tests.test_iro_view import _paper
from tests.test_monthly_report import _construct
from tests.test_protocol_walkthrough import at


async def test_the_iro_manager_reads_the_month_and_its_pdf_and_nobody_else_does(
    web: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    await _construct(world, travel)
    travel(at(date(2027, 4, 10), 9))
    world.forget_tokens()
    await sign_in_as(web, world.id("iro_manager"))
    dashboard = (await web.get("/dashboard")).text
    assert 'href="/reports/monthly"' in dashboard
    page = await web.get("/reports/monthly?month=2027-03")
    assert page.status_code == 200
    for text in (
        "Monthly management report",
        "Children in care 1",
        "Children in care 2",
        "RV-AMY",
        "Ben Example",
    ):
        assert text in page.text
    assert "Review held late on 3 March 2027 (due by 1 February 2027)" in page.text
    pdf = await web.get("/reports/monthly.pdf?month=2027-03")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in ("Monthly management report: Riverside City Council", "Children in care 2", "RV-BEN"):
        assert expected in " ".join(text.split()), expected
    refused = await web.get("/reports/monthly?month=2027-13")
    assert refused.status_code == 400
    assert "The month must be 1 to 12" in refused.text
    future = await web.get("/reports/monthly?month=2027-05")
    assert future.status_code == 400
    assert "The month has not begun yet" in future.text
    for who in ("guardian", "cafcass_manager", "iro"):
        await sign_in_as(web, world.id(who))
        assert (await web.get("/reports/monthly?month=2027-03")).status_code == 404
        assert (await web.get("/reports/monthly.pdf?month=2027-03")).status_code == 404
    # Another authority's IRO manager: their own authority's report, none of Riverside's children.
    await sign_in_as(web, world.id("other_iro_manager"))
    theirs = await web.get("/reports/monthly?month=2027-03")
    assert theirs.status_code == 200
    assert "Northmoor County Council" in theirs.text
    assert "RV-AMY" not in theirs.text


async def test_the_guardian_records_whether_the_analysis_cites_the_iros_view(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    analysis = await _paper(world, case_id, PaperKind.GUARDIAN_ANALYSIS_INITIAL, date.today())
    await sign_in_as(web, world.id("guardian"))
    papers = (await web.get(f"/cases/{case_id}/papers")).text
    assert "Not recorded yet" in papers
    assert f'href="/cases/{case_id}/papers/{analysis}/iro-view"' in papers
    form = (await web.get(f"/cases/{case_id}/papers/{analysis}/iro-view")).text
    empty = await web.post(
        f"/cases/{case_id}/papers/{analysis}/iro-view", data={"csrf_token": csrf_from(form)}
    )
    assert empty.status_code == 400
    assert "Say whether your analysis cites the IRO" in empty.text
    saved = await web.post(
        f"/cases/{case_id}/papers/{analysis}/iro-view",
        data={"csrf_token": csrf_from(form), "cites": "no", "reason": "The IRO had not given a view"},
    )
    assert saved.status_code == 303
    papers = (await web.get(saved.headers["location"])).text
    assert "not cited in this analysis" in papers
    assert "The IRO had not given a view" in papers
    assert "Change whether it cites the IRO" in papers
    # The solicitor sees it, with nothing to change; a paper that is no analysis has no form.
    await sign_in_as(web, world.id("solicitor"))
    papers = (await web.get(f"/cases/{case_id}/papers")).text
    assert "not cited in this analysis" in papers
    assert 'iro-view"' not in papers
    assert (await web.get(f"/cases/{case_id}/papers/{analysis}/iro-view")).status_code == 404
    await sign_in_as(web, world.id("guardian"))
    plan = await _paper(world, case_id, PaperKind.CARE_PLAN_INTERIM, date.today(), by="solicitor")
    assert (await web.get(f"/cases/{case_id}/papers/{plan}/iro-view")).status_code == 404
    assert (await web.get(f"/cases/{case_id}/papers/{uuid.uuid4()}/iro-view")).status_code == 404
