"""Issue 17 in a real browser, on the demo world: an IRO's challenge about a care plan, from the empty form
to the ladder's first stage, answered by the team manager named; the IRO's referral of the case to Cafcass
from the dispute's page; the service area's manager acknowledging it and appointing an officer, who records
an enquiry and the outcome; and the IRO manager's view of it all. axe (WCAG 2.2 AA) at 1280 px and 320 px,
with no sideways page scroll, on every page and every refusal."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from portal import clock
from portal.demo import load_demo
from portal.settings import Settings
from portal.storage import blob_store
from tests.e2e.support import check_page, sign_in
from tests.support import files

pytestmark = pytest.mark.browser

# The demo's people (portal/demo.py PEOPLE), as the sign-in page labels them.
IRO = "Daniel Price, Riverside City Council"
TEAM_MANAGER = "Nadia Hussain, Riverside City Council"
CAFCASS_MANAGER = "Helen Marsh, Cafcass North Midlands"
# An officer of the service area who is not the case's guardian (Priya Nair is).
OFFICER = "Tom Hughes"
IRO_MANAGER = "Margaret Lowe, Riverside City Council"
ADMIN = "Sam Taylor, Riverside City Council"
# Daniel Price's live case with a guardian on which the demo raised no dispute (portal/demo_disputes.py
# takes Riverside's live cases with a guardian and an IRO in a fixed order, and this one comes last).
CASE = "RV26C00125"


@pytest.fixture
async def demo(session: AsyncSession, settings: Settings) -> None:
    """The demo world in the test database, its papers in the store the served portal reads."""
    await load_demo(session, today=clock.today(), store=blob_store(settings))
    await session.commit()


class People:
    """Each person in a browser context of their own, watched for script errors and blocked resources."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.browser, self.base = browser, base
        self.contexts: list[BrowserContext] = []
        self.problems: list[str] = []

    async def signed_in(self, label: str) -> Page:
        context = await self.browser.new_context()
        self.contexts.append(context)
        page = await context.new_page()

        def watch(message: ConsoleMessage) -> None:
            # A form shown again with its errors comes with status 400, which the console reports: fine.
            if message.type == "error" and not message.text.startswith("Failed to load resource"):
                self.problems.append(f"{label}: {message.text}")

        page.on("console", watch)
        page.on("pageerror", lambda error: self.problems.append(f"{label}: {error}"))
        await sign_in(page, self.base, label)
        return page

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


@pytest.fixture
async def people(browser: Browser, live_server: str, demo: None) -> AsyncIterator[People]:
    found = People(browser, live_server)
    yield found
    await found.close()


def success(page: Page, message: str) -> Locator:
    """The success banner's message."""
    return page.locator(".govuk-notification-banner--success").get_by_text(message)


def named(shown: str, hidden: str, *, whole: bool = True) -> re.Pattern[str]:
    """A link's accessible name: its words and then words for screen readers only (GOV.UK's visually hidden
    text, which Chromium sets apart with a space)."""
    return re.compile(f"^{re.escape(shown)} ?{re.escape(hidden)}{'$' if whole else ''}")


def stage(page: Page, position: int) -> Locator:
    """A stage of the dispute's ladder, as its page lists them."""
    heading = page.get_by_role("heading", name=re.compile(f"^Stage {position}: "))
    return page.get_by_role("listitem").filter(has=heading)


async def fill_date(page: Page, group: str, day: str, month: str, year: str) -> None:
    fields = page.get_by_role("group", name=group)
    await fields.get_by_label("Day").fill(day)
    await fields.get_by_label("Month").fill(month)
    await fields.get_by_label("Year").fill(year)


