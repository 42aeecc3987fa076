"""Referral to Cafcass (Children Act 1989 s25B(3)(a); Care Planning, Placement and Case Review Regulations
2010 reg 45): when the IRO thinks the authority's failure may breach the child's human rights, they refer the
case to Cafcass, whose service-area managers acknowledge it, appoint an officer, make enquiries and record
the outcome. Each step is a duty with a due date in working days from a timescale kept as versioned
configuration per service area (the national default when it has none)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, optional_timestamp_field, timestamp_field


class ReferralTimescale(SQLModel, table=True):
    """One version of the working days Cafcass allows itself for each step of a referral: the default (no
    organisation) or a service area's own. A change is a new version; open referrals keep theirs."""

    __tablename__ = "referral_timescale"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "version", name="uq_referral_timescale_version"),
        sa.CheckConstraint("acknowledge_working_days BETWEEN 1 AND 30", name="acknowledge_1_to_30"),
        sa.CheckConstraint("appoint_working_days BETWEEN 1 AND 30", name="appoint_1_to_30"),
        sa.CheckConstraint("outcome_working_days BETWEEN 1 AND 120", name="outcome_1_to_120"),
    )

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID | None = foreign_key("organisation.id", nullable=True)
    version: int
    # From the referral; from the acknowledgement; from the officer's appointment.
    acknowledge_working_days: int
    appoint_working_days: int
    outcome_working_days: int
    created_at: datetime = timestamp_field()
    created_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    superseded_at: datetime | None = optional_timestamp_field()


class ReferralGround(StrEnum):
    """The Convention right the IRO thinks may be breached (Human Rights Act 1998, Schedule 1)."""

    LIFE = "life"  # Article 2
    INHUMAN_TREATMENT = "inhuman_treatment"  # Article 3
    FAIR_HEARING = "fair_hearing"  # Article 6
    FAMILY_LIFE = "family_life"  # Article 8
    DISCRIMINATION = "discrimination"  # Article 14
    OTHER = "other"


class ReferralState(StrEnum):
    REFERRED = "referred"
    ACKNOWLEDGED = "acknowledged"
    OFFICER_APPOINTED = "officer_appointed"
    CONCLUDED = "concluded"


class ReferralOutcome(StrEnum):
    """How a referral ended (the research's categories: most by correspondence or discussion; none reached
    court by 2017; Cafcass disagreed with the IRO in three)."""

    RESOLVED_BY_CORRESPONDENCE = "resolved_by_correspondence"
    RESOLVED_BY_DISCUSSION = "resolved_by_discussion"
    CAFCASS_DISAGREES = "cafcass_disagrees"
    APPLICATION_TO_COURT = "application_to_court"


class CafcassReferral(SQLModel, table=True):
    """An IRO's referral of a case to Cafcass, and each step Cafcass took on it."""

    __tablename__ = "cafcass_referral"
    __table_args__ = (
        sa.Index("ix_cafcass_referral_proceedings", "proceedings_id", "referred_at"),
        sa.Index("ix_cafcass_referral_service_area", "service_area_id", "state"),
        sa.Index("ix_cafcass_referral_due", "state", "due_on"),
    )

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id")
    # The child it concerns; empty for every child of the case.
    child_id: uuid.UUID | None = foreign_key("child.id", nullable=True)
    # The dispute it takes further, if it began as one.
    dispute_id: uuid.UUID | None = foreign_key("dispute.id", nullable=True)
    # The Cafcass service area whose managers receive it: the court's.
    service_area_id: uuid.UUID = foreign_key("organisation.id")
    timescale_id: uuid.UUID = foreign_key("referral_timescale.id")
    referred_by_id: uuid.UUID = foreign_key("person.id")
    referred_at: datetime = timestamp_field()
    referred_on: date
    ground: ReferralGround = Field(sa_type=enum_type(ReferralGround))
    # The possible breach of the child's human rights, in the IRO's words.
    grounds: str = Field(sa_type=sa.Text)
    # What the IRO did before referring (the authority's dispute resolution, and how far it went).
    steps_taken: str = Field(sa_type=sa.Text)
    state: ReferralState = Field(default=ReferralState.REFERRED, sa_type=enum_type(ReferralState))
    # The step it waits for is due on this day (empty once concluded); each step's own date is kept too.
    due_on: date | None = None
    acknowledge_due_on: date
    acknowledged_at: datetime | None = optional_timestamp_field()
    acknowledged_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    appoint_due_on: date | None = None
    officer_id: uuid.UUID | None = foreign_key("person.id", nullable=True, index=True)
    appointed_at: datetime | None = optional_timestamp_field()
    appointed_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    outcome_due_on: date | None = None
    outcome: ReferralOutcome | None = Field(default=None, sa_type=enum_type(ReferralOutcome))
    outcome_on: date | None = None
    outcome_note: str | None = Field(default=None, sa_type=sa.Text)
    outcome_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    # The reminder before the step's due date and the notice that it is overdue: each once per step.
    reminded_at: datetime | None = optional_timestamp_field()
    overdue_notice_at: datetime | None = optional_timestamp_field()


class ReferralPaper(SQLModel, table=True):
    """A court paper on the case the IRO sent with the referral."""

    __tablename__ = "cafcass_referral_paper"

    referral_id: uuid.UUID = Field(foreign_key="cafcass_referral.id", primary_key=True)
    paper_id: uuid.UUID = Field(foreign_key="court_paper.id", primary_key=True)


class ReferralEnquiry(SQLModel, table=True):
    """An enquiry the Cafcass officer made (of the authority, the IRO, the child ...)."""

    __tablename__ = "cafcass_referral_enquiry"

    id: uuid.UUID = id_field()
    referral_id: uuid.UUID = foreign_key("cafcass_referral.id", index=True)
    made_on: date
    made_with: str = Field(max_length=200)
    note: str = Field(sa_type=sa.Text)
    recorded_by_id: uuid.UUID = foreign_key("person.id")
    recorded_at: datetime = timestamp_field()
