"""The pages for disputes about a child's care plan (issue 17), used without JavaScript as a browser would:
the IRO's challenge (refused with every problem and nothing kept), its exchanges and stages, the answer of
the manager named (among their tasks), the guardian once told, the IRO manager's list, who finds no such
page, and an authority's ladder set by its administrator."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import Dispute, DisputeDocument
from portal import clock
from tests.support import files
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.world import World

DISPUTE_LINK = re.compile(r'href="/disputes/([0-9a-f-]{36})"')


def _date(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


async def _post(web: httpx.AsyncClient, page: str, action: str, **fields: str) -> httpx.Response:
    """Open the page, then post one of its forms with the session's token."""
    shown = await web.get(page)
    assert shown.status_code == 200, page
    return await web.post(action, data={"csrf_token": csrf_from(shown.text), **fields})


def _challenge(**changes: str) -> dict[str, str]:
    return {
        "subject": "PLACEMENT_MOVE",
        "summary": "An unplanned move against the review's decision.",
        "raisedWith": "The social worker",
        "resolutionSought": "Keep the placement until the next review.",
        **_date("soughtBy", clock.today() + timedelta(days=14)),
        **changes,
    }


async def _raise(web: httpx.AsyncClient, case_id: object, **changes: str) -> str:
    """The IRO (signed in) raises a challenge through the form: the new dispute's id."""
    raised = await _post(
        web, f"/cases/{case_id}/disputes/new", f"/cases/{case_id}/disputes", **_challenge(**changes)
    )
    assert raised.status_code == 303, raised.text[-3000:]
    location = raised.headers["location"]
    assert location.endswith("?done=raised")
    return location.removeprefix("/disputes/").removesuffix("?done=raised")


async def _disputes_kept(engine: AsyncEngine) -> int:
    async with AsyncSession(engine) as session:
        return len((await session.scalars(sa.select(Dispute))).all())


async def test_the_iro_raises_a_challenge_refused_first_with_every_problem(
    web: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("iro"))
    case = (await web.get(f"/cases/{case_id}")).text
    assert 'href="#disputes"' in case
    assert "No disputes have been raised." in case
    assert f'href="/cases/{case_id}/disputes/new"' in case

    form = await web.get(f"/cases/{case_id}/disputes/new")
    assert form.status_code == 200
    refused = await web.post(f"/cases/{case_id}/disputes", data={"csrf_token": csrf_from(form.text)})
    assert refused.status_code == 400
    assert "There is a problem" in refused.text
    for message in (
        "Choose what is disputed",
        "Say what is disputed",
        "Say who it is raised with",
        "Say what resolution is sought",
        "Say by when the resolution is sought",
    ):
        assert message in refused.text, message
    assert 'href="#soughtBy-day"' in refused.text  # the summary links to the field
    # A date in the past, and a fast track with no stage, reason or manager.
    past = await web.post(
        f"/cases/{case_id}/disputes",
        data={
            "csrf_token": csrf_from(form.text),
            **_challenge(**_date("soughtBy", clock.today() - timedelta(days=1))),
            "fastTrack": "yes",
        },
    )
    assert past.status_code == 400
    assert "The date it is sought by must be today or later" in past.text
    assert "Choose the stage to start at" in past.text
    assert "An unplanned move against the review" in past.text  # what was typed is kept
    assert await _disputes_kept(engine) == 0

    dispute_id = await _raise(web, case_id)
    page = (await web.get(f"/disputes/{dispute_id}?done=raised")).text
    assert "The challenge is recorded." in page
    assert "Dispute: A placement move" in page
    assert "An unplanned move against the review&#39;s decision." in page
    assert "Informal" in page
    assert "Challenge raised: The social worker" in page
    case = (await web.get(f"/cases/{case_id}")).text
    assert DISPUTE_LINK.findall(case) == [dispute_id]
    assert "No disputes have been raised." not in case


