"""The IRO's view before the court (issue 19): whether the children's guardian's analysis (initial or final)
cites the IRO's view of the care plan, as the guardian records it.

The guardian should make the IRO's view known to the court by citing it in their report (RESEARCH-NOTES.md
§1.7; §5.2: "IRO's view as recorded in the guardian's report (yes/no)"; ADCS–Cafcass protocol 2014). One row
per analysis (a court paper of a guardian's analysis kind), changed in place by the guardian; every change is
in the case's audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import foreign_key, id_field, timestamp_field


class IroViewCitation(SQLModel, table=True):
    """Whether a guardian's analysis cites the IRO's view of the care plan, and, when it does not, why."""

    __tablename__ = "iro_view_citation"
    __table_args__ = (sa.UniqueConstraint("paper_id", name="uq_iro_view_citation_paper"),)

    id: uuid.UUID = id_field()
    # The analysis's case, for access and for the case view's version.
    proceedings_id: uuid.UUID = foreign_key("proceedings.id", index=True)
    paper_id: uuid.UUID = foreign_key("court_paper.id")
    cites: bool
    # Why the analysis does not cite it (optional; empty when it does).
    reason: str = Field(default="", max_length=500)
    recorded_by_id: uuid.UUID = foreign_key("person.id")
    recorded_at: datetime = timestamp_field()
