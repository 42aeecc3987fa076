"""The LA solicitor's proceedings pages, used without JavaScript as a browser would: opening proceedings with
"Add another child" and a check of her answers, a hearing, an extension (CA 1989 s32(5)-(8)), a legal status,
and the final orders with their check (they conclude the proceedings and open P12-P14)."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import httpx
import pytest

from models import LegalStatus
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.world import World


def _date(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def _summary(page: str) -> list[str]:
    """The messages of the page's error summary, in order."""
    box = page.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    return [html.unescape(m) for m in re.findall(r'<a href="#[^"]+">([^<]+)</a>', box)]


def _hidden(page: str) -> dict[str, str]:
    """The fields a check-your-answers page carries."""
    return {
        html.unescape(k): html.unescape(v)
        for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    }


def _child(n: int, given: str, born: date, status: str, since: date | None) -> dict[str, str]:
    fields = {
        f"children-{n}-givenName": given,
        f"children-{n}-familyName": "Example",
        **_date(f"children-{n}-dateOfBirth", born),
        f"children-{n}-legalStatus": status,
    }
    if since:
        fields.update(_date(f"children-{n}-lookedAfterSince", since))
    return fields


async def test_the_solicitor_opens_proceedings_for_two_children_after_checking_her_answers(
    web: httpx.AsyncClient, world: World
) -> None:
    await sign_in_as(web, world.id("solicitor"))
    cases = (await web.get("/cases")).text
    assert 'href="/proceedings/new"' in cases
    form = (await web.get("/proceedings/new")).text
    assert "Family Court at Riverside" in form
    assert 'name="children-1-givenName"' not in form  # one child to start with
    court = str(world.orgs["court"].id)
    issued = date.today() - timedelta(days=3)
    first = {
        "csrf_token": csrf_from(form),
        "rows": "1",
        "courtId": court,
        "caseNumber": "rv26c00501",
        **_date("issuedOn", issued),
        **_child(0, "Amy", date(2021, 5, 1), "INTERIM_CARE_ORDER", issued),
    }
    # "Add another child" is a submit button: the form comes back with a second row, the first kept.
    more = await web.post("/proceedings/new", data={**first, "action": "add"})
    assert more.status_code == 200
    assert 'name="children-1-givenName"' in more.text
    assert 'value="Amy"' in more.text
    assert "The second child" in more.text
    both = {**first, "rows": "2", **_child(1, "Ben", date(2023, 2, 3), "INTERIM_SUPERVISION_ORDER", None)}
    check = await web.post("/proceedings/new", data={**both, "action": "continue"})
    assert check.status_code == 200, _summary(check.text)
    assert "Check your answers before opening the proceedings" in check.text
    for shown in ("RV26C00501", "Amy Example", "Ben Example", "Interim care order", "Not looked after"):
        assert shown in check.text
    carried = _hidden(check.text)
    assert carried["children-1-givenName"] == "Ben"
    # "Change" goes back to the form with every answer kept.
    change = await web.post("/proceedings/new", data={**carried, "action": "change"})
    assert change.status_code == 200
    assert 'value="Ben"' in change.text
    assert 'value="rv26c00501"' in change.text
    assert "govuk-error-summary" not in change.text
    # Nothing is opened until she confirms.
    assert "RV26C00501" not in (await web.get("/cases")).text
    opened = await web.post("/proceedings", data=carried)
    assert opened.status_code == 303
    case = (await web.get(opened.headers["location"])).text
    assert "The proceedings are open and the 26-week clock has started." in case
    assert "Case RV26C00501" in case
    assert "Amy Example" in case
    assert "Ben Example" in case


async def test_a_child_row_can_be_removed_and_the_later_rows_move_up(
    web: httpx.AsyncClient, world: World
) -> None:
    await sign_in_as(web, world.id("solicitor"))
    form = (await web.get("/proceedings/new")).text
    fields = {
        "csrf_token": csrf_from(form),
        "rows": "3",
        "children-0-givenName": "Amy",
        "children-1-givenName": "Ben",
        "children-2-givenName": "Cal",
    }
    removed = await web.post("/proceedings/new", data={**fields, "action": "remove-1"})
    assert removed.status_code == 200
    assert 'name="children-2-givenName"' not in removed.text
    assert re.search(r'name="children-1-givenName" type="text" value="Cal"', removed.text)
    assert "Ben" not in removed.text


