"""The case page organised around the viewer's next action, in a real browser (issue 14): each role's main
action within 10 tab stops of the top, the banner focused after saving, each role's landing page and case
page clean under axe at 1280 px and 320 px (screenshots landing-<role> and case-<role>)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.async_api import Browser, expect

from tests.conftest import Travel
from tests.e2e.support import check_page, sign_in, tab_stops_to
from tests.support.world import World

pytestmark = pytest.mark.browser

# Each role: who signs in, where they land, and their main action on the case page.
ROLES = {
    "guardian": ("Gina Guardian, Cafcass Riverside", "/tasks", "Log a contact"),
    "iro": ("Ivan Reviewer, Riverside City Council", "/tasks", "Log a contact"),
    "la-solicitor": ("Sol Icitor, Riverside City Council", "/cases", "Record a hearing or stage change"),
    "cafcass-manager": ("Carla Manager, Cafcass Riverside", "/allocations", "Reallocate the guardian"),
    "iro-manager": ("Imogen Manager, Riverside City Council", "/assignments", "Reassign the IRO"),
}
MOST_TAB_STOPS = 10


async def test_each_role_lands_on_what_needs_doing_and_reaches_its_main_action(
    browser: Browser, live_server: str, world: World, screenshots: Path, travel: Travel
) -> None:
    """Three weeks after allocation the guardian's P2 and the shared P3 are overdue: the guardian and the IRO
    land on them; every role's main action on the case is at most 10 tab stops from the top."""
    case_id = await world.open_case(case_number="RV26C00800")
    travel(datetime.now(UTC) + timedelta(days=21))
    stops: dict[str, int] = {}
    for role, (person, landing, action) in ROLES.items():
        context = await browser.new_context()
        page = await context.new_page()
        await sign_in(page, live_server, person)
        assert urlparse(page.url).path == landing, role
        if landing == "/tasks":
            await expect(page.get_by_role("heading", name="What needs doing")).to_be_visible()
            await expect(page.get_by_role("heading", name="Overdue")).to_be_visible()
            # The overdue duty leads straight to its form (P3: the arrangement).
            await expect(
                page.get_by_role("link", name="Record how you will keep in touch on case RV26C00800")
            ).to_have_attribute("href", f"/cases/{case_id}/arrangement")
        # The managers' queues and the administrator's pages are other pages of issue 14.
        await check_page(page, screenshots, f"landing-{role}")

        await page.goto(f"{live_server}/cases/{case_id}")
        await expect(page.get_by_role("heading", name="Your next steps")).to_be_visible()
        target = page.locator(".app-next-steps").get_by_role("button", name=action)
        stops[role] = await tab_stops_to(page, target)
        await check_page(page, screenshots, f"case-{role}")
        await context.close()
    assert all(count <= MOST_TAB_STOPS for count in stops.values()), stops


async def test_the_banner_is_focused_after_saving_a_contact(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case(case_number="RV26C00801")
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Gina Guardian, Cafcass Riverside")
    await page.goto(f"{live_server}/cases/{case_id}")
    await page.locator(".app-next-steps").get_by_role("button", name="Log a contact").click()
    await page.get_by_label("Phone call").check()
    await page.get_by_label("Introduction").check()
    await page.get_by_label("Summary").fill("Introduced myself.")
    await page.get_by_role("button", name="Save contact").click()
    banner = page.locator(".govuk-notification-banner")
    await expect(banner).to_contain_text("Contact logged.")
    # GOV.UK Frontend focuses a success banner (role="alert") on load; the page opens at its top.
    await expect(banner).to_be_focused()
    assert await page.evaluate("window.scrollY") < 200
    assert "#" not in page.url
    await check_page(page, screenshots, "case-after-saving")
    # The banner's link leads to the new entry in the ledger.
    await banner.get_by_role("link", name="See the entry in the ledger").click()
    await expect(page.locator(".app-ledger__entry").first).to_contain_text("Introduced myself.")
    await context.close()


async def test_what_needs_doing_and_your_cases_pages_are_accessible(
    browser: Browser, live_server: str, world: World, screenshots: Path, travel: Travel
) -> None:
    await world.open_case(case_number="RV26C00802")
    travel(datetime.now(UTC) + timedelta(days=21))
    await world.open_case(case_number="RV26C00803", issued_weeks_ago=0)
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Gina Guardian, Cafcass Riverside")
    await expect(page.get_by_role("heading", name="Overdue")).to_be_visible()
    await check_page(page, screenshots, "tasks")
    await page.get_by_role("link", name="Your cases", exact=True).click()
    await expect(page.get_by_text("3 overdue")).to_be_visible()  # P2, P3 and the IRO's R1
    await check_page(page, screenshots, "cases")
    await context.close()
