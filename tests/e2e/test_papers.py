"""The court papers tab in a real browser (P6): filing a paper with the upload's progress shown by
JavaScript, errors after an upload shown as a page load shows them (the error summary focused, GOV.UK
Frontend started on the new content), a file already on the case replaced by another, the same journeys with
JavaScript off, a care plan's new version starting from the latest plan in brief, and the IRO's receipt.
Every state is checked with axe at 1280 px and 320 px, and for reflow at 320 px."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.support import check_page, sign_in
from tests.e2e.test_records import fill_date
from tests.support import files
from tests.support.world import World

pytestmark = pytest.mark.browser

SOLICITOR = "Sol Icitor, Riverside City Council"
# Record what the upload's status line says and whether the progress bar was shown, as it happens.
WATCH_PROGRESS = """() => {
  window.uploadStatuses = [];
  window.progressShown = false;
  const status = document.querySelector('[data-upload-status]');
  const progress = document.querySelector('form[data-upload-progress] progress');
  new MutationObserver(() => {
    window.uploadStatuses.push(status.textContent);
    window.progressShown ||= !progress.hidden;
  }).observe(status, {childList: true, characterData: true, subtree: true});
}"""


def _pdf(folder: Path, name: str, fill: bytes = b"0") -> Path:
    path = folder / name
    path.write_bytes(files.PDF + b"%" + fill * 300_000)
    return path


async def _details(page: Page, title: str, kind: str = "Care plan (interim)") -> None:
    await fill_date(page, "When was it filed with the court?", date.today())
    await page.get_by_label("Title").fill(title)
    await page.get_by_label("Kind of paper").select_option(label=kind)
    await page.get_by_label("Filed by").select_option(label="The local authority")


async def check_page_without_javascript(page: Page, browser: Browser, screenshots: Path, name: str) -> None:
    """``check_page`` for a page in a context without JavaScript, where axe cannot run (timers do not fire
    there): the page's HTML as it stands is checked in a context with JavaScript, whose own script (the
    portal's) is not served, so it is the page as someone without JavaScript has it."""
    html = await page.content()
    url = page.url.split("#")[0]
    mirror = await browser.new_context()
    copy = await mirror.new_page()
    await copy.route(
        "**/static/build/app.js", lambda route: route.fulfill(body="", content_type="text/javascript")
    )
    await copy.route(
        lambda u: u.split("#")[0] == url, lambda route: route.fulfill(body=html, content_type="text/html")
    )
    await copy.goto(url)
    assert not await copy.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    await check_page(copy, screenshots, name)
    await mirror.close()


async def _open_papers(page: Page, base: str, case_id: object) -> None:
    await sign_in(page, base, SOLICITOR)
    await page.goto(f"{base}/cases/{case_id}")
    await page.get_by_role("link", name="Court papers: file a paper or see what the IRO has").click()
    await expect(page.get_by_role("heading", name="Court papers", exact=True)).to_be_visible()


async def test_with_javascript_errors_after_an_upload_behave_as_a_page_load(
    browser: Browser, live_server: str, world: World, screenshots: Path, tmp_path: Path
) -> None:
    """Issue 14, JavaScript on: the upload goes by XHR with its progress shown; its errors (every one at
    once) replace the page's content, the error summary takes focus and GOV.UK Frontend runs on the new
    content; a file already on the case asks for another, which files it."""
    case_id = await world.open_case(case_number="RV26C00121")
    plan = _pdf(tmp_path, "interim-care-plan.pdf")
    context = await browser.new_context()
    page = await context.new_page()
    await _open_papers(page, live_server, case_id)
    # GOV.UK Frontend's character count is running on the plan in brief: it shows what is left.
    await expect(page.locator(".govuk-character-count__status")).to_have_count(4)
    await expect(page.locator("progress")).to_be_hidden()  # until an upload starts
    await check_page(page, screenshots, "papers-01-tab")

    # The file, but none of the details: every problem at once, the file held.
    await page.get_by_label("The file").set_input_files(plan)
    await page.evaluate(WATCH_PROGRESS)
    await page.get_by_role("button", name="File the paper").click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(page).to_have_title(re.compile(r"^Error: Court papers, case RV26C00121"))
    await expect(summary.get_by_role("link")).to_have_text(
        [
            "Enter the date the paper was filed",
            "Enter the paper's title",
            "Choose what kind of paper it is",
            "Choose the party that filed it",
        ]
    )
    await expect(page.get_by_text("Your file has arrived")).to_be_visible()
    statuses = await page.evaluate("window.uploadStatuses")
    assert any(s.startswith("Uploading: ") and s.endswith("%") for s in statuses), statuses
    assert await page.evaluate("window.progressShown")
    # GOV.UK Frontend runs on the new content: the character counts count down as one types.
    await expect(page.locator("main .govuk-character-count__status")).to_have_count(4)
    await page.get_by_label("Placement (optional)").fill("Foster care")
    await expect(page.get_by_text("You have 1,989 characters remaining")).to_be_visible()
    # The error summary's links lead to their fields.
    await summary.get_by_role("link", name="Enter the paper's title").click()
    await expect(page.get_by_label("Title")).to_be_focused()
    await check_page(page, screenshots, "papers-02-errors")

    await _details(page, "Interim care plan")
    await page.get_by_role("button", name="File the paper").click()
    await expect(page.get_by_text("The paper is filed.")).to_be_visible()
    await expect(page.get_by_role("heading", name="Interim care plan")).to_be_visible()
    await check_page(page, screenshots, "papers-03-filed")

    # The same file again: the file is the problem, so the file input is back (enhanced) and linked.
    await page.get_by_label("The file").set_input_files(plan)
    await _details(page, "Interim care plan, again")
    await page.get_by_role("button", name="File the paper").click()
    await expect(summary).to_be_focused()
    await expect(summary.get_by_role("link")).to_have_text(
        ["This file is already on the case (Interim care plan, version 1): choose another file"]
    )
    await expect(page.get_by_text("you do not need to choose the file again")).to_have_count(0)
    await check_page(page, screenshots, "papers-04-duplicate")
    await summary.get_by_role("link").click()
    await expect(page.get_by_label("The file")).to_be_focused()
    await page.get_by_label("The file").set_input_files(_pdf(tmp_path, "interim-care-plan-2.pdf", b"1"))
    await expect(page.get_by_label("Title")).to_have_value("Interim care plan, again")
    await page.get_by_role("button", name="File the paper").click()
    await expect(page.get_by_text("The paper is filed.")).to_be_visible()
    await expect(page.get_by_role("link", name="interim-care-plan-2.pdf")).to_be_visible()
    await check_page(page, screenshots, "papers-05-filed-another")
    await context.close()

    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, "Ivan Reviewer, Riverside City Council")
    await page.goto(f"{live_server}/cases/{case_id}/papers")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="interim-care-plan.pdf").click()
    assert (await (await download.value).path()).read_bytes() == plan.read_bytes()
    await page.reload()
    await expect(page.get_by_text("Not opened")).to_have_count(1)
    await check_page(page, screenshots, "papers-06-iro")
    await context.close()


