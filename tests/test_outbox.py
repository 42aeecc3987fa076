"""Email that gets through: written to the outbox with the event that causes it, sent by a real SMTP
conversation, retried through an outage, never sent twice, and with no case content."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import OutboxMessage, OutboxState, Person
from portal.db import create_session_factory
from portal.mail.sender import send_due
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
    await world.open_case()  # allocating the guardian opens P2 and P3: the guardian and the IRO are told
    async with AsyncSession(engine) as session:
        messages = (
            (await session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.subject))).scalars().all()
        )
    assert sorted((m.to_address, m.subject) for m in messages) == [
        ("guardian@cafcass.example.gov.uk", "New task under the guardian–IRO protocol (P2)"),
        ("guardian@cafcass.example.gov.uk", "New task under the guardian–IRO protocol (P3)"),
        ("iro@riverside.example.gov.uk", "New task under the guardian–IRO protocol (P3)"),
    ]


async def test_an_smtp_outage_delays_email_and_loses_none(
    world: World, engine: AsyncEngine, smtp: SmtpServer, mail_settings: Settings
) -> None:
    sessions = create_session_factory(engine)
    await world.open_case()
    down = await send_due(sessions, mail_settings)  # nothing listens on the port yet
    assert (down.sent, down.retried) == (0, 3)
    assert await _states(engine) == ["pending"] * 3
    smtp.start()
    up = await send_due(sessions, mail_settings)
    assert up.sent == 3
    assert await send_due(sessions, mail_settings) == type(up)()  # nothing is sent twice
    assert len(smtp.inbox.messages) == 3
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
    assert sum(r.sent for r in reports) == 18
    ids = [m["Message-ID"] for m in smtp.inbox.messages]
    assert len(ids) == len(set(ids)) == 18
    assert await _states(engine) == ["sent"] * 18


async def test_an_email_that_keeps_failing_is_parked_with_its_error(
    world: World, engine: AsyncEngine, mail_settings: Settings
) -> None:
    await world.open_case()
    sessions = create_session_factory(engine)
    settings = mail_settings.model_copy(update={"outbox_max_attempts": 2})
    await send_due(sessions, settings)
    parked = await send_due(sessions, settings)
    assert parked.dead == 3
    async with AsyncSession(engine) as session:
        messages = (await session.execute(sa.select(OutboxMessage))).scalars().all()
    assert {(m.state, m.attempts) for m in messages} == {(OutboxState.DEAD, 2)}
    assert all(m.last_error for m in messages)


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
