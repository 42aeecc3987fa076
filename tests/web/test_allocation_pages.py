"""The managers' staffing pages without JavaScript: the Cafcass manager's allocation queue and the allocate /
reallocate form (P2 and P3 run from the allocation), the IRO manager's assignment page and form, and their
tasks on "Your tasks". Each page is for one role: everyone else gets the 404 a missing page gives."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
import sqlalchemy as sa

from models import CaseMembership, CaseRole, LegalStatus
from portal.web.allocation_pages import band
from tests.support.browsing import csrf_of, sign_in_as
from tests.support.world import World

ICO, ISO = LegalStatus.INTERIM_CARE_ORDER, LegalStatus.INTERIM_SUPERVISION_ORDER


def _section(page: str, heading_id: str) -> str:
    """The part of the page from the heading with ``heading_id`` to the next second-level heading."""
    start = page.index(f'id="{heading_id}"')
    end = page.find("<h2", start + 1)
    return page[start : end if end != -1 else len(page)]


def _order(text: str, *numbers: str) -> list[str]:
    """The ``numbers`` in the order they appear in ``text`` (absent ones left out)."""
    return sorted((n for n in numbers if n in text), key=text.index)


def _child_ids(page: str) -> list[str]:
    return re.findall(r'name="childIds" type="checkbox" value="([^"]+)"', page)


async def _post(web: httpx.AsyncClient, path: str, **fields: str | list[str]) -> httpx.Response:
    return await web.post(path, data={"csrf_token": await csrf_of(web), **fields})


async def _guardians(world: World, case_id: uuid.UUID) -> dict[uuid.UUID, tuple[uuid.UUID, str | None]]:
    """Each guardian membership of the case: its person and (once ended) why."""
    async with world.sessions() as session:
        rows = await session.execute(
            sa.select(CaseMembership.person_id, CaseMembership.end_reason, CaseMembership.ended_at).where(
                CaseMembership.proceedings_id == case_id, CaseMembership.role == CaseRole.GUARDIAN
            )
        )
        return {person: (person, reason) for person, reason, _ in rows}


async def test_the_queue_shows_cases_waiting_for_a_guardian_first_the_longest_waiting_first(
    web: httpx.AsyncClient, world: World
) -> None:
    """Unallocated cases first, oldest issued first with the days since issue, then the rest; beside them
    each guardian's caseload now. A case in another service area's scope is not there."""
    await world.open_case(case_number="RVALLOCATED", issued_weeks_ago=3)
    await world.open_case([("Bo", ICO), ("Cy", ICO)], case_number="RVSIBLINGS", issued_weeks_ago=4)
    await world.open_case(case_number="RVRECENT", issued_weeks_ago=2, guardian=None)
    await world.open_case(case_number="RVOLDEST", issued_weeks_ago=8, guardian=None)
    await world.open_case(case_number="FARAWAY", court="other_court", guardian=None)
    await sign_in_as(web, world.id("cafcass_manager"))

    page = (await web.get("/allocations")).text
    waiting = _section(page, "waiting")
    assert _order(waiting, "RVOLDEST", "RVRECENT", "RVALLOCATED", "RVSIBLINGS") == ["RVOLDEST", "RVRECENT"]
    assert "56 days ago" in waiting
    assert "14 days ago" in waiting
    assert re.findall(r'href="/cases/([^"/]+)/guardian">Allocate a guardian', waiting)
    allocated = _section(page, "allocated")
    assert _order(allocated, "RVOLDEST", "RVRECENT", "RVALLOCATED", "RVSIBLINGS") == [
        "RVALLOCATED",
        "RVSIBLINGS",
    ]
    assert "FARAWAY" not in page
    team = re.sub(r"\s+", " ", _section(page, "team"))
    # Gina is the guardian on two cases, for three children; Gareth on none.
    assert re.search(r"Gareth Second</th> <td[^>]*>0</td> <td[^>]*>0</td>", team)
    assert re.search(r"Gina Guardian</th> <td[^>]*>2</td> <td[^>]*>3</td>", team)


async def test_the_manager_allocates_a_guardian_and_the_case_leaves_the_queue_p2(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case(case_number="RVNEW", guardian=None)
    await world.open_case(case_number="RVBUSY")
    await sign_in_as(web, world.id("cafcass_manager"))
    form = (await web.get(f"/cases/{case_id}/guardian")).text
    assert "Allocate a guardian" in form
    assert "1 case, 1 child now. The guardian on this case now" not in form
    assert "1 case, 1 child now" in form
    assert "0 cases, 0 children now" in form
    assert "reallocationReason" not in form  # nobody to replace, so no reason asked

    done = await _post(web, f"/cases/{case_id}/guardian", personId=str(world.id("guardian2")), step="check")
    assert done.status_code == 303
    assert done.headers["location"] == f"/cases/{case_id}?done=guardian"
    case = (await web.get(done.headers["location"])).text
    assert "The guardian is allocated." in case
    assert "Gareth Second" in case
    page = (await web.get("/allocations")).text
    assert "RVNEW" in _section(page, "allocated")
    assert "RVNEW" not in _section(page, "waiting")
    # P2 runs from the allocation: the new guardian has it to do.
    await sign_in_as(web, world.id("guardian2"))
    assert "P2" in (await web.get("/tasks")).text


async def test_reallocating_needs_a_reason_and_a_confirmation_and_ends_the_old_guardians_part(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case(case_number="RVREALLOC")
    await sign_in_as(web, world.id("cafcass_manager"))
    form = (await web.get(f"/cases/{case_id}/guardian")).text
    assert "Reallocate the guardian" in form
    assert "The guardian on this case now" in form
    path, gareth = f"/cases/{case_id}/guardian", str(world.id("guardian2"))

    refused = await _post(web, path, personId=gareth, step="check")
    assert refused.status_code == 400
    assert '<a href="#reallocationReason">Enter why Gina Guardian is being replaced</a>' in refused.text

    check = await _post(web, path, personId=gareth, reallocationReason="Gina is on leave", step="check")
    assert check.status_code == 200
    assert "Check the change of guardian" in check.text
    assert "Gina Guardian (for Amy)" in check.text
    assert "Gina is on leave" in check.text
    # Checked, not done: Gina is still the guardian.
    assert set(await _guardians(world, case_id)) == {world.id("guardian")}

    # Change goes back to the form with the answers kept.
    change = await _post(web, path, personId=gareth, reallocationReason="Gina is on leave", step="change")
    assert change.status_code == 200
    assert "Gina is on leave</textarea>" in change.text
    assert re.search(rf'value="{gareth}" checked', change.text)

    confirmed = await _post(web, path, personId=gareth, reallocationReason="Gina is on leave", step="confirm")
    assert confirmed.status_code == 303
    guardians = await _guardians(world, case_id)
    assert guardians[world.id("guardian")] == (world.id("guardian"), "Gina is on leave")
    assert guardians[world.id("guardian2")] == (world.id("guardian2"), None)
    assert "Gareth Second" in (await web.get(confirmed.headers["location"])).text


async def test_every_problem_is_listed_at_once(web: httpx.AsyncClient, world: World) -> None:
    """The page's own problems and the API's together: nobody chosen, no child chosen, a reason too long; a
    person of another organisation (the API: not found), a child not in the proceedings, someone without
    the guardian role."""
    case_id = await world.open_case([("Amy", ICO), ("Ben", ICO)])
    await sign_in_as(web, world.id("cafcass_manager"))
    path = f"/cases/{case_id}/guardian"

    refused = await _post(web, path, reallocationReason="x" * 501, step="check")
    assert refused.status_code == 400
    summary = refused.text[refused.text.index("govuk-error-summary") : refused.text.index("</h1>")]
    for anchor, message in (
        ("personId", "Select the guardian"),
        ("childIds", "Select at least one child"),
        ("reallocationReason", "The reason must be 500 characters or fewer"),
    ):
        assert f'<a href="#{anchor}">{message}</a>' in summary
    assert "Error: Reallocate the guardian" in refused.text

    elsewhere = await _post(
        web,
        path,
        personId=str(world.id("other_guardian")),
        childIds=[str(uuid.uuid4())],
        reallocationReason="y" * 501,
        step="check",
    )
    assert elsewhere.status_code == 400
    for message in (
        "Person not found",
        "That child is not in these proceedings",
        "The reason must be 500 characters or fewer",
    ):
        assert message in elsewhere.text

    wrong_role = await _post(web, path, personId=str(world.id("national_admin")), step="check")
    assert wrong_role.status_code == 400
    assert "Nadia National is not a children&#39;s guardian" in wrong_role.text
    # Nothing changed.
    assert set(await _guardians(world, case_id)) == {world.id("guardian")}


async def test_allocating_for_some_children_only(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case([("Amy", ICO), ("Ben", ICO)], guardian=None)
    await sign_in_as(web, world.id("cafcass_manager"))
    form = (await web.get(f"/cases/{case_id}/guardian")).text
    amy, _ben = _child_ids(form)
    # Every child is chosen until the manager says otherwise.
    assert len(re.findall(r'name="childIds" type="checkbox" value="[^"]+" checked', form)) == 2
    done = await _post(
        web, f"/cases/{case_id}/guardian", personId=str(world.id("guardian")), childIds=[amy], step="check"
    )
    assert done.status_code == 303
    waiting = _section((await web.get("/allocations")).text, "waiting")
    assert "Ben Example" in waiting
    assert "Amy Example" not in waiting


@pytest.mark.parametrize("who", ["guardian", "iro", "solicitor", "iro_manager", "admin", "national_admin"])
async def test_the_allocation_pages_are_not_found_for_other_roles(
    web: httpx.AsyncClient, world: World, who: str
) -> None:
    case_id = await world.open_case(guardian=None)
    await sign_in_as(web, world.id(who))
    missing = await web.get(f"/cases/{uuid.uuid4()}/guardian")
    assert missing.status_code == 404
    for path in ("/allocations", f"/cases/{case_id}/guardian"):
        response = await web.get(path)
        assert response.status_code == 404, path
        assert response.text == missing.text
    posted = await _post(web, f"/cases/{case_id}/guardian", personId=str(world.id("guardian")))
    assert posted.status_code == 404
    assert set(await _guardians(world, case_id)) == set()


@pytest.mark.parametrize("who", ["iro", "guardian", "solicitor", "cafcass_manager", "admin"])
async def test_the_assignment_pages_are_not_found_for_other_roles(
    web: httpx.AsyncClient, world: World, who: str
) -> None:
    case_id = await world.open_case(iro=None)
    await sign_in_as(web, world.id(who))
    for path in ("/assignments", f"/cases/{case_id}/iro"):
        assert (await web.get(path)).status_code == 404, path
    assert (await _post(web, f"/cases/{case_id}/iro", personId=str(world.id("iro")))).status_code == 404


async def test_a_manager_of_another_area_finds_no_such_case(web: httpx.AsyncClient, world: World) -> None:
    """PROTOCOL.md §6: a Cafcass manager's scope is her service area; an IRO manager's, her authority."""
    case_id = await world.open_case(case_number="RVOUTSIDE", guardian=None, iro=None)
    for who, form, queue in (
        ("other_cafcass_manager", "guardian", "/allocations"),
        ("other_iro_manager", "iro", "/assignments"),
    ):
        await sign_in_as(web, world.id(who))
        missing = await web.get(f"/cases/{uuid.uuid4()}/{form}")
        outside = await web.get(f"/cases/{case_id}/{form}")
        assert outside.status_code == missing.status_code == 404
        assert outside.text == missing.text
        page = await web.get(queue)
        assert page.status_code == 200
        assert "RVOUTSIDE" not in page.text
        assert "RVOUTSIDE" not in (await web.get("/tasks")).text
        refused = await _post(web, f"/cases/{case_id}/{form}", personId=str(uuid.uuid4()))
        assert refused.status_code == 404


async def test_the_unallocated_case_is_a_task_until_it_is_allocated(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case(case_number="RVTASK", guardian=None)
    await sign_in_as(web, world.id("cafcass_manager"))
    tasks = (await web.get("/tasks")).text
    section = _section(tasks, "to-allocate")
    assert "Cases to allocate" in section
    assert "RVTASK" in section
    assert f'href="/cases/{case_id}/guardian"' in section
    assert "You have no tasks" not in tasks
    await world.allocate(case_id, "guardian")
    tasks = (await web.get("/tasks")).text
    assert "RVTASK" not in tasks
    assert "Cases to allocate" not in tasks
    # It was never the guardian's or the IRO manager's task.
    for who in ("guardian", "iro_manager"):
        await sign_in_as(web, world.id(who))
        assert "Cases to allocate" not in (await web.get("/tasks")).text


async def test_a_looked_after_child_without_an_iro_is_the_iro_managers_task(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case(case_number="RVNOIRO", iro=None)
    await world.open_case(case_number="RVATHOME", children=(("Di", ISO),))
    await sign_in_as(web, world.id("iro_manager"))
    tasks = (await web.get("/tasks")).text
    section = _section(tasks, "to-assign")
    assert "RVNOIRO" in section
    assert f'href="/cases/{case_id}/iro"' in section
    assert "RVATHOME" not in section  # not looked after: no IRO to assign
    await world.assign_iro(case_id, "iro")
    assert "Children waiting for an IRO" not in (await web.get("/tasks")).text
    await sign_in_as(web, world.id("cafcass_manager"))
    assert "Children waiting for an IRO" not in (await web.get("/tasks")).text


def test_caseloads_are_told_against_the_handbooks_50_to_70() -> None:
    assert [band(n)[0] for n in (0, 49, 50, 70, 71, 119)] == [
        "Under 50",
        "Under 50",
        "Within 50 to 70",
        "Within 50 to 70",
        "Over 70",
        "Over 70",
    ]


async def test_the_assignment_page_puts_children_without_an_iro_first_with_caseloads(
    web: httpx.AsyncClient, world: World
) -> None:
    await world.open_case(case_number="RVHASIRO", issued_weeks_ago=3)
    await world.open_case(case_number="RVNEWER", issued_weeks_ago=1, iro=None)
    await world.open_case(case_number="RVOLDER", issued_weeks_ago=6, iro=None)
    await world.open_case(case_number="RVNOTLAC", children=(("Di", ISO),), issued_weeks_ago=2)
    await world.open_case(case_number="NMCASE", solicitor="other_solicitor", iro=None)
    await sign_in_as(web, world.id("iro_manager"))
    page = (await web.get("/assignments")).text
    waiting = _section(page, "waiting")
    assert _order(waiting, "RVNEWER", "RVOLDER", "RVHASIRO") == ["RVOLDER", "RVNEWER"]
    assert "an IRO was due by" in waiting
    assert "Overdue" in waiting
    assert _order(_section(page, "assigned"), "RVHASIRO", "RVNOTLAC", "RVOLDER") == ["RVNOTLAC", "RVHASIRO"]
    assert "NMCASE" not in page
    loads = re.sub(r"\s+", " ", _section(page, "caseloads"))
    assert re.search(
        r"Ivan Reviewer</th> <td[^>]*>1</td> <td[^>]*>1</td> <td[^>]*><strong[^>]*>Under 50", loads
    )
    assert "Iris Second" in loads


async def test_the_iro_manager_assigns_and_reassigns_with_a_reason(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case([("Amy", ICO), ("Ben", ISO)], iro=None)
    await sign_in_as(web, world.id("iro_manager"))
    path = f"/cases/{case_id}/iro"
    form = (await web.get(path)).text
    assert "Assign an IRO" in form
    assert "Ben Example is not looked after (interim supervision order), so has no IRO." in form
    assert "0 children now: under 50 (the IRO Handbook recommends 50 to 70)" in form
    assigned = await _post(web, path, personId=str(world.id("iro")), step="check")
    assert assigned.headers["location"] == f"/cases/{case_id}?done=iro"
    assert "The IRO is assigned." in (await web.get(assigned.headers["location"])).text

    form = (await web.get(path)).text
    assert "Reassign the IRO" in form
    refused = await _post(web, path, personId=str(world.id("iro2")), step="check")
    assert "Enter why Ivan Reviewer is being replaced" in refused.text
    check = await _post(
        web, path, personId=str(world.id("iro2")), reallocationReason="Caseload", step="check"
    )
    assert "Check the change of IRO" in check.text
    assert "Ivan Reviewer (for Amy)" in check.text
    done = await _post(
        web, path, personId=str(world.id("iro2")), reallocationReason="Caseload", step="confirm"
    )
    assert done.status_code == 303
    assert "Iris Second" in (await web.get(done.headers["location"])).text


async def test_the_case_page_links_not_allocated_yet_to_the_form(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case(guardian=None, iro=None)
    await sign_in_as(web, world.id("cafcass_manager"))
    assert f'href="/cases/{case_id}/guardian">Not allocated yet' in (await web.get(f"/cases/{case_id}")).text
    await sign_in_as(web, world.id("iro_manager"))
    assert f'href="/cases/{case_id}/iro">Not assigned yet' in (await web.get(f"/cases/{case_id}")).text
    await sign_in_as(web, world.id("solicitor"))
    page = (await web.get(f"/cases/{case_id}")).text
    assert "/guardian" not in page
    assert f"/cases/{case_id}/iro" not in page
