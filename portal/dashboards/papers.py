"""Court papers reaching the IRO (P6), for managers: of the versions filed in the period on proceedings in
scope, how many reached an IRO, how many an IRO has opened (the median and 90th percentile of working days
from the date filed to the first opening), how many are unopened, and how many have not reached an IRO at all
(none assigned yet, or withheld by the court). Working days as the protocol counts them (weekends and
England's bank holidays excluded); computed in SQL from one row per version, which the drill-down filters.

Here: its statuses and figures. The statements are in repository/papers.py, and service.py serves the
section."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PaperStatus(StrEnum):
    OPENED = "opened"
    UNOPENED = "unopened"
    NOT_WITH_IRO = "not_with_iro"


@dataclass(frozen=True)
class Papers:
    filed: int
    opened: int
    unopened: int
    not_with_iro: int
    median_working_days: int | None
    p90_working_days: int | None
