"""How long a concluded case is kept: legal holds that stop its deletion, and the record of each case the
clock deleted (which is also what lets the database delete a submitted handover, and nothing else)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import foreign_key, id_field, optional_timestamp_field, timestamp_field


class LegalHold(SQLModel, table=True):
    """While a hold is in place (placed and not lifted) the case is kept whatever its retention date: for
    litigation, a complaint, an inquiry or a serious case review."""

    __tablename__ = "legal_hold"

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id", index=True)
    reason: str = Field(max_length=500)
    placed_at: datetime = timestamp_field()
    placed_by_id: uuid.UUID = foreign_key("person.id")
    lifted_at: datetime | None = optional_timestamp_field()
    lifted_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    lift_reason: str | None = Field(default=None, max_length=500)


class DeletedCase(SQLModel, table=True):
    """A case the clock deleted under its authority's retention rule. Only ids and dates: nothing about the
    child. Written first in the deleting transaction, it is the claim that stops two clocks deleting the
    same case, and the database's permission to delete its submitted handovers."""

    __tablename__ = "deleted_case"
    __table_args__ = (sa.Index("ix_deleted_case_local_authority", "local_authority_id", "deleted_at"),)

    proceedings_id: uuid.UUID = Field(primary_key=True)
    local_authority_id: uuid.UUID = foreign_key("organisation.id")
    concluded_on: date
    kept_until: date
    deleted_at: datetime = timestamp_field()
    # How many records went with it, every table counted.
    records: int = 0
