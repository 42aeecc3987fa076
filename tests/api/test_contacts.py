"""The contact ledger is append-only: corrections point at what they correct, and replies are marked (P1)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.auth.tokens import create_token
from portal.db import create_session_factory
from tests.support.graphql import gql, log_contact, payload_codes
from tests.support.world import World

VOICEMAIL = {
    "channel": "MESSAGE_LEFT",
    "purpose": "INTRODUCTION",
    "summary": "Left a voicemail introducing myself as Amy's guardian.",
}


async def _log(
    client: httpx.AsyncClient, world: World, who: str, counterpart: str, case_id: uuid.UUID, **changes: object
) -> dict:
    return await log_contact(client, world, who, counterpart, case_id, **{**VOICEMAIL, **changes})


async def _ledger(client: httpx.AsyncClient, world: World, who: str, case_id: object) -> list[dict]:
    return (await gql(client, await world.token(who), "CaseView", id=str(case_id)))["data"]["case"][
        "contacts"
    ]


async def test_an_incoming_contact_is_credited_to_the_other_side(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    payload = await _log(
        client,
        world,
        "guardian",
        "iro",
        case_id=case_id,
        direction="INCOMING",
        channel="PHONE",
        purpose="SIGNIFICANT_ISSUE",
        summary="The IRO rang about a placement breakdown (P9).",
    )
    assert payload["errors"] == []
    entry = (await _ledger(client, world, "iro", case_id))[0]
    assert entry["initiatedBy"] == "IRO"
    assert entry["fromPerson"]["name"] == "Ivan Reviewer"
    assert entry["recordedBy"]["name"] == "Gina Guardian"


async def test_a_correction_is_a_new_entry_and_the_old_one_is_kept(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    original = (await _log(client, world, "guardian", "iro", case_id=case_id))["contact"]
    correction = await _log(
        client,
        world,
        "guardian",
        "iro",
        case_id=case_id,
        channel="PHONE",
        summary="Spoke to the IRO by phone (not a voicemail).",
        correctsId=original["id"],
    )
    assert correction["errors"] == []
    assert correction["contact"]["correctsId"] == original["id"]

    ledger = {e["id"]: e for e in await _ledger(client, world, "iro", case_id)}
    assert len(ledger) == 2
    assert ledger[original["id"]]["correctedById"] == correction["contact"]["id"]
    assert ledger[original["id"]]["summary"] == "Left a voicemail introducing myself as Amy's guardian."

    again = await _log(client, world, "guardian", "iro", case_id=case_id, correctsId=original["id"])
    assert payload_codes(again) == [("ALREADY_CORRECTED", "correctsId")]


async def test_only_the_people_in_a_contact_may_correct_it(client: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    await world.assign_iro(case_id, "iro2", reason="IRO retired")
    original = (await _log(client, world, "guardian", "iro2", case_id=case_id))["contact"]
    await world.allocate(case_id, "guardian2", reason="Guardian moved team")
    attempt = await _log(client, world, "guardian2", "iro2", case_id=case_id, correctsId=original["id"])
    assert payload_codes(attempt) == [("NOT_PERMITTED", "correctsId")]


async def test_replies_are_marked_once_by_a_person_in_the_contact(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    due = date.today().isoformat()
    asked = (
        await _log(client, world, "guardian", "iro", case_id=case_id, replyExpected=True, replyDueOn=due)
    )["contact"]
    unasked = (await _log(client, world, "guardian", "iro", case_id=case_id))["contact"]
    [entry] = [e for e in await _ledger(client, world, "iro", case_id) if e["id"] == asked["id"]]
    assert entry["awaitingReply"] is True
    assert entry["replyOverdue"] is False

    async def mark(who: str, contact_id: str) -> dict:
        body = await gql(
            client,
            await world.token(who),
            "MarkReply",
            input={"caseId": str(case_id), "contactId": contact_id},
        )
        return body["data"]["markReply"]

    assert payload_codes(await mark("solicitor", asked["id"])) == [("NOT_FOUND", None)]
    assert payload_codes(await mark("iro", unasked["id"])) == [("NO_REPLY_EXPECTED", "contactId")]
    marked = await mark("iro", asked["id"])
    assert marked["errors"] == []
    assert marked["contact"]["awaitingReply"] is False
    assert payload_codes(await mark("guardian", asked["id"])) == [("ALREADY_REPLIED", "contactId")]
    [entry] = [e for e in await _ledger(client, world, "guardian", case_id) if e["id"] == asked["id"]]
    assert entry["reply"]["recordedBy"]["name"] == "Ivan Reviewer"


async def test_an_unanswered_contact_past_its_due_date_is_overdue(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case()
    await _log(
        client,
        world,
        "guardian",
        "iro",
        case_id=case_id,
        replyExpected=True,
        occurredAt=(datetime.now(UTC) - timedelta(days=10)).isoformat(),
        replyDueOn=(date.today() - timedelta(days=3)).isoformat(),
    )
    [entry] = await _ledger(client, world, "guardian", case_id)
    assert entry["awaitingReply"] is True
    assert entry["replyOverdue"] is True


async def test_only_the_guardian_and_iro_log_contacts(client: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    for who in ("solicitor", "cafcass_manager", "iro_manager"):
        payload = await _log(client, world, who, "iro", case_id=case_id)
        assert payload_codes(payload) == [("NOT_FOUND", None)], who


async def test_a_contact_without_an_offset_is_taken_as_time_in_england(
    client: httpx.AsyncClient, world: World
) -> None:
    summer = datetime.now(UTC).replace(month=7, day=1, hour=10, minute=0, second=0, microsecond=0)
    if summer > datetime.now(UTC):
        summer = summer.replace(year=summer.year - 1)
    case_id = await world.open_case(issued_weeks_ago=60)
    payload = await _log(
        client, world, "guardian", "iro", case_id=case_id, occurredAt=summer.replace(tzinfo=None).isoformat()
    )
    assert payload["errors"] == []
    # 10:00 in England in July is 09:00 UTC (British Summer Time).
    assert datetime.fromisoformat(payload["contact"]["occurredAt"]).astimezone(UTC).hour == 9


async def test_private_records_are_read_in_full_by_the_guardian_and_the_iro_only(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """Issue 18, PROTOCOL.md §6: a pre-review consultation (P11) is always private to the guardian and the
    IRO, and so is a contact marked private (and its correction); everyone else who reads the case sees that
    it happened, not what was said. A token without private:read reads no more than they do."""
    case_id = await world.open_case()
    consultation = await _log(
        client,
        world,
        "guardian",
        "iro",
        case_id,
        purpose="PRE_REVIEW_CONSULTATION",
        summary="Amy wants to stay with her foster carers; I will say so at the review.",
    )
    marked = await _log(
        client, world, "iro", "guardian", case_id, summary="About the IRO's legal advice.", private=True
    )
    corrected = await _log(
        client, world, "guardian", "iro", case_id, summary="Corrected.", correctsId=marked["contact"]["id"]
    )
    shared = await _log(client, world, "guardian", "iro", case_id)
    assert [p["contact"]["private"] for p in (consultation, marked, corrected, shared)] == [
        True,
        True,
        True,
        False,
    ]
    private_ids = {p["contact"]["id"] for p in (consultation, marked, corrected)}

    for who in ("guardian", "iro"):
        ledger = await _ledger(client, world, who, case_id)
        assert all(e["summary"] for e in ledger), who
    for who in ("solicitor", "iro_manager", "cafcass_manager"):
        ledger = {e["id"]: e for e in await _ledger(client, world, who, case_id)}
        assert set(ledger) == private_ids | {shared["contact"]["id"]}, who  # that they happened
        assert {i for i, e in ledger.items() if e["summary"] is None} == private_ids, who
        assert ledger[shared["contact"]["id"]]["summary"] == VOICEMAIL["summary"]
    # The IRO's own token, without private:read, reads no more than the solicitor.
    async with create_session_factory(engine)() as session, session.begin():
        scopes = ["case:read"]
        _, narrow = await create_token(session, None, world.id("iro"), label="read", scopes=scopes)
    ledger = (await gql(client, narrow, "CaseView", id=str(case_id)))["data"]["case"]["contacts"]
    assert {e["id"] for e in ledger if e["summary"] is None} == private_ids
