"""IRO workloads and conflicts of interest in a real browser (issue 19): the IRO manager goes from the
dashboard to the workloads page, keeps an IRO's profile (refused, then saved) and the weights, enters
conferences, records a conflict of interest, and assigns that IRO to the child only once she has ticked that
she considered it. axe checks each page at 1280 px and 320 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from models import LegalStatus
from tests.e2e.support import check_page, sign_in
from tests.support.world import World

pytestmark = pytest.mark.browser

MANAGER = "Imogen Manager, Riverside City Council"


async def test_the_iro_manager_keeps_workloads_and_assigns_knowing_of_a_conflict(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case([("Amy", LegalStatus.INTERIM_CARE_ORDER)], case_number="RV26C00190")
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, MANAGER)
    await page.goto(f"{live_server}/dashboard#workload")
    await page.get_by_role("link", name="IRO workloads: profiles, conferences, weights and conflicts").click()
    await check_page(page, screenshots, "workloads-01-list")
    await page.get_by_role("link", name="Profile of Ivan Reviewer").click()
    await check_page(page, screenshots, "workloads-02-profile")
    await page.get_by_role("button", name="Save the profile").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_page(page, screenshots, "workloads-03-profile-errors")
    await page.get_by_label("Full-time equivalence").fill("0.8")
    await page.get_by_label("Directly employed").check()
    await page.get_by_label("Looked-after children they hold").fill("48")
    await page.get_by_label("Of those, children in a sibling group").fill("6")
    await page.get_by_label("Of those, children placed out of area").fill("3")
    await page.get_by_role("button", name="Save the profile").click()
    await expect(page.get_by_text("The IRO's profile is saved")).to_be_visible()
    await page.get_by_role("link", name="Change the weights").click()
    await check_page(page, screenshots, "workloads-04-weights")
    await page.get_by_label("Each child in a sibling group").fill("-0.25")
    await page.get_by_label("Each child in care proceedings").fill("0.5")
    await page.get_by_role("button", name="Save the weights").click()
    await expect(page.get_by_text("The weights are saved")).to_be_visible()
    await page.get_by_role("link", name="Conferences of Ivan Reviewer").click()
    await page.get_by_label("Conferences chaired").fill("10")
    await page.get_by_role("button", name="Save the conferences").click()
    await expect(page.get_by_text("The conferences are saved")).to_be_visible()
    await check_page(page, screenshots, "workloads-05-conferences")

    # A conflict of interest of Iris with Amy, recorded from the assignment page, then assigning her.
    await page.goto(f"{live_server}/cases/{case_id}/iro")
    await page.get_by_role("link", name="Record a conflict of interest").click()
    await check_page(page, screenshots, "workloads-06-conflict-form")
    await page.get_by_label("Iris Second").check()
    await page.get_by_label("Reviews the child's foster carer").check()
    await page.get_by_label("Details").fill("Chairs the Smiths' annual fostering reviews")
    await page.get_by_role("button", name="Record a conflict of interest").click()
    await expect(page.get_by_text("The conflict of interest is recorded")).to_be_visible()
    await page.goto(f"{live_server}/cases/{case_id}/iro")
    await page.get_by_label("Iris Second").check()
    await page.get_by_label("Why is the IRO changing?").fill("Ivan is on leave")
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_text("Chairs the Smiths' annual fostering reviews")).to_be_visible()
    await check_page(page, screenshots, "workloads-07-check-conflict")
    await page.get_by_role("button", name="Confirm the change").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_page(page, screenshots, "workloads-08-check-refused")
    await page.get_by_label("I have considered the conflict of interest").check()
    await page.get_by_role("button", name="Confirm the change").click()
    await expect(page.get_by_role("heading", name="Case RV26C00190", exact=False).first).to_be_visible()
    await page.goto(f"{live_server}/assignments")
    await expect(
        page.get_by_text("An IRO has a conflict of interest with a child they are assigned to")
    ).to_be_visible()
    await check_page(page, screenshots, "workloads-09-assignments-flagged")
    await page.goto(f"{live_server}/workloads#conflicts")
    await page.get_by_role("link", name="Withdraw the conflict of Iris Second with Amy Example").click()
    await check_page(page, screenshots, "workloads-10-withdraw")
    await page.get_by_label("Why does it no longer stand?").fill("The Smiths have moved to another authority")
    await page.get_by_role("button", name="Withdraw it").click()
    await expect(page.get_by_text("The conflict of interest is withdrawn")).to_be_visible()
    await context.close()
