"""The audit trail: every look at a case and every write, as an event that nothing may change.

A request appends its events in one INSERT and takes no lock that other requests share: there is no row
that every request updates. A database trigger puts each new event on ``audit_queue``; the sealer takes
the queue in order and appends one ``audit_seal`` row per event to a hash chain keyed with a secret the
database never holds, then writes a signed checkpoint of the chain's head outside the database. Events and
seals are append-only (triggers refuse UPDATE and DELETE), and ``portal audit verify`` checks both against
the latest checkpoint.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import UTCDateTime, enum_type, foreign_key, id_field, timestamp_field

GENESIS_HASH = "0" * 64


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    # Asked for something that was missing or not theirs; the request was answered "not found".
    REFUSED = "refused"


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_case_occurred", "case_id", "occurred_at", "id"),)

    id: uuid.UUID = id_field()
    occurred_at: datetime = timestamp_field()
    # Empty for the system itself (the demo loader, the command line).
    person_id: uuid.UUID | None = foreign_key("person.id", nullable=True, index=True)
    # The role the person acted in on this subject, e.g. "guardian" or "cafcass_manager".
    acting_as: str = Field(default="", max_length=40)
    action: str = Field(max_length=80)
    subject_type: str = Field(max_length=40)
    subject_id: uuid.UUID | None = None
    # The case the subject belongs to, so that a case's access log is one indexed query.
    case_id: uuid.UUID | None = None
    outcome: AuditOutcome = Field(default=AuditOutcome.SUCCESS, sa_type=enum_type(AuditOutcome))
    # How the request came ("api", "web", "cli") and from where (the client's address).
    channel: str = Field(default="", max_length=20)
    source: str = Field(default="", max_length=100)


class AuditQueue(SQLModel, table=True):
    """Events not yet sealed, filled by a trigger on ``audit_event`` and emptied by the sealer. It holds
    seconds' worth of events, so the sealer finds the unsealed ones without scanning the trail."""

    __tablename__ = "audit_queue"
    __table_args__ = (sa.Index("ix_audit_queue_occurred", "occurred_at", "event_id"),)

    event_id: uuid.UUID = Field(primary_key=True)
    # The event's own time, copied by the trigger: the sealer takes the queue in this order.
    occurred_at: datetime = Field(sa_type=UTCDateTime)


class AuditSeal(SQLModel, table=True):
    """An event's place in the keyed hash chain: ``hash`` is HMAC-SHA256, under the key named ``key_id``,
    of the position, the key's id, the previous seal's hash and every field of the event."""

    __tablename__ = "audit_seal"

    # The position in the chain: 1, 2, 3 ... with no gaps, in the order the sealer took the events.
    seq: int = Field(primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False})
    event_id: uuid.UUID = Field(unique=True)
    key_id: str = Field(max_length=40)
    hash: str = Field(max_length=64)
    sealed_at: datetime = timestamp_field()
