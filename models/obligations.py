"""The protocol's obligations (P2-P15), and the looked-after reviews the IRO must hold (R1-R3, CPPCR
reg 33): rules kept as versioned configuration, and the obligations opened under them on each case, with
their evidence and history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, optional_timestamp_field, timestamp_field


class Owner(StrEnum):
    """Whose duty it is: the guardian, the IRO, or both together; the child's social worker, or the IRO
    managers of the child's authority."""

    GUARDIAN = "guardian"
    IRO = "iro"
    BOTH = "both"
    # The child's social worker: their part before the child's review (SW1, SW2).
    SOCIAL_WORKER = "social_worker"
    # The IRO managers of the child's authority, none of them by name: appointing the child's IRO (IA).
    IRO_MANAGER = "iro_manager"


class Trigger(StrEnum):
    """The event that opens an obligation."""

    GUARDIAN_ALLOCATED = "guardian_allocated"
    REVIEW_SCHEDULED = "review_scheduled"
    REVIEW_HELD = "review_held"
    PAPER_FILED = "paper_filed"
    DISCUSSION_HELD = "discussion_held"
    SIGNIFICANT_ISSUE = "significant_issue"
    FINAL_ORDER = "final_order"
    HANDOVER_SUBMITTED = "handover_submitted"
    # Reg 33: a child becomes looked after (or comes into the proceedings looked after, with no review
    # held yet), the first review is held, a later one is held.
    LOOKED_AFTER = "looked_after"
    FIRST_REVIEW_HELD = "first_review_held"
    LATER_REVIEW_HELD = "later_review_held"
    # A contact expecting a reply: opens no obligation, but its rule (RW) is the reply window.
    REPLY_EXPECTED = "reply_expected"
    # A significant change in a looked-after child's circumstances, notified to their IRO (SC, issue 18).
    SIGNIFICANT_CHANGE = "significant_change"


class Evidence(StrEnum):
    """What meets an obligation: a record, never a ticked box."""

    CONTACT_FROM_GUARDIAN = "contact_from_guardian"
    CONSULTATION_ARRANGEMENT = "consultation_arrangement"
    REVIEW_NOTICE = "review_notice"
    REVIEW_RECORD_SHARED = "review_record_shared"
    DOCUMENT_SHARED = "document_shared"
    DISCUSSION_RECORD = "discussion_record"
    SIGNIFICANT_ISSUE_NOTICE = "significant_issue_notice"
    PRE_REVIEW_CONSULTATION = "pre_review_consultation"
    FINAL_CARE_PLAN_SHARED = "final_care_plan_shared"
    FINAL_DISCUSSION = "final_discussion"
    HANDOVER_SUBMITTED = "handover_submitted"
    HANDOVER_ACKNOWLEDGED = "handover_acknowledged"
    REVIEW_HELD = "review_held"
    REPLY_MARKED = "reply_marked"
    # A review's decisions recorded as actions, each with an owner and a date (RD, issue 18).
    REVIEW_DECISIONS_RECORDED = "review_decisions_recorded"
    # The child's IRO assigned (IA; issue 18).
    IRO_APPOINTED = "iro_appointed"
    # The social worker's part before a review (SW1, SW2; issue 18).
    SOCIAL_WORKER_CONSULTED = "social_worker_consulted"
    REVIEW_PAPERS_RECEIVED = "review_papers_received"
    # The IRO's response to a significant change: an additional review booked, or none needed (SC, issue 18).
    CHANGE_CONSIDERED = "change_considered"


class DeadlineKind(StrEnum):
    # So many working days after the event that opened it.
    AFTER = "after"
    # So many working days before a date the event names (a review's date).
    BEFORE = "before"
    # So many calendar months after the event (reg 33's second and later reviews); the same day of the
    # month, or the month's last day when it is shorter.
    MONTHS_AFTER = "months"


class ObligationState(StrEnum):
    OPEN = "open"
    MET = "met"
    WAIVED = "waived"
    NOT_APPLICABLE = "not_applicable"
    # Its moment passed with the duty undone (P11 after its review was held; P2 still open, and overdue, when
    # the proceedings concluded): closed, and counted as a failure, never as open for ever (issue 18).
    MISSED = "missed"


