"""The IRO's view before the court in a real browser (issue 19): the guardian answers, for their analysis on
the case's papers, whether it cites the IRO's view of the care plan; refused without an answer, then saved,
then changed to "no" with the reason, which the papers page shows. axe checks each page at 1280 px and
320 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from models import PaperKind
from portal import clock
from tests.e2e.support import check_page, sign_in
from tests.e2e.test_records import GUARDIAN
from tests.support.world import World
from tests.test_iro_view import _paper

pytestmark = pytest.mark.browser


async def test_the_guardian_records_whether_their_analysis_cites_the_iros_view(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case(case_number="RV26C00192")
    await _paper(world, case_id, PaperKind.GUARDIAN_ANALYSIS_INITIAL, clock.today())
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, GUARDIAN)
    await page.goto(f"{live_server}/cases/{case_id}/papers")
    await expect(page.get_by_text("Not recorded yet")).to_be_visible()
    await check_page(page, screenshots, "iro-view-01-papers")
    await page.get_by_role("link", name="Record whether it cites the IRO's view").click()
    await check_page(page, screenshots, "iro-view-02-form")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_page(page, screenshots, "iro-view-03-errors")
    await page.get_by_role("radio", name="Yes").check()
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_text("cited in this analysis")).to_be_visible()
    await page.get_by_role("link", name="Change whether it cites the IRO's view").click()
    await page.get_by_role("radio", name="No").check()
    await page.get_by_label("If it does not, why not").fill("The IRO had not yet given a view.")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_text("not cited in this analysis")).to_be_visible()
    await expect(page.get_by_text("(The IRO had not yet given a view.)")).to_be_visible()
    await check_page(page, screenshots, "iro-view-04-papers-recorded")
    await context.close()
