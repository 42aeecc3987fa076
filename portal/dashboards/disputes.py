"""Disputes about care plans and referrals to Cafcass, for managers (issue 17; IRO Handbook ch. 6; CA 1989
s25B(3)(a)): of the disputes on cases in scope, how many were raised in the period and how many of those
were fast-tracked; how many were resolved in the period (informally, or at each formal stage), within the
ladder's whole time or beyond it; and how many are open now, and open beyond the ladder's time. Of the
referrals, how many were made in the period, how many are open now (and with their next step overdue), and
how each concluded in the period. Counted in SQL from one row per dispute and per referral, which the
drill-downs filter too.

Here: the figures. The statements are in repository/disputes.py, and service.py serves the section."""

from __future__ import annotations

from dataclasses import dataclass

from models import ReferralOutcome


@dataclass(frozen=True)
class Disputes:
    opened: int
    fast_tracked: int
    resolved: int
    resolved_informally: int
    # (formal stage, how many resolved there), for every stage at which any was.
    resolved_at_stage: list[tuple[int, int]]
    resolved_within_limit: int
    resolved_beyond_limit: int
    open: int
    open_beyond_limit: int
    referrals_made: int
    referrals_open: int
    referrals_overdue: int
    # How many concluded in the period with each outcome, in ReferralOutcome's order.
    referral_outcomes: list[tuple[ReferralOutcome, int]]
