"""Handovers at the end of proceedings (P14), for managers: of the sets of proceedings in scope whose handover
fell due in the period, how many were handed over on time (first submitted by the due date), late, are
missing (due date passed, none submitted) or not yet due, and how many the IRO has acknowledged (P15).
Proceedings whose P14 did not apply (no child stayed looked after) are left out. Counted in SQL from one
row per set of proceedings, which the drill-down filters too.

Here: its statuses and figures. The statements are in repository/handovers.py, and service.py serves the
section."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class HandoverStatus(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    AWAITED = "awaited"


@dataclass(frozen=True)
class Handovers:
    due: int
    on_time: int
    late: int
    missing: int
    awaited: int
    acknowledged: int
