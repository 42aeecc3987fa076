"""The adherence dashboards' figures."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import strawberry

from models import Employment, ReferralOutcome
from portal.api.context import Info
from portal.api.doc import enum_type, field, object_type
from portal.api.types.cases import record_look
from portal.api.types.workloads import OpenConflictOfInterest
from portal.audit.service import Look
from portal.dashboards.adherence import GroupBy, Line, Measure
from portal.dashboards.disputes import Disputes
from portal.dashboards.drill import Figure
from portal.dashboards.workload import HANDBOOK_RANGE, IroLoad
from portal.obligations.rules import obligation_name
from portal.workloads.rule import Standing, in_units, two_places

GroupByEnum = enum_type(GroupBy, "How adherence is grouped.")
MeasureEnum = enum_type(Measure, "A figure on the adherence dashboard, to drill down to its cases.")
FigureEnum = enum_type(
    Figure,
    "A figure on the dashboards other than adherence's, to drill down to its cases: a Table 1 category, a "
    "tracker bucket, a handover or court paper status, a figure of disputes or referrals to Cafcass, of the "
    "IRO's view in the guardians' analyses (with its grouping and group), or one of an IRO's caseload "
    "figures.",
    name="DashboardFigure",
)


@object_type
class AdherenceLine:
    """Adherence to one obligation code in one group over the period: obligations opened in it, and how they
    stand. Days late are calendar days from the due date to the day met; percentiles are nearest-rank."""

    group_id: strawberry.ID | None = field(
        "The service area, authority, team or practitioner; empty for all (and for owners in no team)."
    )
    group_name: str = field("Its name.")
    code: str = field("The protocol's code, e.g. P2.")
    name: str = field("The obligation's name in words, e.g. The guardian makes contact with the IRO.")
    opened: int = field("Obligations opened in the period.")
    met_on_time: int = field("Met by their due date.")
    met_late: int = field("Met after it.")
    late_median_days: int | None = field("Of those met late, the median days late.")
    late_p90_days: int | None = field("Of those met late, the 90th percentile of days late.")
    waived: int = field("Waived, with a reason.")
    not_applicable: int = field("Found not to apply.")
    missed: int = field(
        "Missed: closed undone when their moment passed (P11 once its review was held; a guardian's duty "
        "still overdue when the proceedings concluded or the guardian's involvement closed)."
    )
    open: int = field("Still open.")
    overdue: int = field("Still open after their due date.")

    @staticmethod
    def of(line: Line) -> AdherenceLine:
        return AdherenceLine(
            group_id=strawberry.ID(str(line.group_id)) if line.group_id else None,
            group_name=line.group_name,
            code=line.code,
            name=obligation_name(line.code),
            opened=line.opened,
            met_on_time=line.met_on_time,
            met_late=line.met_late,
            late_median_days=line.late_median_days,
            late_p90_days=line.late_p90_days,
            waived=line.waived,
            not_applicable=line.not_applicable,
            missed=line.missed,
            open=line.open,
            overdue=line.overdue,
        )


@object_type
class Perceived:
    """What respondents to the research said (Table 1 of the guardians paper), in per cent."""

    respondent: str = field("IRO or guardian.")
    always_or_mostly: int = field("Per cent answering always or mostly.")
    rarely_or_never: int = field("Per cent answering rarely or never.")


@object_type
class Table1Line:
    """One question of Table 1, measured over the proceedings in your scope: how many sets of proceedings
    fell in each category (75% or more of their 30-day periods is always or mostly, under 25% rarely or
    never; the final discussion: held or not), beside the research's perceived figures."""

    question: str = field("guardian_contacts_iro, iro_contacts_guardian or final_discussion.")
    label: str = field("The question in words.")
    cases: int = field("Sets of proceedings counted.")
    always_or_mostly: int = field("How many were always or mostly (for the final discussion: held).")
    sometimes: int = field("How many were sometimes.")
    rarely_or_never: int = field("How many were rarely or never (for the final discussion: not held).")
    perceived: list[Perceived] = field("The research's figures, by respondent.")


