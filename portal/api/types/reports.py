"""The monthly management report by team (issue 19): drift and escalations, each figure the dashboard's for
the same month."""

from __future__ import annotations

from datetime import date

import strawberry

from portal.api.doc import field, object_type
from portal.reports.monthly import ChildConcerned as ChildModel
from portal.reports.monthly import MonthlyReport as ReportModel
from portal.reports.monthly import TeamLine as LineModel


@object_type
class ChildConcerned:
    """A child on the report, and what is late or escalated for them."""

    case_id: strawberry.ID = field("The case.")
    case_number: str = field("Its number.")
    child_id: strawberry.ID | None = field("The child; empty for a dispute about every child of a case.")
    child_name: str = field("The child's name.")
    concerns: list[str] = field("What is late or escalated for them, in words, oldest first.")

    @staticmethod
    def of(child: ChildModel) -> ChildConcerned:
        return ChildConcerned(
            case_id=strawberry.ID(str(child.case_id)),
            case_number=child.case_number,
            child_id=strawberry.ID(str(child.child_id)) if child.child_id else None,
            child_name=child.child_name,
            concerns=child.concerns,
        )


@object_type
class MonthlyTeamLine:
    """One team's figures for the month (the team of each child's social worker on the case; "No team named"
    when there is none), and the children concerned."""

    team_id: strawberry.ID | None = field("The team; empty for children with no team named (and the total).")
    team_name: str = field("Its name.")
    reviews_held_late: int = field("Reviews held in the month after their latest date (CPPCR 2010 reg 33).")
    reviews_overdue: int = field(
        "Children whose next review was overdue at the month's end (today, within the month): in the current "
        "month, the IRO workload's next review late, summed over the IROs."
    )
    actions_overdue: int = field("Reviews' decisions due before the month's end (or today) and not closed.")
    disputes_opened: int = field("Disputes raised in the month (the dashboard's disputes opened).")
    disputes_resolved: int = field("Disputes resolved in the month (the dashboard's disputes resolved).")
    disputes_open: int = field("Disputes raised by the month's end and not resolved by then.")
    children: list[ChildConcerned] = field("The children concerned, by case number and name.")

    @staticmethod
    def of(line: LineModel) -> MonthlyTeamLine:
        return MonthlyTeamLine(
            team_id=strawberry.ID(str(line.team_id)) if line.team_id else None,
            team_name=line.team_name,
            reviews_held_late=line.reviews_held_late,
            reviews_overdue=line.reviews_overdue,
            actions_overdue=line.actions_overdue,
            disputes_opened=line.disputes_opened,
            disputes_resolved=line.disputes_resolved,
            disputes_open=line.disputes_open,
            children=[ChildConcerned.of(c) for c in line.children],
        )


@object_type
class MonthlyReport:
    """The IRO manager's monthly management report for their authority (RESEARCH-NOTES.md §1.2, §7.2):
    drift (late reviews and actions) and escalations (disputes), by team, with the children concerned."""

    local_authority_id: strawberry.ID = field("The authority.")
    local_authority_name: str = field("Its name.")
    start: date = field("The month's first day.")
    end: date = field("Its last day.")
    as_of: date = field("The day the figures stand on: the month's end, or today within the month.")
    teams: list[MonthlyTeamLine] = field("Each team of the authority, by name; then children with no team.")
    total: MonthlyTeamLine = field("The figures over every team (its children: none).")

    @staticmethod
    def of(report: ReportModel) -> MonthlyReport:
        return MonthlyReport(
            local_authority_id=strawberry.ID(str(report.authority_id)),
            local_authority_name=report.authority_name,
            start=report.start,
            end=report.end,
            as_of=report.as_of,
            teams=[MonthlyTeamLine.of(line) for line in report.teams],
            total=MonthlyTeamLine.of(report.total),
        )
