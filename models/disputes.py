"""When the IRO and the authority disagree about a child's care plan (IRO Handbook ch. 6, PROTOCOL.md §3):
the challenge from its first informal word, each authority's local dispute resolution ladder (versioned, so a
dispute keeps the ladder it started on), and the stages a dispute reaches, each a duty on the person named to
answer it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, optional_timestamp_field, timestamp_field


class DisputeLadder(SQLModel, table=True):
    """One version of a local authority's ladder (no organisation: the national default). A change is a new
    version; the old stay, because the disputes that started on them keep them."""

    __tablename__ = "dispute_ladder"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "version", name="uq_dispute_ladder_version"),
        sa.CheckConstraint("overall_working_days BETWEEN 1 AND 100", name="overall_1_to_100"),
    )

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID | None = foreign_key("organisation.id", nullable=True)
    version: int
    # The whole ladder's time, from the first formal stage (Handbook 6.2: 20 working days).
    overall_working_days: int
    # From this stage on, the authority's solicitor on the case sees the dispute (None: never).
    solicitor_from_stage: int | None = None
    created_at: datetime = timestamp_field()
    created_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    superseded_at: datetime | None = optional_timestamp_field()


class LadderStage(SQLModel, table=True):
    """A formal stage of a ladder: who answers at it, and in how many working days."""

    __tablename__ = "dispute_ladder_stage"
    __table_args__ = (
        sa.UniqueConstraint("ladder_id", "position", name="uq_dispute_ladder_stage_position"),
        sa.CheckConstraint("working_days BETWEEN 1 AND 60", name="working_days_1_to_60"),
    )

    id: uuid.UUID = id_field()
    ladder_id: uuid.UUID = foreign_key("dispute_ladder.id", index=True)
    # 1 is the first formal stage.
    position: int
    # Who answers, as the authority names the post: "Team manager", "Head of service" ...
    answerer: str = Field(max_length=200)
    working_days: int


class DisputeSubject(StrEnum):
    """What is disputed."""

    REVIEW_DECISION = "review_decision"
    CARE_PLAN = "care_plan"
    DRIFT_OR_DELAY = "drift_or_delay"
    PLACEMENT_MOVE = "placement_move"
    RESOURCES = "resources"
    OTHER = "other"


class DisputeState(StrEnum):
    # Being settled informally, with the social worker or team manager.
    INFORMAL = "informal"
    # On the ladder: at the stage the dispute's ``stage`` names.
    FORMAL = "formal"
    RESOLVED = "resolved"


class Dispute(SQLModel, table=True):
    """A challenge the IRO makes on a child's case, informal first, then up the authority's ladder."""

    __tablename__ = "dispute"
    __table_args__ = (sa.Index("ix_dispute_proceedings", "proceedings_id", "raised_at"),)

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id")
    # The child it concerns; empty for every child of the case.
    child_id: uuid.UUID | None = foreign_key("child.id", nullable=True)
    subject: DisputeSubject = Field(sa_type=enum_type(DisputeSubject))
    summary: str = Field(sa_type=sa.Text)
    # With whom it is raised first (the social worker, the team manager), as the IRO names them.
    raised_with: str = Field(max_length=200)
    resolution_sought: str = Field(sa_type=sa.Text)
    sought_by: date
    raised_by_id: uuid.UUID = foreign_key("person.id")
    raised_at: datetime = timestamp_field()
    # The guardian's concern (P8) it takes up, if it began as one.
    concern_id: uuid.UUID | None = foreign_key("raised_issue.id", nullable=True)
    # The ladder version it started on, which it keeps, and the stage from which that ladder lets the
    # authority's solicitor on the case see it (copied: who sees a dispute reads the dispute alone).
    ladder_id: uuid.UUID = foreign_key("dispute_ladder.id")
    solicitor_from_stage: int | None = None
    state: DisputeState = Field(default=DisputeState.INFORMAL, sa_type=enum_type(DisputeState))
    # The formal stage it is at (0 while informal).
    stage: int = 0
    # Why it started at a formal stage at once (a very serious issue), if it did.
    fast_track_reason: str | None = Field(default=None, max_length=2000)
    # The first formal stage's start, and the day the whole ladder's time runs out.
    formal_from: date | None = None
    limit_on: date | None = None
    resolved_on: date | None = None
    # How it was resolved, and by whom (as the IRO records it).
    resolution: str | None = Field(default=None, max_length=4000)
    resolved_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    # P9: the IRO told the guardian of it (it bears on the care plan before the court), and their view.
    guardian_told_at: datetime | None = optional_timestamp_field()
    guardian_view: str | None = Field(default=None, max_length=4000)
    guardian_view_at: datetime | None = optional_timestamp_field()


class StageOutcome(StrEnum):
    # The answer settled it.
    RESOLVED = "resolved"
    # Unanswered by its date, or the answer did not satisfy the IRO: taken to the next stage.
    ESCALATED = "escalated"
    # Taken to Cafcass from this stage.
    REFERRED = "referred"


class DisputeStage(SQLModel, table=True):
    """A formal stage a dispute reached: a duty on the person named to answer, due in the ladder's working
    days, reminded and chased by the clock, met by the answer recorded."""

    __tablename__ = "dispute_stage"
    __table_args__ = (
        sa.UniqueConstraint("dispute_id", "position", name="uq_dispute_stage_position"),
        sa.Index("ix_dispute_stage_answerer_due", "answerer_id", "ended_at", "due_on"),
    )

    id: uuid.UUID = id_field()
    dispute_id: uuid.UUID = foreign_key("dispute.id")
    position: int
    # The ladder stage's post, as it stood when the dispute reached it.
    answerer_post: str = Field(max_length=200)
    answerer_id: uuid.UUID = foreign_key("person.id")
    started_on: date
    due_on: date
    answer: str | None = Field(default=None, max_length=4000)
    answered_at: datetime | None = optional_timestamp_field()
    answered_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    ended_at: datetime | None = optional_timestamp_field()
    outcome: StageOutcome | None = Field(default=None, sa_type=enum_type(StageOutcome))
    # The reminder before its due date and the notice that it is overdue: each sent once by the clock.
    reminded_at: datetime | None = optional_timestamp_field()
    overdue_notice_at: datetime | None = optional_timestamp_field()


class DisputeNote(SQLModel, table=True):
    """The record of each exchange on a dispute, the informal ones included (the Handbook asks for them; the
    research found they mostly went unrecorded), and of each step taken on it."""

    __tablename__ = "dispute_note"

    id: uuid.UUID = id_field()
    dispute_id: uuid.UUID = foreign_key("dispute.id", index=True)
    # "exchange", "raised", "escalated", "answered", "resolved", "guardian told", "guardian's view" ...
    kind: str = Field(max_length=40)
    occurred_on: date
    # With whom, for an exchange.
    party: str = Field(default="", max_length=200)
    note: str = Field(default="", sa_type=sa.Text)
    recorded_by_id: uuid.UUID = foreign_key("person.id")
    recorded_at: datetime = timestamp_field()


class DisputeDocument(SQLModel, table=True):
    """A document kept with a dispute as evidence: a stage's answer in writing, a letter, minutes of a
    meeting. Added by the IRO, or by the manager answering the stage the dispute is at; seen by whoever sees
    the dispute. Its content is a blob named by its SHA-256, never overwritten."""

    __tablename__ = "dispute_document"
    __table_args__ = (sa.Index("ix_dispute_document_dispute", "dispute_id", "added_at"),)

    id: uuid.UUID = id_field()
    dispute_id: uuid.UUID = foreign_key("dispute.id")
    # The formal stage the dispute was at when it was added (0 while informal).
    stage: int
    # What it is, in the words of whoever added it.
    description: str = Field(max_length=300)
    sha256: str = Field(max_length=64)
    size: int = Field(sa_type=sa.BigInteger)
    content_type: str = Field(max_length=100)
    filename: str = Field(max_length=255)
    added_by_id: uuid.UUID = foreign_key("person.id")
    added_at: datetime = timestamp_field()
