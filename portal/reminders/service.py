"""The clock: one tick sends what is due now. Each kind of notice is sent once: the row that records it is
claimed by an UPDATE (or an INSERT ... ON CONFLICT DO NOTHING) that only one of several clocks running at
once can win (portal/reminders/repository.py), in the same transaction as the emails it puts in the outbox.
A tick that fails leaves nothing claimed, and the next one tries again."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Obligation, ObligationRule, OutboxMessage, Person, utcnow
from portal import calendar, clock, metrics
from portal.background import repeat
from portal.cases import repository as cases
from portal.contacts import repository as contacts
from portal.disputes import service as disputes
from portal.mail import repository as outbox
from portal.mail.outbox import enqueue
from portal.obligations import repository as obligations
from portal.obligations.rules import task_words
from portal.obligations.service import REMIND_WORKING_DAYS
from portal.papers import service as papers
from portal.referrals import service as referrals
from portal.reminders import repository
from portal.retention import service as retention
from portal.settings import Settings
from portal.storage import blob_store
from portal.storage.blobs import BlobStore

log = logging.getLogger("portal.clock")


@dataclass(frozen=True)
class TickReport:
    reminders: int = 0
    overdue: int = 0
    chasers: int = 0
    catch_ups: int = 0
    digests: int = 0
    # Reminders to the managers named to answer a dispute's stage, and notices of stages overdue.
    dispute_notices: int = 0
    # Reminders and chasers of the next step on referrals to Cafcass.
    referral_notices: int = 0
    # Concluded cases past their authority's retention rule, deleted.
    deleted: int = 0
    # Uploads never filed, and orphaned or half-written blobs, removed.
    swept: int = 0


async def tick(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, now: datetime | None = None
) -> TickReport:
    now = now or utcnow()
    today = now.astimezone(clock.LONDON).date()

    async def run(step: Callable[[AsyncSession], Awaitable[int]]) -> int:
        async with sessions() as session, session.begin():
            return await step(session)

    report = TickReport(
        reminders=await run(lambda s: _remind(s, today, now)),
        overdue=await run(lambda s: _overdue(s, today, now)),
        chasers=await run(lambda s: _chase(s, today, now)),
        catch_ups=await run(lambda s: _catch_ups(s, today)),
        digests=await _digests(sessions, settings, now),
        dispute_notices=await run(lambda s: disputes.remind_and_chase(s, today, now)),
        referral_notices=await run(lambda s: referrals.remind_and_chase(s, today, now)),
        deleted=await retention.delete_due(sessions, today, now),
    )
    # Last, so that a storage outage delays only the sweeping (which takes the files of deleted cases too).
    store = blob_store(settings)
    try:
        return replace(report, swept=await run(lambda s: _sweep(s, store)))
    finally:
        await store.close()


async def _sweep(session: AsyncSession, store: BlobStore) -> int:
    uploads, blobs = await papers.sweep(session, store)
    return uploads + blobs


async def _people(session: AsyncSession, ids: set[uuid.UUID | None]) -> dict[uuid.UUID, Person]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return await cases.people_by_id(session, wanted)


async def _notify_holders(
    session: AsyncSession,
    ids: Sequence[uuid.UUID],
    kind: str,
    write: Callable[[Obligation, ObligationRule], tuple[str, str]],
) -> int:
    found = await obligations.obligations_with_rules(session, ids)
    people = await _people(session, {p for o, _ in found for p in (o.owner_person_id, o.partner_person_id)})
    for obligation, rule in found:
        subject, body = write(obligation, rule)
        for person_id in {obligation.owner_person_id, obligation.partner_person_id} - {None}:
            if person_id in people:
                enqueue(
                    session,
                    people[person_id],
                    kind=kind,
                    subject=subject,
                    body=body,
                    link_path=f"/cases/{obligation.proceedings_id}#protocol",
                )
    return len(found)


async def _remind(session: AsyncSession, today: date, now: datetime) -> int:
    """Open obligations falling due within the next REMIND_WORKING_DAYS working days: a reminder, once."""
    horizon = calendar.add_working_days(today, REMIND_WORKING_DAYS)
    ids = await repository.claim_reminders(session, today, horizon, now)
    return await _notify_holders(
        session,
        ids,
        "obligation.reminder",
        lambda o, r: (
            f"Reminder: a task {task_words(r.code)} is due ({r.code})",
            f"A task of yours {task_words(r.code)}, {r.code}, is due by {calendar.long_date(o.due_on)}.",
        ),
    )


async def _overdue(session: AsyncSession, today: date, now: datetime) -> int:
    """Open obligations past their due date: a notice, once."""
    ids = await repository.claim_overdue_notices(session, today, now)
    return await _notify_holders(
        session,
        ids,
        "obligation.overdue",
        lambda o, r: (
            f"Overdue: a task {task_words(r.code)} ({r.code})",
            f"A task of yours {task_words(r.code)}, {r.code}, was due by "
            f"{calendar.long_date(o.due_on)} and has not been met.",
        ),
    )


async def _chase(session: AsyncSession, today: date, now: datetime) -> int:
    """Contacts that expected a reply by a day now past and have none: the recipient is chased and the
    sender told, once. A corrected entry is chased through its correction."""
    ids = await repository.claim_chases(session, today, now)
    if not ids:
        return 0
    chased = await contacts.contacts_with_ids(session, ids)
    people = await _people(session, {p for c in chased for p in (c.from_person_id, c.to_person_id)})
    for contact in chased:
        due = calendar.long_date(contact.reply_due_on) if contact.reply_due_on else "now"
        if contact.to_person_id in people:
            enqueue(
                session,
                people[contact.to_person_id],
                kind="contact.chaser",
                subject="A message is waiting for your reply",
                body=f"A message to you in the guardian–IRO contact ledger expected a reply by {due}, "
                "and none is recorded. Please reply, and record the reply in the portal.",
                link_path=f"/cases/{contact.proceedings_id}#ledger",
            )
        if contact.from_person_id in people:
            enqueue(
                session,
                people[contact.from_person_id],
                kind="contact.chased",
                subject="No reply yet: we have chased it",
                body=f"A message you sent expected a reply by {due} and none is recorded. The portal has "
                "reminded the other side; it is on both your task lists until the reply is marked.",
                link_path=f"/cases/{contact.proceedings_id}#ledger",
            )
    return len(chased)


async def _catch_ups(session: AsyncSession, today: date) -> int:
    """A consultation arrangement to talk every so many weeks (P3): when that long has passed since the
    last contact between the two (or since they agreed it), both are reminded, once for each gap."""
    count = 0
    for arrangement, last in await repository.regular_arrangements(session):
        since = arrangement.agreed_on
        if last is not None:
            since = max(since, clock.in_england(last).astimezone(clock.LONDON).date())
        assert arrangement.every_weeks is not None  # regular_arrangements has only those with a period
        due = since + timedelta(weeks=arrangement.every_weeks)
        if due > today:
            continue
        if not await repository.claim_catch_up(session, arrangement.id, due, today):
            continue
        people = await _people(session, {arrangement.guardian_id, arrangement.iro_id})
        for person in people.values():
            enqueue(
                session,
                person,
                kind="arrangement.catch_up",
                subject="Time for the catch-up you agreed",
                body=f"You agreed to talk at least every {arrangement.every_weeks} weeks under the "
                f"guardian–IRO protocol, and it has been that long since {calendar.long_date(since)}.",
                link_path=f"/cases/{arrangement.proceedings_id}#ledger",
            )
        count += 1
    return count


async def _digests(sessions: async_sessionmaker[AsyncSession], settings: Settings, now: datetime) -> int:
    """After the digest hour, each person who chose a daily digest gets one email listing what was held for
    them, once a day. The held messages are claimed by the UPDATE that marks them digested, so two clocks
    cannot send the same one."""
    local = now.astimezone(clock.LONDON)
    if local.hour < settings.digest_hour:
        return 0
    day_start = clock.london_datetime(local.date(), time(0))
    async with sessions() as session:
        waiting = await outbox.people_with_held_messages(session)
    sent = 0
    for person_id in waiting:
        async with sessions() as session, session.begin():
            person = await session.get(Person, person_id)
            if person is None or await outbox.digest_written_since(session, person_id, day_start):
                continue
            digest = OutboxMessage(
                person_id=person.id,
                to_address=person.email,
                kind=outbox.DIGEST,
                subject="Your daily summary from the guardian–IRO portal",
                body="",
                link_path="/tasks",
            )
            session.add(digest)
            await session.flush()
            held = await outbox.gather_held(session, person_id, digest.id)
            if not held:
                await session.delete(digest)
                continue
            base = settings.base_url.rstrip("/")
            items = [
                f"- {subject}\n  {body}\n  {base}{link}"
                for subject, body, link, _ in sorted(held, key=lambda row: row[3])
            ]
            digest.body = (
                f"{len(held)} {'notice' if len(held) == 1 else 'notices'} since your last summary:\n\n"
                + "\n\n".join(items)
            )
            sent += 1
    return sent


async def run_forever(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """The clock's loop in a web process; `portal clock tick` does one tick, for cron."""

    async def one() -> None:
        report = await tick(sessions, settings)
        metrics.ticked()
        if report != TickReport():
            log.info("clock: %s", report)

    await repeat("the clock", one, settings.clock_every_seconds)
