"""IRO workloads as IRO managers count them, and conflicts of interest (issue 19).

The portal holds only children in care proceedings, while most of an IRO's looked-after children are not in
proceedings (RESEARCH-NOTES.md §3.4, §5.9): so the IRO manager enters what the portal cannot know (each IRO's
full-time equivalence and employment, every looked-after child they hold, how many of those are in sibling
groups or placed out of area, and the child-protection conferences they chaired each month), and the
authority's weightings; the portal supplies what it does know (the children in proceedings). The IRO
Handbook's range is 50 to 70 children per full-time IRO (para 7.15).

A conflict of interest (RESEARCH-NOTES.md §1.1 other duties, §5.1 markers): the IRO reviews the child's foster
carer, or was the child's social worker or their manager, so is not independent of the case (IRO Handbook
2.18: not "a person involved in preparing the child's care plan or the management of the child's case")."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, optional_timestamp_field, timestamp_field


class Employment(StrEnum):
    """How the IRO is employed (RESEARCH-NOTES.md §1.1: 95% of authorities employ IROs directly; some also
    use sessional or agency IROs)."""

    DIRECT = "direct"
    SESSIONAL = "sessional"
    AGENCY = "agency"


class ConflictKind(StrEnum):
    """Why an IRO is not independent of a child's case."""

    # The IRO reviews the child's foster carer (an authority's "other duties": RESEARCH-NOTES.md §1.1).
    FOSTERING_REVIEWER = "fostering_reviewer"
    # The IRO was the child's social worker.
    CHILDS_SOCIAL_WORKER = "childs_social_worker"
    # The IRO was the manager of the child's social worker (managed the case: Handbook 2.18).
    SOCIAL_WORKERS_MANAGER = "social_workers_manager"
    OTHER = "other"


class IroProfile(SQLModel, table=True):
    """One IRO's figures as their IRO manager keeps them: the last change, with who made it and when (each
    change is in the audit trail)."""

    __tablename__ = "iro_profile"

    iro_id: uuid.UUID = Field(foreign_key="person.id", primary_key=True)
    # Full-time equivalence in hundredths, exactly: 80 is 0.8 of a full-time post (1 to 100).
    fte_hundredths: int
    employment: Employment = Field(sa_type=enum_type(Employment))
    # Every looked-after child the IRO holds, in proceedings or not, as the manager counts them.
    children_held: int
    # Of those, children in a sibling group, and children placed out of the authority's area.
    sibling_group_children: int
    out_of_area_children: int
    updated_by_id: uuid.UUID = foreign_key("person.id")
    updated_at: datetime = timestamp_field()


class ConferencesChaired(SQLModel, table=True):
    """The child-protection conferences one IRO chaired in one month (another duty many authorities give
    their IROs: RESEARCH-NOTES.md §1.1, §3.4), entered by their manager or by the IRO."""

    __tablename__ = "conferences_chaired"
    __table_args__ = (sa.UniqueConstraint("iro_id", "month", name="uq_conferences_chaired_iro_month"),)

    id: uuid.UUID = id_field()
    iro_id: uuid.UUID = foreign_key("person.id")
    # The month's first day.
    month: date
    conferences: int
    recorded_by_id: uuid.UUID = foreign_key("person.id")
    recorded_at: datetime = timestamp_field()


class WorkloadWeighting(SQLModel, table=True):
    """An authority's weightings of an IRO's caseload: what each child in a sibling group, in proceedings or
    placed out of area, and each child-protection conference chaired in a month, adds to the count of
    children (in hundredths of a child; negative lowers it). None set: every weight is 0, plain counts."""

    __tablename__ = "workload_weighting"

    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", primary_key=True)
    sibling_group_hundredths: int = 0
    in_proceedings_hundredths: int = 0
    out_of_area_hundredths: int = 0
    conference_hundredths: int = 0
    updated_by_id: uuid.UUID = foreign_key("person.id")
    updated_at: datetime = timestamp_field()


class ConflictOfInterest(SQLModel, table=True):
    """A conflict of interest between an IRO and a child of a case, recorded by the IRO manager or declared
    by the IRO; withdrawn with a reason. Assigning that IRO to the child needs the manager to acknowledge
    it, and the acknowledgement is kept."""

    __tablename__ = "conflict_of_interest"
    __table_args__ = (
        sa.Index("ix_conflict_of_interest_iro_child", "iro_id", "child_id"),
        sa.Index("ix_conflict_of_interest_proceedings", "proceedings_id"),
    )

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id")
    child_id: uuid.UUID = foreign_key("child.id")
    iro_id: uuid.UUID = foreign_key("person.id")
    kind: ConflictKind = Field(sa_type=enum_type(ConflictKind))
    details: str = Field(default="", sa_type=sa.Text)
    recorded_by_id: uuid.UUID = foreign_key("person.id")
    recorded_at: datetime = timestamp_field()
    # The last assignment of this IRO to the child that went ahead with the conflict acknowledged.
    acknowledged_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    acknowledged_at: datetime | None = optional_timestamp_field()
    withdrawn_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    withdrawn_at: datetime | None = optional_timestamp_field()
    withdrawn_reason: str = Field(default="", sa_type=sa.Text)
