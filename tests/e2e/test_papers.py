"""The court papers tab in a real browser: filing a paper with the upload's progress shown by JavaScript,
then the IRO's view with its receipt; axe checks each page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.support import check_accessibility, sign_in
from tests.e2e.test_records import fill_date
from tests.support import files
from tests.support.world import World

pytestmark = pytest.mark.browser


async def test_the_solicitor_files_a_paper_and_the_iro_sees_it(
    browser: Browser, live_server: str, world: World, screenshots: Path, tmp_path: Path
) -> None:
    case_id = await world.open_case(case_number="RV26C00121")
    plan = tmp_path / "interim-care-plan.pdf"
    plan.write_bytes(files.PDF + b"%" + b"0" * 300_000)
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Sol Icitor, Riverside City Council")
    await page.goto(f"{live_server}/cases/{case_id}")
    await page.get_by_role("link", name="Court papers and what the IRO has").click()
    await check_accessibility(page, screenshots, "papers-01-tab")
    await page.get_by_role("button", name="File the paper").click()
    await expect(page.locator(".govuk-error-summary")).to_be_visible()
    await check_accessibility(page, screenshots, "papers-02-errors")
    await page.get_by_label("The file").set_input_files(plan)
    await fill_date(page, "When was it filed with the court?", date.today())
    await page.get_by_label("Title").fill("Interim care plan")
    await page.get_by_label("Kind of paper").select_option(label="Care plan (interim)")
    await page.get_by_label("Filed by").select_option(label="The local authority")
    await page.get_by_role("button", name="File the paper").click()
    await expect(page.get_by_text("The paper is filed.")).to_be_visible()
    await expect(page.get_by_text("Not opened")).to_be_visible()
    await check_accessibility(page, screenshots, "papers-03-filed")
    await page.goto(f"{live_server}/cases/{case_id}/plans")
    await expect(page.get_by_role("heading", name="Interim care plan, version 1")).to_be_visible()
    await check_accessibility(page, screenshots, "papers-03b-plans")
    await context.close()

    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Ivan Reviewer, Riverside City Council")
    await page.goto(f"{live_server}/cases/{case_id}/papers")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="interim-care-plan.pdf").click()
    assert (await (await download.value).path()).read_bytes() == plan.read_bytes()
    await page.reload()
    await expect(page.get_by_text("Not opened")).to_have_count(0)
    await check_accessibility(page, screenshots, "papers-04-iro")
    await context.close()