async def test_every_problem_is_listed_at_once_naming_each_child(
    web: httpx.AsyncClient, world: World
) -> None:
    await sign_in_as(web, world.id("solicitor"))
    form = (await web.get("/proceedings/new")).text
    refused = await web.post(
        "/proceedings/new",
        data={
            "csrf_token": csrf_from(form),
            "rows": "2",
            "action": "continue",
            "caseNumber": "",
            "issuedOn-day": "31",
            "issuedOn-month": "2",
            "issuedOn-year": "2026",
            "children-0-givenName": "Amy",
            "children-0-familyName": "Example",
            **_date("children-0-dateOfBirth", date(2021, 5, 1)),
            "children-0-legalStatus": "CARE_ORDER",
            "children-1-givenName": "Ben",
        },
    )
    assert refused.status_code == 400
    assert _summary(refused.text) == [
        "Select the court",
        "Enter the court's case number",
        "The issue date must be a real date",
        # Required for a care order: named for the child it is about.
        "Enter the date the first child became looked after",
        "Enter the second child's last name",
        "Enter the second child's date of birth",
        "Select the second child's legal status",
    ]
    assert 'href="#children-1-dateOfBirth-day"' in refused.text  # each links to its field
    assert 'value="Ben"' in refused.text  # and what was typed is kept


@pytest.mark.parametrize(
    "who", ["guardian", "iro", "iro_manager", "cafcass_manager", "admin", "other_solicitor"]
)
async def test_nobody_but_the_cases_solicitor_finds_these_pages(
    web: httpx.AsyncClient, world: World, who: str
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id(who))
    pages = [f"/cases/{case_id}/{p}" for p in ("stage", "extensions/new", "legal-status", "final-orders")]
    if who != "other_solicitor":  # another authority's solicitor may open proceedings of her own
        pages.append("/proceedings/new")
    for page in pages:
        assert (await web.get(page)).status_code == 404, page
    token = csrf_from((await web.get("/settings/email")).text)
    posts = [f"/cases/{case_id}/{p}" for p in ("stage", "extensions", "legal-status", "final-orders")]
    posts.append(f"/cases/{case_id}/final-orders/record")
    if who != "other_solicitor":
        posts += ["/proceedings/new", "/proceedings"]
    for action in posts:
        assert (await web.post(action, data={"csrf_token": token})).status_code == 404, action


async def test_the_solicitor_records_a_hearing_an_extension_and_a_legal_status(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case(
        [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_CARE_ORDER)]
    )
    await sign_in_as(web, world.id("solicitor"))
    case = (await web.get(f"/cases/{case_id}")).text
    for link in ("stage", "extensions/new", "legal-status"):
        assert f'href="/cases/{case_id}/{link}"' in case
    # A hearing: only later stages are offered, and never "Concluded" (that is the final orders).
    form = (await web.get(f"/cases/{case_id}/stage")).text
    assert 'value="ISSUED"' not in form
    assert 'value="CONCLUDED"' not in form
    refused = await web.post(f"/cases/{case_id}/stage", data={"csrf_token": csrf_from(form)})
    assert refused.status_code == 400
    assert _summary(refused.text) == [
        "Select the stage the proceedings reached",
        "Enter the date of the hearing or decision",
    ]
    done = await web.post(
        f"/cases/{case_id}/stage",
        data={
            "csrf_token": csrf_from(form),
            "stage": "CASE_MANAGEMENT_HEARING",
            **_date("changedOn", date.today()),
        },
    )
    assert done.status_code == 303
    assert "The hearing is recorded." in (await web.get(done.headers["location"])).text
    again = (await web.get(f"/cases/{case_id}/stage")).text
    assert 'value="CASE_MANAGEMENT_HEARING"' not in again  # forward only (PD12A)

    # An extension needs its reason, and 1 to 8 weeks (CA 1989 s32(5)-(8)).
    form = (await web.get(f"/cases/{case_id}/extensions/new")).text
    refused = await web.post(
        f"/cases/{case_id}/extensions", data={"csrf_token": csrf_from(form), "weeks": "9", "reason": " "}
    )
    assert refused.status_code == 400
    assert _summary(refused.text) == [
        "An extension is between 1 and 8 weeks",
        "Enter why the court extended the timetable",
        "Enter the date the extension was granted",
    ]
    extended = await web.post(
        f"/cases/{case_id}/extensions",
        data={
            "csrf_token": csrf_from(form),
            "weeks": "8",
            "reason": "An expert's report is late",
            **_date("grantedOn", date.today()),
        },
    )
    assert extended.status_code == 303
    case = (await web.get(extended.headers["location"])).text
    assert "The extension is recorded" in case
    assert "An expert&#39;s report is late" in case

    # A legal status: which child, the new status and when.
    form = (await web.get(f"/cases/{case_id}/legal-status")).text
    refused = await web.post(f"/cases/{case_id}/legal-status", data={"csrf_token": csrf_from(form)})
    assert _summary(refused.text) == [
        "Select the child whose legal status changed",
        "Select the child's new legal status",
        "Enter the date the status took effect",
    ]
    ben = re.findall(r'name="childId" type="radio" value="([^"]+)"', form)[1]
    changed = await web.post(
        f"/cases/{case_id}/legal-status",
        data={
            "csrf_token": csrf_from(form),
            "childId": ben,
            "status": "INTERIM_SUPERVISION_ORDER",
            **_date("effectiveFrom", date.today()),
        },
    )
    assert changed.status_code == 303
    assert "The legal status is recorded." in (await web.get(changed.headers["location"])).text
    form = (await web.get(f"/cases/{case_id}/legal-status")).text
    assert "Now: Interim supervision order" in form


