"""The clock: reminders before due dates and notices when overdue, once each (also with two clocks ticking
at once), catch-ups from a consultation arrangement (P3), and daily digests for those who choose them."""

from __future__ import annotations

import asyncio
from datetime import date, time

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import OutboxMessage, OutboxState, Person
from portal.clock import london_datetime
from portal.db import create_session_factory
from portal.mail.sender import send_due
from portal.reminders.service import tick
from portal.settings import Settings
from tests.conftest import Travel
from tests.support.graphql import gql
from tests.support.smtp import SmtpServer
from tests.support.world import World


async def _sent(engine: AsyncEngine, kind: str) -> list[tuple[str, str]]:
    async with create_session_factory(engine)() as session:
        rows = await session.execute(
            sa.select(Person.name, OutboxMessage.subject)
            .join(Person, Person.id == OutboxMessage.person_id)
            .where(OutboxMessage.kind == kind)
            .order_by(Person.name, OutboxMessage.subject)
        )
        return [(name, subject) for name, subject in rows]


async def test_a_reminder_before_the_due_date_and_a_notice_when_overdue_once_each(
    world: World, engine: AsyncEngine, settings: Settings, travel: Travel
) -> None:
    sessions = create_session_factory(engine)
    # Allocated Monday 7 December 2026: P2 due Monday 14th (P2), P3 Monday 21st.
    travel(london_datetime(date(2026, 12, 7), time(9)))
    await world.open_case(issued_weeks_ago=1)
    assert (await tick(sessions, settings)).reminders == 0
    # Thursday 10th: P2 falls due within two working days.
    travel(london_datetime(date(2026, 12, 10), time(9)))
    assert (await tick(sessions, settings)).reminders == 1
    assert (await tick(sessions, settings)).reminders == 0
    assert await _sent(engine, "obligation.reminder") == [
        ("Gina Guardian", "Reminder: a task under the guardian–IRO protocol is due (P2)")
    ]
    # Tuesday 15th: P2 is overdue; the notice goes once. P3 is shared, so both hear of it in turn.
    travel(london_datetime(date(2026, 12, 15), time(9)))
    assert (await tick(sessions, settings)).overdue == 1
    travel(london_datetime(date(2026, 12, 22), time(9)))
    report = await tick(sessions, settings)
    assert (report.overdue, (await tick(sessions, settings)).overdue) == (1, 0)
    assert await _sent(engine, "obligation.overdue") == [
        ("Gina Guardian", "Overdue: a task under the guardian–IRO protocol (P2)"),
        ("Gina Guardian", "Overdue: a task under the guardian–IRO protocol (P3)"),
        ("Ivan Reviewer", "Overdue: a task under the guardian–IRO protocol (P3)"),
    ]
    # No email carries case content: no child's name, no case number.
    async with sessions() as session:
        bodies = " ".join((await session.execute(sa.select(OutboxMessage.body))).scalars())
    assert "Amy" not in bodies
    assert "Example" not in bodies
    assert "RV" not in bodies


async def test_two_clocks_at_once_send_each_notice_once(
    world: World, engine: AsyncEngine, settings: Settings, travel: Travel
) -> None:
    sessions = create_session_factory(engine)
    travel(london_datetime(date(2026, 12, 7), time(9)))
    for _ in range(5):
        await world.open_case(issued_weeks_ago=1)
    travel(london_datetime(date(2026, 12, 22), time(9)))
    reports = await asyncio.gather(*(tick(sessions, settings) for _ in range(3)))
    # Five cases, each with P2 and P3 overdue.
    assert sum(r.overdue for r in reports) == 10
    sent = await _sent(engine, "obligation.overdue")
    assert len(sent) == 15  # P2 to the guardian, P3 to the guardian and the IRO, on each case


async def test_an_arrangement_to_talk_every_few_weeks_reminds_both_when_they_have_not(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, travel: Travel
) -> None:
    sessions = create_session_factory(engine)
    travel(london_datetime(date(2026, 12, 1), time(9)))
    case_id = await world.open_case(issued_weeks_ago=1)
    agreed = await gql(
        client,
        await world.token("guardian"),
        "RecordConsultationArrangement",
        input={"caseId": str(case_id), "agreedOn": "2026-12-01", "everyWeeks": 2, "onEvents": []},
    )
    assert agreed["data"]["recordConsultationArrangement"]["errors"] == []
    travel(london_datetime(date(2026, 12, 14), time(9)))
    assert (await tick(sessions, settings)).catch_ups == 0
    travel(london_datetime(date(2026, 12, 15), time(9)))
    assert (await tick(sessions, settings)).catch_ups == 1
    assert (await tick(sessions, settings)).catch_ups == 0
    assert [name for name, _ in await _sent(engine, "arrangement.catch_up")] == [
        "Gina Guardian",
        "Ivan Reviewer",
    ]
    # They talk on the 16th: the next reminder is two weeks after that.
    travel(london_datetime(date(2026, 12, 16), time(11)))
    logged = await gql(
        client,
        await world.token("guardian"),
        "LogContact",
        input={
            "caseId": str(case_id),
            "counterpartId": str(world.id("iro")),
            "direction": "OUTGOING",
            "occurredAt": london_datetime(date(2026, 12, 16), time(10)).isoformat(),
            "channel": "EMAIL",
            "purpose": "COURT_UPDATE",
            "summary": "An update.",
        },
    )
    assert logged["data"]["logContact"]["errors"] == []
    travel(london_datetime(date(2026, 12, 29), time(9)))
    assert (await tick(sessions, settings)).catch_ups == 0
    travel(london_datetime(date(2026, 12, 30), time(9)))
    assert (await tick(sessions, settings)).catch_ups == 1


