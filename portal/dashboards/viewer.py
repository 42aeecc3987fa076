"""Who may see the dashboards, and which periods they may ask for: one place for each rule."""

from __future__ import annotations

from datetime import date

from portal.access.policy import Permission, has_global_permission
from portal.auth.actor import Actor
from portal.errors import DomainError, ErrorCode, Problem
from portal.validation import date_range_problem


def may_view(actor: Actor | None) -> bool:
    """Whether the dashboards are for this person: the role table says managers."""
    return actor is not None and has_global_permission(actor.roles, Permission.VIEW_ADHERENCE, actor.scopes)


def require_viewer(actor: Actor) -> None:
    if not may_view(actor):
        raise DomainError.one(
            ErrorCode.NOT_PERMITTED, "The adherence dashboards are for Cafcass and IRO managers"
        )


def period_problems(start: date, end: date) -> list[Problem]:
    """A period is of dates the portal handles (as the API's Date scalar already makes sure; the pages read
    theirs from the address), and ends on or after its start. Its length is not limited: no statement's
    cost grows with it (the court papers' working days carry the bank holidays of the days in the data,
    not of the period)."""
    problems = [p for day, field in ((start, "start"), (end, "end")) if (p := date_range_problem(day, field))]
    if not problems and end < start:
        problems.append(
            Problem(ErrorCode.DATE_TOO_EARLY, "The end of the period must be on or after its start", "end")
        )
    return problems


def require_viewer_for(actor: Actor, start: date, end: date) -> None:
    """The viewer may see the dashboards, and the period is one they may ask for."""
    require_viewer(actor)
    if problems := period_problems(start, end):
        raise DomainError(problems)
