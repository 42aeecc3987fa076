"""Significant changes in a real browser (SC; CPPCR 2010 reg 33(3); issue 18): the social worker tells the IRO
from the case page, refused then saved; the IRO books an additional review for it from the review form,
prefilled, and says no review is needed for another, refused without the reason then saved. axe checks each
page at 1280 px and 320 px as it is filled in, refused and saved."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from portal.cases import service as cases
from tests.e2e.support import check_page, sign_in
from tests.e2e.test_records import fill_date
from tests.support.world import World

pytestmark = pytest.mark.browser

IRO = "Ivan Reviewer, Riverside City Council"
SOCIAL_WORKER = "Sam Worker, Riverside City Council"


async def test_the_social_worker_tells_the_iro_who_books_a_review_or_says_none_is_needed(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case(case_number="RV26C00140")
    async with world.sessions() as session, session.begin():
        await cases.assign_social_worker(
            session, await world.actor("solicitor"), cases.Allocation(case_id, world.id("social_worker"))
        )
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, SOCIAL_WORKER)
    await page.goto(f"{live_server}/cases/{case_id}")
    await (
        page.locator(".app-next-steps")
        .get_by_role("button", name="Tell the IRO of a significant change")
        .click()
    )
    await check_page(page, screenshots, "changes-01-form")
    await page.get_by_role("button", name="Tell the IRO").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_page(page, screenshots, "changes-02-errors")
    await page.get_by_label("A placement move").check()
    await fill_date(page, "When did it happen?", date.today())
    await page.get_by_label("What changed, and why").fill("Amy moved to new foster carers today.")
    await page.get_by_role("button", name="Tell the IRO").click()
    await expect(page.get_by_text("The significant change is recorded")).to_be_visible()
    await expect(page.get_by_text("Waiting for the IRO")).to_be_visible()
    await check_page(page, screenshots, "changes-03-case-told")
    # A second change: the child and today's date are chosen already.
    await page.goto(f"{live_server}/cases/{case_id}/significant-changes/new")
    await page.get_by_label("An education event (a new school, an exclusion)").check()
    await page.get_by_label("What changed, and why").fill("Amy starts at a new school next week.")
    await page.get_by_role("button", name="Tell the IRO").click()
    await expect(page.get_by_text("The significant change is recorded")).to_be_visible()
    await context.close()

    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, IRO)
    await page.goto(f"{live_server}/cases/{case_id}#significant-changes")
    await check_page(page, screenshots, "changes-04-case-for-the-iro")
    moved = page.locator(".app-records__item", has_text="A placement move: Amy")
    await moved.get_by_role("link", name="Book an additional review").click()
    await expect(page.get_by_label("An additional review, earlier, at my request")).to_be_checked()
    await expect(page.get_by_label("Amy Example")).to_be_checked()
    await check_page(page, screenshots, "changes-05-review-form")
    await fill_date(page, "Date of the review", date.today() + timedelta(days=7))
    await page.get_by_label("Time, place and how to join").fill("10am at the new foster home")
    await page.get_by_role("button", name="Book the review").click()
    await expect(page.get_by_text("The review is booked.")).to_be_visible()
    await expect(page.get_by_text("Additional review booked")).to_be_visible()
    await page.get_by_role("link", name="No review needed for Amy's change").click()
    await check_page(page, screenshots, "changes-06-change-page")
    await page.get_by_role("button", name="No review needed").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_page(page, screenshots, "changes-07-no-review-errors")
    await page.get_by_label("Why no review is needed").fill("The review booked next week will consider it.")
    await page.get_by_role("button", name="No review needed").click()
    await expect(page.get_by_text("Your answer to the significant change is recorded")).to_be_visible()
    await check_page(page, screenshots, "changes-08-case-answered")
    await context.close()
