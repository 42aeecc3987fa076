"""Issue 14, service basics, with JavaScript off: the GOV.UK footer's links on every page, the accessibility
statement, privacy notice and cookies page readable without signing in, the service navigation (its mobile
menu's button, and "Sign out" as its last link), and signing out by that link only from the portal's own
pages."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import httpx
import pytest

from portal.auth.actor import Actor
from portal.settings import Settings
from portal.web.rendering import TEMPLATES
from tests.support.browsing import csrf_from, csrf_of, sign_in_as
from tests.support.world import World

INFO_PAGES = {
    "/accessibility": "Accessibility statement for the Guardian–IRO portal",
    "/privacy": "Privacy notice",
    "/cookies": "Cookies",
}
FOOTER = re.compile(r'<footer class="govuk-template__footer">.*?</footer>', re.S)
NAV = re.compile(r'<ul class="govuk-service-navigation__list" id="navigation">(.*?)</ul>', re.S)
NAV_LINK = re.compile(r'<a class="govuk-service-navigation__link" href="([^"]+)"[^>]*>(.*?)</a>', re.S)
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"}


def footer_links(html: str) -> dict[str, str]:
    footer = FOOTER.search(html)
    assert footer, "the page has no footer"
    links = re.findall(r'<a class="govuk-footer__link" href="([^"]+)">\s*([^<]+?)\s*</a>', footer.group(0))
    return {text: href for href, text in links}


def nav_list(html: str) -> str:
    nav = NAV.search(html)
    assert nav, "the page has no service navigation list"
    return nav.group(1)


def nav_links(html: str) -> list[tuple[str, str]]:
    return [(href, re.sub(r"<[^>]+>", "", text).strip()) for href, text in NAV_LINK.findall(nav_list(html))]


def cookies_set(response: httpx.Response) -> dict[str, SimpleCookie]:
    """The cookies a response sets, by name (each with its attributes)."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            found[name] = cookie
    return found


async def signed_in(web: httpx.AsyncClient, world: World, who: str = "guardian") -> str:
    await sign_in_as(web, world.id(who))
    return (await web.get("/cases")).text


async def test_the_footer_links_to_the_accessibility_statement_cookies_and_privacy_on_every_page(
    web: httpx.AsyncClient, world: World
) -> None:
    expected = {
        "Accessibility statement": "/accessibility",
        "Cookies": "/cookies",
        "Privacy notice": "/privacy",
    }
    signed_out_pages = ["/sign-in", "/signed-out", "/no-such-page", *INFO_PAGES]
    for path in signed_out_pages:
        response = await web.get(path)
        assert footer_links(response.text) == expected, path
    cases = await signed_in(web, world)
    assert footer_links(cases) == expected
    for path in ("/tasks", "/settings/email", *INFO_PAGES):
        assert footer_links((await web.get(path)).text) == expected, path


@pytest.mark.parametrize("path", list(INFO_PAGES))
async def test_the_information_pages_need_no_sign_in_and_have_the_pages_security_headers(
    web: httpx.AsyncClient, path: str
) -> None:
    response = await web.get(path)
    assert response.status_code == 200
    assert f'<h1 class="govuk-heading-l">{INFO_PAGES[path]}</h1>' in response.text
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["cache-control"] == "no-store"
    # Nothing is set for someone who only reads: these pages have no form, so no CSRF token is made.
    assert "set-cookie" not in response.headers
    # Nobody is signed in: no navigation, and nothing that suggests otherwise.
    assert "govuk-service-navigation__list" not in response.text
    assert "Signed in as" not in response.text


async def test_a_signed_in_person_keeps_their_navigation_on_the_information_pages(
    web: httpx.AsyncClient, world: World
) -> None:
    await signed_in(web, world)
    for path in INFO_PAGES:
        page = (await web.get(path)).text
        assert "Signed in as <strong>Gina Guardian</strong>" in page
        assert ("/sign-out", "Sign out") in nav_links(page)
        # None of the navigation's items is the current one.
        assert "aria-current" not in nav_list(page)


async def test_the_accessibility_statement_is_a_statement_under_the_2018_regulations(
    web: httpx.AsyncClient,
) -> None:
    text = (await web.get("/accessibility")).text
    for needed in (
        "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018",
        "partially compliant with the",
        "Web Content Accessibility Guidelines version 2.2</a> AA standard",
        "Non-accessible content",
        "How accessible this service is",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Equality and Human Rights Commission (EHRC)",
        "Equality Commission for Northern Ireland (ECNI)",
        "Equality Advisory and Support Service (EASS)",
        "axe",
        "1280 and 320 pixels wide",
        "using only a keyboard",
        "JavaScript turned off",
        "This statement was prepared on 6 December 2026",
    ):
        assert needed in text, needed


