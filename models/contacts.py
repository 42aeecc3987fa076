"""The two-sided contact ledger between the guardian and the IRO (P1). Entries are never changed."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, timestamp_field


class Side(StrEnum):
    GUARDIAN = "guardian"
    IRO = "iro"


class Channel(StrEnum):
    PHONE = "phone"
    MESSAGE_LEFT = "message_left"
    EMAIL = "email"
    VIDEO_CALL = "video_call"
    IN_PERSON = "in_person"
    LETTER = "letter"


class Purpose(StrEnum):
    INTRODUCTION = "introduction"
    COURT_UPDATE = "court_update"
    CARE_PLANNING_UPDATE = "care_planning_update"
    PRE_REVIEW_CONSULTATION = "pre_review_consultation"
    SIGNIFICANT_ISSUE = "significant_issue"
    CONCERN = "concern"
    END_OF_PROCEEDINGS_DISCUSSION = "end_of_proceedings_discussion"


class Contact(SQLModel, table=True):
    """One contact between the two sides. A correction is a new entry pointing at the one it corrects."""

    __tablename__ = "contact"
    __table_args__ = (
        sa.Index("ix_contact_proceedings_occurred", "proceedings_id", "occurred_at"),
        sa.CheckConstraint("reply_expected OR reply_due_on IS NULL", name="reply_due_needs_reply_expected"),
    )

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id")
    from_person_id: uuid.UUID = foreign_key("person.id", index=True)
    to_person_id: uuid.UUID = foreign_key("person.id", index=True)
    initiated_by: Side = Field(sa_type=enum_type(Side))
    occurred_at: datetime = timestamp_field()
    channel: Channel = Field(sa_type=enum_type(Channel))
    purpose: Purpose = Field(sa_type=enum_type(Purpose))
    summary: str = Field(sa_type=sa.Text)
    # Marked private to the guardian and the IRO by whoever logged it (a pre-review consultation always is:
    # portal/access/policy.py): everyone else on the case sees that it happened, not what was said.
    private: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    reply_expected: bool = False
    reply_due_on: date | None = None
    # Unique: an entry is corrected at most once; a further correction corrects the correction.
    corrects_id: uuid.UUID | None = foreign_key("contact.id", nullable=True, unique=True)
    recorded_by_id: uuid.UUID = foreign_key("person.id")
    recorded_at: datetime = timestamp_field()


class ContactReply(SQLModel, table=True):
    """That the reply to a contact came, and when; kept apart so that ledger entries stay unchanged."""

    __tablename__ = "contact_reply"

    contact_id: uuid.UUID = Field(foreign_key="contact.id", primary_key=True)
    replied_at: datetime = timestamp_field()
    recorded_by_id: uuid.UUID = foreign_key("person.id")
    recorded_at: datetime = timestamp_field()


class ContactChase(SQLModel, table=True):
    """That the clock chased the unanswered reply to a contact: once, with both sides told."""

    __tablename__ = "contact_chase"

    contact_id: uuid.UUID = Field(foreign_key="contact.id", primary_key=True)
    chased_at: datetime = timestamp_field()
