"""Email that gets through: written to the outbox with the event that causes it, sent by a real SMTP
conversation, retried through an outage, never sent twice, and with no case content."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import OutboxMessage, OutboxState, Person, utcnow
from portal.db import create_session_factory
from portal.mail import repository
from portal.mail.sender import Report, send_due
from portal.settings import Settings
from tests.support.smtp import SmtpServer
from tests.support.world import World


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(settings: Settings, smtp: SmtpServer) -> Settings:
    return settings.model_copy(
        update={
            "smtp_port": smtp.port,
            "outbox_retry_seconds": 0,
            "base_url": "https://portal.example.gov.uk",
        }
    )


async def _states(engine: AsyncEngine) -> list[str]:
    async with AsyncSession(engine) as session:
        return sorted(s.value for s in (await session.execute(sa.select(OutboxMessage.state))).scalars())


async def test_an_event_puts_its_email_in_the_outbox_in_the_same_transaction(
    world: World, engine: AsyncEngine
) -> None:
    # Allocating the guardian opens P2 and P3: the guardian and the IRO are told; assigning the IRO passes
    # them the child's first review to hold (R1).
    await world.open_case()
    async with AsyncSession(engine) as session:
        messages = (
            (await session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.subject))).scalars().all()
        )
    assert sorted((m.to_address, m.subject) for m in messages) == [
        ("guardian@cafcass.example.gov.uk", "New task under the guardian–IRO protocol (P2)"),
        ("guardian@cafcass.example.gov.uk", "New task under the guardian–IRO protocol (P3)"),
        ("iro@riverside.example.gov.uk", "New task in a looked-after child's review schedule (R1)"),
        ("iro@riverside.example.gov.uk", "New task under the guardian–IRO protocol (P3)"),
    ]


async def test_an_smtp_outage_delays_email_and_loses_none(
    world: World, engine: AsyncEngine, smtp: SmtpServer, mail_settings: Settings
) -> None:
    sessions = create_session_factory(engine)
    await world.open_case()
    down = await send_due(sessions, mail_settings)  # nothing listens on the port yet
    assert (down.sent, down.retried) == (0, 4)
    assert await _states(engine) == ["pending"] * 4
    smtp.start()
    up = await send_due(sessions, mail_settings)
    assert up.sent == 4
    assert await send_due(sessions, mail_settings) == type(up)()  # nothing is sent twice
    assert len(smtp.inbox.messages) == 4
    email = smtp.inbox.messages[0]
    assert email["Message-ID"].endswith("@portal.example.gov.uk>")
    body = email.get_payload()
    assert "https://portal.example.gov.uk/cases/" in body
    # No case content: no child's name, no case number.
    assert "Amy" not in body
    assert "RV" not in body


async def test_two_senders_at_once_send_each_email_once(
    world: World, engine: AsyncEngine, smtp: SmtpServer, mail_settings: Settings
) -> None:
    smtp.start()
    for _ in range(6):
        await world.open_case()
    sessions = create_session_factory(engine)
    reports = await asyncio.gather(
        *(send_due(sessions, mail_settings, worker=f"sender-{n}") for n in range(2))
    )
    assert sum(r.sent for r in reports) == 24
    ids = [m["Message-ID"] for m in smtp.inbox.messages]
    assert len(ids) == len(set(ids)) == 24
    assert await _states(engine) == ["sent"] * 24


async def test_a_relay_down_for_longer_than_eight_tries_delivers_everything_when_it_is_back(
    world: World, engine: AsyncEngine, smtp: SmtpServer, mail_settings: Settings
) -> None:
    """An outage delays mail and loses none, however many times it has been tried (the P2, P3 and R1
    notices of a new case here): a temporary failure is retried until the email has waited a week."""
    await world.open_case()
    sessions = create_session_factory(engine)
    for _ in range(12):
        assert await send_due(sessions, mail_settings) == Report(retried=4)
    assert await _states(engine) == ["pending"] * 4
    smtp.start()
    assert await send_due(sessions, mail_settings) == Report(sent=4)
    assert len(smtp.inbox.messages) == 4


async def test_the_wait_between_tries_doubles_up_to_its_cap(
    world: World, engine: AsyncEngine, mail_settings: Settings
) -> None:
    await world.open_case()
    sessions = create_session_factory(engine)
    settings = mail_settings.model_copy(update={"outbox_retry_seconds": 60, "outbox_retry_cap_seconds": 300})
    waits = []
    for _ in range(5):
        async with AsyncSession(engine) as session, session.begin():
            await session.execute(sa.update(OutboxMessage).values(deliver_after=utcnow()))
        before = utcnow()
        await send_due(sessions, settings)
        async with AsyncSession(engine) as session:
            due = (await session.execute(sa.select(sa.func.min(OutboxMessage.deliver_after)))).scalar_one()
        waits.append(round((due - before).total_seconds() / 60))
    assert waits == [1, 2, 4, 5, 5]


async def test_an_email_still_failing_after_a_week_gives_up_with_why(
    world: World, engine: AsyncEngine, mail_settings: Settings
) -> None:
    await world.open_case()
    sessions = create_session_factory(engine)
    await send_due(sessions, mail_settings)
    async with AsyncSession(engine) as session, session.begin():
        await session.execute(
            sa.update(OutboxMessage).values(queued_at=utcnow() - timedelta(days=7, minutes=1))
        )
    assert await send_due(sessions, mail_settings) == Report(dead=4)
    async with AsyncSession(engine) as session:
        messages = (await session.execute(sa.select(OutboxMessage))).scalars().all()
    assert {(m.state, m.attempts) for m in messages} == {(OutboxState.DEAD, 2)}
    assert all(
        m.last_error and m.last_error.startswith("still failing after 2 attempts over 7 days")
        for m in messages
    )


async def test_a_recipient_the_relay_refuses_for_good_gives_up_at_once_and_the_rest_go(
    world: World, engine: AsyncEngine, smtp: SmtpServer, mail_settings: Settings
) -> None:
    smtp.inbox.refused.add("iro@riverside.example.gov.uk")
    smtp.start()
    await world.open_case()
    assert await send_due(create_session_factory(engine), mail_settings) == Report(sent=2, dead=2)
    assert sorted(m["To"] for m in smtp.inbox.messages) == ["guardian@cafcass.example.gov.uk"] * 2
    async with AsyncSession(engine) as session:
        refused = (
            (await session.execute(sa.select(OutboxMessage).where(OutboxMessage.state == OutboxState.DEAD)))
            .scalars()
            .all()
        )
    assert {m.to_address for m in refused} == {"iro@riverside.example.gov.uk"}
    for message in refused:
        assert message.last_error is not None
        assert "550" in message.last_error
        assert message.last_error.startswith("refused by the relay")


async def test_three_senders_and_a_relay_slower_than_a_hold_send_each_email_once(
    world: World, engine: AsyncEngine, smtp: SmtpServer, mail_settings: Settings
) -> None:
    """Three senders poll the outbox; the relay takes a fifth of a second per email, so the batch the first
    sender claims takes three times as long to send as its hold lasts, and the others take over what has
    lapsed. A sender renews its hold just before each email, and leaves alone one that was taken over."""
    smtp.inbox.delay = 0.2
    smtp.start()
    for _ in range(4):
        await world.open_case()
    settings = mail_settings.model_copy(update={"outbox_claim_seconds": 0.8, "smtp_timeout_seconds": 0.5})
    sessions = create_session_factory(engine)

    async def sender(n: int) -> int:
        sent = 0
        while await _states(engine) != ["sent"] * 16:
            sent += (await send_due(sessions, settings, worker=f"sender-{n}")).sent
            await asyncio.sleep(0.1)
        return sent

    sent = await asyncio.wait_for(asyncio.gather(*(sender(n) for n in range(3))), 30)
    ids = [m["Message-ID"] for m in smtp.inbox.messages]
    assert len(ids) == len(set(ids)) == sum(sent) == 16
    assert len([n for n in sent if n]) > 1  # the others did take over


async def test_a_sender_that_stalls_before_recording_a_send_keeps_the_message(
    world: World,
    engine: AsyncEngine,
    smtp: SmtpServer,
    mail_settings: Settings,
    is_postgres: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A sender whose process stalls between the relay's answer and recording it (a busy web process, a slow
    commit) for longer than its hold: another sender does not send the message again, because the message
    stays locked until its outcome is recorded. (On SQLite one process sends: nothing to take over.)"""
    if not is_postgres:
        pytest.skip("on SQLite one process sends, so no other sender can take a message over")
    smtp.start()
    await world.open_case()
    settings = mail_settings.model_copy(update={"outbox_claim_seconds": 0.4, "smtp_timeout_seconds": 0.2})
    sessions = create_session_factory(engine)
    settle, stalled = repository.settle, asyncio.Event()

    async def stalling(*args: Any, **values: Any) -> None:
        if not stalled.is_set():
            stalled.set()
            await asyncio.sleep(1.0)  # well past the hold
        await settle(*args, **values)

    monkeypatch.setattr(repository, "settle", stalling)
    first = asyncio.create_task(send_due(sessions, settings, worker="stalls", limit=1))
    await stalled.wait()
    await asyncio.sleep(0.6)  # the first sender's hold has lapsed
    assert await send_due(sessions, settings, worker="other") == Report(sent=3)
    assert await first == Report(sent=1)
    ids = [m["Message-ID"] for m in smtp.inbox.messages]
    assert len(ids) == len(set(ids)) == 4
    assert await _states(engine) == ["sent"] * 4


