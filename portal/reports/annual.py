"""The IRO annual report for an authority and a year (issue 19; IRO Handbook 2010 ch. 7; RESEARCH-NOTES.md
§1.2, §7.2, F20): drafted from the portal's data for the IRO manager to complete with narrative, as a tagged
PDF and an editable document. It covers what the case-study reports covered: how the service is organised
(its IROs, their caseloads and weighting), reviews on time, how children took part, monitoring between
reviews, concerns and disputes raised and how they were resolved, referrals to Cafcass, and the protocol's
adherence with the children's guardians.

Its year is the authority's reporting year, 1 April to 31 March, as the DfE's looked-after children return
counts it; a year still running is reported to date. Each figure is the dashboard's own figure for the same
period, got from the same function (portal/dashboards/service.py, portal/midpoints/service.py), so the two
cannot differ: reading the report is reading each of those sections, and is audited as such."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models import Organisation
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.dashboards import service as dashboards
from portal.dashboards.adherence import GroupBy, Line
from portal.dashboards.disputes import Disputes
from portal.dashboards.iro_views import IroViewLine
from portal.dashboards.participation import Participation
from portal.dashboards.workload import AuthorityLoad, IroLoad
from portal.errors import DomainError, ErrorCode, Problem
from portal.midpoints.service import Coverage, coverage_for_period
from portal.obligations.rules import CHANGE, DECISIONS, code_order
from portal.reports.service import require_reader
from portal.validation import date_range_problem

# The looked-after review duties the report counts as "reviews on time": the statutory schedule (CPPCR 2010
# reg 33), the decisions within 5 working days, and the consideration of a significant change.
REVIEW_CODES = ("R1", "R2", "R3", DECISIONS, CHANGE)
# The protocol's duties between guardian and IRO.
PROTOCOL_PREFIX = "P"
# The protocol took effect at the beginning of 2014: the first reporting year the report can cover.
FIRST_YEAR = 2013


@dataclass(frozen=True)
class AnnualReport:
    authority_id: uuid.UUID
    authority: str
    # The reporting year (its first day's year), its days, and the day the report was drawn.
    year: int
    start: date
    end: date
    drawn_on: date
    iros: list[IroLoad]
    team: AuthorityLoad | None
    reviews: list[Line]
    protocol: list[Line]
    participation: Participation
    coverage: Coverage
    disputes: Disputes
    iro_views: list[IroViewLine]

    @property
    def complete(self) -> bool:
        """Whether the year is over (otherwise the figures are to date)."""
        return self.end < self.drawn_on

    @property
    def title(self) -> str:
        return f"Independent Reviewing Officer service annual report {self.year} to {self.year + 1}"


def year_bounds(year: int, today: date) -> tuple[date, date]:
    """The reporting year that begins on 1 April of ``year``: refused with a stable code for a year before
    the protocol or one not yet begun."""
    problems: list[Problem] = []
    if not FIRST_YEAR <= year <= 9998:
        problems.append(Problem(ErrorCode.OUT_OF_RANGE, f"Enter a year from {FIRST_YEAR}", "year"))
    elif problem := date_range_problem(date(year, 4, 1), "year"):
        problems.append(problem)
    elif date(year, 4, 1) > today:
        problems.append(Problem(ErrorCode.DATE_IN_FUTURE, "That reporting year has not begun yet", "year"))
    if problems:
        raise DomainError(problems)
    return date(year, 4, 1), date(year + 1, 3, 31)


def current_year(today: date) -> int:
    """The reporting year ``today`` is in."""
    return today.year if today.month >= 4 else today.year - 1


async def annual_report(
    session: AsyncSession, actor: Actor, year: int, today: date, authority_id: uuid.UUID | None = None
) -> AnnualReport:
    """The annual report of the IRO manager's authority for the reporting year beginning in ``year`` (to
    ``today`` while it runs). Anyone but the authority's IRO managers is refused as the reports refuse
    them."""
    authority_id = require_reader(actor, authority_id)
    start, end = year_bounds(year, today)
    authority = await session.get(Organisation, authority_id)
    assert authority is not None
    lines = await dashboards.adherence(
        session, actor, start=start, end=end, by=GroupBy.LOCAL_AUTHORITY, today=today
    )
    ours = [line for line in lines if line.group_id == authority_id]
    loads = await dashboards.iro_workload(session, actor, today)
    team = await dashboards.authority_workload(session, actor, today)
    report = AnnualReport(
        authority_id=authority_id,
        authority=authority.name,
        year=year,
        start=start,
        end=end,
        drawn_on=today,
        iros=loads,
        team=team,
        reviews=sorted(
            (line for line in ours if line.code in REVIEW_CODES),
            key=lambda line: REVIEW_CODES.index(line.code),
        ),
        protocol=sorted(
            (line for line in ours if line.code.startswith(PROTOCOL_PREFIX)),
            key=lambda line: code_order(line.code),
        ),
        participation=await dashboards.participation(session, actor, start=start, end=end, today=today),
        coverage=await coverage_for_period(session, actor, start=start, end=end, today=today),
        disputes=await dashboards.disputes(session, actor, start=start, end=end, today=today),
        iro_views=await dashboards.iro_views(
            session, actor, start=start, end=end, by=GroupBy.LOCAL_AUTHORITY, today=today
        ),
    )
    audit.record(session, actor, "annual_report.read", subject_type="organisation", subject_id=authority_id)
    return report
