"""Significant changes on the pages (SC; CPPCR 2010 reg 33(3); issue 18), without JavaScript: the social
worker's form, with every problem at once in the error summary; the case page listing each change and the
IRO's answer; the IRO's two answers, an additional review booked from the review form (prefilled) and no
review needed (with the reason, required); and nothing to answer for anyone else."""

from __future__ import annotations

import io
import json
import re
import uuid

import httpx
from pypdf import PdfReader

from models import LegalStatus
from portal import clock
from portal.cases import service as cases
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.world import World

SAID = "Amy moved to a new foster home after her carers gave notice."


async def _case(world: World) -> uuid.UUID:
    """A case of one looked-after child, Amy, with the social worker recorded."""
    case_id = await world.open_case([("Amy", LegalStatus.INTERIM_CARE_ORDER)])
    async with world.sessions() as session, session.begin():
        await cases.assign_social_worker(
            session, await world.actor("solicitor"), cases.Allocation(case_id, world.id("social_worker"))
        )
    return case_id


def _ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def _unique_ids(html: str) -> None:
    ids = _ids(html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


async def _notify(web: httpx.AsyncClient, case_id: uuid.UUID, **data: str) -> httpx.Response:
    form = (await web.get(f"/cases/{case_id}/significant-changes/new")).text
    return await web.post(
        f"/cases/{case_id}/significant-changes", data={"csrf_token": csrf_from(form), **data}
    )


async def test_the_social_worker_tells_the_iro_and_the_iro_books_an_additional_review(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await _case(world)
    today = clock.today()
    await sign_in_as(web, world.id("social_worker"))
    case = (await web.get(f"/cases/{case_id}")).text
    # The social worker's main action on the case.
    assert f'href="/cases/{case_id}/significant-changes/new" role="button"' in case
    assert "Tell the IRO of a significant change" in case
    assert 'id="significant-changes">Significant changes</h2>' in case
    form = (await web.get(f"/cases/{case_id}/significant-changes/new")).text
    _unique_ids(form)
    # Amy, the only child, is chosen; today is the date; every kind is offered.
    assert re.search(r'name="childId" type="radio" value="[^"]+" checked', form)
    assert (
        f'id="occurredOn-day" name="occurredOn-day" type="text" inputmode="numeric" value="{today.day}"'
        in form
    )
    for kind in ("PLACEMENT_MOVE", "PLACEMENT_ENDED", "CARE_PLAN", "LEGAL_STATUS", "EDUCATION", "HEALTH"):
        assert f'value="{kind}"' in form
    # Nothing said: every problem at once, and nothing recorded.
    refused = await web.post(
        f"/cases/{case_id}/significant-changes",
        data={"csrf_token": csrf_from(form), "occurredOn-day": "31", "occurredOn-month": "2", "summary": " "},
    )
    assert refused.status_code == 400
    _unique_ids(refused.text)
    assert "There is a problem" in refused.text
    summary = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', refused.text)
    assert summary == [
        ("childId", "Choose the child whose circumstances changed"),
        ("kind", "Say what kind of change it is"),
        ("occurredOn-day", "The date of the change must include a year"),
        ("summary", "Say what changed, and why"),
    ]
    child_id = re.search(r'name="childId" type="radio" value="([^"]+)"', form)
    assert child_id
    future = await _notify(
        web,
        case_id,
        childId=child_id.group(1),
        kind="PLACEMENT_MOVE",
        summary=SAID,
        **{"occurredOn-day": "1", "occurredOn-month": "1", "occurredOn-year": str(today.year + 1)},
    )
    assert future.status_code == 400
    assert 'href="#occurredOn-day">The date of the change must be today or in the past' in future.text
    saved = await _notify(
        web,
        case_id,
        childId=child_id.group(1),
        kind="PLACEMENT_MOVE",
        summary=SAID,
        **{
            "occurredOn-day": str(today.day),
            "occurredOn-month": str(today.month),
            "occurredOn-year": str(today.year),
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/cases/{case_id}?done=change-notified"
    mine = (await web.get(saved.headers["location"])).text
    assert "The significant change is recorded" in mine
    assert "A placement move: Amy" in mine
    assert "Waiting for the IRO" in mine
    # The social worker does not answer it.
    assert "Book an additional review" not in mine
    change_id = re.search(r'id="change-([0-9a-f-]{36})"', mine)
    assert change_id

    # The IRO: the task leads to the change, whose answers are on the case page too.
    await sign_in_as(web, world.id("iro"))
    tasks = (await web.get("/tasks")).text
    assert f'href="/cases/{case_id}/significant-changes/{change_id.group(1)}"' in tasks
    theirs = (await web.get(f"/cases/{case_id}")).text
    _unique_ids(theirs)
    query = f"kind=ADDITIONAL&amp;child={child_id.group(1)}&amp;change={change_id.group(1)}"
    book = f"/cases/{case_id}/reviews/new?{query}"
    assert f'href="{book}"' in theirs
    assert f'href="/cases/{case_id}/significant-changes/{change_id.group(1)}#no-review"' in theirs
    page = (await web.get(f"/cases/{case_id}/significant-changes/{change_id.group(1)}")).text
    _unique_ids(page)
    assert SAID in page
    assert "Book an additional review" in page
    review_form = (await web.get(book.replace("&amp;", "&"))).text
    _unique_ids(review_form)
    assert 'value="ADDITIONAL" checked' in review_form
    assert f'value="{child_id.group(1)}" checked' in review_form
    assert f'name="significantChangeId" value="{change_id.group(1)}"' in review_form
    booked = await web.post(
        f"/cases/{case_id}/reviews",
        data={
            "csrf_token": csrf_from(review_form),
            "childIds": child_id.group(1),
            "reviewDate-day": str(today.day),
            "reviewDate-month": str(today.month),
            "reviewDate-year": str(today.year),
            "arrangements": "At the new foster home.",
            "kind": "ADDITIONAL",
            "significantChangeId": change_id.group(1),
        },
    )
    assert booked.status_code == 303, booked.text
    answered = (await web.get(booked.headers["location"])).text
    assert "Additional review booked" in answered
    assert re.search(rf'href="/cases/{case_id}#review-[0-9a-f-]{{36}}">for ', answered)
    assert f'{change_id.group(1)}#no-review"' not in answered


async def test_no_review_needed_with_the_reason_and_nobody_else_answers(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await _case(world)
    today = clock.today()
    await sign_in_as(web, world.id("social_worker"))
    form = (await web.get(f"/cases/{case_id}/significant-changes/new")).text
    child = re.search(r'name="childId" type="radio" value="([^"]+)"', form)
    assert child
    saved = await _notify(
        web,
        case_id,
        childId=child.group(1),
        kind="EDUCATION",
        summary="Amy starts at a new school next week.",
        **{
            "occurredOn-day": str(today.day),
            "occurredOn-month": str(today.month),
            "occurredOn-year": str(today.year),
        },
    )
    assert saved.status_code == 303
    case = (await web.get(f"/cases/{case_id}")).text
    change_id = re.search(r'id="change-([0-9a-f-]{36})"', case)
    assert change_id
    page = f"/cases/{case_id}/significant-changes/{change_id.group(1)}"

    # Everyone who reads the case sees the change; nobody but the child's IRO has a way to answer it.
    for who in ("guardian", "solicitor", "social_worker", "iro_manager"):
        await sign_in_as(web, world.id(who))
        theirs = (await web.get(page)).text
        assert "Amy starts at a new school" in theirs, who
        assert "/no-review" not in theirs, who
        token = csrf_from((await web.get("/settings/email")).text)
        refused = await web.post(f"{page}/no-review", data={"csrf_token": token, "reason": "No"})
        assert refused.status_code == 400, who
        assert "You are not the IRO for that child" in refused.text, who
    # A case they cannot read is no such page; nor is the form for those who do not tell the IRO.
    await sign_in_as(web, world.id("other_iro"))
    assert (await web.get(page)).status_code == 404
    await sign_in_as(web, world.id("guardian"))
    assert (await web.get(f"/cases/{case_id}/significant-changes/new")).status_code == 404

    await sign_in_as(web, world.id("iro"))
    answer = (await web.get(page)).text
    assert f'action="{page}/no-review"' in answer
    without = await web.post(f"{page}/no-review", data={"csrf_token": csrf_from(answer), "reason": " "})
    assert without.status_code == 400
    _unique_ids(without.text)
    assert 'href="#reason">Say why no review is needed' in without.text
    reason = "The review next month will consider the school move."
    done = await web.post(f"{page}/no-review", data={"csrf_token": csrf_from(answer), "reason": reason})
    assert done.status_code == 303
    assert done.headers["location"] == f"/cases/{case_id}?done=change-answered"
    shown = (await web.get(done.headers["location"])).text
    assert "Your answer to the significant change is recorded" in shown
    assert "No review needed</strong>" in shown
    assert reason in shown
    # Answered: the page no longer offers the answers.
    assert "/no-review" not in (await web.get(page)).text


async def test_the_childs_file_carries_the_changes_and_the_iros_answers(
    web: httpx.AsyncClient, world: World
) -> None:
    """The child's file for the authority's statutory record (JSON and PDF) carries each significant change in
    the child's circumstances and the IRO's answer."""
    case_id = await _case(world)
    today = clock.today()
    await sign_in_as(web, world.id("social_worker"))
    form = (await web.get(f"/cases/{case_id}/significant-changes/new")).text
    child = re.search(r'name="childId" type="radio" value="([^"]+)"', form)
    assert child
    saved = await _notify(
        web,
        case_id,
        childId=child.group(1),
        kind="LEGAL_STATUS",
        summary="The interim care order was renewed with a new condition.",
        **{
            "occurredOn-day": str(today.day),
            "occurredOn-month": str(today.month),
            "occurredOn-year": str(today.year),
        },
    )
    assert saved.status_code == 303
    await sign_in_as(web, world.id("iro"))
    case = (await web.get(f"/cases/{case_id}")).text
    change_id = re.search(r'id="change-([0-9a-f-]{36})"', case)
    assert change_id
    page = f"/cases/{case_id}/significant-changes/{change_id.group(1)}"
    reason = "Nothing in the plan changes; noted for the next review."
    answered = await web.post(
        f"{page}/no-review", data={"csrf_token": csrf_from((await web.get(page)).text), "reason": reason}
    )
    assert answered.status_code == 303
    exported = await web.get(f"/cases/{case_id}/children/{child.group(1)}/file.json")
    assert exported.status_code == 200
    [change] = json.loads(exported.text)["significantChanges"]
    assert (change["kind"], change["response"], change["responseReason"]) == (
        "LEGAL_STATUS",
        "NO_REVIEW",
        reason,
    )
    assert change["notifiedBy"]["name"] == "Sam Worker"
    pdf = await web.get(f"/cases/{case_id}/children/{child.group(1)}/file.pdf")
    text = re.sub(
        r"\s+", " ", " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf.content)).pages)
    )
    assert "Significant changes" in text
    assert "A change of legal status" in text
    assert f"No review needed: {reason}" in text
