"""What the IRO writes to a child, in a real browser (issue 19): the IRO records their introduction to a young
child from the case page, refused then saved, and downloads the letter to the carer; then tells the child
what was decided in a resolved dispute, from the dispute's page. axe checks each page at 1280 px and 320 px as
it is filled in, refused and saved."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from models import DisputeSubject
from portal.disputes import service as disputes
from tests.e2e.support import check_page, sign_in
from tests.support.world import World

pytestmark = pytest.mark.browser

IRO = "Ivan Reviewer, Riverside City Council"


async def test_the_iro_introduces_themselves_and_tells_the_child_what_was_decided(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case(case_number="RV26C00190")
    iro = await world.actor("iro")
    async with world.sessions() as session, session.begin():
        dispute = await disputes.raise_challenge(
            session,
            iro,
            disputes.RaiseChallenge(
                case_id=case_id,
                subject=DisputeSubject.PLACEMENT_MOVE,
                summary="The plan moves Amy away from her school.",
                raised_with="The team manager",
                resolution_sought="Keep the placement.",
                sought_by=date.today() + timedelta(days=7),
            ),
        )
        await disputes.resolve(session, iro, dispute.id, "The service manager agreed to keep it.", None)
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, IRO)
    await page.goto(f"{live_server}/cases/{case_id}#letters")
    await page.get_by_role("link", name="Record your introduction to Amy").click()
    await check_page(page, screenshots, "letters-01-introduction-form")
    await page.get_by_role("button", name="Save and make the letter").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_page(page, screenshots, "letters-02-introduction-errors")
    await page.get_by_label("Met the child with their carer").check()
    await page.get_by_label("How did you agree Amy will keep in touch with you?").fill(
        "I will visit Amy at home every 3 months."
    )
    await page.get_by_label("I told Amy they can have an advocate").check()
    await page.get_by_label("The carer's name").fill("Mrs Jane Smith")
    await page.get_by_role("button", name="Save and make the letter").click()
    await expect(page.get_by_text("Your introduction is recorded")).to_be_visible()
    await check_page(page, screenshots, "letters-03-case-with-letter")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Letter to Amy's carer (PDF)").click()
    assert (await download.value).suggested_filename == "letter-from-your-iro-Amy.pdf"

    await page.goto(f"{live_server}/disputes/{dispute.id}#for-the-child")
    await page.get_by_role("link", name="Tell Amy what was decided").click()
    await check_page(page, screenshots, "letters-04-summary-form")
    await page.get_by_role("button", name="Save and make the letter").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_page(page, screenshots, "letters-05-summary-errors")
    await page.get_by_label("What was decided?").fill("You will stay with Mrs Smith and keep your school.")
    await page.get_by_label("How did Amy's views count?").fill(
        "You said you wanted to stay, and they listened."
    )
    await page.get_by_role("button", name="Save and make the letter").click()
    await expect(page.get_by_text("What the child is told is saved")).to_be_visible()
    await check_page(page, screenshots, "letters-06-dispute-with-letter")
    await expect(page.get_by_role("link", name="Letter to the carer of Amy Example (PDF)")).to_be_visible()
    await context.close()
