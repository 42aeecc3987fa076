"""Shared column types and conventions for every table."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Constraint names are deterministic, so migrations can name what they drop (and SQLite batch mode can
# rebuild tables) on every database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database keeps.

    SQLite has no time zone type and hands back naive values; PostgreSQL keeps ``timestamptz``.
    Naive datetimes are refused on the way in, so local time can never be stored by accident.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Every "now" in the portal comes from utcnow(). Tests move it to walk a case through weeks of working days;
# nothing else changes it.
CLOCK_OFFSET = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(UTC) + CLOCK_OFFSET


def enum_type(enum: type[StrEnum]) -> sa.Enum:
    """Enums are stored as their string values, not a native type: adding a value needs no ALTER TYPE."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=max(len(m.value) for m in enum) + 8,
        values_callable=lambda e: [m.value for m in e],
    )


def id_field() -> Any:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def timestamp_field(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)


def optional_timestamp_field(**kwargs: Any) -> Any:
    return Field(default=None, sa_type=UTCDateTime, **kwargs)


def foreign_key(target: str, *, nullable: bool = False, index: bool = False, **kwargs: Any) -> Any:
    default = None if nullable else ...
    return Field(default=default, foreign_key=target, index=index, nullable=nullable, **kwargs)
