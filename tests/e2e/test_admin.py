"""The administrators' journeys and the API-token journey in a real browser: axe (WCAG 2.2 A/AA) clean at
1280 px and 320 px, and no sideways scroll at 320 px, on every state, errors included."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from playwright.async_api import Browser, expect

from models import OutboxMessage, OutboxState
from tests.e2e.support import check_page, sign_in
from tests.support.world import World
from tests.web.test_downloads import ended_with_a_handover

pytestmark = pytest.mark.browser

ADMIN = "Ada Admin, Riverside City Council"
NATIONAL_ADMIN = "Nadia National, Cafcass Riverside"
GUARDIAN = "Gina Guardian, Cafcass Riverside"
SOLICITOR = "Sol Icitor, Riverside City Council"


async def test_the_administrator_adds_a_person_and_ends_their_access(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, ADMIN)
    await page.goto(f"{live_server}/admin/people")
    await expect(page.get_by_role("heading", name="People")).to_be_visible()
    await check_page(page, screenshots, "admin-01-people")
    await page.get_by_role("button", name="Add a person").click()
    await check_page(page, screenshots, "admin-02-add-person")
    await page.get_by_role("button", name="Add the person").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    for message in ("Enter the person", "Enter their work email", "Give the person at least one role"):
        await expect(page.locator(".govuk-error-summary")).to_contain_text(message)
    await check_page(page, screenshots, "admin-03-add-person-errors")
    await page.get_by_label("Full name").fill("Rita Reviewer")
    await page.get_by_label("Work email address").fill("rita.reviewer@riverside.example.gov.uk")
    await page.get_by_label("IRO", exact=True).check()
    await page.get_by_label("IRO manager").check()
    await page.get_by_role("button", name="Add the person").click()
    await expect(page.get_by_text("The person is added.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Rita Reviewer")
    await expect(row).to_contain_text("IRO manager")
    await check_page(page, screenshots, "admin-04-person-added")

    await page.get_by_role("link", name="Rita Reviewer").click()
    await check_page(page, screenshots, "admin-05-edit-person")
    await page.get_by_label("IRO manager").uncheck()
    await page.get_by_label("IRO", exact=True).uncheck()
    await page.get_by_role("button", name="Save changes").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_page(page, screenshots, "admin-06-edit-person-errors")
    await page.get_by_label("IRO", exact=True).check()
    await page.get_by_role("button", name="Save changes").click()
    await expect(page.get_by_text("The changes are saved.")).to_be_visible()

    await page.get_by_role("link", name="Rita Reviewer").click()
    await page.get_by_role("button", name="End their access").click()
    await expect(page.get_by_role("heading", name="End Rita Reviewer's access?")).to_be_visible()
    await check_page(page, screenshots, "admin-07-end-access")
    await page.get_by_role("button", name="End their access").click()
    await expect(page.get_by_text("Their access has ended.")).to_be_visible()
    await expect(page.get_by_role("row").filter(has_text="Rita Reviewer")).to_contain_text("Access ended")
    await check_page(page, screenshots, "admin-08-access-ended")
    await context.close()


async def test_the_administrator_sends_undelivered_email_again(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    """Issue 16: the IRO's notice of a new case was refused by the mail server; the administrator finds it
    from the people page and sends it again."""
    await world.open_case()
    async with world.sessions() as session, session.begin():
        await session.execute(
            sa.update(OutboxMessage).values(
                state=OutboxState.DEAD,
                attempts=1,
                last_error="refused by the relay: (550, 'No such user here')",
            )
        )
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, ADMIN)
    await page.goto(f"{live_server}/admin/people")
    await page.get_by_role("link", name="email not delivered").click()
    await expect(page.get_by_role("heading", name="Email not delivered")).to_be_visible()
    await check_page(page, screenshots, "admin-09-email-not-delivered")
    # Each button names its email: the IRO has two here (P3, and the child's first review, R1).
    await page.get_by_role(
        "button", name="Send again to Ivan Reviewer: New task under the guardian–IRO protocol (P3)"
    ).click()
    await expect(page.get_by_text("The email is queued again: it will be sent now.")).to_be_visible()
    await check_page(page, screenshots, "admin-10-email-queued-again")
    await context.close()


async def test_the_national_administrator_adds_an_organisation(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, NATIONAL_ADMIN)
    await page.goto(f"{live_server}/admin/organisations")
    await check_page(page, screenshots, "admin-national-01-organisations")
    await page.get_by_role("button", name="Add an organisation").click()
    await check_page(page, screenshots, "admin-national-02-add")
    await page.get_by_label("Local authority").check()
    await page.get_by_label("ONS code").fill("E0900")
    await page.get_by_role("button", name="Continue").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("An ONS code looks like")
    await check_page(page, screenshots, "admin-national-03-errors")
    await page.get_by_label("ONS code").fill("E09000901")
    await page.get_by_label("Name", exact=True).fill("Eastfield Borough Council")
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_role("heading", name="Check the organisation before you add it")).to_be_visible()
    await check_page(page, screenshots, "admin-national-04-check")
    await page.get_by_role("button", name="Add the organisation").click()
    await expect(page.get_by_text("The organisation is added. Now add its people.")).to_be_visible()
    await check_page(page, screenshots, "admin-national-05-added")
    await context.close()


async def test_a_person_makes_and_revokes_an_api_token(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, GUARDIAN)
    await page.goto(f"{live_server}/settings/email")
    await page.get_by_role("link", name="API tokens").click()
    await check_page(page, screenshots, "tokens-01-none")
    await page.get_by_role("button", name="Make a token").click()
    await check_page(page, screenshots, "tokens-02-form")
    await page.get_by_role("button", name="Make the token").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("Say what the token is for")
    await expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose what the token may be used for"
    )
    await check_page(page, screenshots, "tokens-03-errors")
    await page.get_by_label("What is it for?").fill("Case system")
    await page.get_by_label("Read your cases").check()
    await page.get_by_label("30 days").check()
    await page.get_by_role("button", name="Make the token").click()
    secret = page.get_by_label("Your token")
    await expect(secret).to_have_value(re.compile(r"^gip_"))
    await check_page(page, screenshots, "tokens-04-made")
    value = await secret.input_value()
    await page.get_by_role("button", name="I have copied it").click()
    await expect(page.get_by_role("heading", name="Case system")).to_be_visible()
    assert value not in await page.content()
    await check_page(page, screenshots, "tokens-05-list")
    await page.get_by_role("link", name="Revoke Case system").click()
    await check_page(page, screenshots, "tokens-06-revoke")
    await page.get_by_role("button", name="Revoke the token").click()
    await expect(page.get_by_text("The token is revoked.")).to_be_visible()
    await expect(page.get_by_role("link", name="Revoke Case system")).to_have_count(0)
    await check_page(page, screenshots, "tokens-07-revoked")
    await context.close()


async def test_records_are_kept_under_the_rule_and_held_by_the_solicitor(
    browser: Browser, live_server: str, client: httpx.AsyncClient, world: World, screenshots: Path
) -> None:
    """Issue 16: the administrator sets the authority's rule (the years revealed by their choice); the
    solicitor places a legal hold on a concluded case, after being told a reason is needed, then lifts it."""
    case_id = await ended_with_a_handover(client, world)
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, ADMIN)
    await page.goto(f"{live_server}/admin/people")
    await page.get_by_role("link", name="how long concluded cases are kept").click()
    await expect(page.get_by_role("heading", name="Keeping concluded cases")).to_be_visible()
    await check_page(page, screenshots, "admin-11-retention")
    await page.get_by_label("A number of years after the proceedings concluded").check()
    await page.get_by_role("textbox", name="Years").fill("0")
    await page.get_by_role("button", name="Save the rule").click()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("from 1 to 100")
    await check_page(page, screenshots, "admin-12-retention-error")
    await page.get_by_role("textbox", name="Years").fill("25")
    await page.get_by_role("button", name="Save the rule").click()
    await expect(page.get_by_text("25 years after the proceedings concluded")).to_be_visible()
    await context.close()

    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, SOLICITOR)
    await page.goto(f"{live_server}/cases/{case_id}")
    await page.get_by_role("link", name="How long the case is kept, and legal holds").click()
    await expect(page.get_by_role("heading", name="Keeping the records")).to_be_visible()
    await check_page(page, screenshots, "case-retention-01")
    await page.get_by_role("button", name="Place a legal hold").click()
    await page.get_by_role("button", name="Place the hold").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_page(page, screenshots, "case-retention-02-hold-error")
    await page.get_by_label("Why must the records be kept?").fill("A claim against the authority")
    await page.get_by_role("button", name="Place the hold").click()
    await expect(page.get_by_text("The legal hold is in place")).to_be_visible()
    await check_page(page, screenshots, "case-retention-03-held")
    await page.get_by_role("link", name=re.compile("^Lift")).click()
    await page.get_by_label("Why can the hold be lifted?").fill("Settled")
    await page.get_by_role("button", name="Lift the hold").click()
    await expect(page.get_by_text("The legal hold is lifted")).to_be_visible()
    await context.close()
