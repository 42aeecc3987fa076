"""Care proceedings: the case that the guardian, the IRO and the LA solicitor share."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, timestamp_field


class Stage(StrEnum):
    """The Public Law Outline's stages (PD12A), in order."""

    ISSUED = "issued"
    CASE_MANAGEMENT_HEARING = "case_management_hearing"
    ISSUES_RESOLUTION_HEARING = "issues_resolution_hearing"
    FINAL_HEARING = "final_hearing"
    CONCLUDED = "concluded"

    @property
    def order(self) -> int:
        return list(Stage).index(self)

    def next_by_hearing(self) -> list[Stage]:
        """The stages a hearing may move proceedings on to from this one (PD12A: forward only, a stage may be
        skipped). Proceedings conclude by their final orders, never by a stage change."""
        return [s for s in Stage if self.order < s.order < Stage.CONCLUDED.order]


class Proceedings(SQLModel, table=True):
    __tablename__ = "proceedings"
    __table_args__ = (
        sa.UniqueConstraint("court_id", "case_number", name="uq_proceedings_court_case_number"),
        sa.Index("ix_proceedings_issued_on_id", "issued_on", "id"),
        sa.Index("ix_proceedings_local_authority_stage", "local_authority_id", "stage"),
    )

    id: uuid.UUID = id_field()
    court_id: uuid.UUID = foreign_key("organisation.id", index=True)
    # The applicant authority.
    local_authority_id: uuid.UUID = foreign_key("organisation.id")
    case_number: str = Field(max_length=40)
    issued_on: date
    # The current stage; its history is in stage_change.
    stage: Stage = Field(sa_type=enum_type(Stage))
    created_at: datetime = timestamp_field()
    created_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)


class ProceedingsChild(SQLModel, table=True):
    """One set of proceedings may concern several siblings."""

    __tablename__ = "proceedings_child"

    proceedings_id: uuid.UUID = Field(foreign_key="proceedings.id", primary_key=True)
    child_id: uuid.UUID = Field(foreign_key="child.id", primary_key=True, index=True)


class StageChange(SQLModel, table=True):
    __tablename__ = "stage_change"

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id", index=True)
    stage: Stage = Field(sa_type=enum_type(Stage))
    changed_on: date
    recorded_at: datetime = timestamp_field()
    recorded_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)


class Extension(SQLModel, table=True):
    """An extension of the 26-week limit, of up to 8 weeks each time (CA 1989 s32(5)-(8))."""

    __tablename__ = "extension"
    __table_args__ = (sa.CheckConstraint("weeks BETWEEN 1 AND 8", name="weeks_1_to_8"),)

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id", index=True)
    weeks: int
    reason: str = Field(max_length=2000)
    granted_on: date
    recorded_at: datetime = timestamp_field()
    recorded_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)


class FinalOrderKind(StrEnum):
    """The outcome of the proceedings for one child."""

    CARE_ORDER = "care_order"
    PLACEMENT_ORDER = "placement_order"
    SUPERVISION_ORDER = "supervision_order"
    SPECIAL_GUARDIANSHIP_ORDER = "special_guardianship_order"
    CHILD_ARRANGEMENTS_ORDER = "child_arrangements_order"
    NO_ORDER = "no_order"
    APPLICATION_WITHDRAWN = "application_withdrawn"

    @property
    def keeps_child_looked_after(self) -> bool:
        """Only a care or placement order leaves the child looked after, and so with an IRO to hand over
        to (P12-P14)."""
        return self in (FinalOrderKind.CARE_ORDER, FinalOrderKind.PLACEMENT_ORDER)


class FinalOrder(SQLModel, table=True):
    """The final order made for one child at the end of the proceedings, as the LA solicitor records it."""

    __tablename__ = "final_order"
    __table_args__ = (sa.UniqueConstraint("proceedings_id", "child_id", name="uq_final_order_child"),)

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id")
    child_id: uuid.UUID = foreign_key("child.id")
    order: FinalOrderKind = Field(sa_type=enum_type(FinalOrderKind))
    made_on: date
    recorded_at: datetime = timestamp_field()
    recorded_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
