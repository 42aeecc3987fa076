"""The IRO manager's reports in a real browser (issue 19): from the dashboard, with its section on how
children took part, to the annual report drafted from the data, a year asked for wrongly then put right, and
the report downloaded as a PDF and as a Word document to complete; and the monthly management report. axe
checks each page at 1280 px and 320 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from portal import clock
from portal.reports.annual import current_year
from tests.e2e.support import check_page, sign_in
from tests.support.world import World

pytestmark = pytest.mark.browser

IRO_MANAGER = "Imogen Manager, Riverside City Council"


async def test_the_iro_manager_goes_from_the_dashboard_to_the_annual_report(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    await world.open_case(case_number="RV26C00191")
    year = current_year(clock.today())
    context = await browser.new_context(accept_downloads=True)
    page = await context.new_page()
    await sign_in(page, live_server, IRO_MANAGER)
    await page.goto(f"{live_server}/dashboard")
    await expect(page.get_by_role("heading", name="How children took part")).to_be_visible()
    await check_page(page, screenshots, "reports-01-dashboard")
    await page.get_by_role("link", name="the IRO service's annual report").click()
    title = f"Independent Reviewing Officer service annual report {year} to {year + 1}"
    await expect(page.get_by_role("heading", name=title)).to_be_visible()
    await expect(page.get_by_role("heading", name="How children took part")).to_be_visible()
    await check_page(page, screenshots, "reports-02-annual")

    await page.get_by_label("Reporting year, from 1 April of").fill(str(year + 1))
    await page.get_by_role("button", name="Show").click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary.get_by_role("link")).to_have_text(["That reporting year has not begun yet"])
    await check_page(page, screenshots, "reports-03-annual-year-refused")
    await page.get_by_label("Reporting year, from 1 April of").fill(str(year))
    await page.get_by_role("button", name="Show").click()
    await expect(page.get_by_role("heading", name=title)).to_be_visible()

    async with page.expect_download() as pdf:
        await page.get_by_role("link", name="Download the report as a PDF").click()
    assert (await pdf.value).suggested_filename == f"iro-annual-report-{year}-{year + 1}.pdf"
    async with page.expect_download() as word:
        await page.get_by_role("link", name="Download the report as a Word document, to complete").click()
    assert (await word.value).suggested_filename == f"iro-annual-report-{year}-{year + 1}.docx"

    await page.goto(f"{live_server}/dashboard")
    await page.get_by_role("link", name="the monthly management report by team").click()
    await expect(page.get_by_role("heading", name="Monthly management report")).to_be_visible()
    await check_page(page, screenshots, "reports-04-monthly")
    async with page.expect_download() as monthly:
        await page.get_by_role("link", name="Download the report as a PDF").click()
    assert (await monthly.value).suggested_filename.startswith("monthly-report-")
    await context.close()
