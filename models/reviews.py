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
    # An information-gathering review is for a child settled in a long-term foster placement who agrees to
    # one (IRO Handbook 2010; issue 18): the IRO records both when booking it. False for every other kind.
    long_term_foster_settled: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    child_agreed: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # Recorded afterwards by the child's IRO: held before the child's proceedings came to the portal (a child
    # looked after before them), so nothing about it was due through the portal; it keeps the reg 33 schedule
    # (issue 18).
    held_before_portal: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
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


class ChildAttendance(StrEnum):
    """Whether the child took part in their review, and if not whether their views reached it: "the review
    is the child's meeting" (IRO Handbook 2010, ch. 3), and a child may attend all of it, part of it ("half
    in and half out"), or none of it. Close to the participation codes of the DfE's looked-after children
    return (SSDA903)."""

    ATTENDED = "attended"
    ATTENDED_PART = "attended_part"
    # Did not attend; their views were conveyed to the review (ViewsConveyed says how).
    VIEWS_CONVEYED = "views_conveyed"
    VIEWS_NOT_CONVEYED = "views_not_conveyed"


class ViewsConveyed(StrEnum):
    """How the child's views reached the review."""

    # Said by the child themselves, at the review.
    AT_THE_REVIEW = "at_the_review"
    # To the IRO, who meets the child before each review (IRO Handbook; CPPCR 2010 reg 36).
    TO_THE_IRO_BEFORE = "to_the_iro_before"
    ADVOCATE = "advocate"
    # A consultation form, a letter, a drawing or an app.
    WRITTEN = "written"
    SOCIAL_WORKER = "social_worker"
    CARER = "carer"
    # Observed, for a child too young to say (a pre-verbal child is involved through recorded observation).
    OBSERVATION = "observation"
    OTHER = "other"


class ReviewParticipation(SQLModel, table=True):
    """The child's participation in one looked-after review and their wishes and feelings, recorded by the
    child's IRO once the review is held, and changed by them afterwards (the last change is kept, not a
    history). The IRO must make sure the child's wishes and feelings are ascertained and given due
    consideration (CA 1989 s22(4)-(5); CPPCR 2010 reg 36; IRO Handbook 2010 ch. 3; issue 18). What the child
    said may be marked private to the child's IRO (PROTOCOL.md §6: a topic the child asks to keep between
    them and the IRO is left out of shared records; who reads it is portal/access/policy.py)."""

    __tablename__ = "review_participation"

    review_id: uuid.UUID = Field(foreign_key="review.id", primary_key=True)
    attendance: ChildAttendance = Field(sa_type=enum_type(ChildAttendance))
    views_conveyed: ViewsConveyed | None = Field(default=None, sa_type=enum_type(ViewsConveyed))
    # Who conveyed them (an advocate's name and service, the carer ...), or how, for another way.
    conveyed_by: str = Field(default="", max_length=200)
    # What the child said: their wishes and feelings (may be empty when their views were not conveyed).
    wishes_and_feelings: str = Field(default="", sa_type=sa.Text)
    private: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    recorded_by_id: uuid.UUID = foreign_key("person.id")
    recorded_at: datetime = timestamp_field()
    # The last change (the first record, until it is changed).
    updated_by_id: uuid.UUID = foreign_key("person.id")
    updated_at: datetime = timestamp_field()


class ReviewPreparation(SQLModel, table=True):
    """The social worker's part before a review (IRO Handbook 2010, ch. 3; issue 18): they consult the IRO
    at least 15 working days before it (SW1), and the IRO has their report and the papers at least 3 working
    days before it (SW2). Recorded by the child's social worker or their IRO, as the date each happened; a
    date once recorded stands (the obligation it met was judged on it)."""

    __tablename__ = "review_preparation"

    review_id: uuid.UUID = Field(foreign_key="review.id", primary_key=True)
    social_worker_consulted_on: date | None = None
    papers_received_on: date | None = None
    recorded_by_id: uuid.UUID = foreign_key("person.id")
    recorded_at: datetime = timestamp_field()
    updated_by_id: uuid.UUID = foreign_key("person.id")
    updated_at: datetime = timestamp_field()
