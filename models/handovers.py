"""The end of proceedings: the guardian's written handover to the IRO on the standard template (P14), the
IRO's acknowledgement (from which the IRO is the sole independent scrutiniser, P15), the monitoring items it
leaves the IRO, and the close of the guardian's involvement."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, optional_timestamp_field, timestamp_field


class HandoverState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    # The IRO sent it back with questions; the guardian amends it as a new version.
    RETURNED = "returned"
    ACKNOWLEDGED = "acknowledged"


class Handover(SQLModel, table=True):
    """One version of the handover for a case. Submitted versions never change; an amendment is a new
    version. ``revision`` counts saves of a draft, so that two people editing it at once cannot overwrite
    each other."""

    __tablename__ = "handover"
    __table_args__ = (sa.UniqueConstraint("proceedings_id", "version", name="uq_handover_version"),)

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id", index=True)
    version: int
    template_version: int
    state: HandoverState = Field(sa_type=enum_type(HandoverState))
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    revision: int = 1
    created_by_id: uuid.UUID = foreign_key("person.id")
    created_at: datetime = timestamp_field()
    updated_by_id: uuid.UUID = foreign_key("person.id")
    updated_at: datetime = timestamp_field()
    submitted_at: datetime | None = optional_timestamp_field()
    submitted_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    answered_at: datetime | None = optional_timestamp_field()
    answered_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    # The IRO's questions when returning it.
    questions: str | None = Field(default=None, max_length=4000)


class MonitoringItem(SQLModel, table=True):
    """An issue the guardian handed over for the IRO to keep under review, on the IRO's task list."""

    __tablename__ = "monitoring_item"

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id", index=True)
    handover_id: uuid.UUID = foreign_key("handover.id")
    iro_id: uuid.UUID = foreign_key("person.id", index=True)
    issue: str = Field(max_length=500)
    why: str = Field(max_length=2000)
    due_on: date
    done_at: datetime | None = optional_timestamp_field()


class MonitoringItemMove(SQLModel, table=True):
    """A monitoring item passed from one IRO to the next when the child's IRO changes: the items follow the
    case's live IRO (P15), and this is their history."""

    __tablename__ = "monitoring_item_move"

    id: uuid.UUID = id_field()
    item_id: uuid.UUID = foreign_key("monitoring_item.id", index=True)
    from_iro_id: uuid.UUID = foreign_key("person.id")
    to_iro_id: uuid.UUID = foreign_key("person.id")
    moved_at: datetime = timestamp_field()
    moved_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)


class Closure(SQLModel, table=True):
    """The close of the guardian's involvement in a case: through the gate (P12, P13, P14 and every paper
    forwarded), or by a Cafcass manager's reasoned override. After it the guardian reads the case until
    ``read_only_until``, then no longer."""

    __tablename__ = "closure"

    proceedings_id: uuid.UUID = Field(foreign_key="proceedings.id", primary_key=True)
    guardian_id: uuid.UUID = foreign_key("person.id")
    closed_at: datetime = timestamp_field()
    closed_by_id: uuid.UUID = foreign_key("person.id")
    override_reason: str | None = Field(default=None, max_length=2000)
    read_only_until: datetime = timestamp_field()
