"""Organisations: local authorities, Cafcass service areas, the family courts, and teams within them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, timestamp_field


class OrganisationKind(StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    CAFCASS_SERVICE_AREA = "cafcass_service_area"
    COURT = "court"


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"
    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'local_authority') = (ons_code IS NOT NULL)", name="ons_code_iff_local_authority"
        ),
        sa.CheckConstraint("kind = 'court' OR service_area_id IS NULL", name="service_area_only_for_courts"),
        # PostgreSQL only: SQLite would have to rebuild the table to add it (migration 0018); the service
        # checks the same on both.
        sa.CheckConstraint(
            "keep_concluded_years IS NULL OR "
            "(kind = 'local_authority' AND keep_concluded_years BETWEEN 1 AND 100)",
            name="keep_concluded_years_1_to_100",
        ),
    )

    id: uuid.UUID = id_field()
    kind: OrganisationKind = Field(sa_type=enum_type(OrganisationKind))
    name: str = Field(max_length=200, unique=True)
    # The ONS (GSS) code of a local authority, e.g. E08000025; only local authorities have one.
    ons_code: str | None = Field(default=None, max_length=9, unique=True)
    # For a court: the Cafcass service area whose guardians are appointed there.
    service_area_id: uuid.UUID | None = foreign_key("organisation.id", nullable=True)
    # A local authority's rule for keeping its concluded cases: this many years after they concluded.
    # None: the default, until the youngest child's 75th birthday (portal/retention/policy.py).
    keep_concluded_years: int | None = None
    created_at: datetime = timestamp_field()


class Team(SQLModel, table=True):
    """A team within an organisation (a Cafcass team of guardians, an authority's IRO service): managers
    compare adherence team by team."""

    __tablename__ = "team"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name", name="uq_team_name"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = foreign_key("organisation.id")
    name: str = Field(max_length=200)
    created_at: datetime = timestamp_field()