async def test_the_privacy_notice_says_what_is_held_why_by_whom_for_how_long_and_the_rights(
    web: httpx.AsyncClient, settings: Settings
) -> None:
    text = (await web.get("/privacy")).text
    for needed in (
        "controllers",
        "Cafcass",
        "the local authority looking after the child",
        "About children and their families",
        "About the professionals who use the portal",
        "Every look at a child's record is logged",
        "Article 6(1)(e), public task",
        "substantial public interest (UK GDPR Article 9(2)(g))",
        "safeguarding children and individuals at risk",
        "How long it is kept",
        "Your rights",
        "subject access request",
        "data protection officer",
        "Information Commissioner's Office (ICO)",
        f"ends after {settings.session_idle_minutes} minutes without use",
    ):
        assert needed in text, needed


async def test_the_cookies_page_lists_exactly_the_cookies_the_portal_sets(
    web: httpx.AsyncClient, world: World, settings: Settings
) -> None:
    """Read from real responses: the sign-in page (its form's CSRF token), signing in, a page, signing
    out. The cookies page names each one, and its expiry is the one the response gives."""
    seen: dict[str, SimpleCookie] = {}
    sign_in_page = await web.get("/sign-in")
    seen |= cookies_set(sign_in_page)
    choice = {"csrf_token": csrf_from(sign_in_page.text), "person_id": str(world.id("guardian"))}
    signing_in = await web.post("/sign-in/demo", data=choice)
    seen |= cookies_set(signing_in)
    cases = await web.get("/cases")
    seen |= cookies_set(cases)
    settings_page = await web.get("/settings/email")
    seen |= cookies_set(settings_page)
    out = await web.post("/sign-out", data={"csrf_token": csrf_from(settings_page.text)})
    assert set(cookies_set(out)) <= set(seen)
    assert seen, "the portal set no cookie at all"

    page = (await web.get("/cookies")).text
    listed = re.findall(r"<code data-cookie-name>([^<]+)</code>", page)
    assert sorted(listed) == sorted(seen)
    for name, cookie in seen.items():
        hours = int(cookie[name]["max-age"]) // 3600
        assert hours == settings.session_absolute_hours
        assert f"{hours} hours after it is set" in page
        assert cookie[name]["httponly"]
    assert "no analytics" in page


async def test_the_navigation_has_the_mobile_menu_button_and_sign_out_as_its_last_link(
    web: httpx.AsyncClient, world: World
) -> None:
    page = await signed_in(web, world)
    # GOV.UK Frontend 6's toggle: hidden until its script runs, so without JavaScript the list shows.
    assert re.search(
        r'<button type="button" class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle" '
        r'aria-controls="navigation" hidden aria-hidden="true">\s*Menu\s*</button>',
        page,
    )
    assert '<ul class="govuk-service-navigation__list" id="navigation">' in page
    links = nav_links(page)
    assert links[0] == ("/cases", "Your cases")
    assert links[-1] == ("/sign-out", "Sign out")
    # The current page is marked, with GOV.UK's fallback for people who override colours.
    assert re.search(
        r'href="/cases" aria-current="page">\s*'
        r'<strong class="govuk-service-navigation__active-fallback">Your cases</strong>',
        page,
    )
    # No sign-out form or custom account bar any more; who is signed in is still said.
    assert 'action="/sign-out"' not in page
    assert "app-account-bar" not in page
    assert "Signed in as <strong>Gina Guardian</strong>, Cafcass Riverside" in page


