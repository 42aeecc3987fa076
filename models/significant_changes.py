"""A significant change in a looked-after child's circumstances, notified to the child's IRO (issue 18), and
the IRO's response: an additional review booked for it, or no review needed, with the reason.

The social worker must tell the IRO of any significant change to the child's circumstances or to the plan for
them, and the IRO may then bring the child's review forward (CPPCR 2010 reg 33(3): a review earlier than the
schedule when the IRO so directs; reg 32(2): no significant change to the care plan unless first considered at
a review, where practicable; IRO Handbook 2010, ch. 3). Research found the notification often does not happen
(RESEARCH-NOTES.md §1.3, F8)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, optional_timestamp_field, timestamp_field


class ChangeKind(StrEnum):
    """What changed: a taxonomy, so that what counts as "significant" is not left unclear (F8)."""

    # The child moved to another placement (planned or not).
    PLACEMENT_MOVE = "placement_move"
    # The placement broke down or ended, the child not yet settled elsewhere.
    PLACEMENT_ENDED = "placement_ended"
    # A change to the care plan (CPPCR 2010 reg 32(2)).
    CARE_PLAN = "care_plan"
    # A change of legal status: an order made, discharged or varied; accommodation ended.
    LEGAL_STATUS = "legal_status"
    # A change of school, an exclusion, a missed place.
    EDUCATION = "education"
    # A hospital admission, a diagnosis, a serious incident to the child's health.
    HEALTH = "health"
    OTHER = "other"


class ChangeResponse(StrEnum):
    """How the IRO answered a significant change."""

    # An additional review was booked for it (reg 33(3)).
    REVIEW_BOOKED = "review_booked"
    # No review needed before the next in the schedule, with the reason.
    NO_REVIEW = "no_review"


class SignificantChange(SQLModel, table=True):
    """One significant change in one looked-after child's circumstances, notified to their IRO, and the IRO's
    response to it (SC's evidence)."""

    __tablename__ = "significant_change"
    __table_args__ = (sa.Index("ix_significant_change_proceedings_child", "proceedings_id", "child_id"),)

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id")
    child_id: uuid.UUID = foreign_key("child.id")
    kind: ChangeKind = Field(sa_type=enum_type(ChangeKind))
    # When it happened (not in the future).
    occurred_on: date
    summary: str = Field(sa_type=sa.Text)
    # The child's social worker, or their IRO recording one they learned of.
    notified_by_id: uuid.UUID = foreign_key("person.id")
    notified_at: datetime = timestamp_field()
    # The IRO's response: empty until they answer.
    response: ChangeResponse | None = Field(default=None, sa_type=enum_type(ChangeResponse))
    # Why no review is needed (required then).
    response_reason: str = Field(default="", sa_type=sa.Text)
    # The additional review booked for it.
    review_id: uuid.UUID | None = foreign_key("review.id", nullable=True)
    responded_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    responded_at: datetime | None = optional_timestamp_field()
