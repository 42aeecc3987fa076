"""Monitoring between reviews in a real browser (issue 19): the child's IRO records a midpoint check from the
case page, refused then saved; the IRO manager finds it on the dashboard and drills down to the child behind
the figure. axe checks each page at 1280 px and 320 px."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.support import check_page, sign_in
from tests.e2e.test_records import fill_date
from tests.support.world import World

pytestmark = pytest.mark.browser

IRO = "Ivan Reviewer, Riverside City Council"
IRO_MANAGER = "Imogen Manager, Riverside City Council"


async def test_the_iro_records_a_check_and_the_manager_sees_the_coverage(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case(case_number="RV27M00190")
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, IRO)
    await page.goto(f"{live_server}/cases/{case_id}#midpoint-checks")
    await check_page(page, screenshots, "midpoints-01-case")
    await page.get_by_role("link", name="Record a midpoint check for Amy").click()
    await expect(page.get_by_label("Amy Example")).to_be_checked()
    await check_page(page, screenshots, "midpoints-02-form")
    await page.get_by_label("I raised a matter with the social worker").check()
    await page.get_by_role("button", name="Record the check").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_page(page, screenshots, "midpoints-03-errors")
    await fill_date(page, "When did you do the check?", date.today())
    await page.get_by_label("Yes").check()
    await page.get_by_label("A conversation, in person or by phone").check()
    await page.get_by_label("What you found, and what you raised or asked for").fill(
        "The school place is not yet confirmed; asked the social worker to chase the virtual school."
    )
    await page.get_by_role("button", name="Record the check").click()
    await expect(page.get_by_text("The midpoint check is recorded.")).to_be_visible()
    await expect(page.get_by_text("The school place is not yet confirmed")).to_be_visible()
    await check_page(page, screenshots, "midpoints-04-case-checked")
    await context.close()

    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, IRO_MANAGER)
    await page.goto(f"{live_server}/dashboard#midpoints")
    section = page.locator("table", has_text="This cycle, today")
    await expect(section).to_be_visible()
    await check_page(page, screenshots, "midpoints-05-dashboard")
    await section.get_by_role("link", name="1 monitored, Ivan Reviewer").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Children monitored this cycle: a midpoint check since their last review"
    )
    await expect(page.get_by_text("RV27M00190")).to_be_visible()
    await check_page(page, screenshots, "midpoints-06-drill-down")
    await context.close()
