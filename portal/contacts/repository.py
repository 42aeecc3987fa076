"""Queries on the contact ledger."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import Contact, ContactReply, Proceedings
from portal.access.policy import Permission
from portal.access.repository import granted, readable_cases
from portal.auth.actor import Actor, Viewer


async def contacts_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[Contact, ContactReply | None]]]:
    """Each case's ledger, newest first, with the reply to each entry where one came."""
    rows = await session.execute(
        sa.select(Contact, ContactReply)
        .outerjoin(ContactReply, ContactReply.contact_id == Contact.id)
        .where(
            Contact.proceedings_id.in_(case_ids),
            granted(viewer, Permission.READ_CASE, Contact.proceedings_id),
        )
        .order_by(Contact.occurred_at.desc(), Contact.recorded_at.desc())
    )
    grouped: dict[uuid.UUID, list[tuple[Contact, ContactReply | None]]] = defaultdict(list)
    for contact, reply in rows:
        grouped[contact.proceedings_id].append((contact, reply))
    return grouped


async def contact_in_case(
    session: AsyncSession, case_id: uuid.UUID, contact_id: uuid.UUID
) -> tuple[Contact, ContactReply | None, Contact | None] | None:
    """An entry of this case's ledger, its reply, and the entry that corrects it, if any."""
    correction = aliased(Contact)
    row = (
        await session.execute(
            sa.select(Contact, ContactReply, correction)
            .outerjoin(ContactReply, ContactReply.contact_id == Contact.id)
            .outerjoin(correction, correction.corrects_id == Contact.id)
            .where(Contact.id == contact_id, Contact.proceedings_id == case_id)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


async def awaited_replies(session: AsyncSession, viewer: Actor) -> list[tuple[Contact, Proceedings]]:
    """Contacts to or from the viewer still waiting for their reply (current entries only), on cases they
    may read, the longest overdue first. One query."""
    person_id = viewer.person_id
    correction = aliased(Contact)
    rows = await session.execute(
        sa.select(Contact, Proceedings)
        .join(Proceedings, Proceedings.id == Contact.proceedings_id)
        .outerjoin(ContactReply, ContactReply.contact_id == Contact.id)
        .outerjoin(correction, correction.corrects_id == Contact.id)
        .where(
            sa.or_(Contact.from_person_id == person_id, Contact.to_person_id == person_id),
            Contact.reply_expected,
            ContactReply.contact_id.is_(None),
            correction.id.is_(None),
            readable_cases(viewer),
        )
        .order_by(Contact.reply_due_on, Contact.occurred_at)
    )
    return [(c, p) for c, p in rows]


async def contacts_with_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Contact]:
    """The ledger entries with these ids, in no particular order."""
    return list((await session.execute(sa.select(Contact).where(Contact.id.in_(ids)))).scalars())
