"""The monthly management report by team (issue 19): for an authority's IRO manager and a calendar month,
per team of the authority's social workers, the drift (reviews held late in the month, reviews overdue at its
end, the reviews' decisions overdue) and the escalations (disputes opened and resolved in the month, and
those still open at its end), with the children concerned listed under each team.

In one case study the IRO manager collated the IROs' challenges into monthly reports to the head of service
or assistant director: drift, escalations, representations and children going missing (RESEARCH-NOTES.md
§1.2, §7.2). The portal holds the drift and the escalations; representations and missing episodes are the
authority's own records.

Each child is counted under the team of their social worker on the case ("No team named" when the authority
has named none, or theirs is in no team); a dispute about every child of a case, under its first child's
(by name). Every figure is counted from the dashboard's own statements for the same period (reconciled by
construction, and tested so):

- reviews: the IRO workload's statement (``workload.children_and_reviews``) and the case page's rule
  (portal/reviews/schedule.py). On a day in the current month, the children overdue are the workload's
  "next review late" over every IRO; for a month past, the rule is applied at the month's end, with the
  reviews held since left out;
- disputes opened and resolved: the disputes section's rows and conditions for the month (``disputeFigures``
  ``opened`` and ``resolved``); open at the month's end: raised by then and not resolved by then (on a day
  in the current month, the dashboard's ``open``).
The reviews' decisions overdue have no figure on the dashboard: those due before the month's end (or today)
and not closed by then."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models import LegalStatus
from portal.access.policy import Permission, token_allows
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.calendar import long_date
from portal.dashboards.repository import workload as workload_rows
from portal.dashboards.repository.sql import as_uuid
from portal.reports import service
from portal.reports.repository import monthly as rows
from portal.reviews.schedule import next_review, standing

NO_TEAM = "No team named"
# What the report notes for a child: their case, the child, the figure, a day to order by, and the words.
_Note = Callable[[uuid.UUID, uuid.UUID | None, str, date, str], None]


@dataclass
class ChildConcerned:
    """A child on the report, and what is late or escalated for them (in words, oldest first)."""

    case_id: uuid.UUID
    case_number: str
    child_id: uuid.UUID | None
    child_name: str
    concerns: list[str] = field(default_factory=list)


@dataclass
class TeamLine:
    """One team's figures for the month, and the children concerned (by case number and name)."""

    team_id: uuid.UUID | None
    team_name: str
    reviews_held_late: int = 0
    reviews_overdue: int = 0
    actions_overdue: int = 0
    disputes_opened: int = 0
    disputes_resolved: int = 0
    disputes_open: int = 0
    children: list[ChildConcerned] = field(default_factory=list)


@dataclass(frozen=True)
class MonthlyReport:
    """The report for ``start`` to ``end``, as it stood on ``as_of`` (the month's end, or today within it)."""

    authority_id: uuid.UUID
    authority_name: str
    start: date
    end: date
    as_of: date
    teams: list[TeamLine]
    total: TeamLine


FIGURES = (
    "reviews_held_late",
    "reviews_overdue",
    "actions_overdue",
    "disputes_opened",
    "disputes_resolved",
    "disputes_open",
)