async def test_the_final_orders_list_every_missing_order_then_are_checked_before_they_conclude(
    web: httpx.AsyncClient, world: World
) -> None:
    """Every child's missing order is listed, not only the first; then a check of the answers, since the
    final orders conclude the proceedings and open P12-P14."""
    case_id = await world.open_case(
        [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_CARE_ORDER)]
    )
    await sign_in_as(web, world.id("solicitor"))
    form = (await web.get(f"/cases/{case_id}/final-orders")).text
    amy, ben = re.findall(r'name="order-([0-9a-f-]{36})"', form)[::7]
    refused = await web.post(f"/cases/{case_id}/final-orders", data={"csrf_token": csrf_from(form)})
    assert refused.status_code == 400
    assert _summary(refused.text) == [
        "Enter the date the final orders were made",
        "Select the final order for Amy Example",
        "Select the final order for Ben Example",
    ]
    answers = {
        "csrf_token": csrf_from(form),
        **_date("madeOn", date.today()),
        f"order-{amy}": "CARE_ORDER",
        f"order-{ben}": "SPECIAL_GUARDIANSHIP_ORDER",
    }
    check = await web.post(f"/cases/{case_id}/final-orders", data=answers)
    assert check.status_code == 200
    assert "Check the final orders before recording them" in check.text
    assert "Special guardianship order" in check.text
    assert "cannot be undone" in check.text
    # Checking recorded nothing.
    assert "Record the final orders" in (await web.get(f"/cases/{case_id}")).text
    carried = _hidden(check.text)
    change = await web.post(f"/cases/{case_id}/final-orders", data={**carried, "action": "change"})
    assert re.search(
        rf'name="order-{ben}" type="radio" value="SPECIAL_GUARDIANSHIP_ORDER" checked', change.text
    )
    done = await web.post(f"/cases/{case_id}/final-orders/record", data=carried)
    assert done.status_code == 303
    case = (await web.get(done.headers["location"])).text
    assert "The final orders are recorded and the proceedings concluded." in case
    assert "Care order for Amy" in case
    assert "P14" in case
    # Recorded once: a second try is refused with the reason.
    again = await web.post(f"/cases/{case_id}/final-orders/record", data=carried)
    assert again.status_code == 400
    assert "The final orders have been recorded already" in again.text


async def test_her_tasks_are_the_deadlines_and_the_final_orders_the_records_show(
    web: httpx.AsyncClient, world: World
) -> None:
    near = await world.open_case(case_number="RV26C00601", issued_weeks_ago=25)
    await world.open_case(case_number="RV26C00602", issued_weeks_ago=10)
    heard = await world.open_case(case_number="RV26C00603", issued_weeks_ago=20)
    await sign_in_as(web, world.id("solicitor"))
    form = (await web.get(f"/cases/{heard}/stage")).text
    await web.post(
        f"/cases/{heard}/stage",
        data={"csrf_token": csrf_from(form), "stage": "FINAL_HEARING", **_date("changedOn", date.today())},
    )
    tasks = (await web.get("/tasks")).text
    assert "You have no tasks." not in tasks
    assert f'href="/cases/{near}/extensions/new"' in tasks
    assert "no extension recorded" in tasks
    assert f'href="/cases/{heard}/final-orders"' in tasks
    assert "RV26C00602" not in tasks  # 16 weeks to go: nothing to do yet
    # An extension moves the deadline: no longer a task.
    form = (await web.get(f"/cases/{near}/extensions/new")).text
    await web.post(
        f"/cases/{near}/extensions",
        data={
            "csrf_token": csrf_from(form),
            "weeks": "8",
            "reason": "Late report",
            **_date("grantedOn", date.today()),
        },
    )
    assert f"/cases/{near}/extensions/new" not in (await web.get("/tasks")).text
    # Nobody else is given her tasks.
    await sign_in_as(web, world.id("guardian"))
    assert "Final orders to record" not in (await web.get("/tasks")).text
