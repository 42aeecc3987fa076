"""Mutations on the contact ledger."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from models import Channel, Purpose
from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.contacts import Contact
from portal.clock import in_england
from portal.contacts import service
from portal.contacts.service import Direction


@object_type
class ContactPayload:
    """The result of logging a contact or marking a reply: the entry, or the errors (and nothing written)."""

    contact: Contact | None = field("The ledger entry; empty if there were errors.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@input_type
class LogContactInput:
    """A contact between you and the other side of the protocol on one case."""

    case_id: strawberry.ID = field("The case.")
    counterpart_id: strawberry.ID = field(
        "The guardian or IRO on the other side (see Case.contactCounterparts)."
    )
    direction: Direction = field("Whether you made the contact (outgoing) or received it (incoming).")
    occurred_at: datetime | None = field("When it happened; without an offset, taken as time in England.")
    channel: Channel = field("How it was made.")
    purpose: Purpose = field("What it was about.")
    summary: str = field("A summary: what was said and agreed. Up to 4,000 characters.")
    private: bool = field(
        "Keep what was said private to the guardian and the IRO (a pre-review consultation always is; a "
        "correction of a private entry stays private).",
        default=False,
    )
    reply_expected: bool = field("Whether a reply is expected.", default=False)
    reply_due_on: date | None = field("When the reply is due, if a reply is expected.", default=None)
    corrects_id: strawberry.ID | None = field(
        "To correct an entry, its id: the new entry replaces it in the ledger and the old one is kept.",
        default=None,
    )


@input_type
class MarkReplyInput:
    """That the reply to a contact came."""

    case_id: strawberry.ID = field("The case.")
    contact_id: strawberry.ID = field("The entry that expected the reply.")
    replied_at: datetime | None = field("When the reply came; now if empty.", default=None)


@object_type
class ContactMutations:
    """Mutations on the contact ledger."""

    @mutation
    async def log_contact(self, info: Info, input: LogContactInput) -> ContactPayload:
        """Log a contact with the other side (the case's guardian or IRO). The ledger is append-only: to
        correct an entry, log a new one with correctsId."""

        async def work() -> Contact:
            data = service.LogContact(
                case_id=parse_id(input.case_id, "caseId"),
                counterpart_id=parse_id(input.counterpart_id, "counterpartId"),
                direction=input.direction,
                occurred_at=in_england(input.occurred_at),
                channel=input.channel,
                purpose=input.purpose,
                summary=input.summary,
                private=input.private,
                reply_expected=input.reply_expected,
                reply_due_on=input.reply_due_on,
                corrects_id=parse_id(input.corrects_id, "correctsId") if input.corrects_id else None,
                one_way_meets_p2=info.context.settings.p2_one_way_contact_meets,
            )
            actor = info.context.require_actor()
            contact = await info.context.uow.run(lambda s: service.log_contact(s, actor, data))
            return Contact.of(contact, None, None)

        contact, errors = await attempt(info.context, work())
        return ContactPayload(contact=contact, errors=errors)

    @mutation
    async def mark_reply(self, info: Info, input: MarkReplyInput) -> ContactPayload:
        """Mark that the reply to a contact came (either person in the contact)."""

        async def work() -> Contact:
            case_id = parse_id(input.case_id, "caseId")
            contact_id = parse_id(input.contact_id, "contactId")
            actor = info.context.require_actor()
            replied_at = in_england(input.replied_at)
            contact, reply = await info.context.uow.run(
                lambda s: service.mark_reply(s, actor, case_id, contact_id, replied_at)
            )
            return Contact.of(contact, reply, None)

        contact, errors = await attempt(info.context, work())
        return ContactPayload(contact=contact, errors=errors)
