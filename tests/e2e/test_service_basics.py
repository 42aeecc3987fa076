"""Issue 14, service basics, in Chromium: the service navigation's mobile menu at 320 px (with and without
JavaScript) and signing out from it; a "Sign out" link on another site asks first; and the pages every
user meets (the information pages, signing in and out, not found, the access log, email settings, a form
with its errors) clean under axe at 1280 and 320 px, with no sideways scrolling at 320 px (WCAG 1.4.10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.e2e.support import NARROW, check_page, sign_in
from tests.support.world import World

pytestmark = pytest.mark.browser

GUARDIAN = "Gina Guardian, Cafcass Riverside"


def menu(page: Page) -> Locator:
    return page.get_by_role("button", name="Menu")


async def test_at_320_px_the_menu_button_opens_and_closes_the_navigation_and_signs_out(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    context = await browser.new_context(viewport={"width": NARROW, "height": 800})
    page = await context.new_page()
    await sign_in(page, live_server, GUARDIAN)
    await expect(page.get_by_role("heading", name="What needs doing")).to_be_visible()
    navigation = page.get_by_role("navigation", name="Menu")
    your_cases = navigation.get_by_role("link", name="Your cases", exact=True)
    sign_out = navigation.get_by_role("link", name="Sign out")

    # Closed to start with: only the button shows.
    await expect(menu(page)).to_be_visible()
    await expect(menu(page)).to_have_attribute("aria-expanded", "false")
    await expect(your_cases).to_be_hidden()
    await expect(sign_out).to_be_hidden()
    await check_page(page, screenshots, "01-menu-closed")

    await menu(page).click()
    await expect(menu(page)).to_have_attribute("aria-expanded", "true")
    await expect(your_cases).to_be_visible()
    await expect(sign_out).to_be_visible()
    await check_page(page, screenshots, "02-menu-open")

    await menu(page).click()
    await expect(menu(page)).to_have_attribute("aria-expanded", "false")
    await expect(sign_out).to_be_hidden()

    # At desktop width the button goes and the list is always there.
    await page.set_viewport_size({"width": 1280, "height": 800})
    await expect(menu(page)).to_be_hidden()
    await expect(sign_out).to_be_visible()
    await page.set_viewport_size({"width": NARROW, "height": 800})

    await menu(page).click()
    await sign_out.click()
    await expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    assert page.url == f"{live_server}/signed-out"
    await check_page(page, screenshots, "03-signed-out")
    await page.goto(f"{live_server}/cases")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await context.close()


async def test_without_javascript_the_navigation_shows_at_320_px_and_its_sign_out_link_works(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    context = await browser.new_context(viewport={"width": NARROW, "height": 800}, java_script_enabled=False)
    page = await context.new_page()
    await sign_in(page, live_server, GUARDIAN)
    await expect(page.get_by_role("heading", name="What needs doing")).to_be_visible()
    # The button needs the script to work, so without it the button stays hidden and the list shows.
    await expect(page.locator(".govuk-service-navigation__toggle")).to_be_hidden()
    await expect(page.get_by_role("link", name="Your cases", exact=True)).to_be_visible()
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= NARROW, f"the page is {overflow} px wide"
    await page.screenshot(path=screenshots / "01-no-javascript.png", full_page=True)
    await page.get_by_role("link", name="Sign out").click()
    await expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    await page.goto(f"{live_server}/cases")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await context.close()


async def test_a_sign_out_link_on_another_site_asks_before_signing_out(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    """The browser says where a navigation came from (Sec-Fetch-Site), so a link elsewhere to /sign-out
    shows the question, with a form that carries this session's CSRF token, instead of signing out."""
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, live_server, GUARDIAN)
    elsewhere = "http://elsewhere.example/"
    await context.route(
        elsewhere,
        lambda route: route.fulfill(
            content_type="text/html",
            body=f'<!DOCTYPE html><title>Elsewhere</title><a href="{live_server}/sign-out">Sign out</a>',
        ),
    )
    await page.goto(elsewhere)
    await page.get_by_role("link", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign out")).to_be_visible()
    assert page.url == f"{live_server}/sign-out"
    await check_page(page, screenshots, "01-sign-out-question")
    # Still signed in.
    await page.goto(f"{live_server}/cases")
    await expect(page.get_by_role("heading", name="Your cases")).to_be_visible()
    # The question's button signs out.
    await page.goto(elsewhere)
    await page.get_by_role("link", name="Sign out").click()
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    await page.goto(f"{live_server}/cases")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await context.close()


async def test_the_pages_everyone_meets_pass_axe_and_reflow_at_320_px(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    case_id = await world.open_case(case_number="RV26C00777")
    context = await browser.new_context()
    page = await context.new_page()

    # Signed out: the information pages, reached from the footer, and signing in.
    await page.goto(f"{live_server}/sign-in")
    await check_page(page, screenshots, "01-sign-in")
    statement = "Accessibility statement for the Guardian–IRO portal"
    for link, heading, name in (
        ("Accessibility statement", statement, "02-accessibility"),
        ("Privacy notice", "Privacy notice", "03-privacy"),
        ("Cookies", "Cookies", "04-cookies"),
    ):
        await page.get_by_role("contentinfo").get_by_role("link", name=link).click()
        await expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        await check_page(page, screenshots, name)
    await page.goto(f"{live_server}/no-such-page")
    await expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    await check_page(page, screenshots, "05-not-found")

    # The guardian: email settings, and the contact form with its errors.
    await sign_in(page, live_server, GUARDIAN)
    await page.get_by_role("link", name="Settings", exact=True).click()
    await expect(page.get_by_role("heading", name="Email settings")).to_be_visible()
    await check_page(page, screenshots, "06-email-settings")
    # A long email address (or web address, or word) wraps rather than widening the page at 320 px.
    await page.set_viewport_size({"width": NARROW, "height": 800})
    long_address = "gina.guardian.with.a.very.long.name@riverside-childrens-services.example.gov.uk"
    await page.locator("main p").first.evaluate("(p, text) => { p.textContent = text; }", long_address)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW, f"a long address makes the page {width} px wide"
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.get_by_role("link", name="Privacy notice").click()
    await expect(page.get_by_text("Signed in as Gina Guardian")).to_be_visible()
    await check_page(page, screenshots, "07-privacy-signed-in")
    await page.goto(f"{live_server}/cases/{case_id}/contacts/new")
    await page.get_by_label("Summary").fill("")
    await page.get_by_role("button", name="Save contact").click()
    await expect(page.locator(".govuk-error-summary")).to_be_focused()
    await check_page(page, screenshots, "08-contact-form-errors")

    # A manager: the access log, its table scrolling in its own container at 320 px.
    await page.get_by_role("link", name="Sign out").click()
    await expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    await sign_in(page, live_server, "Carla Manager, Cafcass Riverside")
    await page.goto(f"{live_server}/cases/{case_id}/access-log")
    await expect(page.get_by_role("heading", name="Access log")).to_be_visible()
    await check_page(page, screenshots, "09-access-log")
    await page.set_viewport_size({"width": NARROW, "height": 800})
    log = page.get_by_role("region", name="Access log")
    assert await log.evaluate("(el) => el.scrollWidth > el.clientWidth"), "the table fits: nothing to test"
    await context.close()


async def test_the_case_forms_pass_axe_and_reflow_at_320_px_with_their_errors(
    browser: Browser, live_server: str, world: World, screenshots: Path
) -> None:
    """The forms on a case (P3 arrangement, P4 review, P5/P6 discussion, P8 concern, P9 significant issue),
    empty and then sent empty, so that every one shows its error summary."""
    case_id = await world.open_case(case_number="RV26C00778")
    context = await browser.new_context()
    page = await context.new_page()
    forms = {
        "Ivan Reviewer, Riverside City Council": [
            ("reviews/new", "Book the review", "review"),
            ("discussions/new", "Save the record", "discussion"),
            ("significant-issues/new", "Save", "significant-issue"),
            ("arrangement", "Save", "arrangement"),
        ],
        GUARDIAN: [("concerns/new", "Raise the concern", "concern")],
    }
    for who, pages in forms.items():
        await sign_in(page, live_server, who)
        for path, button, name in pages:
            await page.goto(f"{live_server}/cases/{case_id}/{path}")
            await expect(page.get_by_role("heading", level=1)).to_be_visible()
            await check_page(page, screenshots, f"{name}-form")
            await page.get_by_role("button", name=button, exact=True).click()
            await expect(page.locator(".govuk-error-summary")).to_be_focused()
            await check_page(page, screenshots, f"{name}-errors")
        await page.get_by_role("link", name="Sign out").click()
        await expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    await context.close()
