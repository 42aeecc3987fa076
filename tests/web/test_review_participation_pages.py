"""The child's participation in a review on the pages (issue 18): the IRO's form on the review's page
(radios, a textarea, the private checkbox), every problem at once; the case page and the child's file show
the record to everyone who sees the review, and what the child said only to whom it is for."""

from __future__ import annotations

import io
import json
import re
import uuid

import httpx
from pypdf import PdfReader

from models import LegalStatus
from portal import clock
from portal.cases import repository as case_rows
from portal.reviews import service as reviews
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.world import World

SAID = "Amy wants to stay with her carers; she asked the IRO to keep this between them."
WITHHELD = "What the child said is private to their IRO."


async def _held_review(world: World, case_id: uuid.UUID) -> tuple[str, str]:
    """A review of the case's first child, held today; its id and the child's."""
    iro = await world.actor("iro")
    async with world.sessions() as session, session.begin():
        [child] = [c for c in await case_rows.case_children(session, case_id)][:1]
        data = reviews.ScheduleReview(case_id, [child.id], clock.today(), "At home", tell_guardian=False)
        [review] = await reviews.schedule_review(session, iro, data)
        await reviews.record_held(session, iro, review.id, clock.today(), None)
    return str(review.id), str(child.id)


async def test_the_iro_records_it_on_the_reviews_page_and_others_see_it_without_what_was_said(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case([("Amy", LegalStatus.INTERIM_CARE_ORDER)])
    review_id, child_id = await _held_review(world, case_id)
    page = f"/cases/{case_id}/reviews/{review_id}"
    action = f"{page}/participation"

    await sign_in_as(web, world.id("iro"))
    case = (await web.get(f"/cases/{case_id}")).text
    assert f'href="{page}#participation">Record' in case
    form = (await web.get(page)).text
    assert f'action="{action}"' in form
    for field in ('name="attendance" type="radio"', 'name="viewsConveyed" type="radio"', 'name="private"'):
        assert field in form
    assert '<textarea class="govuk-textarea" id="wishesAndFeelings"' in form
    # Nothing chosen, nothing said: every problem at once, and nothing recorded.
    refused = await web.post(action, data={"csrf_token": csrf_from(form), "wishesAndFeelings": ""})
    assert refused.status_code == 400
    assert "There is a problem" in refused.text
    assert 'href="#attendance">Say whether the child attended the review' in refused.text
    saved = await web.post(
        action,
        data={
            "csrf_token": csrf_from(form),
            "attendance": "VIEWS_CONVEYED",
            "viewsConveyed": "TO_THE_IRO_BEFORE",
            "conveyedBy": "Met the IRO at school",
            "wishesAndFeelings": SAID,
            "private": "yes",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/cases/{case_id}?done=review-participation"
    mine = (await web.get(saved.headers["location"])).text
    assert "participation in the review is recorded" in mine
    assert SAID.replace("'", "&#39;") in mine
    assert "Private to the child's IRO</strong>" in mine
    assert f'href="{page}#participation">Change' in mine
    # The form shows what was recorded, to change it.
    again = (await web.get(page)).text
    assert 'value="VIEWS_CONVEYED" checked' in again
    assert 'id="private" name="private" type="checkbox" value="yes" checked' in again

    for who in ("solicitor", "guardian", "iro_manager", "cafcass_manager"):
        await sign_in_as(web, world.id(who))
        theirs = (await web.get(f"/cases/{case_id}")).text
        assert "Amy wants to stay" not in theirs, who
        assert WITHHELD in theirs, who
        assert "Did not attend, but their views were conveyed" in theirs, who
        assert "Their views: spoke to the IRO before the review (Met the IRO at school)." in theirs, who
        assert f"{page}#participation" not in theirs, who

    # The child's file, for the authority's record, never carries it: not even the IRO's export.
    for who in ("solicitor", "iro"):
        await sign_in_as(web, world.id(who))
        exported = await web.get(f"/cases/{case_id}/children/{child_id}/file.json")
        assert exported.status_code == 200, who
        [review] = json.loads(exported.text)["reviews"]
        assert review["participation"]["attendance"] == "VIEWS_CONVEYED"
        assert review["participation"]["private"] is True
        assert review["participation"]["wishesAndFeelings"] is None, who
        assert "Amy wants to stay" not in exported.text, who
    pdf = await web.get(f"/cases/{case_id}/children/{child_id}/file.pdf")
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf.content)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "What Amy said is private to their IRO, and is not part of this file." in text
    assert "Amy wants to stay" not in text


async def test_not_private_the_childs_file_carries_what_the_child_said(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case([("Amy", LegalStatus.INTERIM_CARE_ORDER)])
    review_id, child_id = await _held_review(world, case_id)
    await sign_in_as(web, world.id("iro"))
    page = f"/cases/{case_id}/reviews/{review_id}"
    form = (await web.get(page)).text
    saved = await web.post(
        f"{page}/participation",
        data={
            "csrf_token": csrf_from(form),
            "attendance": "ATTENDED",
            "viewsConveyed": "AT_THE_REVIEW",
            "wishesAndFeelings": "Amy chaired the first part herself.",
        },
    )
    assert saved.status_code == 303
    exported = await web.get(f"/cases/{case_id}/children/{child_id}/file.json")
    [review] = json.loads(exported.text)["reviews"]
    assert review["participation"]["wishesAndFeelings"] == "Amy chaired the first part herself."
    # The record is not shared yet: the solicitor sees the participation, not what was said.
    await sign_in_as(web, world.id("solicitor"))
    theirs = (await web.get(f"/cases/{case_id}")).text
    assert "Amy chaired" not in theirs
    assert "in the review's record, which the IRO has not shared yet" in theirs
