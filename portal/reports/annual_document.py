"""The annual report's words and tables, once, for every format it is drawn in (the page, the tagged PDF and
the editable document): a title, and sections of paragraphs and tables, some of them for the IRO manager to
complete with narrative. Nothing here knows HTML or Word."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from models import ChildAttendance, Employment, ReferralOutcome, ViewsConveyed
from portal.calendar import long_date
from portal.dashboards.adherence import Line
from portal.dashboards.workload import HANDBOOK_RANGE
from portal.obligations.rules import obligation_name
from portal.reports.annual import AnnualReport
from portal.workloads.rule import Standing, in_units, two_places


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: Sequence[Sequence[str]]


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    # For the IRO manager to write: what to cover (the drawn formats leave the space, with this prompt).
    narrative: str = ""


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    about: list[str]
    sections: list[Section]


ATTENDANCE = {
    ChildAttendance.ATTENDED: "Attended the review",
    ChildAttendance.ATTENDED_PART: "Attended part of the review",
    ChildAttendance.VIEWS_CONVEYED: "Did not attend; their views were conveyed",
    ChildAttendance.VIEWS_NOT_CONVEYED: "Did not attend; their views were not conveyed",
}
CONVEYED = {
    ViewsConveyed.AT_THE_REVIEW: "Said them at the review",
    ViewsConveyed.TO_THE_IRO_BEFORE: "To the IRO before the review",
    ViewsConveyed.ADVOCATE: "Through an advocate",
    ViewsConveyed.WRITTEN: "In writing (a form, letter, drawing or app)",
    ViewsConveyed.SOCIAL_WORKER: "Through their social worker",
    ViewsConveyed.CARER: "Through their carer",
    ViewsConveyed.OBSERVATION: "Observed (a child too young to say)",
    ViewsConveyed.OTHER: "Another way",
}
EMPLOYMENT = {
    Employment.DIRECT: "Directly employed",
    Employment.SESSIONAL: "Sessional",
    Employment.AGENCY: "Agency",
}
STANDING = {
    Standing.UNDER: "Under the range",
    Standing.WITHIN: "Within the range",
    Standing.OVER: "Over the range",
}
REFERRAL_OUTCOMES = {
    ReferralOutcome.RESOLVED_BY_CORRESPONDENCE: "Resolved by correspondence",
    ReferralOutcome.RESOLVED_BY_DISCUSSION: "Resolved by discussion",
    ReferralOutcome.CAFCASS_DISAGREES: "Cafcass did not agree there was a case",
    ReferralOutcome.APPLICATION_TO_COURT: "Cafcass applied to the court",
}
DUTY_HEADER = ("Duty", "Fell due", "Met on time", "Met late", "Missed", "Waived", "Still open", "Overdue now")


def share(part: int, whole: int) -> str:
    """``part`` with its share of ``whole`` as a whole percentage: "12 (40%)"; "0" of nothing."""
    return f"{part} ({round(100 * part / whole)}%)" if whole else str(part)


def _number(value: float) -> str:
    return f"{value:g}"


def _duties(lines: Sequence[Line]) -> list[tuple[str, ...]]:
    return [
        (
            f"{line.code}: {obligation_name(line.code)}",
            str(line.opened),
            share(line.met_on_time, line.opened),
            str(line.met_late),
            str(line.missed),
            str(line.waived),
            str(line.open),
            str(line.overdue),
        )
        for line in lines
    ]


def _service(report: AnnualReport) -> Section:
    low, high = HANDBOOK_RANGE
    iros = report.iros
    with_profile = [i for i in iros if i.fte_hundredths is not None]
    fte = sum(i.fte_hundredths or 0 for i in with_profile)
    employed = [
        f"{sum(1 for i in with_profile if i.employment is kind)} {EMPLOYMENT[kind].lower()}"
        for kind in Employment
        if any(i.employment is kind for i in with_profile)
    ]
    paragraphs = [
        f"The service had {len(iros)} IRO{'s' if len(iros) != 1 else ''} on {long_date(report.drawn_on)}"
        + (
            f", {_number(in_units(fte))} full-time equivalent ({', '.join(employed)})."
            if with_profile
            else "."
        )
    ]
    team = report.team
    if team is not None and team.per_fte is not None and team.standing is not None:
        paragraphs.append(
            f"Across the team, each full-time IRO held {_number(two_places(team.per_fte))} weighted "
            f"children, {STANDING[team.standing].lower()} of {low} to {high} in the IRO Handbook (para 7.15)."
        )
    if team is not None and team.without_profile:
        paragraphs.append(
            f"{team.without_profile} IRO{'s have' if team.without_profile != 1 else ' has'} no caseload "
            "recorded by the IRO manager, and are left out of the team's figure."
        )
    rows = [
        (
            i.name,
            _number(in_units(i.fte_hundredths)) if i.fte_hundredths is not None else "Not recorded",
            EMPLOYMENT[i.employment] if i.employment else "Not recorded",
            str(i.children_held) if i.children_held is not None else "Not recorded",
            str(i.in_proceedings),
            str(i.conferences_last_month) if i.conferences_last_month is not None else "Not recorded",
            _number(two_places(i.per_fte)) if i.per_fte is not None else "",
            STANDING[i.standing] if i.standing else "",
        )
        for i in iros
    ]
    header = (
        "IRO",
        "Full-time equivalent",
        "Employment",
        "Looked-after children held",
        "Of them, in care proceedings",
        "Child protection conferences chaired last month",
        "Weighted children per full-time equivalent",
        f"Against {low} to {high}",
    )
    return Section(
        "How the service is organised",
        paragraphs,
        [Table(f"The IROs and their caseloads, on {long_date(report.drawn_on)}", header, rows)],
        narrative="Where the service sits in the authority, its management and supervision, the IROs' "
        "experience and continuity for children, and the other duties the IROs carry.",
    )


def _reviews(report: AnnualReport) -> Section:
    held = report.participation.reviews
    return Section(
        "Reviews on time",
        [
            f"The IROs held {held} looked-after review{'s' if held != 1 else ''} of children in care "
            "proceedings in the year. The table counts each review duty that fell due in the year: the "
            "first review within 20 working days of the child becoming looked after, the second within 3 "
            "months, then every 6 months (Care Planning, Placement and Case Review (England) Regulations "
            "2010, regulation 33); the review's decisions within 5 working days; and the IRO's consideration "
            "of a significant change in the child's circumstances."
        ],
        [Table("Looked-after review duties that fell due in the year", DUTY_HEADER, _duties(report.reviews))],
        narrative="Why reviews were late where they were, and what is being done about it.",
    )


def _participation(report: AnnualReport) -> Section:
    p = report.participation
    attendance = [(ATTENDANCE[how], share(count, p.reviews)) for how, count in p.attendance]
    attendance.append(("Not recorded", share(p.not_recorded, p.reviews)))
    conveyed = [(CONVEYED[how], str(count)) for how, count in p.conveyed if count]
    paragraphs = [
        f"Of the {p.allocations} allocation{'s' if p.allocations != 1 else ''} of an IRO to a child in the "
        f"year, the IRO recorded explaining their role and agreeing how to keep in touch in "
        f"{share(p.introduced, p.allocations)}, each confirmed to the child (or their carer) in a letter, "
        f"and telling the child they can have an advocate in {share(p.advocacy, p.allocations)}.",
        f"Of the {p.disputes_resolved} dispute{'s' if p.disputes_resolved != 1 else ''} about a child's plan "
        f"resolved in the year, the IRO wrote to the child what was decided, and how their views counted, "
        f"in {share(p.disputes_told, p.disputes_resolved)}.",
    ]
    tables = [Table("How children took part in their reviews", ("Taking part", "Reviews"), attendance)]
    if conveyed:
        tables.append(Table("How children's views reached their reviews", ("How", "Reviews"), conveyed))
    return Section(
        "How children took part",
        paragraphs,
        tables,
        narrative="How children and young people, and their parents, were involved in their reviews and "
        "plans, what they told the service, and what changed because of it.",
    )


def _coverage(report: AnnualReport) -> Section:
    authority = report.coverage.authority
    paragraphs = []
    if authority is not None:
        paragraphs.append(
            f"Of the {authority.reviews} review{'s' if authority.reviews != 1 else ''} held in the year "
            "after a review cycle, the IRO recorded a midpoint check (reading the file, talking to the "
            f"social worker) in the cycle before {share(authority.reviews_checked, authority.reviews)}."
        )
        paragraphs.append(
            f"On {long_date(report.drawn_on)}, {share(authority.monitored, authority.due)} of the children "
            "whose midpoint had come had been checked this cycle."
        )
    rows = [
        (
            line.name,
            str(line.reviews),
            share(line.reviews_checked, line.reviews),
            share(line.monitored, line.due),
        )
        for line in report.coverage.iros
    ]
    header = (
        "IRO",
        "Reviews held after a cycle",
        "With a midpoint check",
        "Checked this cycle, of those due",
    )
    return Section(
        "Monitoring between reviews",
        paragraphs,
        [Table("Midpoint checks, by IRO", header, rows)],
        narrative="How the IROs monitor children's plans between reviews, and the barriers to doing so.",
    )


def _disputes(report: AnnualReport) -> Section:
    d = report.disputes
    stages = [("Informally", str(d.resolved_informally))] + [
        (f"At stage {stage} of the dispute resolution process", str(count))
        for stage, count in d.resolved_at_stage
    ]
    outcomes = [(REFERRAL_OUTCOMES[outcome], str(count)) for outcome, count in d.referral_outcomes]
    return Section(
        "Concerns and disputes",
        [
            f"The IROs raised {d.opened} dispute{'s' if d.opened != 1 else ''} about children's plans in the "
            f"year ({d.fast_tracked} started at a formal stage at once). {d.resolved} "
            f"{'were' if d.resolved != 1 else 'was'} resolved in the year: {d.resolved_within_limit} within "
            f"the dispute resolution process's time, {d.resolved_beyond_limit} beyond it. On "
            f"{long_date(report.drawn_on)}, {d.open} {'were' if d.open != 1 else 'was'} open, "
            f"{d.open_beyond_limit} of them beyond the process's time.",
            f"The IROs referred {d.referrals_made} child's case{'s' if d.referrals_made != 1 else ''} to "
            f"Cafcass in the year; {d.referrals_open} {'are' if d.referrals_open != 1 else 'is'} open "
            f"({d.referrals_overdue} with their next step overdue).",
        ],
        [
            Table("Disputes resolved in the year, by where", ("Where resolved", "Disputes"), stages),
            Table("Referrals to Cafcass concluded in the year", ("Outcome", "Referrals"), outcomes),
        ],
        narrative="The concerns raised and how they were resolved, the systemic barriers the IROs raised "
        "formally with senior managers, and the response.",
    )


def _protocol(report: AnnualReport) -> Section:
    views = report.iro_views
    filed = sum(line.filed for line in views)
    cited = sum(line.cited for line in views)
    not_recorded = sum(line.not_recorded for line in views)
    return Section(
        "Working with children's guardians",
        [
            "The ADCS and Cafcass protocol says how the children's guardian and the IRO work together while "
            "a looked-after child is in care proceedings. The table counts each of its duties that fell due "
            "in the year on the authority's cases.",
            f"Of the guardians' analyses filed in the year, {share(cited, filed)} cited the IRO's view of "
            f"the care plan ({not_recorded} not recorded by the guardian).",
        ],
        [Table("The protocol's duties that fell due in the year", DUTY_HEADER, _duties(report.protocol))],
        narrative="How the IROs and the guardians worked together, and what would improve it.",
    )


def annual_document(report: AnnualReport) -> Document:
    to = long_date(report.end) if report.complete else f"{long_date(report.drawn_on)} (the year so far)"
    return Document(
        title=report.title,
        subtitle=report.authority,
        about=[
            f"From {long_date(report.start)} to {to}.",
            f"Drafted by the guardian–IRO portal from its records on {long_date(report.drawn_on)}, for the "
            "IRO manager to complete. Its figures are the IRO managers' dashboard's for the same period: "
            "they count the children in care proceedings, whom the portal holds, except the IROs' "
            "caseloads, which count every looked-after child they hold.",
        ],
        sections=[
            Section(
                "Summary",
                narrative="The year's main messages for the corporate parenting board: what went well, what "
                "did not, and what the service asks of the authority.",
            ),
            _service(report),
            _reviews(report),
            _participation(report),
            _coverage(report),
            _disputes(report),
            _protocol(report),
            Section(
                "Priorities for the coming year",
                narrative="The service's priorities, and the areas for improvement, its own and other "
                "services'.",
            ),
        ],
    )
