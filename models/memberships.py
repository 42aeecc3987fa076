"""Who is on a child's case, as time-bounded rows: reallocation ends one row and starts another."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, optional_timestamp_field, timestamp_field


class CaseRole(StrEnum):
    GUARDIAN = "guardian"
    IRO = "iro"
    LA_SOLICITOR = "la_solicitor"
    SOCIAL_WORKER = "social_worker"


class CaseMembership(SQLModel, table=True):
    __tablename__ = "case_membership"
    __table_args__ = (
        # One live holder of each role per child in a set of proceedings.
        sa.Index(
            "uq_case_membership_live_role",
            "proceedings_id",
            "child_id",
            "role",
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
        sa.Index("ix_case_membership_person_live", "person_id", "ended_at"),
        sa.Index("ix_case_membership_proceedings", "proceedings_id", "ended_at"),
    )

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id")
    child_id: uuid.UUID = foreign_key("child.id")
    person_id: uuid.UUID = foreign_key("person.id")
    role: CaseRole = Field(sa_type=enum_type(CaseRole))
    started_at: datetime = timestamp_field()
    ended_at: datetime | None = optional_timestamp_field()
    started_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    ended_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    end_reason: str | None = Field(default=None, max_length=500)
