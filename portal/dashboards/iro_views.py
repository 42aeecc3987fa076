"""The IRO's view before the court, for managers (issue 19): of the guardians' analyses (initial and final)
first filed in the period on proceedings in scope, how many cite the IRO's view of the care plan, how many do
not, and how many the guardian has not said, by the dashboard's grouping (service area, authority, the
filing guardian's team, or the guardian). The guardian should make the IRO's view known to the court by
citing it (RESEARCH-NOTES.md §1.7, §5.2). Counted in SQL from one row per analysis, which the drill-down
filters too.

Here: its statuses and lines. The statements are in repository/iro_views.py, and service.py serves the
section."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class IroViewStatus(StrEnum):
    CITED = "cited"
    NOT_CITED = "not_cited"
    NOT_RECORDED = "not_recorded"


@dataclass(frozen=True)
class IroViewLine:
    group_id: uuid.UUID | None
    group_name: str
    filed: int
    cited: int
    not_cited: int
    not_recorded: int
