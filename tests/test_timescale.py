"""The 26-week limit (CA 1989 s32(1)(a)(ii)), its extensions (s32(5)-(8)) and the at-risk rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models import Stage
from portal.cases.timescale import timescale

ISSUED = date(2026, 1, 5)


def test_the_statutory_date_is_26_weeks_from_issue() -> None:
    t = timescale(ISSUED, Stage.ISSUED, [], today=ISSUED + timedelta(days=10))
    assert t.statutory_date == date(2026, 7, 6)
    assert t.deadline == t.statutory_date
    # s32(1)(a)(ii): 26 weeks beginning with Monday 5 January end on Sunday 5 July.
    assert t.last_day == date(2026, 7, 5)
    assert t.weeks_elapsed == 1
    assert t.days_remaining == 172
    assert (t.overdue, t.at_risk) == (False, False)


def test_extensions_move_the_deadline() -> None:
    t = timescale(ISSUED, Stage.ISSUES_RESOLUTION_HEARING, [8, 4], today=ISSUED + timedelta(weeks=30))
    assert t.extension_weeks == 12
    assert t.deadline == ISSUED + timedelta(weeks=38)
    assert t.last_day == date(2026, 9, 27)  # 38 weeks beginning with the day of issue (s32(5))
    assert (t.overdue, t.at_risk) == (False, False)


@pytest.mark.parametrize(
    ("weeks_in", "stage", "at_risk", "overdue"),
    [
        (21, Stage.CASE_MANAGEMENT_HEARING, False, False),  # 34 days left
        (22, Stage.ISSUES_RESOLUTION_HEARING, True, False),  # 27 days left, no final hearing yet
        (22, Stage.FINAL_HEARING, False, False),  # the final hearing has been reached
        (27, Stage.FINAL_HEARING, True, True),  # past the deadline, whatever the stage
    ],
)
def test_at_risk_and_overdue(weeks_in: int, stage: Stage, at_risk: bool, overdue: bool) -> None:
    t = timescale(ISSUED, stage, [], today=ISSUED + timedelta(weeks=weeks_in, days=1))
    assert (t.at_risk, t.overdue) == (at_risk, overdue)


def test_concluded_proceedings_are_measured_to_their_conclusion() -> None:
    t = timescale(
        ISSUED,
        Stage.CONCLUDED,
        [],
        today=ISSUED + timedelta(weeks=60),
        concluded_on=ISSUED + timedelta(weeks=28),
    )
    assert t.weeks_elapsed == 28
    assert t.days_remaining == -14
    assert (t.overdue, t.at_risk) == (False, False)
