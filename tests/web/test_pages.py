"""The pages work without JavaScript: sign in, your cases, the case, logging a contact."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from models import LegalStatus
from portal import clock
from portal.app import create_app
from portal.settings import Settings
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.queries import row_counts
from tests.support.world import World


def _contact_form(page: str, **fields: str) -> dict[str, str]:
    today = date.today()
    return {
        "csrf_token": csrf_from(page),
        "direction": "outgoing",
        "occurredAt-day": str(today.day),
        "occurredAt-month": str(today.month),
        "occurredAt-year": str(today.year),
        "occurredTime": "",
        "channel": "PHONE",
        "purpose": "INTRODUCTION",
        "summary": "Introduced myself as Amy's guardian and agreed to speak after each hearing.",
        **fields,
    }


async def test_signing_in_lists_people_and_lands_on_your_cases(web: httpx.AsyncClient, world: World) -> None:
    page = await web.get("/sign-in")
    assert "Gina Guardian" in page.text
    assert "Ivan Reviewer" in page.text
    await sign_in_as(web, world.id("guardian"))
    cases = await web.get("/cases")
    assert cases.status_code == 200
    assert '<h1 class="govuk-heading-l">Your cases</h1>' in cases.text
    assert "Signed in as <strong>Gina Guardian</strong>" in cases.text


async def test_pages_need_a_signed_in_person(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    for path in ("/cases", f"/cases/{case_id}", f"/cases/{case_id}/contacts/new"):
        response = await web.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in"


async def test_the_case_page_shows_the_shared_view(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case(
        [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_SUPERVISION_ORDER)]
    )
    await sign_in_as(web, world.id("solicitor"))
    page = (await web.get(f"/cases/{case_id}")).text
    for text in (
        "Amy Example",
        "Ben Example",
        "Interim supervision order",
        "so has no IRO",
        "Gina Guardian",
        "Cafcass Riverside",
        "Ivan Reviewer",
        "26-week date",
        "No contacts have been",
    ):
        assert text in page, text
    # The 26-week date with its rule, cited: the last day within it is the day before (issued 10 weeks ago).
    last_day = clock.today() - timedelta(weeks=10) + timedelta(weeks=26, days=-1)
    assert "The Children Act 1989, section 32(1)(a)(ii), sets the limit as 26 weeks beginning" in page
    assert f"the last day within it is {last_day.day} {last_day:%B %Y}." in page
    assert "Log a contact" not in page  # the LA solicitor does not keep the ledger


async def test_logging_a_contact_shows_errors_then_saves(
    web: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("guardian"))
    form = await web.get(f"/cases/{case_id}/contacts/new")
    assert form.status_code == 200
    assert 'value="' + str(world.id("iro")) + '" checked' in form.text  # the only IRO is chosen already

    before = await row_counts(engine)
    tomorrow = date.today() + timedelta(days=1)
    bad = await web.post(
        f"/cases/{case_id}/contacts",
        data=_contact_form(
            form.text,
            counterpartId=str(world.id("iro")),
            summary=" ",
            channel="",
            **{
                "occurredAt-day": str(tomorrow.day),
                "occurredAt-month": str(tomorrow.month),
                "occurredAt-year": str(tomorrow.year),
            },
        ),
    )
    assert bad.status_code == 400
    summary = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', bad.text, re.S)
    assert summary
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(1))
    assert links == [
        ("occurredAt-day", "The contact must be dated today or in the past"),
        ("channel", "Select how the contact was made"),
        ("summary", "Enter a summary of the contact"),
    ]
    assert "<title>Error: Log a contact" in bad.text
    assert await row_counts(engine) == before

    good = await web.post(
        f"/cases/{case_id}/contacts",
        data=_contact_form(bad.text, counterpartId=str(world.id("iro")), occurredTime="12am"),
    )
    assert good.status_code == 303
    page = (await web.get(good.headers["location"])).text
    assert "Contact logged" in page
    assert "Introduced myself as Amy&#39;s guardian" in page
    assert "Guardian made contact" in page


async def test_a_real_date_is_asked_for(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("guardian"))
    form = await web.get(f"/cases/{case_id}/contacts/new")
    bad = await web.post(
        f"/cases/{case_id}/contacts",
        data=_contact_form(
            form.text,
            counterpartId=str(world.id("iro")),
            occurredTime="25:00",
            **{"occurredAt-day": "31", "occurredAt-month": "2"},
        ),
    )
    assert bad.status_code == 400
    assert "The date of the contact must be a real date" in bad.text
    assert "The time of the contact must be a real time" in bad.text
    # Issue 13: a real date outside the ones the portal handles is explained on the form, as the API
    # refuses it (OUT_OF_RANGE), rather than failing the page.
    beyond = await web.post(
        f"/cases/{case_id}/contacts",
        data=_contact_form(
            form.text,
            counterpartId=str(world.id("iro")),
            **{"occurredAt-year": "1066", "occurredAt-month": "10"},
        ),
    )
    assert beyond.status_code == 400
    assert "The date of the contact must be between 1 January 1900 and 31 December 2099" in beyond.text


async def test_a_form_without_the_csrf_token_is_refused(
    web: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("guardian"))
    form = await web.get(f"/cases/{case_id}/contacts/new")
    before = await row_counts(engine)
    response = await web.post(
        f"/cases/{case_id}/contacts",
        data={**_contact_form(form.text, counterpartId=str(world.id("iro"))), "csrf_token": "forged"},
    )
    assert response.status_code == 403
    assert await row_counts(engine) == before


async def test_someone_elses_case_is_not_found(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("other_iro"))
    for path in (
        f"/cases/{case_id}",
        f"/cases/{uuid.uuid4()}",
        "/cases/not-a-case",
        f"/cases/{case_id}/contacts/new",
    ):
        response = await web.get(path)
        assert response.status_code == 404, path
        assert "Page not found" in response.text


async def test_a_reply_is_marked_from_the_ledger(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("guardian"))
    form = await web.get(f"/cases/{case_id}/contacts/new")
    await web.post(
        f"/cases/{case_id}/contacts",
        data=_contact_form(form.text, counterpartId=str(world.id("iro")), replyExpected="yes"),
    )
    await sign_in_as(web, world.id("iro"))
    page = (await web.get(f"/cases/{case_id}")).text
    assert "Waiting for a reply" in page
    action = re.search(r'action="(/cases/[^"]+/reply)"', page)
    assert action
    marked = await web.post(action.group(1), data={"csrf_token": csrf_from(page)})
    assert marked.status_code == 303
    page = (await web.get(marked.headers["location"])).text
    assert "Reply marked as received" in page
    assert "Waiting for a reply" not in page


async def test_security_headers_are_on_every_page(web: httpx.AsyncClient) -> None:
    response = await web.get("/sign-in")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "portal_session" in response.headers.get("set-cookie", "")
    assert "httponly" in response.headers["set-cookie"].lower()
    assert "samesite=lax" in response.headers["set-cookie"].lower()


async def test_without_the_demo_there_is_no_persona_picker(client: httpx.AsyncClient, world: World) -> None:
    page = await client.get("/sign-in")
    assert "Gina Guardian" not in page.text
    response = await client.post("/sign-in/demo", data={"person_id": str(world.id("guardian"))})
    assert response.status_code == 404


async def test_every_form_post_needs_the_csrf_token(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("guardian"))
    app = web._transport.app  # type: ignore[attr-defined]
    posts = [
        r.path
        for r in app.routes
        if "POST" in (getattr(r, "methods", None) or set()) and r.path != "/graphql"
    ]
    assert len(posts) >= 5
    for path in posts:
        url = re.sub(
            r"\{(\w+)\}",
            lambda m: {"case_id": str(case_id), "provider": "test"}.get(m[1], str(uuid.uuid4())),
            path,
        )
        response = await web.post(url, data={"csrf_token": "forged", "person_id": str(world.id("iro"))})
        # 401: the upload route for API clients takes only a bearer token, never the session cookie.
        assert response.status_code in {401, 403, 404}, path
    # Still signed in as the guardian: no forged post changed who is signed in.
    assert "Signed in as <strong>Gina Guardian</strong>" in (await web.get("/cases")).text


async def test_over_https_cookies_are_secure_and_hsts_is_sent(
    settings: Settings, engine: AsyncEngine
) -> None:
    # The demo sign-in's form: a page with a form sets the cookie (for its CSRF token).
    https = {"base_url": "https://portal.example.gov.uk", "demo_sign_in": True}
    app = create_app(settings.model_copy(update=https), engine=engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://portal.test"
    ) as client:
        response = await client.get("/sign-in")
    cookie = response.headers["set-cookie"].lower()
    assert "secure" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_a_manager_reads_the_access_log_page(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("guardian"))
    await web.get(f"/cases/{case_id}")
    assert (await web.get(f"/cases/{case_id}/access-log")).status_code == 404
    await sign_in_as(web, world.id("iro_manager"))
    page = await web.get(f"/cases/{case_id}")
    assert "See who looked at and changed this case" in page.text
    log = await web.get(f"/cases/{case_id}/access-log")
    assert log.status_code == 200
    assert "Gina Guardian" in log.text
    assert "Viewed the case" in log.text


async def test_the_case_page_shows_the_protocol_panel(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    home = await world.open_case([("Maya", LegalStatus.INTERIM_SUPERVISION_ORDER)])
    await sign_in_as(web, world.id("guardian"))
    page = (await web.get(f"/cases/{case_id}")).text
    assert "<strong>P2</strong> The guardian makes contact with the IRO" in page
    assert "<strong>P3</strong>" in page
    assert "Gina Guardian and Ivan Reviewer" in page
    assert "the protocol&#39;s obligations do not apply" in (await web.get(f"/cases/{home}")).text


async def test_recording_how_guardian_and_iro_keep_in_touch(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("iro"))
    form = await web.get(f"/cases/{case_id}/arrangement")
    assert form.status_code == 200
    bad = await web.post(
        f"/cases/{case_id}/arrangement", data={"csrf_token": csrf_from(form.text), "everyWeeks": "often"}
    )
    assert bad.status_code == 400
    assert "Enter a number of weeks, like 4" in bad.text
    assert "Enter the date you agreed it" in bad.text
    today = date.today()
    good = await web.post(
        f"/cases/{case_id}/arrangement",
        data={
            "csrf_token": csrf_from(form.text),
            "agreedOn-day": str(today.day),
            "agreedOn-month": str(today.month),
            "agreedOn-year": str(today.year),
            "everyWeeks": "4",
            "onEvents": ["AFTER_EACH_HEARING", "BEFORE_EACH_REVIEW"],
            "notes": "The guardian calls after each hearing.",
        },
    )
    assert good.status_code == 303
    page = " ".join((await web.get(good.headers["location"])).text.split())
    assert "How you keep in touch is recorded" in page
    assert "at least every 4 weeks, and after each hearing; before each looked-after review." in page
    await sign_in_as(web, world.id("solicitor"))
    assert (await web.get(f"/cases/{case_id}/arrangement")).status_code == 404


async def test_your_tasks_groups_them_by_when_they_are_due(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case(case_number="RV26C00500")
    await sign_in_as(web, world.id("guardian"))
    page = " ".join((await web.get("/tasks")).text.split())
    assert '<h1 class="govuk-heading-l">What needs doing</h1>' in page
    assert "Due in the next 10 working days" in page
    assert "<strong>P2</strong> The guardian makes contact with the IRO" in page
    # P2's row leads to the form that meets it.
    assert f'<a class="govuk-link" href="/cases/{case_id}/contacts/new">Log the contact' in page
    assert "RV26C00500" in page


async def test_a_contact_marked_private_shows_to_the_guardian_and_iro_only(
    web: httpx.AsyncClient, world: World
) -> None:
    """Issue 18: the contact form's "Private to the guardian and the IRO"; the solicitor's ledger shows that
    the contact happened, not what was said."""
    case_id = await world.open_case()
    await sign_in_as(web, world.id("guardian"))
    form = (await web.get(f"/cases/{case_id}/contacts/new")).text
    assert 'name="private" type="checkbox" value="yes"' in form
    posted = await web.post(
        f"/cases/{case_id}/contacts",
        data=_contact_form(
            form, counterpartId=str(world.id("iro")), private="yes", summary="Between us two."
        ),
    )
    assert posted.status_code == 303
    mine = (await web.get(f"/cases/{case_id}")).text
    assert "Between us two." in mine
    assert "Private to the guardian and the IRO</strong>" in mine
    await sign_in_as(web, world.id("solicitor"))
    theirs = (await web.get(f"/cases/{case_id}")).text
    assert "Between us two." not in theirs
    assert "What was said is private to the guardian and the IRO." in theirs
    assert "Gina Guardian to Ivan Reviewer" in theirs  # that it happened