async def monthly_report(
    session: AsyncSession,
    actor: Actor,
    *,
    year: int,
    month: int,
    today: date,
    authority_id: uuid.UUID | None = None,
) -> MonthlyReport:
    """The month's report for the actor's authority (its IRO managers only), audited as a dashboard read."""
    authority = service.require_reader(actor, authority_id)
    start, end = service.month_bounds(year, month, today)
    as_of = min(end, today)
    teams: dict[uuid.UUID | None, TeamLine] = {
        team_id: TeamLine(team_id, name) for team_id, name in await rows.teams(session, authority)
    }
    # Each child's team: their social worker's on the case.
    child_team: dict[tuple[uuid.UUID, uuid.UUID], uuid.UUID | None] = {}
    for row in await rows.social_worker_teams(session, actor):
        team_id = None if row["team_id"] is None else as_uuid(row["team_id"])
        child_team[(as_uuid(row["id"]), as_uuid(row["child_id"]))] = team_id
        if team_id is not None and team_id not in teams:  # a social worker in a team of another employer
            teams[team_id] = TeamLine(team_id, row["team_name"])
    concerns: dict[tuple[uuid.UUID, uuid.UUID | None], list[tuple[date, str]]] = defaultdict(list)
    counted: dict[tuple[uuid.UUID, uuid.UUID | None], list[str]] = defaultdict(list)

    def note(case: uuid.UUID, child: uuid.UUID | None, figure: str, day: date, words: str) -> None:
        concerns[(case, child)].append((day, words))
        counted[(case, child)].append(figure)

    await _reviews(session, actor, start, end, as_of, note)
    for decision in await rows.overdue_decisions(session, actor, as_of):
        due = decision["due_on"]
        note(
            as_uuid(decision["id"]),
            as_uuid(decision["child_id"]),
            "actions_overdue",
            due,
            f"Review decision overdue since {long_date(due)}: {decision['description']}",
        )
    disputes = await rows.disputes(session, actor, start=start, end=end, today=today)
    children_of: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for case, child in child_team:
        children_of[case].append(child)
    numbers, names = await rows.named(
        session,
        {as_uuid(d["id"]) for d in disputes} | {case for case, _ in concerns} | set(children_of),
        {child for _, child in concerns if child} | {child for _, child in child_team},
    )
    for dispute in disputes:
        case = as_uuid(dispute["id"])
        about = "" if dispute["child_id"] is not None else " (every child of the case)"
        # A dispute about every child: counted once, under the case's first child by name.
        subject = (
            as_uuid(dispute["child_id"])
            if dispute["child_id"] is not None
            else min(children_of[case], key=lambda c: (names.get(c, ("", ""))[::-1], str(c)), default=None)
        )
        for figure, words in (
            ("disputes_opened", "Dispute raised in the month"),
            ("disputes_resolved", "Dispute resolved in the month"),
            ("disputes_open", "Dispute open at the month's end"),
        ):
            flag = {
                "disputes_opened": "opened",
                "disputes_resolved": "resolved",
                "disputes_open": "open_at_end",
            }
            if dispute[flag[figure]]:
                note(case, subject, figure, end, words + about)
    lines = dict(teams)
    for (case, concerned), figures in counted.items():
        team_id = child_team.get((case, concerned)) if concerned is not None else None
        line = lines.get(team_id) if team_id is not None else None
        if line is None:
            line = lines.setdefault(None, TeamLine(None, NO_TEAM))
        for figure in figures:
            setattr(line, figure, getattr(line, figure) + 1)
        given, family = names.get(concerned, ("", "")) if concerned is not None else ("", "")
        line.children.append(
            ChildConcerned(
                case_id=case,
                case_number=numbers.get(case, ""),
                child_id=concerned,
                child_name=f"{given} {family}".strip() or "Every child of the case",
                concerns=[words for _, words in sorted(concerns[(case, concerned)])],
            )
        )
    ordered = sorted(lines.values(), key=lambda line: (line.team_id is None, line.team_name))
    # The children are the cases' content: for an API token that may read the cases (a signed-in manager's
    # session may); one for the figures alone gets the figures.
    reads_cases = token_allows(actor.scopes, Permission.READ_CASE)
    for line in ordered:
        line.children.sort(key=lambda c: (c.case_number, c.child_name))
        if not reads_cases:
            line.children.clear()
    total = TeamLine(None, "All teams")
    for figure in FIGURES:
        setattr(total, figure, sum(getattr(line, figure) for line in ordered))
    audit.record(session, actor, "monthly_report.read", subject_type="dashboard")
    for case in {c.case_id for line in ordered for c in line.children}:
        audit.look(session, actor, case, audit.Look.DRILL_DOWN, None)
    return MonthlyReport(authority, actor.organisation_name, start, end, as_of, ordered, total)


async def _reviews(
    session: AsyncSession, actor: Actor, start: date, end: date, as_of: date, note: _Note
) -> None:
    """The reviews held late in the month, and the children whose next review is overdue on ``as_of``, by
    the case page's rule (CPPCR 2010 reg 33), from the IRO workload's statement."""
    children, reviews = await workload_rows.children_and_reviews(session, actor)
    theirs: dict[tuple[uuid.UUID, uuid.UUID], list[tuple[date, date | None]]] = defaultdict(list)
    for review in reviews:
        theirs[(as_uuid(review["id"]), as_uuid(review["child_id"]))].append(
            (review["review_date"], review["held_on"])
        )
    seen: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for row in children:
        case, child = as_uuid(row["id"]), as_uuid(row["child_id"])
        since = row["looked_after_since"]
        if (case, child) in seen or since is None or not LegalStatus(row["legal_status"]).is_looked_after:
            continue
        seen.add((case, child))
        held = sorted(day for _, day in theirs[(case, child)] if day is not None)
        for n, day in enumerate(held):
            due = next_review(since, held[:n]).due_by
            if start <= day <= end and day > due:
                note(
                    case,
                    child,
                    "reviews_held_late",
                    day,
                    f"Review held late on {long_date(day)} (due by {long_date(due)})",
                )
        # As it stood on ``as_of``: a review held since was still to hold.
        then = [
            (booked, day if day is not None and day <= as_of else None)
            for booked, day in theirs[(case, child)]
        ]
        now = standing(since, then, as_of)
        if now.late:
            note(
                case,
                child,
                "reviews_overdue",
                now.due_by,
                f"Next review overdue: due by {long_date(now.due_by)}",
            )
