"""What the IRO writes to a looked-after child (issue 19; RESEARCH-NOTES.md §5.1, F17, F18): their
introduction at allocation (how they explained their role, the way of keeping in touch agreed, whether the
child was told they can have an advocate), confirmed in a plain-language letter to the child or, for a young
child, their carer; and, when a dispute about the child's plan is resolved, what was decided and how the
child's views counted. The letters are tagged PDFs drawn from the records, read here as text; both records
are on the child's file, and every write and every letter read is audited."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncEngine

from models import AuditEvent, DisputeSubject, LegalStatus
from portal.db import create_session_factory
from portal.disputes import service as disputes
from tests.conftest import Travel
from tests.support.browsing import csrf_from, sign_in_as
from tests.support.world import World
from tests.test_protocol_walkthrough import Walk, at

MET = date(2026, 12, 3)
IN_TOUCH = "I will visit Amy at home every 3 months, and Amy can text me any time."
DECIDED = "You will stay with Sam and Alex, and go to the school near their house."
COUNTED = "You told me you wanted to stay. I told the managers, and that is why they agreed."


async def _walk(client: httpx.AsyncClient, world: World, travel: Travel, siblings: bool = False) -> Walk:
    """Amy (and Ben), looked after, with the guardian and the IRO; with Ben, Ben's own IRO is iro2."""
    travel(at(date(2026, 12, 7), 10))
    world.forget_tokens()
    children = [("Amy", LegalStatus.INTERIM_CARE_ORDER)]
    if siblings:
        children.append(("Ben", LegalStatus.INTERIM_CARE_ORDER))
    walk = Walk(client, world, await world.open_case(children, issued_weeks_ago=2))
    if siblings:
        await walk.change(
            "iro_manager",
            "AssignIro",
            "assignIro",
            caseId=walk.case_id,
            personId=str(world.id("iro2")),
            childIds=[(await _children(walk))["Ben"]],
            reallocationReason="Ben's own IRO",
        )
    return walk


async def _children(walk: Walk) -> dict[str, str]:
    return {c["givenName"]: c["id"] for c in (await walk.case())["children"]}


def _introduction(walk: Walk, child_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "caseId": walk.case_id,
        "childId": child_id,
        "explainedOn": MET.isoformat(),
        "explainedHow": "MET_WITH_CARER",
        "keepingInTouch": IN_TOUCH,
        "phone": "01632 960 001",
        "advocacyExplained": True,
        "letterTo": "CARER",
        "carerName": "Mrs Jane Smith",
        **changes,
    }


async def _introduce(walk: Walk, who: str, **input: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await walk.run(who, "RecordIroIntroduction", input=input))[
        "recordIroIntroduction"
    ]
    return payload


def _codes(payload: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(e["code"], e["field"]) for e in payload["errors"]}


