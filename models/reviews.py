"""Looked-after reviews of a child (CPPCR reg 33), as the IRO arranges and chairs them, and what the
guardian is told of them (P4, P5, P10, P11)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, optional_timestamp_field, timestamp_field


class ReviewKind(StrEnum):
    """Where a review falls in the reg 33 schedule."""

    FIRST = "first"
    SECOND = "second"
    SUBSEQUENT = "subsequent"
    # Earlier than the schedule, at the IRO's request.
    ADDITIONAL = "additional"
    # A review gathering information instead of a meeting, for a child settled in a long-term foster
    # placement, at most every other review (one meeting a year).
    INFORMATION_GATHERING = "information_gathering"


class Review(SQLModel, table=True):
    """One looked-after review of one child. Siblings reviewed together have one review each."""

    __tablename__ = "review"
    __table_args__ = (sa.Index("ix_review_child_date", "child_id", "review_date"),)

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id", index=True)
    child_id: uuid.UUID = foreign_key("child.id")
    kind: ReviewKind = Field(sa_type=enum_type(ReviewKind))
    review_date: date
    # Time, place and how to join: what the guardian is told (P4).
    arrangements: str = Field(max_length=2000)
    # P10: the guardian's attendance is generally not required; the IRO may ask them to come.
    guardian_invited: bool = False
    scheduled_by_id: uuid.UUID = foreign_key("person.id")
    scheduled_at: datetime = timestamp_field()
    # The notice of the arrangements sent to the guardian through the portal (P4's evidence).
    notice_sent_at: datetime | None = optional_timestamp_field()
    notice_sent_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    held_on: date | None = None
    # The review's record: its decisions and recommendations, as shared with the guardian (P5).
    record: str | None = Field(default=None, sa_type=sa.Text)
    record_shared_at: datetime | None = optional_timestamp_field()
    record_shared_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
