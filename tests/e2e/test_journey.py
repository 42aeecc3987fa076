"""The guardian's and the IRO's journey in a real browser, with axe checking every page (WCAG 2.2 AA)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import Browser, ConsoleMessage, Response, expect

from tests.e2e.support import check_accessibility, sign_in
from tests.support.world import World

pytestmark = pytest.mark.browser


async def test_the_guardian_logs_a_contact_and_the_iro_sees_it(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case(case_number="RV26C00042")
    context = await browser.new_context()
    page = await context.new_page()
    problems: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        # Any script error, or anything the Content-Security-Policy blocked, fails the journey. A form
        # re-shown with its errors comes with status 400, which the console reports too: that one is fine.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def watch_loads(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{response.status} {response.url}")

    page.on("console", watch)
    page.on("response", watch_loads)
    page.on("pageerror", lambda error: problems.append(str(error)))

    await page.goto(f"{live_server}/sign-in")
    await check_accessibility(page, screenshots, "01-sign-in")
    await sign_in(page, live_server, "Gina Guardian, Cafcass Riverside")
    # GOV.UK Frontend's JavaScript ran (it marks the body when it starts).
    await expect(page.locator("body.govuk-frontend-supported")).to_have_count(1)
    # The guardian lands on what needs doing; the case is under "Your cases" too.
    await expect(page.get_by_role("heading", name="What needs doing")).to_be_visible()
    await page.get_by_role("link", name="Your cases", exact=True).click()
    await check_accessibility(page, screenshots, "02-your-cases")

    await page.get_by_role("link", name="RV26C00042").click()
    await expect(page.get_by_role("heading", name="Case RV26C00042")).to_be_visible()
    await check_accessibility(page, screenshots, "03-case")

    await page.get_by_role("button", name="Log a contact").click()
    await expect(page.get_by_role("heading", name="Log a contact")).to_be_visible()
    await check_accessibility(page, screenshots, "04-contact-form")

    # Saving with no summary and no channel shows the GOV.UK error summary, focused.
    await page.get_by_role("button", name="Save contact").click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary.get_by_role("link", name="Enter a summary of the contact")).to_be_visible()
    await check_accessibility(page, screenshots, "05-contact-form-errors")
    await summary.get_by_role("link", name="Enter a summary of the contact").click()
    await expect(page.get_by_label("Summary")).to_be_focused()

    await page.get_by_label("Phone call").check()
    await page.get_by_label("Introduction").check()
    await page.get_by_label("Summary").fill("Introduced myself and agreed we will speak after each hearing.")
    await page.get_by_label("A reply is expected").check()
    await expect(page.locator("#conditional-replyExpected")).to_be_visible()
    await page.get_by_role("button", name="Save contact").click()
    await expect(page.get_by_text("Contact logged")).to_be_visible()
    await expect(
        page.get_by_text("Introduced myself and agreed we will speak after each hearing.")
    ).to_be_visible()
    await check_accessibility(page, screenshots, "06-case-with-contact")

    await page.get_by_role("link", name="Sign out").click()
    await sign_in(page, live_server, "Ivan Reviewer, Riverside City Council")
    await page.goto(f"{live_server}/cases/{case_id}")
    entry = page.locator(".app-ledger__entry").first
    await expect(entry).to_contain_text("Gina Guardian to Ivan Reviewer")
    await expect(entry).to_contain_text("Waiting for a reply")
    await entry.get_by_role("button", name="Mark reply received").click()
    await expect(page.get_by_text("Reply marked as received")).to_be_visible()
    await check_accessibility(page, screenshots, "07-iro-marked-reply")
    await context.close()
    assert problems == []


async def test_an_outsider_sees_not_found(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case()
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Nora Northmoor, Northmoor County Council")
    response = await page.goto(f"{live_server}/cases/{case_id}")
    assert response is not None
    assert response.status == 404
    await expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    await check_accessibility(page, screenshots, "not-found")
    await context.close()


async def test_a_manager_reads_a_cases_access_log(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case(case_number="RV26C00077")
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Ivan Reviewer, Riverside City Council")
    await page.goto(f"{live_server}/cases/{case_id}")
    await page.get_by_role("link", name="Sign out").click()
    await sign_in(page, live_server, "Carla Manager, Cafcass Riverside")
    await page.goto(f"{live_server}/cases")  # she lands on her allocation queue
    await page.get_by_role("link", name="RV26C00077").click()
    await page.get_by_role("link", name="See who looked at and changed this case").click()
    await expect(page.get_by_role("heading", name="Access log")).to_be_visible()
    await expect(page.get_by_role("cell", name="Ivan Reviewer Riverside City Council").first).to_be_visible()
    await check_accessibility(page, screenshots, "access-log")
    await context.close()


async def test_the_iro_records_how_they_keep_in_touch(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case(case_number="RV26C00088")
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Ivan Reviewer, Riverside City Council")
    await page.goto(f"{live_server}/cases/{case_id}")
    await page.get_by_role("link", name="Record how you will keep in touch", exact=True).click()
    await check_accessibility(page, screenshots, "01-arrangement-form")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_accessibility(page, screenshots, "02-arrangement-errors")
    today = date.today()
    await page.get_by_label("Day").fill(str(today.day))
    await page.get_by_label("Month").fill(str(today.month))
    await page.get_by_label("Year").fill(str(today.year))
    await page.get_by_label("After each hearing").check()
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_text("How you keep in touch is recorded")).to_be_visible()
    protocol = page.locator("#protocol ~ .app-table-container table")
    # P3 met by the arrangement (IA, the IRO's appointment, was met when the case opened).
    await expect(protocol.locator("tr", has_text="P3").get_by_text("Met")).to_have_count(1)
    await check_accessibility(page, screenshots, "03-case-with-arrangement")
    await context.close()


async def test_your_tasks_page_is_accessible(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    await world.open_case(case_number="RV26C00099")
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Gina Guardian, Cafcass Riverside")
    await page.get_by_role("link", name="What needs doing").click()
    await expect(page.get_by_role("heading", name="What needs doing")).to_be_visible()
    await check_accessibility(page, screenshots, "tasks")
    await context.close()
