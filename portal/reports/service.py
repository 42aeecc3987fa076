"""Who reads an authority's IRO service reports, and for which months (issue 19): the authority's IRO
managers, who produce them (RESEARCH-NOTES.md §1.2: the IRO manager collates challenges into monthly reports
to the head of service or assistant director, and writes the annual report). A person who may not see the
dashboards, or who manages another authority's IRO service, is refused as the dashboards refuse them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from models import Role
from portal.auth.actor import Actor
from portal.calendar import add_months
from portal.dashboards.viewer import may_view
from portal.errors import DomainError, ErrorCode, NotFound, Problem
from portal.validation import date_range_problem


def require_reader(actor: Actor, authority_id: uuid.UUID | None = None) -> uuid.UUID:
    """The authority whose reports the actor reads: their own, as one of its IRO managers. Anyone else is
    refused with NOT_PERMITTED; another authority's reports are not found."""
    if not (may_view(actor) and actor.has_role(Role.IRO_MANAGER)):
        raise DomainError.one(ErrorCode.NOT_PERMITTED, "The IRO service's reports are for its IRO managers")
    if authority_id is not None and authority_id != actor.organisation_id:
        raise NotFound("Local authority", "localAuthorityId")
    return actor.organisation_id


def month_bounds(year: int, month: int, today: date) -> tuple[date, date]:
    """The first and last days of a calendar month that has begun: refused with every problem at once (a
    month of 1 to 12, in a year the portal handles, OUT_OF_RANGE; a month not yet begun, DATE_IN_FUTURE)."""
    problems: list[Problem] = []
    if not 1 <= month <= 12:
        problems.append(Problem(ErrorCode.OUT_OF_RANGE, "The month must be 1 to 12", "month"))
    if not 1 <= year <= 9999:
        problems.append(Problem(ErrorCode.OUT_OF_RANGE, "Enter a year the portal handles", "year"))
    elif problem := date_range_problem(date(year, 1, 1), "year"):
        problems.append(problem)
    if problems:
        raise DomainError(problems)
    start = date(year, month, 1)
    if start > today:
        raise DomainError.one(ErrorCode.DATE_IN_FUTURE, "The month has not begun yet", "month")
    return start, add_months(start, 1) - timedelta(days=1)
