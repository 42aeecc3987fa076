"""The audit trail: every read of a case and every write, committed with the work it records."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, timestamp_field


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    REFUSED = "refused"


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_subject", "subject_type", "subject_id", "occurred_at"),)

    id: uuid.UUID = id_field()
    occurred_at: datetime = timestamp_field()
    # Empty for the system itself (the demo loader, migrations).
    person_id: uuid.UUID | None = foreign_key("person.id", nullable=True, index=True)
    # The role the person acted in on this subject, e.g. "guardian" or "cafcass_manager".
    acting_as: str = Field(default="", max_length=40)
    action: str = Field(max_length=80)
    subject_type: str = Field(max_length=40)
    subject_id: uuid.UUID | None = None
    # The case the subject belongs to, so that a case's access log is one indexed query.
    case_id: uuid.UUID | None = Field(default=None, index=True)
    outcome: AuditOutcome = Field(default=AuditOutcome.SUCCESS, sa_type=enum_type(AuditOutcome))
    # How the request came: "api", "web", "cli"; and from where (client address).
    channel: str = Field(default="", max_length=20)
    source: str = Field(default="", max_length=100)
