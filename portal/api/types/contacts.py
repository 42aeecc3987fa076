"""The contact ledger."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from models import Channel, Purpose, Side
from models import Contact as ContactModel
from models import ContactReply as ReplyModel
from portal import clock
from portal.access.policy import is_private, reads_private
from portal.api.context import Info
from portal.api.doc import field, object_type, resolver
from portal.api.types.people import PersonRef, person_ref


@object_type
class ContactReply:
    """The reply to a contact that expected one."""

    replied_at: datetime = field("When the reply came.")
    _recorded_by_id: strawberry.Private[uuid.UUID]

    @resolver
    def recorded_by(self, info: Info) -> PersonRef:
        """Who marked the reply as received."""
        return person_ref(info, self._recorded_by_id)


@object_type
class Contact:
    """One entry of the two-sided contact ledger (P1): who contacted whom, when, how and why. Entries are
    never changed; a correction is a new entry that points at the one it corrects."""

    id: strawberry.ID = field("The entry's id.")
    occurred_at: datetime = field("When the contact happened.")
    initiated_by: Side = field("Which side made the contact.")
    channel: Channel = field("How the contact was made.")
    purpose: Purpose = field("What the contact was about.")
    private: bool = field(
        "Whether what was said is private to the guardian and the IRO: a pre-review consultation always is, "
        "and any contact marked so when it was logged."
    )
    reply_expected: bool = field("Whether the person contacted was expected to reply.")
    reply_due_on: date | None = field("When the reply was due, if a date was given.")
    reply: ContactReply | None = field("The reply, once it has come.")
    corrects_id: strawberry.ID | None = field("The entry this one corrects, if it is a correction.")
    corrected_by_id: strawberry.ID | None = field(
        "The entry that corrects this one; a corrected entry is kept but no longer current."
    )
    recorded_at: datetime = field("When the entry was recorded.")
    awaiting_reply: bool = field("A reply is expected and has not been marked as received.")
    reply_overdue: bool = field("A reply is awaited and its due date has passed.")
    _summary: strawberry.Private[str]
    _case_id: strawberry.Private[uuid.UUID]
    _from_id: strawberry.Private[uuid.UUID]
    _to_id: strawberry.Private[uuid.UUID]
    _recorded_by_id: strawberry.Private[uuid.UUID]

    @resolver
    def summary(self, info: Info) -> str | None:
        """What was said and agreed. Empty (null) for a private contact unless you are the guardian or the
        IRO on the case: others see that it happened, not what was said."""
        if self.private and not reads_private(info.context.require_actor(), self._case_id):
            return None
        return self._summary

    @resolver
    def from_person(self, info: Info) -> PersonRef:
        """The person who made the contact."""
        return person_ref(info, self._from_id)

    @resolver
    def to_person(self, info: Info) -> PersonRef:
        """The person who was contacted."""
        return person_ref(info, self._to_id)

    @resolver
    def recorded_by(self, info: Info) -> PersonRef:
        """Who recorded the entry (either side may log a contact in either direction)."""
        return person_ref(info, self._recorded_by_id)

    @staticmethod
    def of(model: ContactModel, reply: ReplyModel | None, corrected_by: uuid.UUID | None) -> Contact:
        awaiting = model.reply_expected and reply is None and corrected_by is None
        return Contact(
            id=strawberry.ID(str(model.id)),
            occurred_at=model.occurred_at,
            initiated_by=model.initiated_by,
            channel=model.channel,
            purpose=model.purpose,
            private=is_private(model.purpose, model.private),
            reply_expected=model.reply_expected,
            reply_due_on=model.reply_due_on,
            reply=ContactReply(replied_at=reply.replied_at, _recorded_by_id=reply.recorded_by_id)
            if reply
            else None,
            corrects_id=strawberry.ID(str(model.corrects_id)) if model.corrects_id else None,
            corrected_by_id=strawberry.ID(str(corrected_by)) if corrected_by else None,
            recorded_at=model.recorded_at,
            awaiting_reply=awaiting,
            reply_overdue=awaiting and model.reply_due_on is not None and model.reply_due_on < clock.today(),
            _summary=model.summary,
            _case_id=model.proceedings_id,
            _from_id=model.from_person_id,
            _to_id=model.to_person_id,
            _recorded_by_id=model.recorded_by_id,
        )