class ObligationRule(SQLModel, table=True):
    """One version of the rule for an obligation code: the default (no organisation), or an override for one
    local authority or Cafcass service area. A change is a new version; old versions stay, because the
    obligations opened under them keep them."""

    __tablename__ = "obligation_rule"
    __table_args__ = (
        sa.UniqueConstraint("code", "organisation_id", "version", name="uq_obligation_rule_version"),
        sa.CheckConstraint("working_days BETWEEN 0 AND 100", name="working_days_0_to_100"),
    )

    id: uuid.UUID = id_field()
    # The protocol's code, e.g. "P2".
    code: str = Field(max_length=4)
    version: int
    organisation_id: uuid.UUID | None = foreign_key("organisation.id", nullable=True)
    owner: Owner = Field(sa_type=enum_type(Owner))
    trigger: Trigger = Field(sa_type=enum_type(Trigger))
    deadline_kind: DeadlineKind = Field(sa_type=enum_type(DeadlineKind))
    working_days: int
    evidence: Evidence = Field(sa_type=enum_type(Evidence))
    # The roles that may waive it, space-separated (e.g. "cafcass_manager"); empty: nobody.
    waivable_by: str = Field(default="", max_length=200)
    description: str = Field(max_length=500)
    created_at: datetime = timestamp_field()
    created_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    # Set when a newer version replaces this one for new obligations.
    superseded_at: datetime | None = optional_timestamp_field()


class Obligation(SQLModel, table=True):
    """One duty on one case, opened by an event, owned by named people, met by evidence."""

    __tablename__ = "obligation"
    __table_args__ = (
        sa.Index("ix_obligation_proceedings_code", "proceedings_id", "code"),
        sa.Index("ix_obligation_owner_state_due", "owner_person_id", "state", "due_on"),
        sa.Index("ix_obligation_partner_state_due", "partner_person_id", "state", "due_on"),
    )

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id")
    # The child it concerns, for duties about one child (a review); empty for the whole case.
    child_id: uuid.UUID | None = foreign_key("child.id", nullable=True)
    code: str = Field(max_length=4)
    rule_id: uuid.UUID = foreign_key("obligation_rule.id")
    # The record that opened it (the allocation, a review, a paper ...).
    trigger_id: uuid.UUID | None = None
    # The named person whose duty it is, and for a duty of both sides, the person on the other side.
    owner_person_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    partner_person_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    opened_at: datetime = timestamp_field()
    due_on: date
    state: ObligationState = Field(default=ObligationState.OPEN, sa_type=enum_type(ObligationState))
    closed_at: datetime | None = optional_timestamp_field()
    evidence_id: uuid.UUID | None = None
    closed_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    # Why it was waived, or why it does not apply.
    reason: str | None = Field(default=None, max_length=1000)
    # When the clock sent the reminder before its due date, and the notice that it is overdue: each once.
    reminded_at: datetime | None = optional_timestamp_field()
    overdue_notice_at: datetime | None = optional_timestamp_field()


class ObligationEvent(SQLModel, table=True):
    """An obligation's history: opened, passed to a new owner, met, waived."""

    __tablename__ = "obligation_event"

    id: uuid.UUID = id_field()
    obligation_id: uuid.UUID = foreign_key("obligation.id", index=True)
    kind: str = Field(max_length=40)
    occurred_at: datetime = timestamp_field()
    person_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    detail: str = Field(default="", max_length=500)


class ConsultationEvent(StrEnum):
    """Events on which guardian and IRO agree to talk (P3)."""

    AFTER_EACH_HEARING = "after_each_hearing"
    BEFORE_EACH_REVIEW = "before_each_review"
    ON_SIGNIFICANT_CHANGE = "on_significant_change"
    ON_PLACEMENT_CHANGE = "on_placement_change"


class ConsultationArrangement(SQLModel, table=True):
    """How the guardian and the IRO agreed to keep in touch on a case (P3): how often, and on which events.
    A new agreement replaces the last; the old ones are kept."""

    __tablename__ = "consultation_arrangement"

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id", index=True)
    guardian_id: uuid.UUID = foreign_key("person.id")
    iro_id: uuid.UUID = foreign_key("person.id")
    agreed_on: date
    # Talk at least every so many weeks; empty: only on the events.
    every_weeks: int | None = None
    # Space-separated ConsultationEvent values.
    on_events: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=2000)
    recorded_by_id: uuid.UUID = foreign_key("person.id")
    recorded_at: datetime = timestamp_field()
    replaced_at: datetime | None = optional_timestamp_field()
    # The last day the clock reminded both that a regular catch-up was due.
    reminded_on: date | None = None