async def test_without_javascript_every_problem_at_once_another_file_and_the_plan_in_brief(
    browser: Browser, live_server: str, world: World, screenshots: Path, tmp_path: Path
) -> None:
    """Issue 14, JavaScript off: every problem at once (the file among them), a file already on the case
    asks for another, and a care plan's new version starts from the latest plan in brief, so the plans
    page reports only what changed (P6)."""
    case_id = await world.open_case(case_number="RV26C00122")
    plan = _pdf(tmp_path, "care-plan.pdf")
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await _open_papers(page, live_server, case_id)
    await check_page_without_javascript(page, browser, screenshots, "nojs-01-tab")

    await page.get_by_role("button", name="File the paper").click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary.get_by_role("link")).to_have_text(
        [
            "Choose a file to upload",
            "Enter the date the paper was filed",
            "Enter the paper's title",
            "Choose what kind of paper it is",
            "Choose the party that filed it",
        ]
    )
    await check_page_without_javascript(page, browser, screenshots, "nojs-02-errors")

    await page.get_by_label("The file").set_input_files(plan)
    await _details(page, "Interim care plan")
    await page.get_by_label("Placement (optional)").fill("Foster care with the Greens")
    await page.get_by_label("Permanence (optional)").fill("Return home\nif the assessment is positive")
    await page.get_by_role("button", name="File the paper").click()
    await expect(page.get_by_text("The paper is filed.")).to_be_visible()

    await page.get_by_label("The file").set_input_files(plan)
    await _details(page, "The same plan")
    await page.get_by_role("button", name="File the paper").click()
    await expect(summary.get_by_role("link")).to_have_text(
        ["This file is already on the case (Interim care plan, version 1): choose another file"]
    )
    await expect(page.get_by_label("The file")).to_be_visible()
    await check_page_without_javascript(page, browser, screenshots, "nojs-03-duplicate")
    await summary.get_by_role("link").click()
    await expect(page.get_by_label("The file")).to_be_focused()
    await page.get_by_label("The file").set_input_files(_pdf(tmp_path, "position.pdf", b"2"))
    await page.get_by_label("Kind of paper").select_option(label="Position statement")
    await page.get_by_role("button", name="File the paper").click()
    await expect(page.get_by_text("The paper is filed.")).to_be_visible()
    await expect(page.get_by_role("heading", name="The same plan")).to_be_visible()

    # A new version of the care plan, from the plans page: the plan in brief is filled in.
    await page.goto(f"{live_server}/cases/{case_id}/plans")
    await page.get_by_role("link", name="File a new version of Interim care plan").click()
    await expect(page.locator("#paperId option:checked")).to_have_text("A new version of Interim care plan")
    await expect(page.get_by_label("Permanence (optional)")).to_have_value(
        "Return home\nif the assessment is positive"
    )
    await check_page_without_javascript(page, browser, screenshots, "nojs-04-new-version")
    await page.get_by_label("The file").set_input_files(_pdf(tmp_path, "care-plan-2.pdf", b"3"))
    await fill_date(page, "When was it filed with the court?", date.today())
    await page.get_by_label("Placement (optional)").fill("With the Greens, long term")
    await page.get_by_role("button", name="File the paper").click()
    await expect(page.get_by_text("The paper is filed.")).to_be_visible()

    await page.goto(f"{live_server}/cases/{case_id}/plans")
    changed = page.get_by_role("region", name="Changes in Interim care plan, version 2")
    await expect(changed.get_by_role("rowheader")).to_have_text(["Placement"])
    await check_page_without_javascript(page, browser, screenshots, "nojs-05-plans")
    await context.close()
