"""Managers staff cases in a real browser: the Cafcass manager allocates a guardian with the keyboard alone,
from her task list through the form (and its error) to the case (P2 and P3 run from there); the IRO manager
assigns an IRO, then reassigns with a reason through the check-your-answers step. axe and the 320 px reflow
check run on every state, errors included."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from models import LegalStatus
from tests.e2e.support import check_page, sign_in, tab_stops_to
from tests.support.world import World

pytestmark = pytest.mark.browser

CAFCASS_MANAGER = "Carla Manager, Cafcass Riverside"
IRO_MANAGER = "Imogen Manager, Riverside City Council"


async def _focused_text(page: Page) -> str:
    text: str = await page.evaluate("() => document.activeElement?.textContent?.trim() ?? ''")
    return text


async def test_the_cafcass_manager_allocates_a_guardian_with_the_keyboard_alone(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case(case_number="RV26C00141", guardian=None)
    await world.open_case(case_number="RV26C00142")
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, CAFCASS_MANAGER)
    await page.goto(f"{live_server}/tasks")
    await check_page(page, screenshots, "allocation-01-tasks")

    # From the task, straight to the form: Tab to the task's link, Enter.
    task = page.get_by_role("link", name="Allocate a guardian for case RV26C00141")
    assert await tab_stops_to(page, task) <= 40
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_server}/cases/{case_id}/guardian")
    await expect(page.get_by_role("heading", name="Allocate a guardian")).to_be_visible()
    await expect(page.get_by_text("1 case, 1 child now")).to_be_visible()
    await check_page(page, screenshots, "allocation-02-form")

    # Submitted with nobody chosen: the error summary takes the focus.
    button = page.get_by_role("button", name="Allocate a guardian")
    await tab_stops_to(page, button)
    await page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary).to_contain_text("Select the guardian")
    await check_page(page, screenshots, "allocation-03-error")

    # The summary's link takes the focus to the first guardian; Space chooses them.
    await summary.focus()
    await page.keyboard.press("Tab")
    assert await _focused_text(page) == "Select the guardian"
    await page.keyboard.press("Enter")
    gareth = page.get_by_role("radio", name="Gareth Second")
    await expect(gareth).to_be_focused()
    await page.keyboard.press("Space")
    await expect(gareth).to_be_checked()
    await page.keyboard.press("Tab")
    await expect(button).to_be_focused()
    await page.keyboard.press("Enter")

    await page.wait_for_url(f"{live_server}/cases/{case_id}?done=guardian")
    await expect(page.get_by_text("The guardian is allocated.")).to_be_visible()
    await expect(page.get_by_text("Gareth Second").first).to_be_visible()
    await check_page(page, screenshots, "allocation-04-case")

    # The queue: nothing waiting now, and Gareth's caseload counts the case.
    await page.goto(f"{live_server}/allocations")
    await expect(page.get_by_text("No case is waiting for a guardian.")).to_be_visible()
    await expect(page.get_by_role("row", name="Gareth Second 1 1")).to_be_visible()
    await check_page(page, screenshots, "allocation-05-queue")
    await page.goto(f"{live_server}/tasks")
    await expect(page.get_by_text("Cases to allocate")).to_have_count(0)
    await context.close()


async def test_the_iro_manager_assigns_and_then_reassigns_an_iro(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case(
        [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.SECTION_20)],
        case_number="RV26C00151",
        iro=None,
    )
    await world.open_case(case_number="RV26C00152")
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, IRO_MANAGER)
    await page.goto(f"{live_server}/assignments")
    await expect(page.get_by_role("row", name="Ivan Reviewer 1 1 Under 50")).to_be_visible()
    await check_page(page, screenshots, "assignment-01-page")

    await page.get_by_role("link", name="Assign an IRO for case RV26C00151").click()
    await expect(page.get_by_role("heading", name="Assign an IRO")).to_be_visible()
    await check_page(page, screenshots, "assignment-02-form")
    # No IRO chosen and no child: both problems at once.
    await page.get_by_label("Amy Example").uncheck()
    await page.get_by_label("Ben Example").uncheck()
    await page.get_by_role("button", name="Assign an IRO").click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary.get_by_role("link")).to_have_text(["Select the IRO", "Select at least one child"])
    await check_page(page, screenshots, "assignment-03-errors")
    await page.get_by_label("Iris Second").check()
    await page.get_by_label("Amy Example").check()
    await page.get_by_label("Ben Example").check()
    await page.get_by_role("button", name="Assign an IRO").click()
    await expect(page.get_by_text("The IRO is assigned.")).to_be_visible()
    await check_page(page, screenshots, "assignment-04-case")

    # Reassigning ends Iris's part: a reason, then a check before it is done.
    await page.goto(f"{live_server}/cases/{case_id}/iro")
    await expect(page.get_by_role("heading", name="Reassign the IRO")).to_be_visible()
    await page.get_by_label("Ivan Reviewer").check()
    await page.get_by_role("button", name="Continue").click()
    await expect(summary).to_contain_text("Enter why Iris Second is being replaced")
    await check_page(page, screenshots, "assignment-05-reason-needed")
    await page.get_by_label("Why is the IRO changing?").fill("Iris's caseload is over the Handbook's range")
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_role("heading", name="Check the change of IRO")).to_be_visible()
    await expect(page.get_by_text("Iris Second (for Amy and Ben)")).to_be_visible()
    await check_page(page, screenshots, "assignment-06-check")
    # Change keeps the answers.
    await page.get_by_role("button", name="Change the reason").click()
    await expect(page.get_by_label("Why is the IRO changing?")).to_have_value(
        "Iris's caseload is over the Handbook's range"
    )
    await page.get_by_role("button", name="Continue").click()
    await page.get_by_role("button", name="Confirm the change").click()
    await expect(page.get_by_text("The IRO is assigned.")).to_be_visible()
    await expect(page.get_by_text("Ivan Reviewer").first).to_be_visible()
    await check_page(page, screenshots, "assignment-07-case-reassigned")
    await context.close()