async def test_a_dispute_goes_up_the_ladder_is_answered_and_resolved(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("iro"))
    dispute_id = await _raise(web, case_id)
    page = f"/disputes/{dispute_id}"

    refused = await _post(web, page, f"{page}/exchange", **_date("occurredOn", clock.today()))
    assert refused.status_code == 400
    assert "Say who the exchange was with" in refused.text
    assert "Say what was said" in refused.text
    exchanged = await _post(
        web,
        page,
        f"{page}/exchange",
        **_date("occurredOn", clock.today()),
        party="The team manager",
        note="They will not reconsider the move.",
    )
    assert (exchanged.status_code, exchanged.headers["location"]) == (303, f"{page}?done=exchange")
    shown = (await web.get(exchanged.headers["location"])).text
    assert "The exchange is recorded." in shown
    assert "Exchange with The team manager" in shown
    # The IRO sees who answers next, and the challenge form offers the ladder's stages to start at.
    assert (
        "The next stage of the ladder is stage 1: Team manager, who answers within 5 working days." in shown
    )
    form = (await web.get(f"/cases/{case_id}/disputes/new")).text
    assert '<option value="3">Stage 3: Head of service (5 working days)</option>' in form

    # Nobody named: refused, and the dispute stays informal.
    nobody = await _post(web, page, f"{page}/escalate", reason="No answer by the date.")
    assert nobody.status_code == 400
    assert "Name a manager of the authority to answer at this stage" in nobody.text
    # A manager of another authority is no manager of this one.
    elsewhere = await _post(
        web,
        page,
        f"{page}/escalate",
        answererId=str(world.id("other_la_manager")),
        reason="No answer.",
    )
    assert elsewhere.status_code == 400
    escalated = await _post(
        web, page, f"{page}/escalate", answererId=str(world.id("team_manager")), reason="No answer."
    )
    assert escalated.status_code == 303
    shown = (await web.get(page)).text
    assert "Stage 1: Team manager" in shown
    assert "Tamsin Manager" in shown

    # The manager named finds it among their tasks, and answers it on its page.
    await sign_in_as(web, world.id("team_manager"))
    tasks = (await web.get("/tasks")).text
    assert "Disputes to answer" in tasks
    assert f'href="/disputes/{dispute_id}#do-answer"' in tasks
    assert "Nothing needs doing" not in tasks
    blank = await _post(web, page, f"{page}/answer", answer=" ")
    assert blank.status_code == 400
    assert "Enter the answer" in blank.text
    answered = await _post(web, page, f"{page}/answer", answer="Agreed: the placement stays.")
    assert answered.status_code == 303
    shown = (await web.get(answered.headers["location"])).text
    assert "The answer is recorded." in shown
    assert "Agreed: the placement stays." in shown
    # Nothing more for them to do but keep documents with it (their answer in writing, say).
    assert re.findall(r'action="/disputes/[^"]*"', shown) == [f'action="{page}/documents"']
    assert "Disputes to answer" not in (await web.get("/tasks")).text
    # Not on the case: no link to it, and the case itself is not theirs to read.
    assert f'href="/cases/{case_id}' not in shown
    assert (await web.get(f"/cases/{case_id}")).status_code == 404

    await sign_in_as(web, world.id("iro"))
    resolved = await _post(
        web, page, f"{page}/resolve", resolution="Settled by the team manager's answer; the placement stays."
    )
    assert resolved.status_code == 303
    shown = (await web.get(resolved.headers["location"])).text
    assert "The dispute is recorded as resolved." in shown
    assert "Resolved" in shown
    assert f'action="{page}/exchange"' not in shown
    assert f'action="{page}/escalate"' not in shown
    # Resolved: refused at once, however it is posted.
    again = await _post(
        web, page, f"{page}/exchange", **_date("occurredOn", clock.today()), party="A", note="B"
    )
    assert again.status_code == 400
    assert "The dispute has been resolved" in again.text


