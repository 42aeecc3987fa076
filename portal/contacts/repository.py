"""Queries on the contact ledger."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import Contact, ContactReply, Proceedings, Side
from portal.access.policy import Permission
from portal.access.repository import Filters, Template, granted
from portal.auth.actor import Actor, Viewer
from portal.in_list import in_list, in_param

# The entry that corrects another (made once: building an alias is costly, and it is the same each time).
_CORRECTION = aliased(Contact)


async def contacts_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[Contact, ContactReply | None]]]:
    """Each case's ledger, newest first, with the reply to each entry where one came."""
    rows = await session.execute(
        sa.select(Contact, ContactReply)
        .outerjoin(ContactReply, ContactReply.contact_id == Contact.id)
        .where(
            in_list(Contact.proceedings_id, case_ids),
            granted(viewer, Permission.READ_CASE, Contact.proceedings_id),
        )
        .order_by(*_LEDGER_ORDER)
    )
    grouped: dict[uuid.UUID, list[tuple[Contact, ContactReply | None]]] = defaultdict(list)
    for contact, reply in rows:
        grouped[contact.proceedings_id].append((contact, reply))
    return grouped


# Newest first; the id settles entries made at the same moment.
_LEDGER_ORDER = (Contact.occurred_at.desc(), Contact.recorded_at.desc(), Contact.id.desc())


def _newest(filters: Filters) -> sa.Select[Contact, ContactReply, uuid.UUID]:
    newest = sa.func.row_number().over(partition_by=Contact.proceedings_id, order_by=_LEDGER_ORDER)
    ranked = (
        sa.select(Contact.id.label("id"), newest.label("rank"))
        .where(in_param(Contact.proceedings_id, "case_ids"), filters.granted(Contact.proceedings_id))
        .subquery()
    )
    return (
        sa.select(Contact, ContactReply, _CORRECTION.id)
        .join(ranked, ranked.c.id == Contact.id)
        .outerjoin(ContactReply, ContactReply.contact_id == Contact.id)
        .outerjoin(_CORRECTION, _CORRECTION.corrects_id == Contact.id)
        .where(ranked.c.rank <= sa.bindparam("limit", type_=sa.Integer()))
        .order_by(*_LEDGER_ORDER)
    )


_NEWEST = Template(_newest)


async def newest_contacts_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID], limit: int
) -> dict[uuid.UUID, list[tuple[Contact, ContactReply | None, uuid.UUID | None]]]:
    """Each case's newest ``limit`` ledger entries, newest first, each with its reply and the id of the entry
    that corrects it (found in SQL: the correction may be older than the entries shown). One query."""
    rows = await session.execute(*_NEWEST.bound(viewer, case_ids=list(case_ids), limit=limit))
    grouped: dict[uuid.UUID, list[tuple[Contact, ContactReply | None, uuid.UUID | None]]] = defaultdict(list)
    for contact, reply, corrected_by in rows:
        grouped[contact.proceedings_id].append((contact, reply, corrected_by))
    return grouped


@dataclass(frozen=True)
class LedgerCounts:
    """How many entries a case's ledger has, however few of them are shown."""

    total: int
    from_guardian: int
    from_iro: int
    awaiting_reply: int


def _counts(filters: Filters) -> sa.Select[uuid.UUID, int, int, int, int]:
    current = _CORRECTION.id.is_(None)

    def counted(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    return (
        sa.select(
            Contact.proceedings_id,
            sa.func.count(),
            counted(sa.and_(current, Contact.initiated_by == Side.GUARDIAN)),
            counted(sa.and_(current, Contact.initiated_by == Side.IRO)),
            counted(sa.and_(current, Contact.reply_expected, ContactReply.contact_id.is_(None))),
        )
        .outerjoin(ContactReply, ContactReply.contact_id == Contact.id)
        .outerjoin(_CORRECTION, _CORRECTION.corrects_id == Contact.id)
        .where(in_param(Contact.proceedings_id, "case_ids"), filters.granted(Contact.proceedings_id))
        .group_by(Contact.proceedings_id)
    )


_COUNTS = Template(_counts)


async def ledger_counts_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, LedgerCounts]:
    """Each case's ledger counted in SQL: every entry; the current ones (not corrected) each side made; and
    those still waiting for a reply. One query."""
    rows = await session.execute(*_COUNTS.bound(viewer, case_ids=list(case_ids)))
    return {case_id: LedgerCounts(int(t), int(g), int(i), int(a)) for case_id, t, g, i, a in rows}


async def contact_in_case(
    session: AsyncSession, case_id: uuid.UUID, contact_id: uuid.UUID
) -> tuple[Contact, ContactReply | None, Contact | None] | None:
    """An entry of this case's ledger, its reply, and the entry that corrects it, if any."""
    row = (
        await session.execute(
            sa.select(Contact, ContactReply, _CORRECTION)
            .outerjoin(ContactReply, ContactReply.contact_id == Contact.id)
            .outerjoin(_CORRECTION, _CORRECTION.corrects_id == Contact.id)
            .where(Contact.id == contact_id, Contact.proceedings_id == case_id)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


async def awaited_replies(session: AsyncSession, viewer: Actor) -> list[tuple[Contact, Proceedings]]:
    """Contacts to or from the viewer still waiting for their reply (current entries only), on cases they
    may read, the longest overdue first. One query."""
    stmt, params = _AWAITED.bound(viewer, person_id=viewer.person_id)
    return [(c, p) for c, p in await session.execute(stmt, params)]


def _awaited(filters: Filters) -> sa.Select[Contact, Proceedings]:
    person_id = sa.bindparam("person_id", type_=sa.Uuid())
    return (
        sa.select(Contact, Proceedings)
        .join(Proceedings, Proceedings.id == Contact.proceedings_id)
        .outerjoin(ContactReply, ContactReply.contact_id == Contact.id)
        .outerjoin(_CORRECTION, _CORRECTION.corrects_id == Contact.id)
        .where(
            sa.or_(Contact.from_person_id == person_id, Contact.to_person_id == person_id),
            Contact.reply_expected,
            ContactReply.contact_id.is_(None),
            _CORRECTION.id.is_(None),
            filters.readable(Proceedings.id),
        )
        .order_by(Contact.reply_due_on, Contact.occurred_at)
    )


_AWAITED = Template(_awaited)


async def contacts_with_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Contact]:
    """The ledger entries with these ids, in no particular order."""
    return list((await session.execute(sa.select(Contact).where(in_list(Contact.id, ids)))).scalars())
