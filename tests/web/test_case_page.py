"""The case page leads with the viewer's next steps, and each role lands first on what needs doing (issue
14), without JavaScript: the panel's actions per role, the viewer's overdue and due-soon duties each linking
to the form that meets it, the contents list, the ledger's newest entries with the rest a link away, the
banner at the top after saving, and the landing page per role."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from models import LegalStatus, Role
from portal.web.next_steps import LANDING, case_actions, form_for_duty, landing_page
from portal.web.pages import LEDGER_PAGE
from tests.conftest import Travel
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.graphql import gql, log_contact
from tests.support.world import World


def _text(html: str) -> str:
    return " ".join(html.split())


def _panel(html: str) -> str:
    """The next-steps panel of a case page (empty if it has none)."""
    match = re.search(r'<section class="app-next-steps".*?</section>', html, re.S)
    return _text(match.group(0)) if match else ""


def _actions(html: str) -> list[tuple[str, str]]:
    """The panel's action buttons, as (address, words)."""
    return re.findall(r'<a href="([^"]+)" role="button"[^>]*>([^<]+)</a>', _panel(html))


async def _case_page(web: httpx.AsyncClient, world: World, who: str, case_id: uuid.UUID) -> str:
    await sign_in_as(web, world.id(who))
    page = await web.get(f"/cases/{case_id}")
    assert page.status_code == 200
    return page.text


