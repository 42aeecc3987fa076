"""Matters one side raises with the other and the other acknowledges: the guardian's concerns about the
authority's management of the case (P8), and the significant issues the IRO tells the guardian of (P9)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import enum_type, foreign_key, id_field, optional_timestamp_field, timestamp_field


class IssueKind(StrEnum):
    # P8: the guardian consults the IRO about a concern; the IRO acknowledges it.
    CONCERN = "concern"
    # P9: an issue arising in a planning or review meeting, which the IRO tells the guardian of.
    SIGNIFICANT_ISSUE = "significant_issue"


class RaisedIssue(SQLModel, table=True):
    __tablename__ = "raised_issue"

    id: uuid.UUID = id_field()
    proceedings_id: uuid.UUID = foreign_key("proceedings.id", index=True)
    kind: IssueKind = Field(sa_type=enum_type(IssueKind))
    # The meeting a significant issue arose in (its date and what it was); a concern's date raised.
    arose_on: date
    meeting: str = Field(default="", max_length=200)
    summary: str = Field(sa_type=sa.Text)
    raised_by_id: uuid.UUID = foreign_key("person.id")
    raised_at: datetime = timestamp_field()
    # When the other side was told through the portal (for a significant issue, P9's evidence).
    shared_at: datetime | None = optional_timestamp_field()
    acknowledged_at: datetime | None = optional_timestamp_field()
    acknowledged_by_id: uuid.UUID | None = foreign_key("person.id", nullable=True)
    response: str | None = Field(default=None, max_length=4000)