@object_type
class TrackerBucket:
    """Open proceedings by weeks since issue."""

    label: str = field("The bucket, e.g. 21 to 26 weeks.")
    count: int = field("How many open proceedings.")


@object_type
class AtRisk:
    """Open proceedings past their deadline, or near it with the final hearing not reached."""

    case_id: strawberry.ID = field("The case.")
    case_number: str = field("Its number.")
    deadline: date = field("26 weeks from issue plus extensions.")
    days_remaining: int = field("Days to the deadline (negative: past it).")


@object_type
class ProceedingsTracker:
    """The 26-week tracker over the open proceedings in your scope."""

    buckets: list[TrackerBucket] = field("Open proceedings by weeks since issue.")
    extended: int = field("How many have had their timetable extended.")
    at_risk: list[AtRisk] = field("Those at risk, most urgent first.")


@object_type
class IroWorkload:
    """One IRO's caseload, against the IRO Handbook's range of 50 to 70 children for a full-time IRO."""

    iro_id: strawberry.ID = field("The IRO.")
    name: str = field("Their name.")
    children: int = field("Children they are the IRO for (in the portal).")
    in_proceedings: int = field("Of those, children in open proceedings.")
    overdue_reviews: int = field(
        "Of those children, how many have their next looked-after review late, as each child's nextReview "
        "on the case shows it: its latest date passed with no review held, or booked for a later day."
    )
    over_range: bool = field(
        "Whether the caseload is above the Handbook's 70: the weighted caseload per full-time equivalent "
        "once the IRO's manager keeps their profile; until then, the children in the portal."
    )
    full_time_equivalence: float | None = field(
        "Of a full-time post (0.01 to 1), as the IRO manager keeps it; empty until they do (issue 19)."
    )
    employment: Employment | None = field("How they are employed; empty until their profile is kept.")
    children_held: int | None = field(
        "Every looked-after child they hold, in proceedings or not, as their manager entered it (the portal "
        "holds only those in proceedings); empty until their profile is kept."
    )
    sibling_group_children: int | None = field("Of the children held, those in a sibling group, as entered.")
    out_of_area_children: int | None = field("Of the children held, those placed out of area, as entered.")
    conferences_last_month: int | None = field(
        "Child-protection conferences they chaired last month (the last whole month); empty if not entered."
    )
    weighted_caseload: float | None = field(
        "The children held (never fewer than the portal's) plus, for each weighted count (sibling-group "
        "children, children in proceedings, children placed out of area, conferences last month), the "
        "authority's weight times the count; empty until their profile is kept."
    )
    per_full_time_equivalent: float | None = field(
        "The weighted caseload over the full-time equivalence, to two decimal places (halves up)."
    )
    standing: Standing | None = field(
        "The weighted caseload per full-time equivalent against the Handbook's 50 to 70."
    )
    stale_figure: bool = field(
        "The children held as entered are fewer than the children in the portal: the figure is out of date "
        "(the portal's count is weighed instead)."
    )
    profile_missing: bool = field("No profile has been entered for the IRO.")
    profile_updated_at: datetime | None = field("When their profile was last changed.")
    conflicts: list[OpenConflictOfInterest] = field(
        "Their open conflicts of interest with children of the authority's cases, the latest first."
    )

    @staticmethod
    def of(info: Info, load: IroLoad) -> IroWorkload:
        """The load as served; each conflict names a child, so its case is recorded as looked at."""
        for found in load.conflicts:
            record_look(info, found.conflict.proceedings_id, Look.DRILL_DOWN)
        over = load.standing is Standing.OVER if load.standing else load.children > HANDBOOK_RANGE[1]
        return IroWorkload(
            iro_id=strawberry.ID(str(load.iro_id)),
            name=load.name,
            children=load.children,
            in_proceedings=load.in_proceedings,
            overdue_reviews=load.overdue_reviews,
            over_range=over,
            full_time_equivalence=None if load.fte_hundredths is None else in_units(load.fte_hundredths),
            employment=load.employment,
            children_held=load.children_held,
            sibling_group_children=load.sibling_group,
            out_of_area_children=load.out_of_area,
            conferences_last_month=load.conferences_last_month,
            weighted_caseload=(
                None if load.weighted_hundredths is None else in_units(load.weighted_hundredths)
            ),
            per_full_time_equivalent=None if load.per_fte is None else two_places(load.per_fte),
            standing=load.standing,
            stale_figure=load.stale,
            profile_missing=load.profile_missing,
            profile_updated_at=load.profile_updated_at,
            conflicts=[OpenConflictOfInterest.of(found) for found in load.conflicts],
        )


