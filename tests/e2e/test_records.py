"""The forms for reviews, discussion records, concerns, significant issues and final orders in a real
browser, with axe checking each page as it is filled in, refused and saved."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.e2e.support import check_accessibility, sign_in
from tests.support.world import World

pytestmark = pytest.mark.browser

IRO = "Ivan Reviewer, Riverside City Council"
GUARDIAN = "Gina Guardian, Cafcass Riverside"


async def fill_date(page: Page | Locator, fieldset: str, day: date) -> None:
    group = page.get_by_role("group", name=fieldset)
    await group.get_by_label("Day").fill(str(day.day))
    await group.get_by_label("Month").fill(str(day.month))
    await group.get_by_label("Year").fill(str(day.year))


async def test_the_iro_books_a_review_and_records_a_discussion(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case(case_number="RV26C00111")
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, IRO)
    await page.goto(f"{live_server}/cases/{case_id}")
    await page.get_by_role("button", name="Book a review").click()
    await check_accessibility(page, screenshots, "records-01-review-form")
    await page.get_by_role("button", name="Book the review").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_accessibility(page, screenshots, "records-02-review-errors")
    await page.get_by_label("Amy Example").check()
    await fill_date(page, "Date of the review", date.today() + timedelta(days=20))
    await page.get_by_label("Time, place and how to join").fill("10am at the children's centre")
    await page.get_by_role("button", name="Book the review").click()
    await expect(page.get_by_text("The review is booked.")).to_be_visible()
    await check_accessibility(page, screenshots, "records-03-case-with-review")
    await page.get_by_role("link", name="Record as held or change").click()
    await check_accessibility(page, screenshots, "records-04-review-page")

    await page.goto(f"{live_server}/cases/{case_id}")
    await page.get_by_role("button", name="Record a discussion").click()
    await check_accessibility(page, screenshots, "records-05-discussion-form")
    await page.get_by_role("button", name="Save the record").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_accessibility(page, screenshots, "records-06-discussion-errors")
    await fill_date(page, "When did you talk?", date.today())
    await page.get_by_label("Video call").check()
    await page.get_by_label("What you discussed").fill("The interim care plan.")
    action = page.get_by_role("group", name="Action 1 (optional)")
    await action.get_by_label("What").fill("Send the plan")
    await action.get_by_label("Who").select_option(label="Gina Guardian")
    await fill_date(action, "By when", date.today() + timedelta(days=5))
    await page.get_by_role("button", name="Save the record").click()
    await expect(page.get_by_text("The discussion is recorded on the child's file.")).to_be_visible()
    await page.get_by_role("button", name="Record a significant issue").click()
    await check_accessibility(page, screenshots, "records-07-significant-issue-form")
    await context.close()


async def test_the_guardian_raises_a_concern_and_the_iro_acknowledges_it(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case(case_number="RV26C00112")
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, GUARDIAN)
    await page.goto(f"{live_server}/cases/{case_id}")
    await page.get_by_role("button", name="Raise a concern").click()
    await check_accessibility(page, screenshots, "records-08-concern-form")
    await page.get_by_label("Your concern").fill("Family time is not happening.")
    await page.get_by_role("button", name="Raise the concern").click()
    await expect(page.get_by_text("Your concern is raised with the IRO.")).to_be_visible()
    await page.get_by_role("link", name="Settings", exact=True).click()
    await check_accessibility(page, screenshots, "records-09-email-settings")
    await context.close()

    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, IRO)
    await page.get_by_role("link", name="What needs doing").click()
    await expect(page.get_by_role("heading", name="To acknowledge")).to_be_visible()
    await check_accessibility(page, screenshots, "records-10-tasks-to-acknowledge")
    await page.get_by_role("link", name="RV26C00112").first.click()
    await check_accessibility(page, screenshots, "records-11-case-with-concern")
    await page.get_by_role("button", name="Acknowledge").click()
    await expect(page.get_by_text("Acknowledged.", exact=True)).to_be_visible()
    await context.close()


async def test_the_solicitor_records_the_final_orders(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case(case_number="RV26C00113")
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Sol Icitor, Riverside City Council")
    await page.goto(f"{live_server}/cases/{case_id}")
    await page.get_by_role("link", name="Record the final orders").click()
    await check_accessibility(page, screenshots, "records-12-final-orders-form")
    await fill_date(page, "When were the final orders made?", date.today())
    await page.get_by_role("group", name="The order for Amy Example").get_by_label("Care order").check()
    await page.get_by_role("button", name="Continue").click()
    # Checked before recording: it concludes the proceedings.
    await page.get_by_role("button", name="Record the final orders").click()
    await expect(page.get_by_text("The final orders are recorded")).to_be_visible()
    await check_accessibility(page, screenshots, "records-13-case-concluded")
    await context.close()


async def test_the_iro_records_the_childs_participation_and_the_solicitor_sees_it_without_what_was_said(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    """Issue 18: the child's participation in a held review, on the review's page (radios, a textarea, the
    private checkbox), refused then saved; the solicitor's case page shows it without what the child said."""
    from portal import clock
    from portal.cases import repository as case_rows
    from portal.reviews import service as reviews

    case_id = await world.open_case(case_number="RV26C00114")
    iro = await world.actor("iro")
    async with world.sessions() as session, session.begin():
        [child] = await case_rows.case_children(session, case_id)
        data = reviews.ScheduleReview(case_id, [child.id], clock.today(), "At home", tell_guardian=False)
        [review] = await reviews.schedule_review(session, iro, data)
        await reviews.record_held(session, iro, review.id, clock.today(), None)
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, IRO)
    await page.goto(f"{live_server}/cases/{case_id}")
    await page.get_by_role("link", name="Record Amy's participation").click()
    await check_accessibility(page, screenshots, "records-14-participation-form")
    await page.get_by_role("button", name="Save Amy's participation").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_accessibility(page, screenshots, "records-15-participation-errors")
    await page.get_by_label("Attended part of the review").check()
    await page.get_by_label("Through an advocate").check()
    await page.get_by_label("Who conveyed them? (optional)").fill("Sam Lee, Coram Voice")
    await page.get_by_label("Amy's wishes and feelings").fill("To stay with her carers.")
    await page.get_by_label("Private to Amy's IRO").check()
    await page.get_by_role("button", name="Save Amy's participation").click()
    await expect(page.get_by_text("The child's participation in the review is recorded.")).to_be_visible()
    await expect(page.get_by_text("To stay with her carers.")).to_be_visible()
    await check_accessibility(page, screenshots, "records-16-case-with-participation")
    await context.close()

    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Sol Icitor, Riverside City Council")
    await page.goto(f"{live_server}/cases/{case_id}")
    await expect(page.get_by_text("What the child said is private to their IRO.")).to_be_visible()
    await expect(page.get_by_text("To stay with her carers.")).to_have_count(0)
    await check_accessibility(page, screenshots, "records-17-participation-withheld")
    await context.close()
