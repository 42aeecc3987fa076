"""The handover in a real browser: the guardian's form from the template, its errors, the submitted view and
the IRO's acknowledgement, with axe checking each page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.support import check_accessibility, sign_in
from tests.support.world import World
from tests.test_handover import ANSWERS

pytestmark = pytest.mark.browser


async def test_the_guardian_hands_over_and_the_iro_acknowledges(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case(case_number="RV26C00131")
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Sol Icitor, Riverside City Council")
    await page.goto(f"{live_server}/cases/{case_id}/final-orders")
    group = page.get_by_role("group", name="When were the final orders made?")
    today = date.today()
    await group.get_by_label("Day").fill(str(today.day))
    await group.get_by_label("Month").fill(str(today.month))
    await group.get_by_label("Year").fill(str(today.year))
    await page.get_by_role("group", name="The order for Amy Example").get_by_label("Care order").check()
    await page.get_by_role("button", name="Record the final orders").click()
    await context.close()

    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Gina Guardian, Cafcass Riverside")
    await page.goto(f"{live_server}/cases/{case_id}")
    await page.get_by_role("link", name="The guardian's handover to the IRO").click()
    await check_accessibility(page, screenshots, "handover-01-start")
    await page.get_by_role("button", name="Start the handover").click()
    await check_accessibility(page, screenshots, "handover-02-form")
    # It saves itself as the guardian types.
    await page.locator('[name="a.placement"]').fill("Typed, not yet submitted")
    await expect(page.get_by_text("Saved at")).to_be_visible()
    await page.reload()
    await expect(page.locator('[name="a.placement"]')).to_have_value("Typed, not yet submitted")
    await page.get_by_role("button", name="Save and submit to the IRO").click()
    await expect(page.locator(".govuk-error-summary")).to_be_visible()
    await check_accessibility(page, screenshots, "handover-03-errors")
    for key in (
        "care_plan_title",
        "placement",
        "permanence",
        "family_contact",
        "services",
        "strengths",
        "risks",
        "wishes_and_feelings",
        "staying_in_touch",
        "iro_view",
    ):
        await page.locator(f'[name="a.{key}"]').fill(ANSWERS[key])
    for name, value in (
        ("a.care_plan_date", ANSWERS["care_plan_date"]),
        ("a.next_review", ANSWERS["next_review"]),
        ("a.issues_for_iro.0.by_when", ANSWERS["issues_for_iro"][0]["by_when"]),
    ):
        day = date.fromisoformat(value)
        await page.locator(f'[name="{name}-day"]').fill(str(day.day))
        await page.locator(f'[name="{name}-month"]').fill(str(day.month))
        await page.locator(f'[name="{name}-year"]').fill(str(day.year))
    await page.locator('[name="a.issues_for_iro.0.issue"]').fill("Contact with the mother")
    await page.locator('[name="a.issues_for_iro.0.why"]').fill("It unsettled Amy")
    await page.get_by_role("button", name="Save and submit to the IRO").click()
    await expect(page.get_by_text("The handover is submitted.")).to_be_visible()
    await check_accessibility(page, screenshots, "handover-04-submitted")
    await context.close()

    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Ivan Reviewer, Riverside City Council")
    await page.goto(f"{live_server}/cases/{case_id}/handover")
    await check_accessibility(page, screenshots, "handover-05-iro")
    await page.get_by_role("button", name="Acknowledge the handover").click()
    await expect(page.get_by_text("You have acknowledged the handover.")).to_be_visible()
    await page.get_by_role("link", name="What needs doing").click()
    await expect(page.get_by_role("heading", name="Issues to keep under review")).to_be_visible()
    await check_accessibility(page, screenshots, "handover-06-iro-tasks")
    await context.close()