async def test_from_a_challenge_to_a_referral_and_its_outcome(
    people: People, live_server: str, screenshots: Path, tmp_path: Path
) -> None:
    shown = 0

    async def check(page: Page, name: str) -> None:
        """axe and the reflow at 320 px, each page's screenshots numbered in the journey's order."""
        nonlocal shown
        shown += 1
        await check_page(page, screenshots, f"{shown:02}-{name}")

    # 1. The IRO raises a challenge on their case: the empty form is refused, every problem at once.
    iro = await people.signed_in(IRO)
    await iro.get_by_role("link", name="Your cases", exact=True).click()
    await iro.get_by_role("link", name=CASE, exact=True).click()
    await expect(iro.get_by_role("heading", name=f"Case {CASE}")).to_be_visible()
    await expect(iro.get_by_role("heading", name="Disputes about the care plan")).to_be_visible()
    await expect(iro.get_by_text("No disputes have been raised.")).to_be_visible()
    await iro.get_by_role("link", name="Raise a challenge", exact=True).click()
    await expect(iro.get_by_role("heading", name="Raise a challenge")).to_be_visible()
    await check(iro, "challenge-form")

    await iro.get_by_role("button", name="Raise the challenge").click()
    summary = iro.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary.get_by_role("link", name="Choose what is disputed")).to_be_visible()
    await expect(iro).to_have_title(re.compile(r"^Error: Raise a challenge"))
    await check(iro, "challenge-form-errors")
    await summary.get_by_role("link", name="Choose what is disputed").click()
    await expect(iro.get_by_label("A decision of a review")).to_be_focused()  # the first choice

    await iro.get_by_label("A point of the care plan").check()
    await iro.get_by_label("Which child does it concern?").select_option(label="Zara Ahmed")
    await iro.get_by_label("What is disputed, in your words").fill(
        "The plan ends Zara's weekly time with her grandmother, with no assessment and no review."
    )
    await iro.get_by_label("Who are you raising it with first?").fill("The social worker")
    await iro.get_by_label("What resolution do you seek?").fill("Weekly family time kept until a review.")
    sought = clock.today() + timedelta(days=14)
    await fill_date(iro, "By when do you seek it?", str(sought.day), str(sought.month), str(sought.year))
    await iro.get_by_role("button", name="Raise the challenge").click()
    await expect(success(iro, "The challenge is recorded.")).to_be_visible()
    await expect(iro.get_by_role("heading", name="Dispute: A point of the care plan")).to_be_visible()
    await expect(iro.locator(".govuk-tag", has_text="Informal")).to_be_visible()
    dispute = iro.url.split("?")[0]
    await check(iro, "dispute-raised")

    # 2. An exchange, then the first formal stage, the team manager named to answer.
    await iro.get_by_label("Who was it with?").fill("The social worker")
    await iro.get_by_label("What was said").fill("The social worker cannot change the plan.")
    await iro.get_by_role("button", name="Save the exchange").click()
    await expect(success(iro, "The exchange is recorded.")).to_be_visible()
    await expect(iro.get_by_text("Exchange with The social worker")).to_be_visible()

    await iro.get_by_role("button", name="Take it to the next stage").click()
    summary = iro.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await check(iro, "dispute-escalate-errors")
    await iro.get_by_label("Manager to answer at stage 1").select_option(label="Nadia Hussain")
    await iro.get_by_label("Why it goes further").fill("The social worker cannot change the plan.")
    await iro.get_by_role("button", name="Take it to the next stage").click()
    await expect(success(iro, "The dispute is at its next stage.")).to_be_visible()
    await expect(stage(iro, 1)).to_contain_text("Nadia Hussain")
    await expect(iro.locator(".govuk-tag", has_text="Stage 1")).to_be_visible()
    await check(iro, "dispute-at-stage-1")

    # 3. The team manager finds it among her tasks and answers it.
    manager = await people.signed_in(TEAM_MANAGER)
    await manager.goto(f"{live_server}/tasks")
    await expect(manager.get_by_role("heading", name=re.compile(r"^Disputes to answer"))).to_be_visible()
    answer_link = manager.get_by_role("link", name="Answer the dispute: a point of the care plan")
    await expect(answer_link).to_have_count(1)
    await check(manager, "team-manager-tasks")
    await answer_link.click()
    await expect(manager.get_by_role("heading", name="Answer the stage")).to_be_visible()
    await check(manager, "dispute-to-answer")
    await manager.get_by_label("Your answer").fill("The plan stands: the grandmother's home is not safe.")
    await manager.get_by_role("button", name="Save the answer").click()
    await expect(success(manager, "The answer is recorded.")).to_be_visible()
    await expect(stage(manager, 1)).to_contain_text("The plan stands: the grandmother's home is not safe.")
    await check(manager, "dispute-answered-manager")
    # She keeps her letter with the dispute as evidence: refused first without a file.
    await manager.get_by_label("What is it?").fill("My letter to the IRO")
    await manager.get_by_role("button", name="Add the document").click()
    await expect(manager.locator(".govuk-error-summary")).to_contain_text("Choose a file to upload")
    await expect(manager.get_by_label("What is it?")).to_have_value("My letter to the IRO")
    await check(manager, "dispute-document-refused")
    letter = tmp_path / "letter-to-the-iro.pdf"
    letter.write_bytes(files.PDF)
    await manager.get_by_label("The file").set_input_files(letter)
    await manager.get_by_role("button", name="Add the document").click()
    await expect(success(manager, "The document is kept with the dispute.")).to_be_visible()
    await expect(manager.get_by_role("link", name="letter-to-the-iro.pdf")).to_be_visible()

    # 4. The IRO refers the case to Cafcass from the dispute: its course is the steps taken, to start from.
    await iro.goto(dispute)
    await expect(stage(iro, 1)).to_contain_text("The plan stands: the grandmother's home is not safe.")
    await expect(iro.get_by_role("link", name="letter-to-the-iro.pdf")).to_be_visible()
    await check(iro, "dispute-answered-iro")
    await iro.get_by_role("link", name="Refer the case to Cafcass").click()
    await expect(iro.get_by_role("heading", name="Refer the case to Cafcass")).to_be_visible()
    steps = iro.get_by_label("What did you do first?")
    await expect(steps).to_have_value(re.compile(r"^Challenge raised on .* with The social worker: "))
    await expect(steps).to_have_value(re.compile(r"Stage 1 \(.*\) from .*: answered\."))
    await expect(iro.get_by_label("Which dispute does it take further?")).to_have_value(
        dispute.rsplit("/", 1)[1]
    )
    await check(iro, "referral-form")

    await iro.get_by_role("button", name="Refer to Cafcass").click()
    summary = iro.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary.get_by_role("link", name="Choose the right that may be breached")).to_be_visible()
    await expect(
        summary.get_by_role("link", name="Say how the child's human rights may be breached")
    ).to_be_visible()
    await check(iro, "referral-form-errors")
    await expect(steps).to_have_value(re.compile(r"^Challenge raised on "))  # kept

    await iro.get_by_label("Respect for private and family life (Article 8)").check()
    await iro.get_by_label("How may the child's rights be breached?").fill(
        "Zara's only tie to her family is cut with no assessment: her right to family life (Article 8)."
    )
    await iro.get_by_role("button", name="Refer to Cafcass").click()
    await expect(success(iro, "The referral is made.")).to_be_visible()
    await expect(iro.get_by_role("heading", name=f"Referral to Cafcass: case {CASE}")).to_be_visible()
    await expect(iro.get_by_text("Referred, awaiting acknowledgement.")).to_be_visible()
    await check(iro, "referral-made")

    # 5. The service area's manager: the queue, the referral, acknowledged, an officer appointed.
    cafcass = await people.signed_in(CAFCASS_MANAGER)
    await cafcass.goto(f"{live_server}/referrals")
    await expect(cafcass.get_by_role("heading", name="Referrals to Cafcass")).to_be_visible()
    await check(cafcass, "referrals-queue")
    await cafcass.get_by_role("link", name=named(CASE, ": the referral")).click()
    await expect(cafcass.get_by_role("heading", name=f"Referral to Cafcass: case {CASE}")).to_be_visible()
    await check(cafcass, "referral-to-acknowledge")
    await cafcass.get_by_role("button", name="Acknowledge").click()
    await expect(success(cafcass, "The referral is acknowledged.")).to_be_visible()

    await cafcass.get_by_role("button", name="Appoint", exact=True).click()
    summary = cafcass.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary.get_by_role("link", name="Choose the officer")).to_be_visible()
    await check(cafcass, "referral-appoint-errors")
    await cafcass.get_by_label("Cafcass officer").select_option(label=OFFICER)
    await cafcass.get_by_role("button", name="Appoint", exact=True).click()
    await expect(success(cafcass, "The officer is appointed")).to_be_visible()
    await expect(cafcass.get_by_role("row", name=re.compile(r"^Officer appointed"))).to_contain_text(OFFICER)
    await check(cafcass, "referral-officer-appointed")

    # 6. The officer: the referral among their tasks; an enquiry, then the outcome.
    officer = await people.signed_in(f"{OFFICER}, Cafcass North Midlands")
    await officer.goto(f"{live_server}/tasks")
    task = officer.get_by_role("link", name=named("Make enquiries and record the outcome", f": case {CASE}"))
    await expect(task).to_have_count(1)
    await check(officer, "officer-tasks")
    await task.click()
    await expect(officer.get_by_role("heading", name=f"Referral to Cafcass: case {CASE}")).to_be_visible()
    await officer.get_by_label("Of whom?").fill("The head of service")
    await officer.get_by_label("What did it find?").fill("No assessment of the grandmother was asked for.")
    await officer.get_by_role("button", name="Record the enquiry").click()
    await expect(success(officer, "The enquiry is recorded.")).to_be_visible()
    await expect(officer.get_by_text("No assessment of the grandmother was asked for.")).to_be_visible()

    await officer.get_by_role("button", name="Record the outcome").click()
    summary = officer.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary.get_by_role("link", name="Choose how the referral ended")).to_be_visible()
    await check(officer, "referral-outcome-errors")
    await officer.get_by_label("Resolved by discussion").check()
    await officer.get_by_label("How was it resolved, or what was decided?").fill(
        "The authority agreed to assess the grandmother; family time continues meanwhile."
    )
    await officer.get_by_role("button", name="Record the outcome").click()
    await expect(success(officer, "The outcome is recorded")).to_be_visible()
    await expect(officer.get_by_text("Concluded.")).to_be_visible()
    await expect(officer.get_by_role("row", name=re.compile(r"^Outcome"))).to_contain_text(
        "Resolved by discussion"
    )
    await expect(officer.get_by_role("button", name="Record the outcome")).to_have_count(0)
    await check(officer, "referral-concluded")

    # 7. The IRO manager: every dispute on the authority's cases, and the dashboard's section on them.
    lead = await people.signed_in(IRO_MANAGER)
    await lead.goto(f"{live_server}/disputes")
    await expect(lead.get_by_role("heading", name="Disputes about care plans")).to_be_visible()
    await expect(
        lead.get_by_role("link", name=named(CASE, ": the case of the dispute raised", whole=False))
    ).to_have_count(1)
    await check(lead, "iro-manager-disputes")
    await lead.goto(f"{live_server}/dashboard#disputes")
    await expect(lead.get_by_role("heading", name="Disputes and referrals to Cafcass")).to_be_visible()
    await check(lead, "iro-manager-dashboard")

    # 8. Back on the IRO's case: the dispute and the referral's outcome in their sections.
    await iro.get_by_role("link", name="Your cases", exact=True).click()
    await iro.get_by_role("link", name=CASE, exact=True).click()
    disputes = iro.get_by_role("region", name="Disputes about the care plan")
    await expect(
        disputes.get_by_role("link", name=named("A point of the care plan", ", raised", whole=False))
    ).to_be_visible()
    await expect(disputes).to_contain_text("Stage 1")
    referred = iro.get_by_role("link", name=re.compile(r"^Referred .*: respect for private and family life"))
    await expect(iro.get_by_role("listitem").filter(has=referred)).to_contain_text("Resolved by discussion")
    await check(iro, "case-with-dispute-and-referral")

    # The authority's administrator: its dispute resolution ladder.
    admin = await people.signed_in(ADMIN)
    await admin.goto(f"{live_server}/admin/dispute-ladder")
    await check(admin, "admin-dispute-ladder")

    assert people.problems == []
