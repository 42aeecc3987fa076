"""Sending the outbox: claim a batch, send each with a stable Message-ID, retry with backoff, park what keeps
failing. Several senders (the web processes' background tasks, `portal outbox run`) may run at once: a
claim is a lease taken under SKIP LOCKED, so no message goes to two of them."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import OutboxMessage, OutboxState, utcnow
from portal.mail import repository
from portal.settings import Settings

log = logging.getLogger("portal.mail")
LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Report:
    sent: int = 0
    retried: int = 0
    dead: int = 0


def message_id(message: OutboxMessage, settings: Settings) -> str:
    """The same on every attempt, so that a retry after a lost acknowledgement is recognisably a duplicate."""
    return f"<{message.id}@{urlsplit(settings.base_url).hostname or 'portal'}>"


def compose(message: OutboxMessage, settings: Settings) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = message_id(message, settings)
    link = settings.base_url.rstrip("/") + message.link_path
    email.set_content(f"{message.body}\n\nOpen the portal to see it: {link}\n")
    return email


async def _claim(
    sessions: async_sessionmaker[AsyncSession], worker: str, limit: int, now: datetime
) -> list[OutboxMessage]:
    async with sessions() as session, session.begin():
        messages = await repository.due_for_sending(session, now, limit)
        for message in messages:
            message.claimed_until, message.claimed_by = now + LEASE, worker
    return messages


async def _settle(
    sessions: async_sessionmaker[AsyncSession], message_id_: uuid.UUID, worker: str, **values: object
) -> None:
    """Record how sending went, if the claim is still ours."""
    async with sessions() as session, session.begin():
        await repository.settle(session, message_id_, worker, **values)


async def send_due(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    worker: str | None = None,
    limit: int = 50,
) -> Report:
    """Send what is due now; returns what happened."""
    worker = worker or uuid.uuid4().hex
    now = utcnow()
    sent = retried = dead = 0
    for message in await _claim(sessions, worker, limit, now):
        try:
            await aiosmtplib.send(
                compose(message, settings),
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username or None,
                password=settings.smtp_password or None,
                start_tls=settings.smtp_starttls,
                timeout=15,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            attempts = message.attempts + 1
            gives_up = attempts >= settings.outbox_max_attempts
            retry_in = timedelta(seconds=settings.outbox_retry_seconds * 2 ** (attempts - 1))
            await _settle(
                sessions,
                message.id,
                worker,
                attempts=attempts,
                last_error=str(error)[:1000],
                deliver_after=utcnow() + retry_in,
                state=OutboxState.DEAD if gives_up else OutboxState.PENDING,
            )
            log.warning("email %s failed (attempt %d): %s", message.id, attempts, error)
            dead, retried = dead + gives_up, retried + (not gives_up)
        else:
            await _settle(
                sessions,
                message.id,
                worker,
                state=OutboxState.SENT,
                sent_at=utcnow(),
                attempts=message.attempts + 1,
            )
            sent += 1
    return Report(sent, retried, dead)


async def run_forever(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, every: float = 10
) -> None:
    """The sender's loop, for a web process's background task and for `portal outbox run`."""
    while True:
        try:
            await send_due(sessions, settings)
        except Exception:  # a failed round is logged and the next one tries again
            log.exception("the outbox sender failed a round")
        await asyncio.sleep(every)
