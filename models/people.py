"""People who use the portal, their organisation-wide roles, and their API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, optional_timestamp_field, timestamp_field


class Role(StrEnum):
    """What a person does in their organisation. Roles grant abilities; cases are reached by membership."""

    GUARDIAN = "guardian"
    CAFCASS_MANAGER = "cafcass_manager"
    IRO = "iro"
    IRO_MANAGER = "iro_manager"
    LA_SOLICITOR = "la_solicitor"
    SOCIAL_WORKER = "social_worker"
    # A manager in the authority's chain, from team manager to director of children's services: answers
    # the disputes they are named to at a stage of the authority's ladder (models/disputes.py).
    LA_MANAGER = "la_manager"
    # Manages the people (and the protocol's local rules) of their own organisation.
    ADMIN = "admin"
    # Manages every organisation: adds organisations, and the people and rules of any.
    NATIONAL_ADMIN = "national_admin"


class EmailPreference(StrEnum):
    IMMEDIATE = "immediate"
    DAILY_DIGEST = "daily_digest"


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = foreign_key("organisation.id", index=True)
    name: str = Field(max_length=200)
    # Stored lower-cased: people are found by email at sign-in and on the command line.
    email: str = Field(max_length=320, unique=True)
    # The team they work in within their organisation, if any.
    team_id: uuid.UUID | None = foreign_key("team.id", nullable=True, index=True)
    active: bool = True
    # Emails as things happen, or one digest a day.
    email_preference: EmailPreference = Field(
        default=EmailPreference.IMMEDIATE, sa_type=enum_type(EmailPreference)
    )
    created_at: datetime = timestamp_field()


class PersonRole(SQLModel, table=True):
    __tablename__ = "person_role"

    person_id: uuid.UUID = Field(foreign_key="person.id", primary_key=True)
    role: Role = Field(sa_type=enum_type(Role), primary_key=True)


class ApiToken(SQLModel, table=True):
    """A bearer token for the API. Only the SHA-256 of the secret is kept."""

    __tablename__ = "api_token"

    id: uuid.UUID = id_field()
    person_id: uuid.UUID = foreign_key("person.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    label: str = Field(default="", max_length=200)
    # What the token may be used for: permissions, space-separated (OAuth style), e.g. "case:read".
    scopes: str = Field(default="", max_length=500)
    created_at: datetime = timestamp_field()
    expires_at: datetime | None = optional_timestamp_field()
    revoked_at: datetime | None = optional_timestamp_field()
    last_used_at: datetime | None = optional_timestamp_field()
    # The token this one was made with, if it was made through the API with a token: it never outlives that
    # token, and revoking that token revokes this one.
    made_with_id: uuid.UUID | None = foreign_key("api_token.id", nullable=True, index=True)
