"""Discussions between the guardian and the IRO, as the IRO records them on the child's file (P7, P13),
with the actions they agreed."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, optional_timestamp_field, timestamp_field


class DiscussionKind(StrEnum):
    DURING_PROCEEDINGS = "during_proceedings"
    # P13: the end-of-proceedings discussion of the final care plan (Practice Note 2.3).
    FINAL_DISCUSSION = "final_discussion"


class DiscussionMode(StrEnum):
    PHONE = "phone"
    VIDEO_CALL = "video_call"
    IN_PERSON = "in_person"


class Discussion(SQLModel, table=True):
    """A discussion record: the entry the authority keeps on the child's case file. Never changed; a
    correction is a new record pointing at the one it corrects."""

    __tablename__ = "discussion"
    __table_args__ = (sa.Index("ix_discussion_proceedings_held", "proceedings_id", "held_on"),)

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id")
    kind: DiscussionKind = Field(sa_type=enum_type(DiscussionKind))
    held_on: date
    mode: DiscussionMode = Field(sa_type=enum_type(DiscussionMode))
    guardian_id: uuid.UUID = foreign_key("person.id")
    iro_id: uuid.UUID = foreign_key("person.id")
    # Anyone else who took part, as written by the IRO (names and roles).
    others_present: str = Field(default="", max_length=500)
    summary: str = Field(sa_type=sa.Text)
    # The contact in the ledger this discussion was, when it was logged there first.
    contact_id: uuid.UUID | None = foreign_key("contact.id", nullable=True)
    recorded_by_id: uuid.UUID = foreign_key("person.id")
    recorded_at: datetime = timestamp_field()


class AgreedAction(SQLModel, table=True):
    """Something agreed in a discussion, with the person who will do it and by when."""

    __tablename__ = "agreed_action"

    id: uuid.UUID = id_field()
    discussion_id: uuid.UUID = foreign_key("discussion.id", index=True)
    position: int
    description: str = Field(max_length=1000)
    owner_id: uuid.UUID = foreign_key("person.id", index=True)
    due_on: date
    done_at: datetime | None = optional_timestamp_field()
