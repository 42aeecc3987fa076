"""The audit trail: every read of a case and every write, committed with the work it records.

Rows are append-only (database triggers refuse UPDATE and DELETE) and hash-chained: each row's hash covers
its contents and the previous row's hash, and ``audit_head`` holds the last one, so altering or deleting any
row, the last included, is detected by ``portal audit verify``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, timestamp_field

GENESIS_HASH = "0" * 64


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    # Asked for something that was missing or not theirs; the request was answered "not found".
    REFUSED = "refused"


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_case_seq", "case_id", "seq"),)

    id: uuid.UUID = id_field()
    # The position in the chain: 1, 2, 3 ... with no gaps.
    seq: int = Field(unique=True)
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
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The end of the chain: one row, locked by each append, so appends are serialised and deleting the
    last events is detected."""

    __tablename__ = "audit_head"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default=GENESIS_HASH, max_length=64)
