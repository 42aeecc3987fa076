"""Who may see the dashboards, and which periods they may ask for: one place for each rule."""

from __future__ import annotations

from datetime import date

from portal.access.policy import Permission, has_global_permission
from portal.auth.actor import Actor
from portal.errors import DomainError, ErrorCode, Problem

# Long enough for any annual report and trend; short enough that no one asks the database for decades.
MAX_PERIOD_DAYS = 5 * 366


def require_viewer(actor: Actor) -> None:
    if not has_global_permission(actor.roles, Permission.VIEW_ADHERENCE, actor.scopes):
        raise DomainError.one(
            ErrorCode.NOT_PERMITTED, "The adherence dashboards are for Cafcass and IRO managers"
        )


def period_problems(start: date, end: date) -> list[Problem]:
    if end < start:
        return [
            Problem(ErrorCode.DATE_TOO_EARLY, "The end of the period must be on or after its start", "end")
        ]
    if (end - start).days > MAX_PERIOD_DAYS:
        return [Problem(ErrorCode.OUT_OF_RANGE, "Choose a period of 5 years or less", "start")]
    return []


def require_viewer_for(actor: Actor, start: date, end: date) -> None:
    """The viewer may see the dashboards, and the period is one they may ask for."""
    require_viewer(actor)
    if problems := period_problems(start, end):
        raise DomainError(problems)