async def test_the_navigation_links_administrators_to_their_pages_before_settings_and_sign_out(
    web: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The administrators' pages give base.html ``admin_nav(actor)``: their link, or None for anyone else."""

    def admin_nav(actor: Actor | None) -> tuple[str, str] | None:
        return ("/admin/people", "People") if actor and actor.name == "Ada Admin" else None

    monkeypatch.setitem(TEMPLATES.env.globals, "admin_nav", admin_nav)
    await sign_in_as(web, world.id("admin"))
    links = nav_links((await web.get("/cases")).text)
    assert links[-3:] == [
        ("/admin/people", "People"),
        ("/settings/email", "Settings"),
        ("/sign-out", "Sign out"),
    ]
    guardian = await signed_in(web, world)
    assert "/admin/" not in nav_list(guardian)


async def test_a_page_within_a_section_marks_its_navigation_item_as_the_section(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("guardian"))
    page = (await web.get(f"/cases/{case_id}")).text
    assert re.search(r'href="/cases" aria-current="true">', page)
    assert 'aria-current="page"' not in nav_list(page)


async def test_the_sign_out_link_from_another_site_asks_first_and_signs_nobody_out(
    web: httpx.AsyncClient, world: World
) -> None:
    """A link to /sign-out on another site (or one with no Sec-Fetch-Site, which httpx is) cannot sign
    anyone out: it shows a page with a form, which needs this session's CSRF token."""
    await signed_in(web, world)
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {}):
        response = await web.get("/sign-out", headers=headers)
        assert response.status_code == 200
        assert '<h1 class="govuk-heading-l">Sign out</h1>' in response.text
        assert '<form method="post" action="/sign-out"' in response.text
        assert "set-cookie" not in response.headers
        assert (await web.get("/cases")).status_code == 200, "signed out by a link from elsewhere"
    # A browser prefetching the link from the portal's own page signs nobody out either.
    prefetch = await web.get("/sign-out", headers={**SAME_ORIGIN, "Sec-Purpose": "prefetch"})
    assert prefetch.status_code == 200
    assert (await web.get("/cases")).status_code == 200
    # The confirmation's button signs out.
    confirmation = await web.get("/sign-out", headers={"Sec-Fetch-Site": "cross-site"})
    out = await web.post("/sign-out", data={"csrf_token": csrf_from(confirmation.text)})
    assert out.status_code == 303
    assert out.headers["location"] == "/signed-out"
    assert (await web.get("/cases")).headers["location"] == "/sign-in"


async def test_the_sign_out_link_from_the_portals_own_page_signs_out(
    web: httpx.AsyncClient, world: World
) -> None:
    await signed_in(web, world)
    response = await web.get("/sign-out", headers=SAME_ORIGIN)
    assert response.status_code == 303
    assert response.headers["location"] == "/signed-out"
    assert "portal_session=null" in response.headers["set-cookie"]
    assert (await web.get("/cases")).headers["location"] == "/sign-in"
    signed_out = await web.get("/signed-out")
    assert '<h1 class="govuk-heading-l">You have signed out</h1>' in signed_out.text
    # Signed out for good: the old session is over on the server too, and the link now has nothing to do.
    again = await web.get("/sign-out", headers={"Sec-Fetch-Site": "cross-site"})
    assert again.headers["location"] == "/signed-out"


async def test_a_stolen_cookie_is_worthless_after_signing_out_by_the_link(
    web: httpx.AsyncClient, world: World
) -> None:
    await signed_in(web, world)
    kept = dict(web.cookies)
    assert (await web.get("/sign-out", headers=SAME_ORIGIN)).status_code == 303
    web.cookies.clear()
    web.cookies.update(kept)
    assert (await web.get("/cases")).headers["location"] == "/sign-in"


async def test_posting_the_sign_out_form_still_works_and_still_needs_the_csrf_token(
    web: httpx.AsyncClient, world: World
) -> None:
    await signed_in(web, world)
    refused = await web.post("/sign-out", data={"csrf_token": "not-this-sessions"})
    assert refused.status_code == 403
    assert (await web.get("/cases")).status_code == 200
    confirmation = (await web.get("/sign-out")).text
    assert csrf_from(confirmation) == await csrf_of(web)
    out = await web.post("/sign-out", data={"csrf_token": csrf_from(confirmation)})
    assert out.status_code == 303
    assert out.headers["location"] == "/signed-out"
    assert (await web.get("/cases")).headers["location"] == "/sign-in"


async def test_the_access_log_table_scrolls_in_its_own_container(
    web: httpx.AsyncClient, world: World
) -> None:
    """Reflow at 320 px (WCAG 1.4.10): the access log's five columns scroll inside a named, focusable
    region rather than the page."""
    case_id = await world.open_case()
    await sign_in_as(web, world.id("cafcass_manager"))
    page = (await web.get(f"/cases/{case_id}/access-log")).text
    assert re.search(
        r'<div class="app-table-container" role="region" aria-label="Access log" tabindex="0">\s*'
        r'<table class="govuk-table">',
        page,
    )