async def test_who_finds_no_such_page_and_the_guardian_once_told(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("iro"))
    dispute_id = await _raise(web, case_id)
    page = f"/disputes/{dispute_id}"
    for who in ("guardian", "social_worker", "solicitor", "other_la_manager", "other_iro", "iro_manager"):
        await sign_in_as(web, world.id(who))
        if who != "iro_manager":  # who sees it, but raises no challenge
            assert (await web.get(page)).status_code == 404, who
        assert (await web.get(f"/cases/{case_id}/disputes/new")).status_code == 404, who
    # The guardian's case page does not show it, nor any section for it.
    await sign_in_as(web, world.id("guardian"))
    case = (await web.get(f"/cases/{case_id}")).text
    assert 'id="disputes"' not in case
    assert dispute_id not in case
    assert (await web.get("/disputes/not-a-dispute")).status_code == 404

    await sign_in_as(web, world.id("iro"))
    told = await _post(web, page, f"{page}/tell-guardian")
    assert (told.status_code, told.headers["location"]) == (303, f"{page}?done=guardian-told")
    assert "Told " in (await web.get(page)).text
    twice = await _post(web, page, f"{page}/tell-guardian")  # a stale page: said on the page itself
    assert twice.status_code == 400
    assert "The guardian has been told of this dispute" in twice.text

    await sign_in_as(web, world.id("guardian"))
    assert DISPUTE_LINK.findall((await web.get(f"/cases/{case_id}")).text) == [dispute_id]
    shown = (await web.get(page)).text
    assert "Give your view" in shown
    assert f'action="{page}/exchange"' not in shown  # the guardian does not manage it
    assert (await _post(web, page, f"{page}/exchange", party="A", note="B")).status_code == 404
    viewed = await _post(web, page, f"{page}/view", view="I support the IRO's challenge.")
    assert viewed.status_code == 303
    await sign_in_as(web, world.id("iro"))
    assert "I support the IRO&#39;s challenge." in (await web.get(page)).text


async def test_the_iro_manager_sees_every_dispute_of_the_authority(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("iro"))
    dispute_id = await _raise(web, case_id)
    await sign_in_as(web, world.id("iro_manager"))
    listed = await web.get("/disputes")
    assert listed.status_code == 200
    assert 'href="/disputes"' in listed.text  # in the service navigation
    assert DISPUTE_LINK.findall(listed.text) == [dispute_id]
    assert f'href="/cases/{case_id}#disputes"' in listed.text
    shown = (await web.get(f"/disputes/{dispute_id}")).text
    assert "An unplanned move" in shown
    assert 'action="/disputes/' not in shown  # the manager reads it only
    # Not the manager of another authority, nor a guardian (who has no link to the list); and nobody who
    # never sees a dispute has the list at all.
    await sign_in_as(web, world.id("other_iro_manager"))
    assert DISPUTE_LINK.findall((await web.get("/disputes")).text) == []
    await sign_in_as(web, world.id("guardian"))
    assert 'href="/disputes"' not in (await web.get("/cases")).text
    assert DISPUTE_LINK.findall((await web.get("/disputes")).text) == []
    for who in ("social_worker", "cafcass_manager", "admin"):
        await sign_in_as(web, world.id(who))
        assert (await web.get("/disputes")).status_code == 404, who


