"""Signing in: identities bound to people at their first sign-in, web sessions, and sign-in attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, optional_timestamp_field, timestamp_field


class BoundBy(StrEnum):
    """How an account at an identity provider came to be a person's."""

    # Their first sign-in there, by the email address the provider confirmed (before 0016: any it gave).
    EMAIL = "email"
    # An administrator named the account (the provider's subject) for them.
    ADMINISTRATOR = "administrator"


class PersonIdentity(SQLModel, table=True):
    """A person's account at an identity provider: bound on their first sign-in there by a verified email
    address, or beforehand by an administrator who names it."""

    __tablename__ = "person_identity"
    __table_args__ = (
        sa.UniqueConstraint("issuer", "subject", name="uq_person_identity_issuer_subject"),
        sa.UniqueConstraint("person_id", "issuer", name="uq_person_identity_person_issuer"),
    )

    id: uuid.UUID = id_field()
    person_id: uuid.UUID = foreign_key("person.id")
    issuer: str = Field(max_length=300)
    # The provider's stable subject: its "sub", or what its subject_claims name, e.g. Entra ID's "tid/oid".
    subject: str = Field(max_length=300)
    bound_at: datetime = timestamp_field()
    bound_by: BoundBy = Field(default=BoundBy.EMAIL, sa_type=enum_type(BoundBy))
    # None until they first sign in with it (an account an administrator named).
    last_signed_in_at: datetime | None = optional_timestamp_field()


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


class Counted(StrEnum):
    """What a sign-in attempt counts against."""

    # The address it came from.
    ADDRESS = "address"
    # The account at an identity provider it was for.
    ACCOUNT = "account"


class SignInAttempt(SQLModel, table=True):
    """One attempt to sign in, counted against an address or an account: for rate limiting, kept only for
    its window. One row per attempt, never a counter that every attempt updates."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (sa.Index("ix_sign_in_attempt_counted_key_at", "counted", "key", "attempted_at"),)

    id: uuid.UUID = id_field()
    counted: Counted = Field(sa_type=enum_type(Counted))
    # The address (IPv6 by its /64), or a hash of the account (its issuer and subject).
    key: str = Field(max_length=100)
    attempted_at: datetime = timestamp_field(index=True)