@object_type
class HandoverFigures:
    """Handovers (P14) that fell due in the period on proceedings in your scope where one was needed."""

    due: int = field("Handovers due in the period.")
    on_time: int = field("First submitted by the due date.")
    late: int = field("First submitted after it.")
    missing: int = field("Past the due date with none submitted.")
    awaited: int = field("Not yet due and not yet submitted.")
    acknowledged: int = field(
        "Handovers submitted in the period that the IRO has acknowledged: the P15s opened in the period and "
        "met, as the adherence line for P15 counts them (met on time plus met late)."
    )


@object_type
class PaperTimings:
    """Court paper versions filed in the period on proceedings in your scope, and how they reached the IRO
    (P6). Working days exclude weekends and England's bank holidays; percentiles are nearest-rank."""

    filed: int = field("Versions filed in the period.")
    opened: int = field("Opened by an IRO.")
    unopened: int = field("With an IRO and not yet opened.")
    not_with_iro: int = field("Not with any IRO (none assigned yet, or withheld by the court).")
    median_working_days: int | None = field("Median working days from the date filed to the first opening.")
    p90_working_days: int | None = field("90th percentile of the same.")


@object_type
class StageCount:
    """How many disputes were resolved at a formal stage of their ladder."""

    stage: int = field("The formal stage (1 is the first).")
    count: int = field("Disputes resolved there in the period.")


@object_type
class OutcomeCount:
    """How many referrals to Cafcass ended with an outcome."""

    outcome: ReferralOutcome = field("The outcome.")
    count: int = field("Referrals that concluded with it in the period.")


@object_type
class DisputeFigures:
    """Disputes about care plans and referrals to Cafcass on the cases in your scope (IRO Handbook ch. 6;
    CA 1989 s25B(3)(a)). Each figure drills down (DashboardFigure DISPUTES_... and REFERRALS_...)."""

    opened: int = field("Disputes raised in the period.")
    fast_tracked: int = field("Of those, started at a formal stage at once.")
    resolved: int = field("Disputes resolved in the period.")
    resolved_informally: int = field("Of those, resolved before any formal stage.")
    resolved_at_stage: list[StageCount] = field("Of those, resolved at each formal stage (stages with any).")
    resolved_within_limit: int = field("Of those, formal and resolved within the ladder's whole time.")
    resolved_beyond_limit: int = field("Of those, resolved after the ladder's whole time ran out.")
    open: int = field("Disputes open now (raised by the period's end).")
    open_beyond_limit: int = field("Of those, open beyond the ladder's whole time.")
    referrals_made: int = field("Referrals to Cafcass made in the period.")
    referrals_open: int = field("Referrals open now (made by the period's end).")
    referrals_overdue: int = field("Of those, with their next step past its date.")
    referral_outcomes: list[OutcomeCount] = field("Referrals concluded in the period, by outcome.")

    @staticmethod
    def of(found: Disputes) -> DisputeFigures:
        return DisputeFigures(
            **{
                k: v
                for k, v in dataclasses.asdict(found).items()
                if k not in {"resolved_at_stage", "referral_outcomes"}
            },
            resolved_at_stage=[StageCount(stage=n, count=c) for n, c in found.resolved_at_stage],
            referral_outcomes=[OutcomeCount(outcome=o, count=c) for o, c in found.referral_outcomes],
        )