async def _actions(engine: AsyncEngine, case_id: str, prefix: str) -> list[str]:
    async with create_session_factory(engine)() as session:
        rows = await session.execute(
            sa.select(AuditEvent.action)
            .where(AuditEvent.case_id == uuid.UUID(case_id), AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
        return list(rows.scalars())


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _title(pdf: bytes) -> str:
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert metadata is not None
    return str(metadata.title)


async def test_the_iro_records_their_introduction_and_changes_it(
    client: httpx.AsyncClient, world: World, travel: Travel, engine: AsyncEngine
) -> None:
    walk = await _walk(client, world, travel)
    amy = (await _children(walk))["Amy"]
    first = await _introduce(walk, "iro", **_introduction(walk, amy))
    assert first["errors"] == []
    changed = await _introduce(
        walk, "iro", **_introduction(walk, amy, letterTo="CHILD", explainedHow="MET_ALONE")
    )
    assert changed["errors"] == []
    # One record for each child and IRO: the change is to the same one.
    assert changed["introduction"]["id"] == first["introduction"]["id"]
    [introduction] = (await walk.case("guardian"))["introductions"]
    assert (
        introduction["childId"],
        introduction["explainedOn"],
        introduction["explainedHow"],
        introduction["keepingInTouch"],
        introduction["advocacyExplained"],
        introduction["letterTo"],
        introduction["iro"]["name"],
    ) == (amy, "2026-12-03", "MET_ALONE", IN_TOUCH, True, "CHILD", "Ivan Reviewer")
    assert introduction["letterUrl"] == f"/cases/{walk.case_id}/introductions/{introduction['id']}/letter.pdf"
    assert await _actions(engine, walk.case_id, "introduction.") == [
        "introduction.record",
        "introduction.change",
    ]


async def test_an_introduction_is_the_childs_iros_and_every_problem_is_told_at_once(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    walk = await _walk(client, world, travel, siblings=True)
    children = await _children(walk)
    amy, ben = children["Amy"], children["Ben"]
    # The guardian, the social worker, the solicitor and the IRO manager do not write to the child: for them
    # there is no such case to write on.
    for who in ("guardian", "solicitor", "iro_manager"):
        assert _codes(await _introduce(walk, who, **_introduction(walk, amy))) == {("NOT_FOUND", None)}
    # Ben's IRO is on the case, but is not Amy's.
    assert _codes(await _introduce(walk, "iro2", **_introduction(walk, amy))) == {("NOT_ON_CASE", "childId")}
    assert (await _introduce(walk, "iro2", **_introduction(walk, ben)))["errors"] == []
    empty = _introduction(
        walk, amy, explainedOn=None, explainedHow=None, keepingInTouch="  ", letterTo=None, phone=""
    )
    assert _codes(await _introduce(walk, "iro", **empty)) == {
        ("REQUIRED", "explainedOn"),
        ("REQUIRED", "explainedHow"),
        ("REQUIRED", "keepingInTouch"),
        ("REQUIRED", "letterTo"),
    }
    wrong = _introduction(
        walk,
        amy,
        explainedOn=(date(2026, 12, 8)).isoformat(),
        phone="call me",
        carerName="",
        keepingInTouch="x" * 2001,
    )
    assert _codes(await _introduce(walk, "iro", **wrong)) == {
        ("DATE_IN_FUTURE", "explainedOn"),
        ("INVALID_VALUE", "phone"),
        ("REQUIRED", "carerName"),
        ("TOO_LONG", "keepingInTouch"),
    }
    # Not before the child became looked after (the case was issued, and Amy looked after, 2 weeks ago).
    early = _introduction(walk, amy, explainedOn=date(2026, 11, 1).isoformat())
    assert _codes(await _introduce(walk, "iro", **early)) == {("DATE_TOO_EARLY", "explainedOn")}
    # Nothing refused was kept.
    assert [i["childId"] for i in (await walk.case("iro"))["introductions"]] == [ben]


async def test_the_letter_confirms_the_introduction_to_the_carer_or_the_child(
    client: httpx.AsyncClient, web: httpx.AsyncClient, world: World, travel: Travel, engine: AsyncEngine
) -> None:
    walk = await _walk(client, world, travel)
    amy = (await _children(walk))["Amy"]
    url = (await _introduce(walk, "iro", **_introduction(walk, amy)))["introduction"]["letterUrl"]
    await sign_in_as(web, world.id("iro"))
    response = await web.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "letter-from-your-iro-Amy.pdf" in response.headers["content-disposition"]
    assert _title(response.content) == "A letter from Amy's Independent Reviewing Officer"
    text = _text(response.content)
    for said in (
        "Dear Mrs Jane Smith",
        "I am Amy's Independent Reviewing Officer",
        "as we agreed on 3 December 2026",
        IN_TOUCH,
        "I am not Amy's social worker",
        "Email: iro@riverside.example.gov.uk",
        "Phone: 01632 960 001",
        "Amy can have an advocate",
    ):
        assert said in text, said
    await _introduce(
        walk, "iro", **_introduction(walk, amy, letterTo="CHILD", explainedHow="PHONE_CALL", phone="")
    )
    text = _text((await web.get(url)).content)
    for said in (
        "Dear Amy",
        "I am your Independent Reviewing Officer",
        "We talked on the phone on 3 December",
    ):
        assert said in text, said
    assert "Phone:" not in text
    assert "Mrs Jane Smith" not in text
    # Everyone who reads the case may read the letter; anyone else finds no such page.
    await sign_in_as(web, world.id("guardian"))
    assert (await web.get(url)).status_code == 200
    await sign_in_as(web, world.id("guardian2"))
    assert (await web.get(url)).status_code == 404
    assert (
        await web.get(f"/cases/{walk.case_id}/introductions/{uuid.uuid4()}/letter.pdf")
    ).status_code == 404
    assert await _actions(engine, walk.case_id, "case.export.letter") == ["case.export.letter.pdf"] * 3


def _challenge(case_id: str, child_id: str | None) -> disputes.RaiseChallenge:
    return disputes.RaiseChallenge(
        case_id=uuid.UUID(case_id),
        subject=DisputeSubject.PLACEMENT_MOVE,
        summary="The plan moves Amy away from her school.",
        raised_with="The team manager",
        resolution_sought="Keep Amy's placement.",
        sought_by=date(2026, 12, 7) + timedelta(days=14),
        child_id=uuid.UUID(child_id) if child_id else None,
    )


async def _write(walk: Walk, who: str, **input: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await walk.run(who, "WriteChildSummary", input=input))["writeChildSummary"]
    return payload


def _summary(dispute_id: uuid.UUID, child_id: str | None, **changes: Any) -> dict[str, Any]:
    return {
        "disputeId": str(dispute_id),
        "childId": child_id,
        "decided": DECIDED,
        "viewsCounted": COUNTED,
        "letterTo": "CHILD",
        **changes,
    }


async def test_the_child_is_told_what_was_decided_once_a_dispute_is_resolved(
    client: httpx.AsyncClient, web: httpx.AsyncClient, world: World, travel: Travel, engine: AsyncEngine
) -> None:
    walk = await _walk(client, world, travel, siblings=True)
    children = await _children(walk)
    amy, ben = children["Amy"], children["Ben"]
    iro = await world.actor("iro")
    async with world.sessions() as session, session.begin():
        about_amy = await disputes.raise_challenge(session, iro, _challenge(walk.case_id, amy))
    assert _codes(await _write(walk, "iro", **_summary(about_amy.id, amy))) == {("NOT_YET_RESOLVED", "id")}
    async with world.sessions() as session, session.begin():
        await disputes.resolve(session, iro, about_amy.id, "The service manager agreed to keep it.", None)
    # Those who do not write to children find no such dispute; Ben's IRO is not Amy's; Ben is not in it.
    for who in ("guardian", "iro_manager", "solicitor"):
        assert _codes(await _write(walk, who, **_summary(about_amy.id, amy))) == {("NOT_FOUND", "id")}
    assert _codes(await _write(walk, "iro2", **_summary(about_amy.id, amy))) == {("NOT_ON_CASE", "childId")}
    assert _codes(await _write(walk, "iro", **_summary(about_amy.id, ben))) == {("INVALID_VALUE", "childId")}
    assert _codes(
        await _write(walk, "iro", **_summary(about_amy.id, None, decided="", letterTo="CARER"))
    ) == {
        ("REQUIRED", "decided"),
        ("REQUIRED", "carerName"),
    }
    # The dispute names the child: the child need not be named again.
    written = await _write(walk, "iro", **_summary(about_amy.id, None))
    assert written["errors"] == []
    assert written["summary"]["letterUrl"] == f"/disputes/{about_amy.id}/children/{amy}/letter.pdf"
    await sign_in_as(web, world.id("iro"))
    letter = await web.get(written["summary"]["letterUrl"])
    assert letter.status_code == 200
    text = _text(letter.content)
    for said in ("Dear Amy", "What was decided", DECIDED, "How your views counted", COUNTED, "advocate"):
        assert said in text, said
    # A dispute about every child: the summary names its child, and a sibling's IRO writes their own.
    async with world.sessions() as session, session.begin():
        about_both = await disputes.raise_challenge(session, iro, _challenge(walk.case_id, None))
        await disputes.resolve(session, iro, about_both.id, "Agreed at stage 1.", None)
    assert _codes(await _write(walk, "iro", **_summary(about_both.id, None))) == {("REQUIRED", "childId")}
    assert (await _write(walk, "iro2", **_summary(about_both.id, ben, letterTo="CARER", carerName="Mr Lee")))[
        "errors"
    ] == []
    # The dispute's page links the letters; the child's file keeps only that child's.
    page = await web.get(f"/disputes/{about_amy.id}")
    assert f'href="/disputes/{about_amy.id}/children/{amy}/letter.pdf"' in page.text
    assert f'href="/disputes/{about_amy.id}/children/{amy}/summary"' in page.text
    record = json.loads((await web.get(f"/cases/{walk.case_id}/children/{amy}/file.json")).text)
    kept = [(s["childId"], s["decided"]) for d in record["disputes"] for s in d["childSummaries"]]
    assert kept == [(amy, DECIDED)]
    assert await _actions(engine, walk.case_id, "dispute.child_summary") == ["dispute.child_summary"] * 2


async def test_the_childs_file_keeps_the_introduction(
    client: httpx.AsyncClient, web: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    walk = await _walk(client, world, travel)
    amy = (await _children(walk))["Amy"]
    await _introduce(walk, "iro", **_introduction(walk, amy))
    await sign_in_as(web, world.id("iro"))
    record = json.loads((await web.get(f"/cases/{walk.case_id}/children/{amy}/file.json")).text)
    [kept] = record["iroIntroductions"]
    assert (kept["keepingInTouch"], kept["carerName"], kept["iro"]["name"]) == (
        IN_TOUCH,
        "Mrs Jane Smith",
        "Ivan Reviewer",
    )
    text = _text((await web.get(f"/cases/{walk.case_id}/children/{amy}/file.pdf")).content)
    assert "The IRO's introduction, and the letter to the child" in text
    assert IN_TOUCH in text


async def test_the_introduction_form_is_the_childs_iros(
    client: httpx.AsyncClient, web: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    walk = await _walk(client, world, travel)
    amy = (await _children(walk))["Amy"]
    form = f"/cases/{walk.case_id}/children/{amy}/introduction"
    await sign_in_as(web, world.id("guardian"))
    assert (await web.get(form)).status_code == 404
    case_page = await web.get(f"/cases/{walk.case_id}")
    assert "has not recorded introducing themselves to Amy" in case_page.text
    assert form not in case_page.text
    await sign_in_as(web, world.id("iro"))
    assert f'href="{form}"' in (await web.get(f"/cases/{walk.case_id}")).text
    page = await web.get(form)
    assert page.status_code == 200
    # Amy is 4: the letter goes to her carer unless the IRO says otherwise.
    assert re.search(r'name="letterTo" type="radio" value="CARER" checked', page.text)
    token = csrf_from(page.text)
    refused = await web.post(form, data={"csrf_token": token, "letterTo": "CARER"})
    assert refused.status_code == 400
    for message in (
        "Enter the date you explained your role",
        "Say how you explained your role",
        "Say how you agreed the child will keep in touch with you",
        "Enter the carer&#39;s name, for the letter",
    ):
        assert message in refused.text, message
    saved = await web.post(
        form,
        data={
            "csrf_token": token,
            "explainedOn-day": "3",
            "explainedOn-month": "12",
            "explainedOn-year": "2026",
            "explainedHow": "MET_WITH_CARER",
            "keepingInTouch": IN_TOUCH,
            "advocacyExplained": "yes",
            "letterTo": "CARER",
            "carerName": "Mrs Jane Smith",
        },
    )
    assert saved.status_code == 303
    case_page = await web.get(saved.headers["location"])
    assert "Your introduction is recorded" in case_page.text
    assert "Letter to Amy's carer (PDF)" in case_page.text
    assert "They told Amy they can have an advocate." in case_page.text
    # The form again holds what was recorded, to change.
    assert IN_TOUCH in (await web.get(form)).text


async def test_a_manager_named_at_a_stage_sees_the_letter_was_written_not_the_case(
    client: httpx.AsyncClient, web: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    """The letter is drawn from the case, which a manager named to answer a stage need not read: they see
    that it was written, with no link to a page they would not find."""
    walk = await _walk(client, world, travel)
    amy = (await _children(walk))["Amy"]
    iro = await world.actor("iro")
    async with world.sessions() as session, session.begin():
        dispute = await disputes.raise_challenge(session, iro, _challenge(walk.case_id, amy))
        await disputes.escalate(session, iro, dispute.id, world.id("team_manager"), "No answer yet.")
        await disputes.resolve(session, iro, dispute.id, "The team manager agreed.", None)
    assert (await _write(walk, "iro", **_summary(dispute.id, None)))["errors"] == []
    letter = f"/disputes/{dispute.id}/children/{amy}/letter.pdf"
    await sign_in_as(web, world.id("team_manager"))
    page = await web.get(f"/disputes/{dispute.id}")
    assert page.status_code == 200
    assert "Letter to the child, by Ivan Reviewer" in page.text
    assert letter not in page.text
    assert (await web.get(letter)).status_code == 404
    await sign_in_as(web, world.id("guardian2"))
    assert (await web.get(letter)).status_code == 404
