"""Signing in with OpenID Connect in Chromium, through the real npm oidc-provider's own login page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from portal.settings import OidcProvider
from tests.e2e.conftest import Serve
from tests.e2e.support import check_accessibility
from tests.support.oidc import CLIENT_ID, CLIENT_SECRET, oidc_provider
from tests.support.ports import free_port
from tests.support.world import World

pytestmark = pytest.mark.browser


async def test_a_provisioned_person_signs_in_with_their_organisations_account(
    browser: Browser, serve: Serve, world: World, screenshots: Path
) -> None:
    port = free_port()
    accounts = {"ivan-at-riverside": {"email": "iro@riverside.example.gov.uk", "email_verified": True}}
    with oidc_provider([f"http://127.0.0.1:{port}"], accounts) as issuer:
        provider = OidcProvider(
            name="test",
            label="Riverside City Council",
            issuer=issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            organisations=["Riverside City Council"],
        )
        portal = serve(port, oidc_providers=[provider], demo_sign_in=False)
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(f"{portal}/sign-in")
        await check_accessibility(page, screenshots, "01-sign-in-with-provider")
        await page.get_by_role("button", name="Sign in with Riverside City Council").click()
        # The provider's own login page.
        await page.locator("input[name=login]").fill("ivan-at-riverside")
        await page.locator("input[name=password]").fill("any password")
        await page.locator("button[type=submit]").click()
        # An IRO lands on what needs doing.
        await expect(page.get_by_role("heading", name="What needs doing")).to_be_visible()
        await expect(page.get_by_text("Signed in as Ivan Reviewer")).to_be_visible()
        await check_accessibility(page, screenshots, "02-signed-in")

        await page.get_by_role("link", name="Sign out").click()
        # The provider asks to confirm signing out there too, then sends the person back.
        await page.locator("button[autofocus], button[type=submit]").first.click()
        await expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
        await check_accessibility(page, screenshots, "03-signed-out")
        await page.goto(f"{portal}/cases")
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        await context.close()


async def test_an_account_whose_email_is_not_verified_is_told_to_ask_an_administrator(
    browser: Browser, serve: Serve, world: World, screenshots: Path
) -> None:
    """Issue 13: a provider that does not confirm the email address binds no account; the page says why,
    and what to do, and passes axe."""
    port = free_port()
    accounts = {"ivan-unverified": {"email": "iro@riverside.example.gov.uk", "email_verified": False}}
    with oidc_provider([f"http://127.0.0.1:{port}"], accounts) as issuer:
        provider = OidcProvider(
            name="test",
            label="Riverside City Council",
            issuer=issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )
        portal = serve(port, oidc_providers=[provider], demo_sign_in=False)
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(f"{portal}/sign-in")
        await page.get_by_role("button", name="Sign in with Riverside City Council").click()
        await page.locator("input[name=login]").fill("ivan-unverified")
        await page.locator("input[name=password]").fill("any password")
        await page.locator("button[type=submit]").click()
        await expect(page.get_by_role("heading", name="You cannot sign in")).to_be_visible()
        await expect(page.get_by_text("has not confirmed your email address")).to_be_visible()
        await check_accessibility(page, screenshots, "04-email-not-verified")
        await page.goto(f"{portal}/cases")
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        await context.close()