@pytest.fixture
def smtp() -> SmtpServer:
    server = SmtpServer()
    server.start()
    yield server  # type: ignore[misc]
    server.stop()


async def test_a_daily_digest_gathers_the_days_emails_into_one(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    settings: Settings,
    smtp: SmtpServer,
    travel: Travel,
) -> None:
    sessions = create_session_factory(engine)
    mail = settings.model_copy(update={"smtp_port": smtp.port, "base_url": "https://portal.example.gov.uk"})
    chose = await gql(
        client, await world.token("guardian"), "SetEmailPreference", input={"preference": "DAILY_DIGEST"}
    )
    assert chose["data"]["setEmailPreference"] == {"preference": "DAILY_DIGEST", "errors": []}
    travel(london_datetime(date(2026, 12, 7), time(15)))
    await world.open_case(issued_weeks_ago=1)
    await world.open_case(issued_weeks_ago=1)
    # The guardian's four new-task emails wait; the IRO's four (P3 and R1 for each case) go now.
    await send_due(sessions, mail)
    assert sorted(m["To"] for m in smtp.inbox.messages) == ["iro@riverside.example.gov.uk"] * 4
    # Before the digest hour nothing is gathered; after it, one digest, once.
    travel(london_datetime(date(2026, 12, 8), time(6, 30)))
    assert (await tick(sessions, mail)).digests == 0
    travel(london_datetime(date(2026, 12, 8), time(7, 5)))
    reports = await asyncio.gather(tick(sessions, mail), tick(sessions, mail))
    assert sum(r.digests for r in reports) == 1
    await send_due(sessions, mail)
    digests = [m for m in smtp.inbox.messages if m["To"] == "guardian@cafcass.example.gov.uk"]
    assert len(digests) == 1
    text = digests[0].get_payload(decode=True).decode()
    assert text.count("New task under the guardian–IRO protocol") == 4
    assert "https://portal.example.gov.uk/cases/" in text
    async with sessions() as session:
        states = (await session.execute(sa.select(OutboxMessage.state))).scalars().all()
    assert sorted(s.value for s in states) == ["digested"] * 4 + ["sent"] * 5
    assert OutboxState.HELD not in states
    # Later the same day nothing more is gathered.
    travel(london_datetime(date(2026, 12, 8), time(12)))
    assert (await tick(sessions, mail)).digests == 0


async def test_the_clock_tick_command(
    portal, capsys: pytest.CaptureFixture[str], world: World, travel: Travel
) -> None:
    travel(london_datetime(date(2026, 12, 7), time(9)))
    await world.open_case(issued_weeks_ago=1)
    travel(london_datetime(date(2026, 12, 22), time(9)))
    status, out, _ = await portal(capsys, "clock", "tick")
    assert (status, out.strip()) == (
        0,
        "Reminders 0, overdue notices 2, chasers 0, catch-ups 0, digests 0, dispute notices 0, "
        "referral notices 0, "
        "files swept 0.",
    )


async def test_an_arrangement_to_talk_after_each_hearing_reminds_both_when_one_is_held(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    agreed = await gql(
        client,
        await world.token("iro"),
        "RecordConsultationArrangement",
        input={
            "caseId": str(case_id),
            "agreedOn": date.today().isoformat(),
            "onEvents": ["AFTER_EACH_HEARING"],
        },
    )
    assert agreed["data"]["recordConsultationArrangement"]["errors"] == []
    assert await _sent(engine, "arrangement.event") == []
    moved = await gql(
        client,
        await world.token("solicitor"),
        "AdvanceStage",
        input={
            "caseId": str(case_id),
            "stage": "CASE_MANAGEMENT_HEARING",
            "changedOn": date.today().isoformat(),
        },
    )
    assert moved["data"]["advanceStage"]["errors"] == []
    assert await _sent(engine, "arrangement.event") == [
        ("Gina Guardian", "Time to talk, as you agreed"),
        ("Ivan Reviewer", "Time to talk, as you agreed"),
    ]
