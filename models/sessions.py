"""Signing in: identities bound to people at their first sign-in, web sessions, and sign-in attempts."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import foreign_key, id_field, optional_timestamp_field, timestamp_field


class PersonIdentity(SQLModel, table=True):
    """A person's account at an identity provider: bound on their first sign-in there."""

    __tablename__ = "person_identity"
    __table_args__ = (
        sa.UniqueConstraint("issuer", "subject", name="uq_person_identity_issuer_subject"),
        sa.UniqueConstraint("person_id", "issuer", name="uq_person_identity_person_issuer"),
    )

    id: uuid.UUID = id_field()
    person_id: uuid.UUID = foreign_key("person.id")
    issuer: str = Field(max_length=300)
    subject: str = Field(max_length=300)
    bound_at: datetime = timestamp_field()
    last_signed_in_at: datetime = timestamp_field()


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries a random token; only its hash is kept here, so a copy of
    the database does not hold live sessions."""

    __tablename__ = "web_session"

    id: uuid.UUID = id_field()
    token_hash: str = Field(max_length=64, unique=True)
    person_id: uuid.UUID = foreign_key("person.id", index=True)
    # The identity provider it came from; empty for the demo's persona picker.
    issuer: str | None = Field(default=None, max_length=300)
    # Kept to end the session at the provider too (RP-initiated logout's id_token_hint).
    id_token: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = timestamp_field()
    last_seen_at: datetime = timestamp_field()
    ended_at: datetime | None = optional_timestamp_field()
    end_reason: str | None = Field(default=None, max_length=40)
    source: str = Field(default="", max_length=100)


class SignInAttempt(SQLModel, table=True):
    """One attempt to sign in, by where it came from: for rate limiting, kept only for its window."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (sa.Index("ix_sign_in_attempt_source_at", "source", "attempted_at"),)

    id: uuid.UUID = id_field()
    source: str = Field(max_length=100)
    attempted_at: datetime = timestamp_field()
