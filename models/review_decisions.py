"""A looked-after review's decisions as actions (issue 18): the first of the review's two records, circulated
within days of the review (RD), before the full record (P5). Each decision has an owner, a due date and a
state; those still open at the next review are carried forward, done or dropped there. The team manager
the IRO names confirms the decisions, or disputes them, which may lead to the IRO's challenge (the disputes
work, portal/disputes/)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, optional_timestamp_field, timestamp_field


class DecisionState(StrEnum):
    OPEN = "open"
    DONE = "done"
    # Carried forward to a later review, where a decision of its own continues it.
    CARRIED_FORWARD = "carried_forward"
    # No longer needed, decided at a later review (with the reason).
    DROPPED = "dropped"


class ReviewDecision(SQLModel, table=True):
    """One decision or recommendation of a looked-after review, as an action."""

    __tablename__ = "review_decision"
    __table_args__ = (
        sa.Index("ix_review_decision_owner_state", "owner_id", "state"),
        sa.Index("ix_review_decision_child_state", "child_id", "state"),
    )

    id: uuid.UUID = id_field()
    review_id: uuid.UUID = foreign_key("review.id", index=True)
    # The review's case and child, for access and for carrying forward to the child's next review.
    proceedings_id: uuid.UUID = foreign_key("proceedings.id")
    child_id: uuid.UUID = foreign_key("child.id")
    position: int
    description: str = Field(max_length=1000)
    owner_id: uuid.UUID = foreign_key("person.id")
    due_on: date
    state: DecisionState = Field(default=DecisionState.OPEN, sa_type=enum_type(DecisionState))
    # The decision of an earlier review this one carries forward.
    carried_from_id: uuid.UUID | None = foreign_key("review_decision.id", nullable=True)
    recorded_by_id: uuid.UUID = foreign_key("person.id")
    recorded_at: datetime = timestamp_field()
    closed_at: datetime | None = optional_timestamp_field()
    closed_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    # Why it was dropped, or what was done.
    note: str = Field(default="", max_length=1000)


class ManagerResponse(StrEnum):
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"


class ReviewDecisionsCheck(SQLModel, table=True):
    """That a review's decisions were recorded (once per review, RD's evidence), and, when the IRO named
    one, the team manager asked to confirm them and their answer: the manager confirms the plan the
    decisions make, or disputes them with a reason (IRO Handbook 2010: the authority raises any objection to
    the review's recommendations promptly; a dispute may lead to the IRO's challenge, portal/disputes/)."""

    __tablename__ = "review_decisions_check"

    review_id: uuid.UUID = Field(foreign_key="review.id", primary_key=True)
    recorded_by_id: uuid.UUID = foreign_key("person.id")
    recorded_at: datetime = timestamp_field()
    # The authority's manager asked to confirm them, if the IRO named one.
    manager_id: uuid.UUID | None = foreign_key("person.id", nullable=True, index=True)
    response: ManagerResponse | None = Field(default=None, sa_type=enum_type(ManagerResponse))
    comment: str = Field(default="", max_length=2000)
    responded_at: datetime | None = optional_timestamp_field()
