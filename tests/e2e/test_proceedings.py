"""The LA solicitor runs the proceedings' timetable in a real browser: she opens proceedings for two children
(with "Add another child" and a check of her answers), records a hearing, an extension (CA 1989 s32(5)-(8))
and the final orders (checked first: they conclude the proceedings and open P12-P14). axe checks every
state, error states too, at 1280 px and 320 px."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.e2e.support import check_page, sign_in
from tests.support.world import World

pytestmark = pytest.mark.browser


async def _fill_date(scope: Page | Locator, legend: str, day: date) -> None:
    group = scope.get_by_role("group", name=legend)
    await group.get_by_label("Day").fill(str(day.day))
    await group.get_by_label("Month").fill(str(day.month))
    await group.get_by_label("Year").fill(str(day.year))


async def test_the_solicitor_opens_proceedings_and_runs_them_to_final_orders(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    # JavaScript on here (axe runs in the page); tests/web/test_proceedings_pages.py uses every form without.
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Sol Icitor, Riverside City Council")
    await page.get_by_role("button", name="Open proceedings").click()
    await check_page(page, screenshots, "proceedings-01-open-form")

    # Everything missing: every problem at once.
    await page.get_by_role("button", name="Add another child").click()
    await page.get_by_role("button", name="Continue").click()
    await expect(page.locator(".govuk-error-summary")).to_be_visible()
    await expect(page.get_by_role("link", name="Enter the second child's date of birth")).to_be_visible()
    await check_page(page, screenshots, "proceedings-02-open-errors")

    issued = date.today() - timedelta(days=2)
    await page.get_by_label("Court").select_option(label="Family Court at Riverside")
    await page.get_by_label("Case number").fill("RV26C00701")
    await _fill_date(page, "When was the application issued?", issued)
    for n, (given, born, status) in enumerate(
        [("Amy", date(2021, 5, 1), "Interim care order"), ("Ben", date(2023, 2, 3), "Interim care order")]
    ):
        child = page.get_by_role("group", name=("The first child", "The second child")[n])
        await child.get_by_label("First name").fill(given)
        await child.get_by_label("Last name").fill("Example")
        await _fill_date(child, "Date of birth", born)
        await child.get_by_role("group", name="Legal status now").get_by_label(status).check()
        await _fill_date(child, "When did the child become looked after?", issued)
    await page.get_by_role("button", name="Continue").click()
    await expect(
        page.get_by_role("heading", name="Check your answers before opening the proceedings")
    ).to_be_visible()
    await check_page(page, screenshots, "proceedings-03-check-answers")
    await page.get_by_role("button", name="Change the case number").click()
    await expect(page.get_by_label("Case number")).to_have_value("RV26C00701")
    await page.get_by_role("button", name="Continue").click()
    await page.get_by_role("button", name="Open the proceedings").click()
    await expect(
        page.get_by_text("The proceedings are open and the 26-week clock has started.")
    ).to_be_visible()
    await check_page(page, screenshots, "proceedings-04-opened")

    # A hearing, with its errors first.
    await page.get_by_role("button", name="Record a hearing").click()
    await page.get_by_role("button", name="Record the hearing").click()
    await expect(page.locator(".govuk-error-summary")).to_be_visible()
    await check_page(page, screenshots, "proceedings-05-hearing-errors")
    await page.get_by_label("Case management hearing").check()
    await _fill_date(page, "When was the hearing?", date.today())
    await page.get_by_role("button", name="Record the hearing").click()
    await expect(page.get_by_text("The hearing is recorded.")).to_be_visible()

    # An extension needs its reason.
    await page.get_by_role("button", name="Record an extension").click()
    await check_page(page, screenshots, "proceedings-06-extension-form")
    await page.get_by_label("How many weeks did the court add?").fill("8")
    await page.get_by_role("button", name="Record the extension").click()
    await expect(page.get_by_role("link", name="Enter why the court extended the timetable")).to_be_visible()
    await check_page(page, screenshots, "proceedings-07-extension-errors")
    await page.get_by_label("Why did the court find the extension necessary?").fill(
        "An expert's report is late"
    )
    await _fill_date(page, "When was it granted?", date.today())
    await page.get_by_role("button", name="Record the extension").click()
    await expect(page.get_by_text("The extension is recorded and the deadline moved.")).to_be_visible()

    # A legal status.
    await page.get_by_role("button", name="Record a change of legal status").click()
    await check_page(page, screenshots, "proceedings-08-legal-status-form")

    # The final orders: every child's missing order listed, then a check before they conclude.
    await page.goto(page.url.replace("/legal-status", "/final-orders"))
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_role("link", name="Select the final order for Amy Example")).to_be_visible()
    await expect(page.get_by_role("link", name="Select the final order for Ben Example")).to_be_visible()
    await check_page(page, screenshots, "proceedings-09-final-orders-errors")
    await _fill_date(page, "When were the final orders made?", date.today())
    for name in ("Amy Example", "Ben Example"):
        await page.get_by_role("group", name=f"The order for {name}").get_by_label("Care order").check()
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_text("It cannot be undone.")).to_be_visible()
    await check_page(page, screenshots, "proceedings-10-final-orders-check")
    await page.get_by_role("button", name="Record the final orders").click()
    await expect(
        page.get_by_text("The final orders are recorded and the proceedings concluded.")
    ).to_be_visible()
    await check_page(page, screenshots, "proceedings-11-concluded")
    await context.close()


async def test_her_tasks_link_to_the_forms_that_complete_them(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    await world.open_case(case_number="RV26C00702", issued_weeks_ago=25)
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Sol Icitor, Riverside City Council")
    await page.get_by_role("link", name="What needs doing").click()
    await check_page(page, screenshots, "proceedings-12-tasks")
    await page.get_by_role("link", name="Record an extension for case RV26C00702").click()
    await expect(page.get_by_role("heading", name="Record an extension")).to_be_visible()
    await context.close()
