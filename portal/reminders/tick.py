"""One tick of the clock. Each kind of notice is sent once: the row that records it is claimed by an UPDATE
(or an INSERT ... ON CONFLICT DO NOTHING) that only one of several clocks running at once can win, in the
same transaction as the emails it puts in the outbox. A tick that fails leaves nothing claimed, and the
next one tries again."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import (
    ConsultationArrangement,
    Contact,
    ContactChase,
    ContactReply,
    Obligation,
    ObligationRule,
    ObligationState,
    OutboxMessage,
    OutboxState,
    Person,
    utcnow,
)
from portal import calendar, clock
from portal.mail.outbox import enqueue
from portal.obligations.service import REMIND_WORKING_DAYS
from portal.papers import service as papers
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
    )
    # Last, so that a storage outage delays only the sweeping.
    store = blob_store(settings)
    try:
        return replace(report, swept=await run(lambda s: _sweep(s, store)))
    finally:
        await store.close()


async def _sweep(session: AsyncSession, store: BlobStore) -> int:
    uploads, blobs = await papers.sweep(session, store)
    return uploads + blobs


async def _obligations_with_rules(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[tuple[Obligation, ObligationRule]]:
    rows = await session.execute(
        sa.select(Obligation, ObligationRule)
        .join(ObligationRule, ObligationRule.id == Obligation.rule_id)
        .where(Obligation.id.in_(ids))
    )
    return [(o, r) for o, r in rows]


async def _people(session: AsyncSession, ids: set[uuid.UUID | None]) -> dict[uuid.UUID, Person]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = await session.execute(sa.select(Person).where(Person.id.in_(wanted)))
    return {p.id: p for p in rows.scalars()}


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


async def _notify_holders(
    session: AsyncSession,
    ids: Sequence[uuid.UUID],
    kind: str,
    write: Callable[[Obligation, ObligationRule], tuple[str, str]],
) -> int:
    found = await _obligations_with_rules(session, ids)
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


async def _claim(
    session: AsyncSession, stamp: sa.ColumnElement, at: datetime, *where: sa.ColumnElement[bool]
) -> list[uuid.UUID]:
    result = await session.execute(
        sa.update(Obligation)
        .where(Obligation.state == ObligationState.OPEN, stamp.is_(None), *where)
        .values({stamp.key: at})
        .returning(Obligation.id)
    )
    return list(result.scalars())


async def _remind(session: AsyncSession, today: date, now: datetime) -> int:
    """Open obligations falling due within the next REMIND_WORKING_DAYS working days: a reminder, once."""
    horizon = calendar.add_working_days(today, REMIND_WORKING_DAYS)
    ids = await _claim(
        session,
        Obligation.reminded_at,
        now,
        Obligation.due_on >= today,
        Obligation.due_on <= horizon,  # type: ignore[arg-type]
    )
    return await _notify_holders(
        session,
        ids,
        "obligation.reminder",
        lambda o, r: (
            f"Reminder: a task under the guardian–IRO protocol is due ({r.code})",
            f"A task of yours under the guardian–IRO protocol, {r.code}, is due by {_long(o.due_on)}.",
        ),
    )


async def _overdue(session: AsyncSession, today: date, now: datetime) -> int:
    """Open obligations past their due date: a notice, once."""
    ids = await _claim(session, Obligation.overdue_notice_at, now, Obligation.due_on < today)  # type: ignore[arg-type]
    return await _notify_holders(
        session,
        ids,
        "obligation.overdue",
        lambda o, r: (
            f"Overdue: a task under the guardian–IRO protocol ({r.code})",
            f"A task of yours under the guardian–IRO protocol, {r.code}, was due by {_long(o.due_on)} and "
            "has not been met.",
        ),
    )


def _insert(session: AsyncSession, table: type) -> sa.Insert:
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)  # type: ignore[return-value]


async def _chase(session: AsyncSession, today: date, now: datetime) -> int:
    """Contacts that expected a reply by a day now past and have none: the recipient is chased and the
    sender told, once. A corrected entry is chased through its correction."""
    corrected = sa.select(sa.literal(1)).where(Contact.__table__.alias("later").c.corrects_id == Contact.id)
    unanswered = sa.select(Contact.id, sa.literal(now, type_=ContactChase.__table__.c.chased_at.type)).where(
        Contact.reply_expected,
        Contact.reply_due_on < today,
        ~sa.exists(sa.select(ContactReply.contact_id).where(ContactReply.contact_id == Contact.id)),
        ~sa.exists(corrected),
    )
    stmt = (
        _insert(session, ContactChase)
        .from_select(["contact_id", "chased_at"], unanswered)
        .on_conflict_do_nothing(index_elements=["contact_id"])  # type: ignore[attr-defined]
        .returning(ContactChase.contact_id)
    )
    ids = list((await session.execute(stmt)).scalars())
    if not ids:
        return 0
    contacts = list((await session.execute(sa.select(Contact).where(Contact.id.in_(ids)))).scalars())
    people = await _people(session, {p for c in contacts for p in (c.from_person_id, c.to_person_id)})
    for contact in contacts:
        due = _long(contact.reply_due_on) if contact.reply_due_on else "now"
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
    return len(contacts)


async def _catch_ups(session: AsyncSession, today: date) -> int:
    """A consultation arrangement to talk every so many weeks (P3): when that long has passed since the
    last contact between the two (or since they agreed it), both are reminded, once for each gap."""
    last_contact = (
        sa.select(Contact.proceedings_id, sa.func.max(Contact.occurred_at).label("last"))
        .group_by(Contact.proceedings_id)
        .subquery()
    )
    rows = await session.execute(
        sa.select(ConsultationArrangement, last_contact.c.last)
        .outerjoin(last_contact, last_contact.c.proceedings_id == ConsultationArrangement.proceedings_id)
        .where(
            ConsultationArrangement.replaced_at.is_(None), ConsultationArrangement.every_weeks.is_not(None)
        )
    )
    count = 0
    for arrangement, last in rows:
        since = arrangement.agreed_on
        if last is not None:
            since = max(since, clock.in_england(last).astimezone(clock.LONDON).date())  # type: ignore[union-attr]
        due = since + timedelta(weeks=arrangement.every_weeks)
        if due > today:
            continue
        claimed = await session.execute(
            sa.update(ConsultationArrangement)
            .where(
                ConsultationArrangement.id == arrangement.id,
                sa.or_(
                    ConsultationArrangement.reminded_on.is_(None), ConsultationArrangement.reminded_on < due
                ),
            )
            .values(reminded_on=today)
            .returning(ConsultationArrangement.id)
        )
        if claimed.first() is None:
            continue
        people = await _people(session, {arrangement.guardian_id, arrangement.iro_id})
        for person in people.values():
            enqueue(
                session,
                person,
                kind="arrangement.catch_up",
                subject="Time for the catch-up you agreed",
                body=f"You agreed to talk at least every {arrangement.every_weeks} weeks under the "
                f"guardian–IRO protocol, and it has been that long since {_long(since)}.",
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
        waiting = (
            (
                await session.execute(
                    sa.select(OutboxMessage.person_id)
                    .where(OutboxMessage.state == OutboxState.HELD)
                    .group_by(OutboxMessage.person_id)
                )
            )
            .scalars()
            .all()
        )
    sent = 0
    for person_id in waiting:
        async with sessions() as session, session.begin():
            person = await session.get(Person, person_id)
            already = await session.scalar(
                sa.select(sa.func.count()).where(
                    OutboxMessage.person_id == person_id,
                    OutboxMessage.kind == "digest",
                    OutboxMessage.created_at >= day_start,
                )
            )
            if person is None or already:
                continue
            digest = OutboxMessage(
                person_id=person.id,
                to_address=person.email,
                kind="digest",
                subject="Your daily summary from the guardian–IRO portal",
                body="",
                link_path="/tasks",
            )
            session.add(digest)
            await session.flush()
            held = (
                await session.execute(
                    sa.update(OutboxMessage)
                    .where(OutboxMessage.person_id == person_id, OutboxMessage.state == OutboxState.HELD)
                    .values(state=OutboxState.DIGESTED, digest_id=digest.id)
                    .returning(
                        OutboxMessage.subject,
                        OutboxMessage.body,
                        OutboxMessage.link_path,
                        OutboxMessage.created_at,
                    )
                )
            ).all()
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
    while True:
        try:
            report = await tick(sessions, settings)
            if report != TickReport():
                log.info("clock: %s", report)
        except Exception:  # a failed tick is logged and the next one tries again
            log.exception("the clock failed a tick")
        await asyncio.sleep(settings.clock_every_seconds)
