"""How many times what a case's views show has changed: a counter per case, and one for the directory
(people, organisations, teams, roles, obligation rules) that every view names. Triggers on every table a
view reads move them in the writing transaction (migration 0019), so an answer computed when a case stood
at one version can be served again, exactly, for as long as it stands there (portal/reuse)."""

from __future__ import annotations

import uuid

from sqlmodel import Field, SQLModel

# The directory's counter: the nil UUID, never a case's id.
DIRECTORY = uuid.UUID(int=0)


class ViewVersion(SQLModel, table=True):
    __tablename__ = "view_version"

    # A case (proceedings) id, or DIRECTORY.
    scope: uuid.UUID = Field(primary_key=True)
    version: int = 1