async def test_a_concern_is_taken_up_as_a_challenge_on_the_fast_track(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("guardian"))
    concern = await _post(
        web,
        f"/cases/{case_id}/concerns/new",
        f"/cases/{case_id}/concerns",
        summary="Contact with Gran stopped.",
    )
    assert concern.status_code == 303
    await sign_in_as(web, world.id("iro"))
    case = (await web.get(f"/cases/{case_id}")).text
    taken_up = re.search(r'href="(/cases/[0-9a-f-]{36}/disputes/new\?concern=([0-9a-f-]{36}))"', case)
    assert taken_up, "the guardian's concern has a link to take it up"
    form = (await web.get(taken_up.group(1))).text
    assert f'name="concernId" value="{taken_up.group(2)}"' in form
    assert "Contact with Gran stopped." in form
    # The authority's managers are offered, and only they; a fast track needs its reason.
    options = re.findall(r'<option value="([0-9a-f-]{36})">', form.split('id="answererId"')[1])
    assert set(options) == {str(world.id(m)) for m in ("team_manager", "head_of_service", "director")}
    team_manager = str(world.id("team_manager"))
    fast = {
        "concernId": taken_up.group(2),
        "summary": "Contact with Gran stopped.",
        "fastTrack": "yes",
        "fastTrackStage": "2",
        "answererId": team_manager,
    }
    refused = await web.post(
        f"/cases/{case_id}/disputes", data={"csrf_token": csrf_from(form), **_challenge(**fast)}
    )
    assert refused.status_code == 400
    assert "Say why it starts at a formal stage at once" in refused.text
    assert f'name="concernId" value="{taken_up.group(2)}"' in refused.text  # still taking it up
    raised = await web.post(
        f"/cases/{case_id}/disputes",
        data={"csrf_token": csrf_from(form), **_challenge(**fast, fastTrackReason="The child is at risk.")},
    )
    assert raised.status_code == 303
    shown = (await web.get(raised.headers["location"])).text
    assert "Stage 2: Service manager" in shown
    assert "The child is at risk." in shown
    assert "Started at a formal stage at once (fast track)" in shown


async def test_an_administrator_sets_the_authoritys_ladder(web: httpx.AsyncClient, world: World) -> None:
    riverside = world.orgs["riverside"].id
    page = f"/admin/dispute-ladder?organisation={riverside}"
    for who in ("iro", "iro_manager", "team_manager"):
        await sign_in_as(web, world.id(who))
        assert (await web.get(page)).status_code == 404, who
    await sign_in_as(web, world.id("admin"))
    assert page in (await web.get(f"/admin/people?organisation={riverside}")).text
    assert (
        await web.get(f"/admin/dispute-ladder?organisation={world.orgs['northmoor'].id}")
    ).status_code == 404
    shown = (await web.get(page)).text
    assert "The national default (version 1)" in shown
    assert "Director of children&#39;s services" in shown
    assert 'value="Head of service"' in shown  # the form starts from the ladder in force

    stages = {f"stages-{n}-{part}": "" for n in range(8) for part in ("answerer", "workingDays")}
    bad = {
        **stages,
        "stages-0-answerer": "Team manager",
        "stages-0-workingDays": "five",
        "stages-2-answerer": "Director",
        "stages-2-workingDays": "99",
        "overallWorkingDays": "",
        "solicitorFromStage": "7",
    }
    refused = await _post(web, page, "/admin/dispute-ladder", organisation=str(riverside), **bad)
    assert refused.status_code == 400
    for message in (
        "Enter the working days for stage 1 as a number, like 5",
        "Allow from 1 to 60 working days for a stage",
        "Enter the working days for the whole ladder as a number, like 20",
        "Name one of the ladder&#39;s stages, or none",
    ):
        assert message in refused.text, message
    # The blank row is left out: the director is stage 2, with its error beside it.
    assert 'href="#stages-1-workingDays"' in refused.text
    assert 'id="stages-1-answerer" name="stages-1-answerer" type="text" value="Director"' in refused.text
    assert "The national default (version 1)" in refused.text

    good = {
        **stages,
        "stages-0-answerer": "Team manager",
        "stages-0-workingDays": "5",
        "stages-2-answerer": "Director",
        "stages-2-workingDays": "3",
        "overallWorkingDays": "10",
        "solicitorFromStage": "2",
    }
    saved = await _post(web, page, "/admin/dispute-ladder", organisation=str(riverside), **good)
    assert (saved.status_code, saved.headers["location"]) == (303, f"{page}&done=set")
    shown = (await web.get(saved.headers["location"])).text
    assert "The new ladder is in force" in shown
    assert "1, the authority's own" in shown
    assert "10 working days from the first formal stage" in shown
    assert "Sees a dispute from stage 2" in shown
    assert "Head of service" not in shown


