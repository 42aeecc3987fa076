"""The managers' dashboards in a real browser: the Cafcass manager's and the IRO manager's, a drill-down
with each obligation's owner and due date, and the period's date inputs with an error, each state checked
by axe at 1280 px and 320 px with no sideways page scroll."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from portal import clock
from tests.e2e.support import check_page, sign_in
from tests.support.world import World

pytestmark = pytest.mark.browser

P2 = "P2 The guardian makes contact with the IRO"


async def test_the_cafcass_managers_dashboard_its_period_and_a_drill_down(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    """P2 and P3 by name; a period typed wrongly is explained, every problem at once; a drill-down names
    each obligation's owner and due date."""
    await world.open_case(case_number="RV26C00141")
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Carla Manager, Cafcass Riverside")
    await page.goto(f"{live_server}/dashboard")
    await expect(page.get_by_role("heading", name="Is the protocol working?")).to_be_visible()
    await expect(page.get_by_role("rowheader", name=P2)).to_be_visible()
    await check_page(page, screenshots, "01-dashboard")

    # The period, as GOV.UK's date inputs: a date that does not exist and one missing its day.
    start = page.get_by_role("group", name="From")
    await start.get_by_label("Day").fill("31")
    await start.get_by_label("Month").fill("2")
    await start.get_by_label("Year").fill("2026")
    end = page.get_by_role("group", name="To")
    await end.get_by_label("Day").fill("")
    await end.get_by_label("Month").fill("13")
    await page.get_by_role("button", name="Show").click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary.get_by_role("link")).to_have_text(
        ["The start of the period must be a real date", "The end of the period must include a day"]
    )
    await check_page(page, screenshots, "02-dashboard-date-error")
    await summary.get_by_role("link", name="The start of the period must be a real date").click()
    await expect(start.get_by_label("Day")).to_be_focused()

    # Put right, by practitioner.
    first, last = clock.today() - timedelta(days=30), clock.today()
    for group, day in ((start, first), (end, last)):
        await group.get_by_label("Day").fill(str(day.day))
        await group.get_by_label("Month").fill(str(day.month))
        await group.get_by_label("Year").fill(str(day.year))
    await page.get_by_label("Grouped by").select_option(label="Practitioner")
    await page.get_by_role("button", name="Show").click()
    await expect(page.get_by_role("heading", name="Gina Guardian")).to_be_visible()
    await check_page(page, screenshots, "03-dashboard-by-practitioner")

    await page.get_by_role("link", name=f"1 opened, {P2}").click()
    await expect(page.get_by_role("heading", name=f"{P2}: opened")).to_be_visible()
    row = page.get_by_role("row", name="RV26C00141")
    await expect(row).to_contain_text("Gina Guardian")
    await expect(row).to_contain_text("Children's guardian")
    await expect(row).to_contain_text("Open")
    await expect(page.get_by_role("link", name="Download this list as CSV")).to_be_visible()
    await check_page(page, screenshots, "04-drill-down")
    await context.close()


async def test_the_iro_managers_dashboard_draws_the_handbooks_range(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    """The workload chart with the Handbook's 50 to 70 band; each IRO's figures drill down to their cases,
    and the children whose next review is late are the case pages' (P4's reviews)."""
    await world.open_case(case_number="RV26C00141")
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Imogen Manager, Riverside City Council")
    await page.goto(f"{live_server}/dashboard")
    await expect(page.get_by_role("heading", name="IRO workload")).to_be_visible()
    await expect(page.locator(".app-chart__band")).to_be_visible()
    await expect(page.get_by_text("No IRO is above the range.")).to_be_visible()
    await check_page(page, screenshots, "01-dashboard-iro-manager")
    await page.get_by_role("link", name="1 children whose next review is late, Ivan Reviewer").click()
    await expect(page.get_by_role("link", name="RV26C00141")).to_be_visible()
    await check_page(page, screenshots, "02-drill-down-late-reviews")
    await page.get_by_role("link", name="Back to the dashboard").click()
    await page.get_by_role("link", name="1 children, Ivan Reviewer").click()
    await expect(page.get_by_role("link", name="RV26C00141")).to_be_visible()
    await check_page(page, screenshots, "03-drill-down-children")
    await context.close()
