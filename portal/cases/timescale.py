"""The 26-week limit for care proceedings and its extensions (CA 1989 s32(1)(a)(ii), s32(5)-(8))."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from models import Stage

STATUTORY_WEEKS = 26
MAX_EXTENSION_WEEKS = 8
# Proceedings are at risk of missing their date when fewer than this many weeks remain and the final
# hearing has not been reached, or when the date has passed.
AT_RISK_WEEKS_REMAINING = 4


@dataclass(frozen=True)
class Timescale:
    # The 26-week date, as the court's timetable names it: the same weekday 26 weeks after the day of issue.
    statutory_date: date
    # The date proceedings must now finish by: the statutory date plus every extension.
    deadline: date
    # The last day within the limit. s32(1)(a)(ii) counts "twenty-six weeks beginning with the day on which
    # the application was issued", so the period ends the day before the deadline (and an extension, s32(5),
    # adds whole weeks to that period).
    last_day: date
    extension_weeks: int
    weeks_elapsed: int
    days_remaining: int
    overdue: bool
    at_risk: bool


def timescale(
    issued_on: date,
    stage: Stage,
    extension_weeks: Iterable[int],
    today: date,
    concluded_on: date | None = None,
) -> Timescale:
    statutory = issued_on + timedelta(weeks=STATUTORY_WEEKS)
    extended = sum(extension_weeks)
    deadline = statutory + timedelta(weeks=extended)
    until = concluded_on if stage is Stage.CONCLUDED and concluded_on else today
    days_remaining = (deadline - until).days
    open_ = stage is not Stage.CONCLUDED
    overdue = open_ and days_remaining < 0
    closing_in = days_remaining < AT_RISK_WEEKS_REMAINING * 7 and stage.order < Stage.FINAL_HEARING.order
    return Timescale(
        statutory_date=statutory,
        deadline=deadline,
        last_day=deadline - timedelta(days=1),
        extension_weeks=extended,
        weeks_elapsed=max(0, (until - issued_on).days // 7),
        days_remaining=days_remaining,
        overdue=overdue,
        at_risk=open_ and (overdue or closing_in),
    )
