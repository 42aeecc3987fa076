"""Court papers (PROTOCOL.md §4): uploads staged before they are filed, papers with versions that are never
overwritten, their sharing with the IRO (P6) and its receipts, and the guardian's confirmation that every
paper has been forwarded (Practice Note 2.2)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, optional_timestamp_field, timestamp_field


class PaperKind(StrEnum):
    """The family court's categories of document (PROTOCOL.md §4)."""

    APPLICATION = "application"
    SOCIAL_WORK_EVIDENCE = "social_work_evidence"
    CARE_PLAN_INTERIM = "care_plan_interim"
    CARE_PLAN_FINAL = "care_plan_final"
    ASSESSMENT = "assessment"
    EXPERT_PSYCHOLOGICAL = "expert_psychological"
    EXPERT_PSYCHIATRIC = "expert_psychiatric"
    EXPERT_PAEDIATRIC = "expert_paediatric"
    EXPERT_INDEPENDENT_SOCIAL_WORK = "expert_independent_social_work"
    EXPERT_DRUG_AND_ALCOHOL = "expert_drug_and_alcohol"
    EXPERT_DNA = "expert_dna"
    EXPERT_OTHER = "expert_other"
    GUARDIAN_ANALYSIS_INITIAL = "guardian_analysis_initial"
    GUARDIAN_ANALYSIS_FINAL = "guardian_analysis_final"
    POSITION_STATEMENT = "position_statement"
    THRESHOLD_DOCUMENT = "threshold_document"
    CASE_SUMMARY = "case_summary"
    ORDER_INTERIM = "order_interim"
    ORDER_FINAL = "order_final"
    ORDER_DIRECTIONS = "order_directions"
    JUDGMENT = "judgment"
    HEARING_NOTICE = "hearing_notice"
    OTHER = "other"


class FilingParty(StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    CHILDRENS_GUARDIAN = "childrens_guardian"
    PARENT = "parent"
    OTHER_PARTY = "other_party"
    COURT = "court"
    EXPERT = "expert"


class Confidentiality(StrEnum):
    """Who on the case may open a paper (portal/papers/access.py says which roles each level admits)."""

    # Everyone on the case: guardian, IRO, LA solicitor and social worker.
    STANDARD = "standard"
    # The professionals in the proceedings: guardian, IRO and LA solicitor (e.g. medical or expert detail).
    RESTRICTED = "restricted"
    # The parties' lawyers only: the guardian and the LA solicitor; withheld from the IRO by the court.
    LEGAL_ONLY = "legal_only"


class LawfulBasis(StrEnum):
    """Why the paper may be disclosed to the IRO (FPR 2010 Part 12 Chapter 7)."""

    # FPR 12.73(1)(a)(viii) and PD12G: disclosure to an IRO is permitted without the court's leave.
    FPR_12_73_IRO = "fpr_12_73_iro"
    # A direction of the court in these proceedings.
    COURT_DIRECTION = "court_direction"
    # Not to be shared: the court directed otherwise.
    WITHHELD_BY_COURT = "withheld_by_court"


class Upload(SQLModel, table=True):
    """A file received and stored, not yet filed as a court paper. One not filed within a day is swept away
    with its blob."""

    __tablename__ = "upload"

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id", index=True)
    sha256: str = Field(max_length=64)
    size: int = Field(sa_type=sa.BigInteger)
    content_type: str = Field(max_length=100)
    filename: str = Field(max_length=255)
    uploaded_by_id: uuid.UUID = foreign_key("person.id")
    uploaded_at: datetime = timestamp_field()
    # Set when it is filed: filing the same upload again returns that version instead of a second one.
    filed_version_id: uuid.UUID | None = None


class CourtPaper(SQLModel, table=True):
    __tablename__ = "court_paper"

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id", index=True)
    kind: PaperKind = Field(sa_type=enum_type(PaperKind))
    title: str = Field(max_length=300)
    filed_by_party: FilingParty = Field(sa_type=enum_type(FilingParty))
    confidentiality: Confidentiality = Field(sa_type=enum_type(Confidentiality))
    lawful_basis: LawfulBasis = Field(sa_type=enum_type(LawfulBasis))
    created_at: datetime = timestamp_field()
    created_by_id: uuid.UUID = foreign_key("person.id")


class PaperVersion(SQLModel, table=True):
    """One version of a paper. A new version supersedes the last and never overwrites it."""

    __tablename__ = "paper_version"
    __table_args__ = (
        sa.UniqueConstraint("paper_id", "version", name="uq_paper_version"),
        sa.Index("ix_paper_version_proceedings_sha256", "proceedings_id", "sha256"),
        # The dashboards' court paper timings: a case's versions filed in a period.
        sa.Index("ix_paper_version_proceedings_filed", "proceedings_id", "filed_on"),
    )

    id: uuid.UUID = id_field()
    paper_id: uuid.UUID = foreign_key("court_paper.id", index=True)
    # Kept here too, so that the same content filed twice on one case is found with one index.
    proceedings_id: uuid.UUID = foreign_key("proceedings.id")
    version: int
    sha256: str = Field(max_length=64)
    size: int = Field(sa_type=sa.BigInteger)
    content_type: str = Field(max_length=100)
    filename: str = Field(max_length=255)
    filed_on: date
    uploaded_by_id: uuid.UUID = foreign_key("person.id")
    uploaded_at: datetime = timestamp_field()
    # For a care plan: the plan in brief (placement, permanence, family contact, services), so that LA legal
    # can see what changed between versions.
    plan_in_brief: dict[str, str] | None = Field(default=None, sa_type=sa.JSON)


class PaperShare(SQLModel, table=True):
    """A version shared with a person (the IRO, P6), and when they first opened it."""

    __tablename__ = "paper_share"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "person_id", name="uq_paper_share"),
        # Covers the dashboards' first opening per version without reading the rows.
        sa.Index("ix_paper_share_version_opened", "version_id", "first_opened_at"),
    )

    id: uuid.UUID = id_field()
    version_id: uuid.UUID = foreign_key("paper_version.id")
    person_id: uuid.UUID = foreign_key("person.id", index=True)
    shared_at: datetime = timestamp_field()
    first_opened_at: datetime | None = optional_timestamp_field()


class ForwardingConfirmation(SQLModel, table=True):
    """The guardian's confirmation that every court paper has been forwarded to the IRO (Practice Note 2.2),
    with how many versions there were when they confirmed."""

    __tablename__ = "forwarding_confirmation"

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id", index=True)
    guardian_id: uuid.UUID = foreign_key("person.id")
    confirmed_at: datetime = timestamp_field()
    versions_forwarded: int
    note: str = Field(default="", max_length=1000)
