"""The pages for reviews, discussion records (and their PDF and JSON exports), concerns, significant issues,
waivers and email settings, used without JavaScript as a browser would."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import httpx
from pypdf import PdfReader

from tests.support.browsing import csrf_from, sign_in_as
from tests.support.world import World


def _date(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


async def _post(web: httpx.AsyncClient, form_page: str, action: str, **fields: str) -> httpx.Response:
    page = await web.get(form_page)
    assert page.status_code == 200, form_page
    return await web.post(action, data={"csrf_token": csrf_from(page.text), **fields})


def _child_id(page: str) -> str:
    match = re.search(r'name="childIds" type="checkbox" value="([^"]+)"', page)
    assert match
    return match.group(1)


async def test_the_iro_books_a_review_tells_the_guardian_and_shares_the_record(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("iro"))
    form = (await web.get(f"/cases/{case_id}/reviews/new")).text
    assert "First review due by" in form
    child = _child_id(form)
    # Nothing chosen and no date: the errors, and nothing booked.
    refused = await web.post(
        f"/cases/{case_id}/reviews", data={"csrf_token": csrf_from(form), "arrangements": ""}
    )
    assert refused.status_code == 400
    for message in ("Choose the children to review", "Enter the date of the review", "Enter the time, place"):
        assert message in refused.text
    review_day = date.today() + timedelta(days=21)
    booked = await web.post(
        f"/cases/{case_id}/reviews",
        data={
            "csrf_token": csrf_from(form),
            "childIds": child,
            **_date("reviewDate", review_day),
            "arrangements": "10am at the children's centre",
        },
    )
    assert booked.status_code == 303
    case = (await web.get(booked.headers["location"])).text
    assert "The review is booked." in case
    assert "Tell the guardian" in case  # not told yet: the box was left unticked
    review = re.search(r"/cases/[0-9a-f-]{36}/reviews/([0-9a-f-]{36})/notice", case)
    assert review
    told = await web.post(review.group(0), data={"csrf_token": csrf_from(case)})
    assert told.status_code == 303, (told.status_code, told.text[-2000:])
    assert "has been told the review" in (await web.get(told.headers["location"])).text
    # The review cannot be held before it is booked, so record it as held today, with its record.
    outcome = f"/cases/{case_id}/reviews/{review.group(1)}"
    held = await _post(
        web, outcome, f"{outcome}/held", **_date("heldOn", date.today()), record="Plan endorsed."
    )
    assert held.status_code == 303
    await sign_in_as(web, world.id("guardian"))
    seen = (await web.get(f"/cases/{case_id}")).text
    assert "Plan endorsed." in seen
    assert "Book a review" not in seen  # the guardian does not run reviews


async def test_a_discussion_is_recorded_with_actions_and_exported_for_the_childs_file(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("iro"))
    form = (await web.get(f"/cases/{case_id}/discussions/new")).text
    guardian = str(world.id("guardian"))
    refused = await web.post(
        f"/cases/{case_id}/discussions",
        data={"csrf_token": csrf_from(form), "actions-0-description": "Send the plan"},
    )
    assert refused.status_code == 400
    errors = re.findall(r'<li><a href="#[^"]+">([^<]+)</a></li>', refused.text)
    for message in (
        "Enter the date of the discussion",
        "Choose how",
        "Enter what was discussed",
        "Choose who",
    ):
        assert any(e.startswith(message) for e in errors), errors
    saved = await web.post(
        f"/cases/{case_id}/discussions",
        data={
            "csrf_token": csrf_from(form),
            **_date("heldOn", date.today()),
            "mode": "VIDEO_CALL",
            "kind": "DURING_PROCEEDINGS",
            "othersPresent": "Sam Worker (social worker)",
            "summary": "The interim care plan and contact with the mother.",
            "actions-0-description": "Send the updated care plan",
            "actions-0-ownerId": guardian,
            **_date("actions-0-dueOn", date.today() + timedelta(days=7)),
        },
    )
    assert saved.status_code == 303
    case = (await web.get(saved.headers["location"])).text
    assert "The discussion is recorded on the child" in case
    pdf_link = re.search(r'href="(/cases/[^"]+/discussions/[^"]+\.pdf)"', case)
    assert pdf_link
    pdf = await web.get(pdf_link.group(1))
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment")
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    for value in (
        "Amy Example",
        "Video call",
        "Gina Guardian",
        "Ivan Reviewer",
        "Sam Worker (social worker)",
        "The interim care plan and contact with the mother.",
        "Send the updated care plan",
    ):
        assert value in text, value
    assert reader.metadata is not None
    assert reader.metadata.title.startswith("Discussion record")
    assert "/Lang" in reader.trailer["/Root"]
    record = json.loads((await web.get(pdf_link.group(1).replace(".pdf", ".json"))).text)
    assert record["discussion"]["agreedActions"][0] == {
        "description": "Send the updated care plan",
        "owner": "Gina Guardian",
        "dueOn": (date.today() + timedelta(days=7)).isoformat(),
        "doneAt": None,
    }
    # Someone who cannot see the case cannot export it.
    await sign_in_as(web, world.id("other_iro"))
    assert (await web.get(pdf_link.group(1))).status_code == 404


async def test_a_concern_is_raised_and_acknowledged_and_kept_from_the_authoritys_lawyer(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("guardian"))
    raised = await _post(
        web,
        f"/cases/{case_id}/concerns/new",
        f"/cases/{case_id}/concerns",
        summary="Contact is not happening.",
    )
    assert raised.status_code == 303
    await sign_in_as(web, world.id("iro"))
    tasks = (await web.get("/tasks")).text
    assert "To acknowledge" in tasks
    assert "Concern (P8) from Gina Guardian" in tasks
    case = (await web.get(f"/cases/{case_id}")).text
    issue = re.search(r"/cases/[0-9a-f-]{36}/issues/([0-9a-f-]{36})/acknowledge", case)
    assert issue
    done = await web.post(
        issue.group(0), data={"csrf_token": csrf_from(case), "response": "I will raise it."}
    )
    assert "Acknowledged." in (await web.get(done.headers["location"])).text
    await sign_in_as(web, world.id("solicitor"))
    assert "Contact is not happening." not in (await web.get(f"/cases/{case_id}")).text


async def test_a_significant_issue_kept_back_is_shared_later(web: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("iro"))
    kept = await _post(
        web,
        f"/cases/{case_id}/significant-issues/new",
        f"/cases/{case_id}/significant-issues",
        **_date("aroseOn", date.today()),
        meeting="Placement planning meeting",
        summary="The placement may end.",
    )
    assert kept.status_code == 303
    case = (await web.get(kept.headers["location"])).text
    assert "Not shared with the guardian yet" in case
    share = re.search(r"/cases/[0-9a-f-]{36}/issues/[0-9a-f-]{36}/share", case)
    assert share
    await web.post(share.group(0), data={"csrf_token": csrf_from(case)})
    await sign_in_as(web, world.id("guardian"))
    assert "The placement may end." in (await web.get(f"/cases/{case_id}")).text


async def test_the_guardian_marks_a_pre_review_consultation_not_needed(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("iro"))
    form = (await web.get(f"/cases/{case_id}/reviews/new")).text
    await web.post(
        f"/cases/{case_id}/reviews",
        data={
            "csrf_token": csrf_from(form),
            "childIds": _child_id(form),
            **_date("reviewDate", date.today() + timedelta(days=30)),
            "arrangements": "By video",
            "tellGuardian": "yes",
        },
    )
    await sign_in_as(web, world.id("guardian"))
    case = (await web.get(f"/cases/{case_id}")).text
    waive = re.search(r'action="(/cases/[^"]+/obligations/[^"]+/waive)"', case)
    assert waive  # only P11 offers it to the guardian
    assert case.count("/waive") == 1
    done = await web.post(
        waive.group(1), data={"csrf_token": csrf_from(case), "reason": "Nothing has changed."}
    )
    page = (await web.get(done.headers["location"])).text
    assert "Waived" in page
    assert "Nothing has changed." in page


async def test_choosing_a_daily_digest(web: httpx.AsyncClient, world: World) -> None:
    await sign_in_as(web, world.id("guardian"))
    page = (await web.get("/settings/email")).text
    assert 'value="IMMEDIATE" checked' in page
    saved = await web.post(
        "/settings/email", data={"csrf_token": csrf_from(page), "preference": "DAILY_DIGEST"}
    )
    page = (await web.get(saved.headers["location"])).text
    assert "Your email setting is saved." in page
    assert 'value="DAILY_DIGEST" checked' in page
