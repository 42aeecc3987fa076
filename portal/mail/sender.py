"""Sending the outbox: claim a batch, send each with a stable Message-ID, retry what failed for a while with
capped back-off, park what the relay refuses for good or what has waited too long.

Several senders (the web processes' background tasks, `portal outbox run`) may run at once. A claim is a
hold taken under SKIP LOCKED with a token of its own, and renewed just before each message is sent, under
that token: a sender whose hold lapsed (a slow relay, a batch longer than the hold) finds the token gone and
leaves the message to whoever took it over. A whole SMTP conversation is cut short well within the hold
(the settings refuse a hold no longer than the SMTP timeout), and on PostgreSQL the message stays locked
until its outcome is recorded (``_send_one``), so a message is never sent by two senders. Only one whose
outcome is unknown is sent again, with the same Message-ID so the relay can tell it is the same: a sender
died between sending and recording it, or the relay took the message but answered after the timeout."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import OutboxMessage, OutboxState, utcnow
from portal.background import repeat
from portal.mail import repository
from portal.settings import Settings

log = logging.getLogger("portal.mail")


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


def batch(settings: Settings) -> int:
    """How many emails a sender claims at a time: as many as it could send within half its hold if each
    took the whole SMTP timeout (4 by default), so that with a slow relay several senders share the work
    rather than one holding it all; at most 50."""
    return max(1, min(50, int(settings.outbox_claim_seconds / settings.smtp_timeout_seconds / 2)))


class _Relay:
    """One connection to the mail relay for a round of sending, opened when first needed and again after a
    failure (a message that failed leaves it in a state not worth finding out)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._smtp: aiosmtplib.SMTP | None = None

    async def send(self, email: EmailMessage) -> None:
        try:
            if self._smtp is None:
                self._smtp = aiosmtplib.SMTP(
                    hostname=self._settings.smtp_host,
                    port=self._settings.smtp_port,
                    username=self._settings.smtp_username or None,
                    password=self._settings.smtp_password or None,
                    start_tls=self._settings.smtp_starttls,
                    timeout=self._settings.smtp_timeout_seconds,
                )
                await self._smtp.connect()
            await self._smtp.send_message(email)
        except BaseException:
            self._close()
            raise

    def _close(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    async def __aenter__(self) -> _Relay:
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._smtp is not None:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                async with asyncio.timeout(self._settings.smtp_timeout_seconds):
                    await self._smtp.quit()
            self._close()


def refused_for_good(error: Exception) -> bool:
    """Whether the relay refused the email for good: a 5xx answer for its recipient or for its content.
    Anything else is tried again: no connection, a timeout, a 4xx answer, or a refusal of the portal's own
    sign-in or sender address (its configuration, to be put right, not the message's fault)."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(refusal.code >= 500 for refusal in error.recipients)
    if isinstance(error, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError):
        return error.code >= 500
    return False


def _after_failure(
    message: OutboxMessage, error: Exception, settings: Settings, now: datetime
) -> dict[str, object]:
    """What to record of a failed attempt: when to try again, or that it gave up and why."""
    attempts = message.attempts + 1
    waited = timedelta(seconds=round((now - message.queued_at).total_seconds()))
    if refused_for_good(error):
        why = f"refused by the relay: {error}"
    elif waited >= timedelta(hours=settings.outbox_give_up_hours):
        why = f"still failing after {attempts} attempts over {waited}: {error}"
    else:
        pause = min(
            settings.outbox_retry_seconds * 2 ** min(attempts - 1, 30), settings.outbox_retry_cap_seconds
        )
        return {
            "attempts": attempts,
            "last_error": str(error)[:1000],
            "deliver_after": now + timedelta(seconds=pause),
        }
    return {"attempts": attempts, "last_error": why[:1000], "state": OutboxState.DEAD}


async def send_due(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    worker: str | None = None,
    limit: int | None = None,
) -> Report:
    """Send what is due now, a batch (``batch(settings)``) at a time while each batch is full and all of it
    went; with ``limit``, one batch of that many. Returns what happened."""
    size = limit or batch(settings)
    sent = retried = dead = 0
    while True:
        report, claimed = await _send_batch(sessions, settings, worker or "sender", size)
        sent, retried, dead = sent + report.sent, retried + report.retried, dead + report.dead
        if limit is not None or claimed < size or report.retried or report.dead:
            return Report(sent, retried, dead)


async def _send_batch(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, worker: str, size: int
) -> tuple[Report, int]:
    """Claim up to ``size`` due emails and send them: what happened, and how many were claimed. The batch
    keeps one database connection, so recording how a send went never waits for one."""
    claim = f"{worker[:60]}:{uuid.uuid4().hex}"
    hold = timedelta(seconds=settings.outbox_claim_seconds)
    outcomes: Counter[str] = Counter()
    engine = sessions.kw["bind"]
    async with (
        _Relay(settings) as relay,
        engine.connect() as connection,
        sessions(bind=connection) as session,
    ):
        async with session.begin():
            now = utcnow()
            claimed = await repository.due_for_sending(session, now, size)
            for message in claimed:
                message.claimed_until, message.claimed_by = now + hold, claim
        for message in claimed:
            try:
                outcomes[await _send_one(session, relay, message, claim, hold, settings)] += 1
            except BaseException:
                await session.rollback()
                raise
    return Report(outcomes["sent"], outcomes["retried"], outcomes["dead"]), len(claimed)


async def _send_one(
    session: AsyncSession,
    relay: _Relay,
    message: OutboxMessage,
    claim: str,
    hold: timedelta,
    settings: Settings,
) -> str:
    """Send one claimed message and record how it went: "sent", "retried", "dead", or "taken" (our hold
    lapsed and another sender has it).

    The hold is renewed just before sending, under the claim. On PostgreSQL the renewal's row lock is then
    held until the outcome is recorded, in the same transaction: another sender skips a locked message, so
    none can take it over while it is being sent, however long this one stalls between the relay's answer
    and the record of it (a busy process, a slow commit). If this one dies meanwhile, the transaction rolls
    back, the lock goes with it, and the message is sent again under the same Message-ID. On SQLite the
    lock is the whole database's, not to be held over a conversation with the relay; one process sends."""
    renewed = await repository.renew(session, message.id, claim, utcnow() + hold)
    if not renewed or session.get_bind().dialect.name != "postgresql":
        await session.commit()
    if not renewed:
        return "taken"
    try:
        async with asyncio.timeout(settings.smtp_timeout_seconds):
            await relay.send(compose(message, settings))
    except (aiosmtplib.SMTPException, OSError) as error:  # TimeoutError included
        values = _after_failure(message, error, settings, utcnow())
        gave_up = values.get("state") is OutboxState.DEAD
        log.warning(
            "email %s %s (attempt %d): %s",
            message.id,
            "gave up" if gave_up else "failed",
            values["attempts"],
            str(error) or type(error).__name__,
        )
        outcome = "dead" if gave_up else "retried"
    else:
        values = {"state": OutboxState.SENT, "sent_at": utcnow(), "attempts": message.attempts + 1}
        outcome = "sent"
    await repository.settle(session, message.id, claim, **values)
    await session.commit()
    return outcome


async def run_forever(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, every: float = 10
) -> None:
    """The sender's loop, for a web process's background task and for `portal outbox run`."""
    await repeat("the outbox sender", lambda: send_due(sessions, settings), every)