async def test_an_unanswered_stage_past_its_date_and_the_ladders_time_are_flagged(
    web: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("iro"))
    dispute_id = await _raise(web, case_id)
    page = f"/disputes/{dispute_id}"
    named = {"answererId": str(world.id("team_manager")), "reason": "No answer."}
    assert (await _post(web, page, f"{page}/escalate", **named)).status_code == 303
    assert "Overdue" not in (await web.get(page)).text
    # Eight weeks on: the stage's 5 working days and the ladder's 20 are long past.
    later = clock.today() + timedelta(weeks=8)
    monkeypatch.setattr(clock, "today", lambda: later)
    for shown in (page, f"/cases/{case_id}", "/disputes"):
        text = (await web.get(shown)).text
        assert "Overdue" in text, shown
        assert "Beyond the ladder's time" in text, shown
    await sign_in_as(web, world.id("team_manager"))
    tasks = (await web.get("/tasks")).text
    assert "Overdue" in tasks
    assert "Beyond the ladder's time" in tasks


async def test_the_iro_adds_a_document_refused_first_with_every_problem(
    web: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    await sign_in_as(web, world.id("iro"))
    dispute_id = await _raise(web, case_id)
    page = f"/disputes/{dispute_id}"
    shown = (await web.get(page)).text
    assert 'href="#do-document"' in shown
    assert "No documents have been added." in shown
    assert f'action="{page}/documents" enctype="multipart/form-data"' in shown
    token = csrf_from(shown)

    # Nothing chosen, nothing said: both problems at once.
    empty = await web.post(f"{page}/documents", data={"csrf_token": token, "description": ""})
    assert empty.status_code == 400
    assert "Say what the document is" in empty.text
    assert "Choose a file to upload" in empty.text
    assert 'href="#file"' in empty.text
    # A file that is not what its name says: refused, and what was typed is kept.
    wrong = await web.post(
        f"{page}/documents",
        data={"csrf_token": token, "description": "The head of service's letter"},
        files={"file": ("letter.pdf", files.PNG, "application/pdf")},
    )
    assert wrong.status_code == 400
    assert "The file&#39;s content does not match its name" in wrong.text
    assert 'value="The head of service&#39;s letter"' in wrong.text
    # Without the session's token: nothing is kept either.
    forged = await web.post(
        f"{page}/documents",
        data={"description": "Forged"},
        files={"file": ("letter.pdf", files.PDF, "application/pdf")},
    )
    assert forged.status_code in {400, 403}
    async with AsyncSession(engine) as session:
        assert (await session.scalars(sa.select(DisputeDocument))).all() == []

    added = await web.post(
        f"{page}/documents",
        data={"csrf_token": token, "description": "The head of service's letter"},
        files={"file": ("letter.pdf", files.PDF, "application/pdf")},
    )
    assert (added.status_code, added.headers["location"]) == (303, f"{page}?done=document")
    shown = (await web.get(added.headers["location"])).text
    assert "The document is kept with the dispute." in shown
    assert "No documents have been added." not in shown
    assert "The head of service&#39;s letter" in shown
    assert "Document added: letter.pdf" in shown
    link = re.search(r'href="(/dispute-documents/[0-9a-f-]{36})" download>letter.pdf', shown)
    assert link is not None
    opened = await web.get(link.group(1))
    assert (opened.status_code, opened.content) == (200, files.PDF)

    # The IRO manager reads it, and its documents, but adds none.
    await sign_in_as(web, world.id("iro_manager"))
    shown = (await web.get(page)).text
    assert link.group(1) in shown
    assert f'action="{page}/documents"' not in shown
    assert (await web.get(link.group(1))).status_code == 200
    token = csrf_from((await web.get("/sign-out")).text)
    refused = await web.post(f"{page}/documents", data={"csrf_token": token, "description": "Mine"})
    assert refused.status_code == 400
    assert "Only the IRO, or the manager answering the stage it is at, may add a document" in refused.text
    # Anyone who does not see the dispute finds no such page, and no such document.
    await sign_in_as(web, world.id("guardian"))
    assert (await web.get(link.group(1))).status_code == 404
    token = csrf_from((await web.get("/sign-out")).text)
    assert (await web.post(f"{page}/documents", data={"csrf_token": token})).status_code == 404
