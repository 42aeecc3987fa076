"""The IRO's midpoint checks between a looked-after child's reviews (issue 19).

Since 2008 the IRO's duty to monitor the authority's performance on the child's case runs continuously, not
only at reviews (CYPA 2008 s10; CA 1989 s25B(1)(a); IRO Handbook 2010 paras 3.74-3.79, 7.15: "monitoring"
between reviews is part of the caseload the Handbook's 50-70 range allows for). Authorities record it as a
"midpoint" or "midway" check: the IRO reads the file, speaks with the social worker and records what they
found (RESEARCH-NOTES.md §5.6). Research found it done for 30-50% of children in practice, and 49% of IROs
said they lacked the time (§7.2): the figure the IRO manager reports is the share of children monitored."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, timestamp_field


class SocialWorkerContact(StrEnum):
    """How the IRO was in touch with the child's social worker for the check (RESEARCH-NOTES.md §5.6:
    "method (file read, chat, email)")."""

    NONE = "none"
    CONVERSATION = "conversation"
    EMAIL = "email"
    MEETING = "meeting"


class MidpointOutcome(StrEnum):
    """What the IRO found, and did (IRO Handbook 2010 ch. 6: the informal resolution of a problem starts with
    the social worker and their team manager; reg 33(3): the IRO may direct a review earlier)."""

    # The plan is on track: the last review's decisions are being carried out.
    ON_TRACK = "on_track"
    # A matter raised with the social worker.
    RAISED_WITH_SOCIAL_WORKER = "raised_with_social_worker"
    # A matter raised with the social worker's team manager.
    RAISED_WITH_TEAM_MANAGER = "raised_with_team_manager"
    # An additional review is needed (booked through the reviews).
    ADDITIONAL_REVIEW_NEEDED = "additional_review_needed"


class MidpointCheck(SQLModel, table=True):
    """One midpoint check on one looked-after child, recorded by the child's IRO: the day it was done, whether
    the file was read, the contact with the social worker, the outcome and a note. It counts for the cycle
    of reviews it falls in (portal/midpoints/coverage.py)."""

    __tablename__ = "midpoint_check"
    __table_args__ = (
        sa.Index("ix_midpoint_check_proceedings_child", "proceedings_id", "child_id"),
        sa.Index("ix_midpoint_check_child_done", "child_id", "done_on"),
    )

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id")
    child_id: uuid.UUID = foreign_key("child.id")
    # When it was done: not in the future, not before the child became looked after.
    done_on: date
    file_read: bool
    social_worker_contact: SocialWorkerContact = Field(sa_type=enum_type(SocialWorkerContact))
    outcome: MidpointOutcome = Field(sa_type=enum_type(MidpointOutcome))
    # What was found (required unless the plan is on track).
    note: str = Field(default="", sa_type=sa.Text)
    recorded_by_id: uuid.UUID = foreign_key("person.id")
    recorded_at: datetime = timestamp_field()