async def test_a_relay_that_answers_after_the_timeout_is_tried_again(
    world: World, engine: AsyncEngine, smtp: SmtpServer, mail_settings: Settings
) -> None:
    smtp.inbox.delay = 1.0
    smtp.start()
    await world.open_case()
    sessions = create_session_factory(engine)
    settings = mail_settings.model_copy(update={"smtp_timeout_seconds": 0.3})
    assert await send_due(sessions, settings, limit=1) == Report(retried=1)
    async with AsyncSession(engine) as session:
        failed = (
            await session.execute(sa.select(OutboxMessage).where(OutboxMessage.attempts == 1))
        ).scalar_one()
    assert failed.state is OutboxState.PENDING
    smtp.inbox.delay = 0
    async with AsyncSession(engine) as session, session.begin():
        await session.execute(sa.update(OutboxMessage).values(deliver_after=utcnow()))
    assert (await send_due(sessions, settings)).sent == 4


def test_a_hold_no_longer_than_the_smtp_timeout_is_refused(settings: Settings) -> None:
    values = settings.model_dump() | {"outbox_claim_seconds": 15, "smtp_timeout_seconds": 15}
    with pytest.raises(ValidationError, match="PORTAL_OUTBOX_CLAIM_SECONDS"):
        Settings(**values)


async def test_someone_no_longer_active_is_not_emailed(world: World, engine: AsyncEngine) -> None:
    from portal.raised_issues import service as issues

    case_id = await world.open_case()
    guardian = await world.actor("guardian")
    async with AsyncSession(engine) as session, session.begin():
        iro = await session.get(Person, world.id("iro"))
        assert iro is not None
        iro.active = False
        await session.execute(sa.delete(OutboxMessage))
    async with AsyncSession(engine) as session, session.begin():
        await issues.raise_issue(
            session, guardian, issues.RaiseIssue(case_id, issues.IssueKind.CONCERN, "A concern")
        )
    async with AsyncSession(engine) as session:
        assert (
            await session.execute(sa.select(sa.func.count()).select_from(OutboxMessage))
        ).scalar_one() == 0