async def test_each_role_sees_its_own_actions_at_the_top(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    base = f"/cases/{case_id}"
    expected = {
        "guardian": [(f"{base}/contacts/new", "Log a contact"), (f"{base}/concerns/new", "Raise a concern")],
        "iro": [
            (f"{base}/contacts/new", "Log a contact"),
            (f"{base}/reviews/new", "Book a review"),
            (f"{base}/discussions/new", "Record a discussion"),
            (f"{base}/significant-issues/new", "Record a significant issue"),
            # A significant change in a child's circumstances the IRO learned of (SC).
            (f"{base}/significant-changes/new", "Record a significant change"),
        ],
        "solicitor": [
            (f"{base}/stage", "Record a hearing or stage change"),
            (f"{base}/extensions/new", "Record an extension"),
            (f"{base}/final-orders", "Record final orders"),
            (f"{base}/legal-status", "Record a change of legal status"),
        ],
        "cafcass_manager": [(f"{base}/guardian", "Reallocate the guardian")],
        "iro_manager": [(f"{base}/iro", "Reassign the IRO")],
    }
    for who, actions in expected.items():
        page = await _case_page(web, world, who, case_id)
        assert _actions(page) == actions, who
        # The panel comes straight after the heading, before the case's details.
        assert page.index("Your next steps") < page.index('id="details"') < page.index('id="ledger"'), who
    # The first action is the primary button, the others secondary.
    page = await _case_page(web, world, "iro", case_id)
    assert re.search(r'class="govuk-button" data-module="govuk-button">Log a contact<', page)
    assert re.search(r'govuk-button--secondary" data-module="govuk-button">Book a review<', page)


async def test_managers_are_offered_to_allocate_and_assign_where_nobody_is(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case(guardian=None, iro=None)
    page = await _case_page(web, world, "cafcass_manager", case_id)
    assert _actions(page) == [(f"/cases/{case_id}/guardian", "Allocate the guardian")]
    page = await _case_page(web, world, "iro_manager", case_id)
    assert _actions(page) == [(f"/cases/{case_id}/iro", "Assign the IRO")]
    # No child looked after: no IRO to assign (the protocol does not apply).
    home = await world.open_case([("Maya", LegalStatus.INTERIM_SUPERVISION_ORDER)])
    page = await _case_page(web, world, "iro_manager", home)
    assert all("/iro" not in href for href, _ in _actions(page))


async def test_the_panel_lists_your_overdue_duties_with_their_forms(
    web: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    """Three weeks after allocation the guardian's P2 (5 working days) and the shared P3 (10) are overdue:
    both are in the guardian's panel, each linking to the form that meets it; the IRO sees P3 only."""
    case_id = await world.open_case()
    travel(datetime.now(UTC) + timedelta(days=21))
    panel = _panel(await _case_page(web, world, "guardian", case_id))
    assert "Your duties on this case that are overdue or due soon" in panel
    assert re.search(
        rf'Overdue</strong> <a class="govuk-link" href="/cases/{case_id}/contacts/new">Log the contact'
        r'<span class="govuk-visually-hidden"> \(P2\)</span></a>',
        panel,
    )
    assert f'href="/cases/{case_id}/arrangement">Record how you will keep in touch' in panel
    assert "P2: The guardian makes contact with the IRO. Due" in panel
    assert re.search(r"P2: [^.]+\. Due [^,]+, \d+ working days overdue", panel)
    panel = _panel(await _case_page(web, world, "iro", case_id))
    assert f'href="/cases/{case_id}/arrangement">Record how you will keep in touch' in panel
    assert 'contacts/new">Log the contact' not in panel  # P2 is the guardian's, not the IRO's
    # A manager has no duties of their own here: the panel says how many are overdue on the case (P2, P3
    # and the IRO's R1: the child has been looked after for 13 weeks with no review).
    panel = _panel(await _case_page(web, world, "cafcass_manager", case_id))
    assert "3 of the duties on this case are overdue" in panel


async def test_due_soon_duties_are_in_the_panel_and_met_ones_leave_it(
    web: httpx.AsyncClient, world: World, client: httpx.AsyncClient
) -> None:
    case_id = await world.open_case()
    panel = _panel(await _case_page(web, world, "guardian", case_id))
    assert "Due soon</strong>" in panel
    assert "(P2)" in panel
    # The guardian's contact with the IRO meets P2: it leaves the panel; P3 stays.
    assert (await log_contact(client, world, "guardian", "iro", case_id))["errors"] == []
    panel = _panel(await _case_page(web, world, "guardian", case_id))
    assert "(P2)" not in panel
    assert "(P3)" in panel


async def test_the_contents_list_links_to_every_section(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    page = await _case_page(web, world, "guardian", case_id)
    contents = re.search(r'<nav class="app-contents".*?</nav>', page, re.S)
    assert contents
    targets = re.findall(r'href="#([^"]+)"', contents.group(0))
    assert targets == [
        "details",
        "children",
        "timeline",
        "protocol",
        "reviews",
        "significant-changes",
        "midpoint-checks",
        "letters",
        "discussions",
        "issues",
        "people",
        "ledger",
    ]
    for target in targets:
        assert f'id="{target}"' in page, target
    # Where nothing is raised and the viewer may raise nothing, the section and its entry are left out.
    page = await _case_page(web, world, "solicitor", case_id)
    assert 'href="#issues"' not in page
    assert 'id="issues"' not in page


async def test_the_ledger_shows_the_newest_entries_and_links_to_the_rest(
    web: httpx.AsyncClient, world: World, client: httpx.AsyncClient
) -> None:
    """P1: one record both sides see. Past LEDGER_PAGE entries, the newest show with a link to all of them;
    the counts are of the whole ledger."""
    case_id = await world.open_case()
    total = LEDGER_PAGE + 3
    for n in range(total):
        who, other = ("guardian", "iro") if n % 2 else ("iro", "guardian")
        at = (datetime.now(UTC) - timedelta(hours=total - n)).isoformat()
        payload = await log_contact(client, world, who, other, case_id, occurredAt=at, summary=f"Update {n}")
        assert payload["errors"] == []
    page = _text(await _case_page(web, world, "guardian", case_id))
    assert page.count('<li class="app-ledger__entry') == LEDGER_PAGE
    assert f"Update {total - 1}<" in page  # the newest
    assert "Update 0<" not in page  # the oldest is on the full ledger
    assert "The guardian made 11 of these contacts and the IRO made 12" in page
    assert f"Showing the newest {LEDGER_PAGE} of {total} entries, with a link to all of them" in page
    assert f'href="/cases/{case_id}?ledger=all#ledger">Show all {total} entries' in page
    everything = _text((await web.get(f"/cases/{case_id}?ledger=all")).text)
    assert everything.count('<li class="app-ledger__entry') == total
    assert "Update 0<" in everything
    assert "The guardian made 11 of these contacts and the IRO made 12" in everything
    assert f"Show only the newest {LEDGER_PAGE} entries" in everything


async def test_after_logging_a_contact_the_banner_is_at_the_top(web: httpx.AsyncClient, world: World) -> None:
    """No jump to a far anchor: the page opens at its top, where the banner is (GOV.UK Frontend focuses a
    success banner, role="alert"); the banner links to the new entry."""
    case_id = await world.open_case()
    await sign_in_as(web, world.id("guardian"))
    form = await web.get(f"/cases/{case_id}/contacts/new")
    today = datetime.now(UTC).date()
    saved = await web.post(
        f"/cases/{case_id}/contacts",
        data={
            "csrf_token": csrf_from(form.text),
            "counterpartId": str(world.id("iro")),
            "direction": "outgoing",
            "occurredAt-day": str(today.day),
            "occurredAt-month": str(today.month),
            "occurredAt-year": str(today.year),
            "channel": "PHONE",
            "purpose": "INTRODUCTION",
            "summary": "Introduced myself.",
        },
    )
    assert saved.status_code == 303
    location = saved.headers["location"]
    assert "#" not in location
    assert location.startswith(f"/cases/{case_id}?done=contact&entry=")
    entry = location.rsplit("=", 1)[1]
    page = (await web.get(location)).text
    main = page[page.index('<main class="govuk-main-wrapper" id="main-content">') :]
    # The banner is the first thing in the page's main content, before the heading.
    assert main.index('role="alert"') < main.index("<h1")
    assert main.index("Contact logged.") < main.index("<h1")
    assert f'href="/cases/{case_id}#entry-{entry}">See the entry in the ledger</a>' in page
    assert f'id="entry-{entry}"' in page


async def test_other_saves_go_back_to_the_top_too(web: httpx.AsyncClient, world: World) -> None:
    """P3's arrangement and a waived duty return to the case without an anchor."""
    case_id = await world.open_case()
    await sign_in_as(web, world.id("iro"))
    form = await web.get(f"/cases/{case_id}/arrangement")
    today = datetime.now(UTC).date()
    saved = await web.post(
        f"/cases/{case_id}/arrangement",
        data={
            "csrf_token": csrf_from(form.text),
            "agreedOn-day": str(today.day),
            "agreedOn-month": str(today.month),
            "agreedOn-year": str(today.year),
            "everyWeeks": "4",
        },
    )
    assert saved.headers["location"] == f"/cases/{case_id}?done=arrangement"
    await sign_in_as(web, world.id("cafcass_manager"))
    page = (await web.get(f"/cases/{case_id}")).text
    action = re.search(r'action="(/cases/[^"]+/waive)"', page)
    assert action
    waived = await web.post(action.group(1), data={"csrf_token": csrf_from(page), "reason": "Not needed"})
    assert waived.headers["location"] == f"/cases/{case_id}?done=waived"


async def test_task_rows_lead_to_the_form_that_meets_them(
    web: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    """'What needs doing' leads with the overdue duties (P2, P3), each row linking to its form."""
    case_id = await world.open_case(case_number="RV26C00700")
    travel(datetime.now(UTC) + timedelta(days=21))
    await sign_in_as(web, world.id("guardian"))
    page = _text((await web.get("/tasks")).text)
    assert '<h1 class="govuk-heading-l">What needs doing</h1>' in page
    assert "2 overdue." in page
    overdue = page[page.index('id="overdue"') :]
    assert overdue.index(f'href="/cases/{case_id}/contacts/new">Log the contact') < overdue.index(
        f'href="/cases/{case_id}/arrangement">Record how you will keep in touch'
    )


def test_one_map_from_each_duty_to_its_form() -> None:
    """The evidence each of P2–P15 asks for leads to the form that records it."""
    case = "c1"
    assert form_for_duty(case, "CONTACT_FROM_GUARDIAN").href == "/cases/c1/contacts/new"  # P2
    assert form_for_duty(case, "CONSULTATION_ARRANGEMENT").href == "/cases/c1/arrangement"  # P3
    assert form_for_duty(case, "REVIEW_NOTICE", "r1").href == "/cases/c1#review-r1"  # P4
    assert form_for_duty(case, "REVIEW_RECORD_SHARED", "r1").href == "/cases/c1/reviews/r1"  # P5
    assert form_for_duty(case, "DOCUMENT_SHARED").href == "/cases/c1/papers"  # P6
    assert form_for_duty(case, "DISCUSSION_RECORD", "x1").href == "/cases/c1/discussions/new?contact=x1"  # P7
    assert form_for_duty(case, "SIGNIFICANT_ISSUE_NOTICE", "i1").href == "/cases/c1#issue-i1"  # P9
    assert (
        form_for_duty(case, "PRE_REVIEW_CONSULTATION").href
        == "/cases/c1/contacts/new?purpose=PRE_REVIEW_CONSULTATION"
    )  # P11
    assert form_for_duty(case, "FINAL_CARE_PLAN_SHARED").href == "/cases/c1/papers"  # P12
    # P13 is shared: the IRO records the discussion on the child's file; the guardian logs their side.
    assert (
        form_for_duty(case, "FINAL_DISCUSSION", roles=["IRO"]).href
        == "/cases/c1/discussions/new?kind=FINAL_DISCUSSION"
    )
    assert (
        form_for_duty(case, "FINAL_DISCUSSION", roles=["GUARDIAN"]).href
        == "/cases/c1/contacts/new?purpose=END_OF_PROCEEDINGS_DISCUSSION"
    )
    assert form_for_duty(case, "HANDOVER_SUBMITTED").href == "/cases/c1/handover"  # P14
    assert form_for_duty(case, "HANDOVER_ACKNOWLEDGED").href == "/cases/c1/handover"  # P15


def test_the_handover_is_offered_while_its_duty_is_open() -> None:
    """P14 opens at the final order: only then, and until it is met, does the guardian's panel offer the
    handover; likewise the IRO's acknowledgement while P15 is open."""
    can = dict.fromkeys(
        [
            "logContact",
            "raiseConcern",
            "manageReviews",
            "recordDiscussion",
            "recordSignificantIssue",
            "manageProceedings",
            "allocateGuardian",
            "assignIro",
        ],
        False,
    )
    case = {
        "id": "c1",
        "stage": "FINAL_HEARING",
        "viewerCan": {**can, "logContact": True, "writeHandover": True},
        "finalOrders": [],
        "children": [],
        "obligations": [],
    }
    assert [s.text for s in case_actions(case)] == ["Log a contact"]
    p14 = {"evidenceKind": "HANDOVER_SUBMITTED", "state": "OPEN"}
    concluded = {**case, "stage": "CONCLUDED", "finalOrders": [{"childId": "a"}], "obligations": [p14]}
    assert [s.text for s in case_actions(concluded)] == ["Log a contact", "Write the handover"]
    met = {**concluded, "obligations": [{**p14, "state": "MET"}]}
    assert [s.text for s in case_actions(met)] == ["Log a contact"]
    p15 = {"evidenceKind": "HANDOVER_ACKNOWLEDGED", "state": "OPEN"}
    iro = {**met, "viewerCan": {**can, "answerHandover": True}, "obligations": [p15]}
    assert [(s.href, s.text) for s in case_actions(iro)] == [
        ("/cases/c1/handover", "Read and acknowledge the handover")
    ]


@pytest.mark.parametrize(
    ("roles", "page"),
    [
        ({Role.GUARDIAN}, "/tasks"),
        ({Role.IRO}, "/tasks"),
        ({Role.CAFCASS_MANAGER}, "/allocations"),
        ({Role.IRO_MANAGER}, "/assignments"),
        ({Role.LA_SOLICITOR}, "/cases"),
        ({Role.SOCIAL_WORKER}, "/cases"),
        ({Role.ADMIN}, "/admin/people"),
        ({Role.NATIONAL_ADMIN}, "/admin/organisations"),
        ({Role.ADMIN, Role.NATIONAL_ADMIN}, "/admin/organisations"),
        # An administrator who also works on cases sees their duties first.
        ({Role.ADMIN, Role.IRO}, "/tasks"),
        # Duties on cases come before a queue the person also manages.
        ({Role.CAFCASS_MANAGER, Role.GUARDIAN}, "/tasks"),
        (set(), "/cases"),
    ],
)
def test_each_role_lands_on_what_needs_doing(roles: set[Role], page: str) -> None:
    assert landing_page(roles) == page


def test_every_role_has_a_landing_page() -> None:
    assert {role for role, _ in LANDING} == set(Role)


async def test_signing_in_lands_each_role_on_its_page(web: httpx.AsyncClient, world: World) -> None:
    for who, page in {
        "guardian": "/tasks",
        "iro": "/tasks",
        "cafcass_manager": "/allocations",
        "iro_manager": "/assignments",
        "solicitor": "/cases",
        "admin": "/admin/people",
    }.items():
        await sign_in_as(web, world.id(who))  # lands on "/"
        landed = await web.get("/")
        assert (landed.status_code, landed.headers["location"]) == (303, page), who
    web.cookies.clear()
    assert (await web.get("/")).headers["location"] == "/sign-in"


async def test_the_solicitor_lands_on_their_cases_with_open_proceedings(
    web: httpx.AsyncClient, world: World
) -> None:
    await world.open_case(case_number="RV26C00701")
    await sign_in_as(web, world.id("solicitor"))
    page = (await web.get("/cases")).text
    assert 'href="/proceedings/new" role="button"' in page
    assert "RV26C00701" in page
    await sign_in_as(web, world.id("guardian"))
    assert "/proceedings/new" not in (await web.get("/cases")).text


async def test_your_cases_shows_overdue_counts_per_case(
    web: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    late = await world.open_case(case_number="RV26C00702")
    travel(datetime.now(UTC) + timedelta(days=21))
    # Issued and allocated today: nothing overdue.
    await world.open_case(case_number="RV26C00703", issued_weeks_ago=0)
    await sign_in_as(web, world.id("guardian"))
    page = _text((await web.get("/cases")).text)
    row = re.search(rf'href="/cases/{late}">RV26C00702</a>.*?</tr>', page)
    assert row
    assert "3 overdue</strong>" in row.group(0)
    assert "2 of them yours" in row.group(0)  # P2 is the guardian's, P3 shared; R1 the IRO's
    fresh = re.search(r">RV26C00703</a>.*?</tr>", page)
    assert fresh
    assert "overdue" not in fresh.group(0)
    # A manager sees the overdue count, none of them theirs.
    await sign_in_as(web, world.id("cafcass_manager"))
    page = _text((await web.get("/cases")).text)
    row = re.search(rf'href="/cases/{late}">RV26C00702</a>.*?</tr>', page)
    assert row
    assert "3 overdue</strong>" in row.group(0)
    assert "yours" not in row.group(0)


async def test_a_duty_link_opens_its_form_ready_for_that_duty(web: httpx.AsyncClient, world: World) -> None:
    """P11 opens the contact form with the pre-review consultation chosen; an unknown purpose is ignored."""
    case_id = await world.open_case()
    await sign_in_as(web, world.id("guardian"))
    form = (await web.get(form_for_duty(str(case_id), "PRE_REVIEW_CONSULTATION").href)).text
    assert re.search(r'value="PRE_REVIEW_CONSULTATION" checked', form)
    plain = (await web.get(f"/cases/{case_id}/contacts/new?purpose=NOT_A_PURPOSE")).text
    assert " checked" not in plain.split('name="purpose"', 1)[1].split("</fieldset>", 1)[0]


async def test_after_the_final_orders_the_guardian_is_led_to_the_handover(
    web: httpx.AsyncClient, world: World, client: httpx.AsyncClient
) -> None:
    """The final order opens P12, P13 and P14: the guardian's panel offers the handover and lists those
    duties due soon, each with its form; the concluded case offers the solicitor no proceedings actions."""
    case_id = await world.open_case()
    token = await world.token("solicitor")
    child = (await gql(client, token, "CaseView", id=str(case_id)))["data"]["case"]["children"][0]["id"]
    made = await gql(
        client,
        token,
        "RecordFinalOrders",
        input={
            "caseId": str(case_id),
            "madeOn": datetime.now(UTC).date().isoformat(),
            "orders": [{"childId": child, "order": "CARE_ORDER"}],
        },
    )
    assert made["data"]["recordFinalOrders"]["errors"] == []
    page = await _case_page(web, world, "guardian", case_id)
    assert (f"/cases/{case_id}/handover", "Write the handover") in _actions(page)
    panel = _panel(page)
    assert (
        f'href="/cases/{case_id}/handover">Write the handover<span class="govuk-visually-hidden"> (P14)'
        in panel
    )
    assert f'href="/cases/{case_id}/papers">Share the court papers with the IRO' in panel  # P12
    assert f'href="/cases/{case_id}/contacts/new?purpose=END_OF_PROCEEDINGS_DISCUSSION">' in panel  # P13
    # The IRO's P13 leads to the discussion record, with the final discussion chosen.
    panel = _panel(await _case_page(web, world, "iro", case_id))
    link = f"/cases/{case_id}/discussions/new?kind=FINAL_DISCUSSION"
    assert f'href="{link}">Record the final discussion' in panel
    form = (await web.get(link)).text
    assert re.search(r'value="FINAL_DISCUSSION" checked', form)
    assert _actions(await _case_page(web, world, "solicitor", case_id)) == []
