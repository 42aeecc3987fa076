"""The handover in a real browser. The guardian writes it with the keyboard only, from a form that starts
from the final care plan's plan in brief, saving itself as they type; sees every problem at once; checks the
answers and submits it (P14). The IRO reads it, answers below it, checks the answer and acknowledges it (P15).
axe at 1280 px and 320 px on every state, errors included."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.e2e.support import check_page, sign_in
from tests.support import files
from tests.support.graphql import gql
from tests.support.world import World
from tests.test_handover import ANSWERS
from tests.test_papers import filed

pytestmark = pytest.mark.browser

BRIEF = {
    "placement": "Long-term foster care with the Greens.",
    "permanence": "Special guardianship explored after a year.",
    "familyContact": "Mother monthly, supervised.",
    "services": "CAMHS for Amy.",
}


async def tab_to(page: Page, target: Locator, limit: int = 120) -> None:
    """Press Tab from wherever the focus is until ``target`` has it: the keyboard, not a click."""
    handle = await target.element_handle()
    assert handle is not None
    for _ in range(limit):
        if await handle.evaluate("(el) => el === document.activeElement"):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{target} not reached in {limit} tab stops")


async def type_into(page: Page, target: Locator, text: str) -> None:
    """Tab to a field, clear what it holds and type, as a keyboard user does."""
    await tab_to(page, target)
    await page.keyboard.press("Control+A")
    await page.keyboard.press("Backspace")
    await page.keyboard.type(text)


async def type_date(page: Page, name: str, value: str) -> None:
    day = date.fromisoformat(value)
    for part, number in (("day", day.day), ("month", day.month), ("year", day.year)):
        await type_into(page, page.locator(f'[name="{name}-{part}"]'), str(number))


async def press(page: Page, target: Locator) -> None:
    await tab_to(page, target)
    await page.keyboard.press("Enter")


async def test_the_guardian_hands_over_with_the_keyboard_and_the_iro_acknowledges_after_checking(
    browser: Browser, live_server: str, client: httpx.AsyncClient, world: World, screenshots: Path
) -> None:
    case_id = str(await world.open_case(case_number="RV26C00131"))
    await filed(
        client, world, case_id, files.PDF, kind="CARE_PLAN_FINAL", title="Final care plan", planInBrief=BRIEF
    )
    view = await gql(client, await world.token("solicitor"), "CaseView", id=case_id)
    made = await gql(
        client,
        await world.token("solicitor"),
        "RecordFinalOrders",
        input={
            "caseId": case_id,
            "madeOn": date.today().isoformat(),
            "orders": [{"childId": c["id"], "order": "CARE_ORDER"} for c in view["data"]["case"]["children"]],
        },
    )
    assert made["data"]["recordFinalOrders"]["errors"] == []

    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Gina Guardian, Cafcass Riverside")
    await page.goto(f"{live_server}/cases/{case_id}/handover")
    await expect(page.get_by_role("link", name="Write and submit the handover (P14)")).to_be_visible()
    await check_page(page, screenshots, "handover-01-task-list")
    await press(page, page.get_by_role("button", name="Start the handover"))
    await page.wait_for_url("**/handover/draft")
    # It starts from the final care plan's plan in brief.
    await expect(page.locator('[name="a.placement"]')).to_have_value(BRIEF["placement"])
    await expect(page.locator('[name="a.care_plan_title"]')).to_have_value("Final care plan")
    await check_page(page, screenshots, "handover-02-form")

    # It saves itself as the guardian types.
    await type_into(page, page.locator('[name="a.strengths"]'), ANSWERS["strengths"])
    await expect(page.get_by_text("Saved at")).to_be_visible()
    await page.reload()
    await expect(page.locator('[name="a.strengths"]')).to_have_value(ANSWERS["strengths"])

    # Checking too soon: every problem at once, the summary focused, each linking to its field.
    await page.locator("body").focus()
    await press(page, page.get_by_role("button", name="Save and check your answers"))
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary.get_by_role("link")).to_have_count(6)
    await check_page(page, screenshots, "handover-03-errors")
    await press(page, summary.get_by_role("link", name="Enter its risks"))
    await expect(page.locator('[name="a.risks"]')).to_be_focused()
    await page.keyboard.type(ANSWERS["risks"])
    for key in ("wishes_and_feelings", "staying_in_touch", "iro_view"):
        await type_into(page, page.locator(f'[name="a.{key}"]'), ANSWERS[key])
    await type_date(page, "a.next_review", ANSWERS["next_review"])
    issue = ANSWERS["issues_for_iro"][0]
    await type_into(page, page.locator('[name="a.issues_for_iro.0.issue"]'), issue["issue"])
    await type_into(page, page.locator('[name="a.issues_for_iro.0.why"]'), issue["why"])
    await type_date(page, "a.issues_for_iro.0.by_when", issue["by_when"])
    await press(page, page.get_by_role("button", name="Save and check your answers"))

    # Check your answers; "Change" goes back to the field.
    await expect(
        page.get_by_role("heading", name="Check your answers before you submit the handover")
    ).to_be_visible()
    await check_page(page, screenshots, "handover-04-check")
    await page.locator("body").focus()
    await press(page, page.get_by_role("link", name="Change placement"))
    await page.wait_for_url("**/handover/draft#a.placement")
    await type_into(page, page.locator('[name="a.placement"]'), ANSWERS["placement"])
    await press(page, page.get_by_role("button", name="Save and check your answers"))
    await expect(page.get_by_text(ANSWERS["placement"])).to_be_visible()
    await press(page, page.get_by_role("button", name="Submit the handover to the IRO"))
    banner = page.locator(".govuk-notification-banner")
    await expect(banner).to_contain_text("The handover is submitted.")
    await expect(banner).to_be_focused()
    await check_page(page, screenshots, "handover-05-submitted")
    await context.close()

    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Ivan Reviewer, Riverside City Council")
    await page.goto(f"{live_server}/cases/{case_id}/handover")
    await check_page(page, screenshots, "handover-06-iro")
    # The answer sits below the handover it answers.
    answered = await page.get_by_role("button", name="Acknowledge the handover").bounding_box()
    last_answer = await page.get_by_text(ANSWERS["iro_view"]).bounding_box()
    assert answered is not None
    assert last_answer is not None
    assert answered["y"] > last_answer["y"]
    await page.get_by_role("button", name="Return with questions").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_page(page, screenshots, "handover-07-iro-errors")
    await page.get_by_role("button", name="Acknowledge the handover").click()
    await expect(
        page.get_by_role("heading", name="Check your answer before you acknowledge the handover")
    ).to_be_visible()
    await expect(page.get_by_text("Contact with the mother: review by")).to_be_visible()
    await check_page(page, screenshots, "handover-08-iro-check")
    await page.get_by_role("button", name="Acknowledge the handover").click()
    await expect(page.get_by_text("You have acknowledged the handover.")).to_be_visible()
    await check_page(page, screenshots, "handover-09-acknowledged")
    await page.get_by_role("link", name="What needs doing").click()
    await expect(page.get_by_role("heading", name="Issues to keep under review")).to_be_visible()
    await context.close()
