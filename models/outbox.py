"""The transactional outbox: emails are rows written with the event that causes them, and sent later, so an
SMTP outage delays mail but never loses it."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, optional_timestamp_field, timestamp_field


class OutboxState(StrEnum):
    PENDING = "pending"
    # Waiting for its person's daily digest.
    HELD = "held"
    # Sent as part of a digest (digest_id).
    DIGESTED = "digested"
    SENT = "sent"
    # Undelivered: refused for good by the relay, or still failing when it had waited too long. Kept with
    # its last error for someone to look at, and queued again with `portal outbox retry`.
    DEAD = "dead"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_due", "state", "deliver_after"),)

    id: uuid.UUID = id_field()
    person_id: uuid.UUID = foreign_key("person.id", index=True)
    to_address: str = Field(max_length=320)
    # What kind of notice it is, e.g. "obligation.opened": for digests, and for not sending one twice.
    kind: str = Field(max_length=60)
    subject: str = Field(max_length=200)
    # Plain text with no case content: what kind of thing and by when. The link is added when it is sent.
    body: str = Field(sa_type=sa.Text)
    # The page to open, as a path on the portal.
    link_path: str = Field(max_length=300)
    created_at: datetime = timestamp_field()
    # When it was last put in the queue (written, or queued again): how long it has waited is counted from
    # here.
    queued_at: datetime = timestamp_field()
    deliver_after: datetime = timestamp_field()
    state: OutboxState = Field(default=OutboxState.PENDING, sa_type=enum_type(OutboxState))
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=1000)
    # A sender holds a message while it sends it; another may take it once the hold has lapsed. Each claim
    # has a token of its own (``claimed_by``): a sender whose hold was taken over finds its token gone.
    claimed_until: datetime | None = optional_timestamp_field()
    claimed_by: str | None = Field(default=None, max_length=100)
    sent_at: datetime | None = optional_timestamp_field()
    digest_id: uuid.UUID | None = foreign_key("outbox_message.id", nullable=True)
