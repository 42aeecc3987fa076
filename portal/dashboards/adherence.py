"""Adherence per obligation code over a period (issue 7): how many obligations opened, were met on time,
were met late (with the median and 90th percentile of days late), were waived or did not apply, were
missed (their moment passed undone), and are open, and of those overdue. Grouped by Cafcass service area,
local authority, the owner's team or practitioner, always within the viewer's manager scope. Everything is
computed in SQL, the percentiles with window functions, so that SQLite and PostgreSQL give the same
answers; days late are calendar days from the due date to the day met (in UTC).

Here: its groupings, measures and lines. The statements are in repository/adherence.py, and service.py
serves the section."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class GroupBy(StrEnum):
    NONE = "none"
    SERVICE_AREA = "service_area"
    LOCAL_AUTHORITY = "local_authority"
    TEAM = "team"
    PRACTITIONER = "practitioner"


class Measure(StrEnum):
    """A figure on the dashboard, for drilling down to the cases behind it."""

    OPENED = "opened"
    MET_ON_TIME = "met_on_time"
    MET_LATE = "met_late"
    WAIVED = "waived"
    NOT_APPLICABLE = "not_applicable"
    MISSED = "missed"
    OPEN = "open"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Line:
    group_id: uuid.UUID | None
    group_name: str
    code: str
    opened: int
    met_on_time: int
    met_late: int
    late_median_days: int | None
    late_p90_days: int | None
    waived: int
    not_applicable: int
    missed: int
    open: int
    overdue: int
