"""The clock's statements. Each claims the rows recording that a notice is to be sent (an UPDATE of an unset
stamp, or an INSERT ... ON CONFLICT DO NOTHING) and returns what it claimed: of several clocks running at
once, only one can win each row."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from models import ConsultationArrangement, Contact, ContactChase, ContactReply, Obligation, ObligationState


async def _claim_open_obligations(
    session: AsyncSession,
    stamp: InstrumentedAttribute[datetime | None],
    at: datetime,
    *where: sa.ColumnElement[bool],
) -> list[uuid.UUID]:
    result = await session.execute(
        sa.update(Obligation)
        .where(Obligation.state == ObligationState.OPEN, stamp.is_(None), *where)
        .values({stamp.key: at})
        .returning(Obligation.id)
    )
    return list(result.scalars())


async def claim_reminders(
    session: AsyncSession, due_from: date, due_by: date, at: datetime
) -> list[uuid.UUID]:
    """Stamp as reminded at ``at`` the open obligations due from ``due_from`` to ``due_by`` (inclusive) not
    reminded before: their ids."""
    return await _claim_open_obligations(
        session,
        Obligation.reminded_at,
        at,
        Obligation.due_on >= due_from,
        Obligation.due_on <= due_by,
    )


async def claim_overdue_notices(session: AsyncSession, due_before: date, at: datetime) -> list[uuid.UUID]:
    """Stamp as noticed overdue at ``at`` the open obligations due before ``due_before`` not noticed before:
    their ids."""
    return await _claim_open_obligations(
        session,
        Obligation.overdue_notice_at,
        at,
        Obligation.due_on < due_before,
    )


async def mark_notices_sent(session: AsyncSession, due_before: date, at: datetime) -> None:
    """Stamp every obligation due before ``due_before`` as reminded and noticed overdue at ``at``, open or
    not, so that the clock sends nothing for them."""
    await session.execute(
        sa.update(Obligation)
        .where(Obligation.due_on < due_before)
        .values(reminded_at=at, overdue_notice_at=at)
    )


def _insert(session: AsyncSession, table: type) -> postgresql.Insert | sqlite.Insert:
    """An INSERT in the session's dialect, which has ON CONFLICT."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


async def claim_chases(session: AsyncSession, replies_due_before: date, at: datetime) -> list[uuid.UUID]:
    """Record as chased at ``at`` every contact that expected a reply before ``replies_due_before``, has none
    and has not been corrected (a corrected entry is chased through its correction), unless chased before:
    the ids of those recorded now."""
    later = sa.inspect(Contact).local_table.alias("later")
    corrected = sa.select(sa.literal(1)).where(later.c.corrects_id == Contact.id)
    chased_at = sa.inspect(ContactChase).columns.chased_at
    unanswered = sa.select(Contact.id, sa.literal(at, type_=chased_at.type)).where(
        Contact.reply_expected,
        Contact.reply_due_on < replies_due_before,
        ~sa.exists(sa.select(ContactReply.contact_id).where(ContactReply.contact_id == Contact.id)),
        ~sa.exists(corrected),
    )
    stmt = (
        _insert(session, ContactChase)
        .from_select(["contact_id", "chased_at"], unanswered)
        .on_conflict_do_nothing(index_elements=["contact_id"])
        .returning(ContactChase.contact_id)
    )
    return list((await session.execute(stmt)).scalars())


async def regular_arrangements(
    session: AsyncSession,
) -> list[tuple[ConsultationArrangement, datetime | None]]:
    """Every arrangement in force to talk every so many weeks, with when the last contact on its case
    happened (None if there has been none), in no particular order."""
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
    return [(arrangement, last) for arrangement, last in rows]


async def claim_catch_up(session: AsyncSession, arrangement_id: uuid.UUID, due: date, today: date) -> bool:
    """Stamp the arrangement as reminded ``today``, unless it has been reminded on or after ``due`` (the
    catch-up falling due then): whether it was stamped now."""
    claimed = await session.execute(
        sa.update(ConsultationArrangement)
        .where(
            ConsultationArrangement.id == arrangement_id,
            sa.or_(ConsultationArrangement.reminded_on.is_(None), ConsultationArrangement.reminded_on < due),
        )
        .values(reminded_on=today)
        .returning(ConsultationArrangement.id)
    )
    return claimed.first() is not None
