"""What the IRO writes to a looked-after child, in plain language (issue 19): their introduction when they are
allocated, and what was decided when a disagreement about the child's plan is resolved.

Children did not understand what the IRO is for, or did not know they could contact them (RESEARCH-NOTES.md
F17), and were not told what happened (F18). The IRO must explain their role, tell the child how to reach them
and that they can have an advocate (IRO Handbook 2010, ch. 2-3), and confirm the agreed way of keeping in
touch in writing to the child, or to their carer for a young child (RESEARCH-NOTES.md §5.1). Each record here
is kept on the child's file; its letter is drawn from it as a tagged PDF whenever it is asked for."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, timestamp_field


class ExplainedHow(StrEnum):
    """How the IRO explained their role to the child."""

    # Met the child on their own, so that they could talk freely.
    MET_ALONE = "met_alone"
    MET_WITH_CARER = "met_with_carer"
    VIDEO_CALL = "video_call"
    PHONE_CALL = "phone_call"
    # A young child: the IRO explained it to the carer, to pass on as the child can understand.
    THROUGH_CARER = "through_carer"


class LetterTo(StrEnum):
    """Whom a letter is written to: the child, or their carer for a child too young to read it."""

    CHILD = "child"
    CARER = "carer"


class IroIntroduction(SQLModel, table=True):
    """How one IRO explained their role to one child, and the way of keeping in touch they agreed: one per
    child and IRO (a new IRO introduces themselves again), changeable by that IRO."""

    __tablename__ = "iro_introduction"
    __table_args__ = (
        sa.UniqueConstraint("proceedings_id", "child_id", "iro_id", name="uq_iro_introduction_child_iro"),
    )

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id")
    child_id: uuid.UUID = foreign_key("child.id")
    iro_id: uuid.UUID = foreign_key("person.id")
    explained_on: date
    explained_how: ExplainedHow = Field(sa_type=enum_type(ExplainedHow))
    # The way of keeping in touch agreed with the child, in the words the letter repeats to them.
    keeping_in_touch: str = Field(sa_type=sa.Text)
    # The IRO's number for the child to call (their email comes from their account).
    phone: str = Field(default="", max_length=40)
    # The child was told they can have an advocate (CA 1989 s26A).
    advocacy_explained: bool
    letter_to: LetterTo = Field(sa_type=enum_type(LetterTo))
    # The carer's name, for a letter to the carer.
    carer_name: str = Field(default="", max_length=200)
    recorded_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class ChildSummary(SQLModel, table=True):
    """What was decided when a disagreement about a child's plan was resolved, and how the child's views
    counted, written by the child's IRO for the child (or their carer): one per dispute and child."""

    __tablename__ = "child_summary"

    dispute_id: uuid.UUID = Field(foreign_key="dispute.id", primary_key=True)
    child_id: uuid.UUID = Field(foreign_key="child.id", primary_key=True)
    proceedings_id: uuid.UUID = foreign_key("proceedings.id")
    decided: str = Field(sa_type=sa.Text)
    views_counted: str = Field(sa_type=sa.Text)
    letter_to: LetterTo = Field(sa_type=enum_type(LetterTo))
    carer_name: str = Field(default="", max_length=200)
    written_by_id: uuid.UUID = foreign_key("person.id")
    written_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
