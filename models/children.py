"""Children and the history of their legal status."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, timestamp_field


class LegalStatus(StrEnum):
    INTERIM_CARE_ORDER = "interim_care_order"
    CARE_ORDER = "care_order"
    PLACEMENT_ORDER = "placement_order"
    SECTION_20 = "section_20"
    INTERIM_SUPERVISION_ORDER = "interim_supervision_order"
    NO_ORDER = "no_order"

    @property
    def is_looked_after(self) -> bool:
        """Looked after by the authority (CA 1989 s22(1)): in its care, or accommodated under s20.

        A supervision order or no order leaves the child at home: no IRO, no protocol link (PROTOCOL.md §1).
        """
        return self in _LOOKED_AFTER


_LOOKED_AFTER = frozenset(
    {
        LegalStatus.INTERIM_CARE_ORDER,
        LegalStatus.CARE_ORDER,
        LegalStatus.PLACEMENT_ORDER,
        LegalStatus.SECTION_20,
    }
)


class Child(SQLModel, table=True):
    __tablename__ = "child"

    id: uuid.UUID = id_field()
    # The authority looking after the child, or responsible for them when they are not looked after.
    local_authority_id: uuid.UUID = foreign_key("organisation.id", index=True)
    given_name: str = Field(max_length=100)
    family_name: str = Field(max_length=100)
    date_of_birth: date
    # Start of the current period of being looked after; empty when the child is not looked after.
    looked_after_since: date | None = None
    # The current legal status; its history is in legal_status_entry.
    legal_status: LegalStatus = Field(sa_type=enum_type(LegalStatus))
    created_at: datetime = timestamp_field()


class LegalStatusEntry(SQLModel, table=True):
    __tablename__ = "legal_status_entry"
    __table_args__ = (sa.Index("ix_legal_status_entry_child_from", "child_id", "effective_from"),)

    id: uuid.UUID = id_field()
    child_id: uuid.UUID = foreign_key("child.id")
    status: LegalStatus = Field(sa_type=enum_type(LegalStatus))
    effective_from: date
    recorded_at: datetime = timestamp_field()
    recorded_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
