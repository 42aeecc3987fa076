"""How many working days Cafcass allows itself for each step of an IRO's referral: the national default,
which a service area replaces with its own, and the checks on a timescale. No statute sets these; they are
the service's own standards, so they are configuration, versioned like the obligation rules."""

from __future__ import annotations

from dataclasses import dataclass

from portal.errors import ErrorCode, Problems

STEP_DAYS_MAX = 30
OUTCOME_DAYS_MAX = 120


@dataclass(frozen=True)
class TimescaleSpec:
    # From the referral to its acknowledgement by a manager of the service area.
    acknowledge_working_days: int
    # From the acknowledgement to the appointment of a Cafcass officer.
    appoint_working_days: int
    # From the appointment to the outcome recorded.
    outcome_working_days: int


DEFAULT = TimescaleSpec(acknowledge_working_days=2, appoint_working_days=5, outcome_working_days=20)


def check(spec: TimescaleSpec) -> TimescaleSpec:
    """The timescale, if every step's days are in range; DomainError with every problem otherwise."""
    problems = Problems()
    for field, days, most in (
        ("acknowledgeWorkingDays", spec.acknowledge_working_days, STEP_DAYS_MAX),
        ("appointWorkingDays", spec.appoint_working_days, STEP_DAYS_MAX),
        ("outcomeWorkingDays", spec.outcome_working_days, OUTCOME_DAYS_MAX),
    ):
        if not 1 <= days <= most:
            problems.add(ErrorCode.OUT_OF_RANGE, f"Allow from 1 to {most} working days", field)
    problems.raise_if_any()
    return spec
