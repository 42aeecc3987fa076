"""A review's decisions on the pages (issue 18): the IRO's form on the review's page (rows for decisions,
blank ones ignored, and the manager to confirm them), every problem at once; the owners' task list with
"Mark done"; the named manager's page to confirm or dispute; a dispute offers the IRO a challenge; the case
page and the child's file show the decisions."""

from __future__ import annotations

import json
import uuid

import httpx

from models import LegalStatus
from portal import clock
from portal.cases import repository as case_rows
from portal.reviews import service as reviews
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.world import World


async def _held_review(world: World, case_id: uuid.UUID) -> tuple[str, str]:
    """A review of the case's child, held today; its id and the child's."""
    iro = await world.actor("iro")
    async with world.sessions() as session, session.begin():
        [child] = await case_rows.case_children(session, case_id)
        data = reviews.ScheduleReview(case_id, [child.id], clock.today(), "At home", tell_guardian=False)
        [review] = await reviews.schedule_review(session, iro, data)
        await reviews.record_held(session, iro, review.id, clock.today(), None)
    return str(review.id), str(child.id)


def _date(prefix: str, day: str) -> dict[str, str]:
    year, month, date_of_month = day.split("-")
    return {f"{prefix}-day": date_of_month, f"{prefix}-month": month, f"{prefix}-year": year}


async def test_recorded_on_the_review_page_done_on_the_task_list_and_disputed_by_the_manager(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case([("Amy", LegalStatus.INTERIM_CARE_ORDER)])
    review_id, child_id = await _held_review(world, case_id)
    page = f"/cases/{case_id}/reviews/{review_id}"
    action = f"{page}/decisions"
    today = clock.today().isoformat()

    await sign_in_as(web, world.id("iro"))
    case = (await web.get(f"/cases/{case_id}")).text
    assert "Decisions not recorded yet" in case
    assert f'href="{page}#decisions">Record the decisions' in case
    form = (await web.get(page)).text
    assert f'action="{action}"' in form
    assert 'id="decisions-4-description"' in form  # five rows
    assert "Tamsin Manager" in form  # a manager of the authority to confirm them
    # A row without an owner or a date, and nothing else: every problem at once, nothing recorded.
    refused = await web.post(
        action, data={"csrf_token": csrf_from(form), "decisions-0-description": "Arrange a tutor"}
    )
    assert refused.status_code == 400
    assert 'href="#decisions-0-ownerId">Choose who will do it' in refused.text
    assert 'href="#decisions-0-dueOn-day">Enter the date it is due' in refused.text
    saved = await web.post(
        action,
        data={
            "csrf_token": csrf_from(form),
            "decisions-0-description": "Arrange a tutor",
            "decisions-0-ownerId": str(world.id("guardian")),
            **_date("decisions-0-dueOn", today),
            # A blank row in between is ignored.
            "decisions-2-description": "Visit the school",
            "decisions-2-ownerId": str(world.id("iro")),
            **_date("decisions-2-dueOn", today),
            "managerId": str(world.id("team_manager")),
        },
    )
    assert saved.status_code == 303, saved.text
    shown = (await web.get(page)).text
    assert "Arrange a tutor" in shown
    assert "Visit the school" in shown
    assert "Tamsin Manager has been asked to confirm the decisions" in shown
    assert f'action="{action}"' not in shown
    assert "Decisions: 2 (2 open)" in (await web.get(f"/cases/{case_id}")).text

    # The guardian's task list: the decision, marked done there.
    await sign_in_as(web, world.id("guardian"))
    tasks = (await web.get("/tasks")).text
    assert "Arrange a tutor" in tasks
    decision_id = tasks.split('action="/decisions/')[1].split("/done")[0]
    done = await web.post(f"/decisions/{decision_id}/done", data={"csrf_token": csrf_from(tasks)})
    assert done.status_code == 303
    assert "Arrange a tutor" not in (await web.get("/tasks")).text
    # Someone else finds no such decision.
    await sign_in_as(web, world.id("solicitor"))
    settings = (await web.get("/settings/email")).text
    assert (
        await web.post(f"/decisions/{decision_id}/done", data={"csrf_token": csrf_from(settings)})
    ).status_code == 404

    # The manager named: on their task list, a page to answer; a dispute needs a reason.
    await sign_in_as(web, world.id("head_of_service"))
    assert (await web.get(f"/decision-checks/{review_id}")).status_code == 404
    await sign_in_as(web, world.id("team_manager"))
    tasks = (await web.get("/tasks")).text
    assert f'href="/decision-checks/{review_id}"' in tasks
    check = (await web.get(f"/decision-checks/{review_id}")).text
    assert "Arrange a tutor" in check
    assert "Amy" in check
    assert "Example" not in check  # the child's given name only
    refused = await web.post(
        f"/decision-checks/{review_id}", data={"csrf_token": csrf_from(check), "response": "DISPUTED"}
    )
    assert refused.status_code == 400
    assert "Say why you dispute the decisions" in refused.text
    answered = await web.post(
        f"/decision-checks/{review_id}",
        data={"csrf_token": csrf_from(check), "response": "DISPUTED", "comment": "Not funded."},
    )
    assert answered.status_code == 303

    # The IRO sees the dispute, with the way to take it up as a challenge.
    await sign_in_as(web, world.id("iro"))
    shown = (await web.get(page)).text
    assert "Tamsin Manager disputed the decisions" in shown
    assert (
        f'href="/cases/{case_id}/disputes/new?review={review_id}">Take up the dispute as a challenge' in shown
    )
    challenge = (await web.get(f"/cases/{case_id}/disputes/new?review={review_id}")).text
    assert "Tamsin Manager disputed the decisions of the looked-after review held on" in challenge
    assert "Not funded." in challenge

    # The child's file carries them.
    exported = json.loads((await web.get(f"/cases/{case_id}/children/{child_id}/file.json")).text)
    [review] = exported["reviews"]
    assert [(d["description"], d["state"]) for d in review["decisions"]] == [
        ("Arrange a tutor", "DONE"),
        ("Visit the school", "OPEN"),
    ]
    assert review["decisionsCheck"]["response"] == "DISPUTED"
    pdf = await web.get(f"/cases/{case_id}/children/{child_id}/file.pdf")
    assert pdf.status_code == 200
