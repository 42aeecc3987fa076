"""The dashboards for Cafcass and IRO managers: adherence per code (a table per group with a server-rendered
SVG chart, the table its alternative), Table 1 measured, the 26-week tracker, handovers, court papers and IRO
workload. Every figure links to the cases behind it; each section and each list of cases downloads as CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from itertools import groupby
from typing import Any, TypedDict
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import clock
from portal.dashboards.adherence import GroupBy, Measure
from portal.dashboards.drill import Figure
from portal.dashboards.table1 import QUESTIONS
from portal.dashboards.viewer import may_view, period_problems
from portal.dashboards.workload import HANDBOOK_RANGE
from portal.obligations.rules import obligation_name
from portal.web.forms import FormErrors, parse_date
from portal.web.headers import attachment
from portal.web.labels import LABELS, long_date
from portal.web.labels import label as label_of
from portal.web.midpoint_pages import FIGURE_TITLES, coverage_table, midpoint_lines
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import render
from portal.web.requests import signed_in
from portal.web.workload_pages import workload_rows

PERIOD_DAYS = 182
COLUMNS = [
    ("opened", "Opened", "OPENED"),
    ("metOnTime", "Met on time", "MET_ON_TIME"),
    ("metLate", "Met late", "MET_LATE"),
    ("waived", "Waived", "WAIVED"),
    ("notApplicable", "Did not apply", "NOT_APPLICABLE"),
    ("missed", "Missed", "MISSED"),
    ("open", "Open", "OPEN"),
    ("overdue", "Overdue", "OVERDUE"),
]
# The charts' colours (frontend/src/_portal.scss): each at least 3:1 against white, with white between
# segments (WCAG 1.4.11); tests/web/test_dashboard_pages.py computes the ratios.
ADHERENCE_SEGMENTS = [
    ("met on time", "app-chart__on-time"),
    ("met late", "app-chart__late"),
    ("overdue or missed", "app-chart__overdue"),
    ("open, not yet due", "app-chart__open"),
    ("waived or did not apply", "app-chart__other"),
]
WORKLOAD_SEGMENTS = [
    ("in proceedings", "app-chart__in-proceedings"),
    ("not in proceedings", "app-chart__not-in-proceedings"),
]
HANDOVERS = [
    ("onTime", "On time", "HANDOVERS_ON_TIME", "app-chart__on-time"),
    ("late", "Late", "HANDOVERS_LATE", "app-chart__late"),
    ("missing", "Missing", "HANDOVERS_MISSING", "app-chart__overdue"),
    ("awaited", "Not yet due", "HANDOVERS_AWAITED", "app-chart__open"),
]
PAPERS = [
    ("opened", "Opened by the IRO", "PAPERS_OPENED", "app-chart__on-time"),
    ("unopened", "With the IRO, unopened", "PAPERS_UNOPENED", "app-chart__overdue"),
    ("notWithIro", "Not with an IRO", "PAPERS_NOT_WITH_IRO", "app-chart__other"),
]
TRACKER_FIGURES = [
    Figure.TRACKER_UNDER_13_WEEKS.name,
    Figure.TRACKER_13_TO_20_WEEKS.name,
    Figure.TRACKER_21_TO_26_WEEKS.name,
    Figure.TRACKER_OVER_26_WEEKS.name,
]
# The disputes section's rows: (label, key in disputeFigures, figure), in the order shown and downloaded.
DISPUTE_ROWS = [
    ("Raised in the period", "opened", "DISPUTES_OPENED"),
    ("Of those, fast-tracked to a formal stage", "fastTracked", "DISPUTES_FAST_TRACKED"),
    ("Resolved in the period", "resolved", "DISPUTES_RESOLVED"),
    ("Resolved informally", "resolvedInformally", "DISPUTES_RESOLVED_INFORMALLY"),
    ("Resolved within the ladder's time", "resolvedWithinLimit", "DISPUTES_RESOLVED_WITHIN_LIMIT"),
    ("Resolved after the ladder's time", "resolvedBeyondLimit", "DISPUTES_RESOLVED_BEYOND_LIMIT"),
    ("Open now", "open", "DISPUTES_OPEN"),
    ("Open beyond the ladder's time", "openBeyondLimit", "DISPUTES_OPEN_BEYOND_LIMIT"),
]
REFERRAL_ROWS = [
    ("Made in the period", "referralsMade", "REFERRALS_MADE"),
    ("Open now", "referralsOpen", "REFERRALS_OPEN"),
    ("Open with the next step overdue", "referralsOverdue", "REFERRALS_OVERDUE"),
]
# The IRO's view section's columns: (key in iroViewFigures, label, figure).
IRO_VIEW = [
    ("cited", "Cites the IRO's view", "IRO_VIEW_CITED"),
    ("notCited", "Does not cite it", "IRO_VIEW_NOT_CITED"),
    ("notRecorded", "Not recorded", "IRO_VIEW_NOT_RECORDED"),
]
# The children's participation section (issue 19): (figure, label, its count in participation's figures).
PARTICIPATION: list[tuple[str, str, Callable[[dict[str, Any]], int]]] = [
    ("PARTICIPATION_REVIEWS", "Reviews held", lambda p: p["reviews"]),
    *(
        (
            f"PARTICIPATION_REVIEWS_{how}",
            f"The child: {label[0].lower()}{label[1:]}",
            lambda p, how=how: next(a["reviews"] for a in p["attendance"] if a["attendance"] == how),
        )
        for how, label in LABELS["child_attendance"].items()
    ),
    ("PARTICIPATION_REVIEWS_NOT_RECORDED", "The child's part not recorded", lambda p: p["notRecorded"]),
    *(
        (
            f"PARTICIPATION_REVIEWS_BY_{how}",
            f"Views conveyed: {label[0].lower()}{label[1:]}",
            lambda p, how=how: next(c["reviews"] for c in p["conveyed"] if c["conveyed"] == how),
        )
        for how, label in LABELS["views_conveyed"].items()
    ),
    ("PARTICIPATION_ALLOCATIONS", "IROs allocated to a child", lambda p: p["allocations"]),
    (
        "PARTICIPATION_ALLOCATIONS_INTRODUCED",
        "The IRO introduced themselves, with a letter",
        lambda p: p["introduced"],
    ),
    (
        "PARTICIPATION_ALLOCATIONS_NOT_INTRODUCED",
        "No introduction recorded",
        lambda p: p["notIntroduced"],
    ),
    ("PARTICIPATION_ALLOCATIONS_ADVOCACY", "The child told of advocacy", lambda p: p["advocacy"]),
    (
        "PARTICIPATION_DISPUTES_RESOLVED",
        "Disputes about a child's plan resolved",
        lambda p: p["disputesResolved"],
    ),
    ("PARTICIPATION_DISPUTES_TOLD", "The child told what was decided", lambda p: p["disputesTold"]),
]
SECTIONS = (
    "adherence",
    "table1",
    "tracker",
    "handovers",
    "papers",
    "iro_views",
    "disputes",
    "workload",
    "midpoints",
    "participation",
)


PERIOD_FIELDS = (("start", "The start of the period"), ("end", "The end of the period"))


def _period_refused(request: Request) -> Response:
    """A drill-down or a download asked for a period the dashboards refuse: the dashboard itself, with the
    same query, shows the period's form with every problem (one place for them)."""
    return RedirectResponse("/dashboard?" + request.url.query, status_code=303)


class BadPeriod(Exception):
    """The period asked for is one the dashboards refuse (the rule: portal.dashboards.viewer), or its dates
    are not dates: every problem at once."""

    def __init__(self, errors: FormErrors, values: dict[str, str], by: str) -> None:
        self.errors, self.values, self.by = errors, values, by
        self.actor: Any = None
        super().__init__("; ".join(error.message for error in errors.summary))


def _filters(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    """The period and grouping asked for, and the date inputs' values. The form sends each date as day,
    month and year (GOV.UK's date input); the dashboard's own links send it as one ISO date. A date not
    given is the default (the last 182 days). Raises BadPeriod with every problem found."""
    query = request.query_params
    today = clock.today()
    defaults = {"start": today - timedelta(days=PERIOD_DAYS), "end": today}
    errors = FormErrors({"start": "start-day", "end": "end-day"})
    values: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name, label in PERIOD_FIELDS:
        typed = {f"{name}-{part}": query.get(f"{name}-{part}", "") for part in ("day", "month", "year")}
        if any(value.strip() for value in typed.values()):
            values.update(typed)
            days[name] = parse_date(typed, name, label, errors, name)
            continue
        try:
            day = date.fromisoformat(query.get(name, ""))
        except ValueError:
            day = defaults[name]
        days[name] = day
        values.update(
            {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}
        )
    start, end = days["start"], days["end"]
    if start is not None and end is not None:
        for problem in period_problems(start, end):
            errors.add(problem.field or "start", problem.message)
    by = query.get("by", "").upper()
    by = by if by in GroupBy.__members__ else "NONE"
    if errors or start is None or end is None:
        raise BadPeriod(errors, values, by)
    filters = {"start": start.isoformat(), "end": end.isoformat(), "by": by}
    return filters, values


async def _figures(request: Request) -> tuple[Any, dict[str, str], dict[str, str], dict[str, Any]]:
    """The viewer, the filters, the date inputs' values and every section's figures. A person who may not
    see the dashboards gets the 404 whatever the period."""
    async with signed_in(request) as (uow, actor):
        if not may_view(actor):
            raise PageNotFound
        try:
            filters, values = _filters(request)
        except BadPeriod as bad:
            bad.actor = actor
            raise
        data = await operations(request).run(uow, actor, "Adherence", filters)
        data |= await operations(request).run(uow, actor, "ServiceFigures", filters)
    return actor, filters, values, data


def coded(code: str) -> str:
    """An obligation's code with its name: "P3 Guardian and IRO agree whether and how to keep in touch"."""
    name = obligation_name(code)
    return f"{code} {name}" if name else code


# Table 1's categories in words, for the links' hidden text.
TABLE1_WORDS = {
    "alwaysOrMostly": "always or mostly",
    "sometimes": "sometimes",
    "rarelyOrNever": "rarely or never",
}
FINAL_DISCUSSION_WORDS = {"alwaysOrMostly": "held", "rarelyOrNever": "not held"}


def _table1_links(line: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    """Each count's key in a Table 1 line, the figure behind it (none for "sometimes" of the final
    discussion, which was held or not) and the category in words."""
    final = line["question"] == "final_discussion"
    categories = ("HELD", None, "NOT_HELD") if final else ("ALWAYS_OR_MOSTLY", "SOMETIMES", "RARELY_OR_NEVER")
    words = FINAL_DISCUSSION_WORDS if final else TABLE1_WORDS
    return [
        (key, f"{line['question'].upper()}_{category}" if category else None, words.get(key, ""))
        for key, category in zip(("alwaysOrMostly", "sometimes", "rarelyOrNever"), categories, strict=True)
    ]


class _Segment(TypedDict):
    x: float
    width: float
    css: str
    label: str
    value: int


class _Bar(TypedDict):
    y: int
    label: str
    segments: list[_Segment]


ROW_HEIGHT, LABEL_HEIGHT, BAR_HEIGHT = 46, 18, 20


def _stacked(
    rows: Iterable[tuple[str, int, list[tuple[str, str, int]]]], width: int = 520, top: int = 0
) -> dict[str, Any]:
    """Horizontal bars, one per row (label, total, segments of (label, css class, value)), each segment a
    share of the row's total, each row's label above its bar (so that long names fit at any width). Geometry
    only; the template draws it, with white between segments."""
    bars: list[_Bar] = []
    for index, (name, total, parts) in enumerate(rows):
        x = 0.0
        segments: list[_Segment] = []
        for part, css, value in parts:
            share = value / (total or 1) * width
            if value:
                segments.append(
                    {"x": round(x, 1), "width": round(share, 1), "css": css, "label": part, "value": value}
                )
            x += share
        bars.append({"y": top + index * ROW_HEIGHT, "label": name, "segments": segments})
    return {
        "bars": bars,
        "width": width,
        "height": top + max(1, len(bars)) * ROW_HEIGHT,
        "label_height": LABEL_HEIGHT,
        "bar_height": BAR_HEIGHT,
    }


def _adherence_chart(lines: list[dict[str, Any]]) -> dict[str, Any]:
    """Per code, shares of what opened: met on time, met late, overdue or missed, open, waived or did not
    apply."""
    return _stacked(
        (
            coded(line["code"]),
            line["opened"],
            [
                (part, css, value)
                for (part, css), value in zip(
                    ADHERENCE_SEGMENTS,
                    (
                        line["metOnTime"],
                        line["metLate"],
                        line["overdue"] + line["missed"],
                        line["open"] - line["overdue"],
                        line["waived"] + line["notApplicable"],
                    ),
                    strict=True,
                )
            ],
        )
        for line in lines
    )


def _workload_chart(loads: list[dict[str, Any]]) -> dict[str, Any]:
    """Each IRO's children on one scale (to a little past the Handbook's 70, or the largest caseload), in
    proceedings and not, with the Handbook's range of 50 to 70 drawn across every bar."""
    scale = max([HANDBOOK_RANGE[1] + 10, *(load["children"] for load in loads)])
    chart = _stacked(
        (
            (
                f"{load['name']}: {load['children']}",
                scale,
                [
                    (part, css, value)
                    for (part, css), value in zip(
                        WORKLOAD_SEGMENTS,
                        (load["inProceedings"], load["children"] - load["inProceedings"]),
                        strict=True,
                    )
                ],
            )
            for load in loads
        ),
        top=22,
    )
    low, high = (round(edge / scale * chart["width"], 1) for edge in HANDBOOK_RANGE)
    chart["band"] = {
        "x": low,
        "width": round(high - low, 1),
        "low": HANDBOOK_RANGE[0],
        "high": HANDBOOK_RANGE[1],
    }
    return chart


async def dashboard(request: Request) -> Response:
    try:
        actor, filters, values, data = await _figures(request)
    except BadPeriod as bad:
        context = {"actor": bad.actor, "filters": {"by": bad.by}, "values": bad.values, "errors": bad.errors}
        return render(request, "dashboard.html", context, status_code=400)
    groups = [
        {"id": group_id, "name": name, "lines": list(rows)}
        for (group_id, name), rows in groupby(
            data["adherence"], key=lambda line: (line["groupId"], line["groupName"])
        )
    ]
    handovers, papers, authority = data["handoverFigures"], data["paperTimings"], data["authorityWorkload"]
    workload = authority["iros"] if authority else []
    period = {"start": filters["start"], "end": filters["end"]}
    return render(
        request,
        "dashboard.html",
        {
            "actor": actor,
            "filters": filters,
            "values": values,
            "errors": FormErrors({}),
            "groups": [{**group, "chart": _adherence_chart(group["lines"])} for group in groups],
            "columns": COLUMNS,
            "segments": ADHERENCE_SEGMENTS,
            "coded": coded,
            "table1": data["table1"],
            "table1_links": _table1_links,
            "tracker": data["proceedingsTracker"],
            "tracker_figures": TRACKER_FIGURES,
            "workload": workload,
            "authority_workload": authority,
            "workload_chart": _workload_chart(workload),
            "workload_segments": WORKLOAD_SEGMENTS,
            "handbook_range": HANDBOOK_RANGE,
            "above_range": [load for load in workload if load["overRange"]],
            "handovers": handovers,
            "handover_columns": HANDOVERS,
            "midpoints": data["midpointCoverage"],
            "handover_chart": _stacked(
                [
                    (
                        "Handovers due",
                        handovers["due"],
                        [(label, css, handovers[key]) for key, label, _, css in HANDOVERS],
                    )
                ]
            ),
            "papers": papers,
            "paper_columns": PAPERS,
            "paper_chart": _stacked(
                [
                    (
                        "Papers filed",
                        papers["filed"],
                        [(label, css, papers[key]) for key, label, _, css in PAPERS],
                    )
                ]
            ),
            "participation": [
                (figure, label, count(data["participation"])) for figure, label, count in PARTICIPATION
            ],
            "iro_views": data["iroViewFigures"],
            "iro_view_columns": IRO_VIEW,
            "group_link": lambda figure, group: (
                "/dashboard/cases?"
                + urlencode({**filters, "figure": figure, **({"group": group} if group else {})})
            ),
            "monthly_report": "/reports/monthly" if "IRO_MANAGER" in data["me"]["roles"] else None,
            "annual_report": "/reports/annual" if "IRO_MANAGER" in data["me"]["roles"] else None,
            "disputes": data["disputeFigures"],
            "dispute_rows": DISPUTE_ROWS,
            "referral_rows": REFERRAL_ROWS,
            "csv_link": lambda section: "/dashboard.csv?" + urlencode({**filters, "section": section}),
            "figure_link": lambda figure, iro=None: (
                "/dashboard/cases?" + urlencode({**period, "figure": figure, **({"iro": iro} if iro else {})})
            ),
            "drill": lambda line, measure: (
                "/dashboard/cases?"
                + urlencode(
                    {
                        **filters,
                        "code": line["code"],
                        "measure": measure,
                        **({"group": line["groupId"]} if line["groupId"] else {}),
                    }
                )
            ),
        },
    )


def _section_rows(section: str, data: dict[str, Any]) -> list[list[Any]]:
    """One section's figures as a table, its header first."""
    if section == "midpoints":
        return coverage_table(data["midpointCoverage"])
    if section == "table1":
        return [["question", "proceedings", "always or mostly", "sometimes", "rarely or never"]] + [
            [line["label"], line["cases"], line["alwaysOrMostly"], line["sometimes"], line["rarelyOrNever"]]
            for line in data["table1"]
        ]
    if section == "tracker":
        tracker = data["proceedingsTracker"]
        return (
            [["figure", "open proceedings"]]
            + [[bucket["label"], bucket["count"]] for bucket in tracker["buckets"]]
            + [["Extended", tracker["extended"]], ["At risk", len(tracker["atRisk"])]]
        )
    if section == "handovers":
        figures = data["handoverFigures"]
        header = ["due", *(label.lower() for _, label, _, _ in HANDOVERS), "acknowledged (P15 met)"]
        return [
            header,
            [figures["due"], *(figures[key] for key, _, _, _ in HANDOVERS), figures["acknowledged"]],
        ]
    if section == "papers":
        figures = data["paperTimings"]
        keys = ["filed", "opened", "unopened", "notWithIro", "medianWorkingDays", "p90WorkingDays"]
        return [
            [
                "filed",
                "opened by the IRO",
                "with the IRO, unopened",
                "not with an IRO",
                "median working days to opening",
                "p90 working days to opening",
            ],
            ["" if figures[key] is None else figures[key] for key in keys],
        ]
    if section == "iro_views":
        return [["group", "filed", *(label.lower() for _, label, _ in IRO_VIEW)]] + [
            [line["groupName"], line["filed"], *(line[key] for key, _, _ in IRO_VIEW)]
            for line in data["iroViewFigures"]
        ]
    if section == "disputes":
        figures = data["disputeFigures"]
        stages = [(f"Resolved at formal stage {s['stage']}", s["count"]) for s in figures["resolvedAtStage"]]
        outcomes = [
            (f"Referrals concluded: {label_of(o['outcome'], 'referral_outcome').lower()}", o["count"])
            for o in figures["referralOutcomes"]
        ]
        return [["figure", "count"]] + [
            [label, count]
            for label, count in [
                *((f"Disputes: {label.lower()}", figures[key]) for label, key, _ in DISPUTE_ROWS),
                *stages,
                *((f"Referrals: {label.lower()}", figures[key]) for label, key, _ in REFERRAL_ROWS),
                *outcomes,
            ]
        ]
    if section == "workload":
        return workload_rows(data["authorityWorkload"])
    if section == "participation":
        return [["figure", "count"]] + [
            [label, count(data["participation"])] for _, label, count in PARTICIPATION
        ]
    keys = [*(key for key, _, _ in COLUMNS), "lateMedianDays", "lateP90Days"]
    return [
        [
            "group",
            "code",
            "obligation",
            *(label.lower() for _, label, _ in COLUMNS),
            "median days late",
            "p90 days late",
        ]
    ] + [
        [line["groupName"], line["code"], line["name"], *("" if line[k] is None else line[k] for k in keys)]
        for line in data["adherence"]
    ]


def _cell(value: Any) -> Any:
    """A cell as a spreadsheet will read it: text that would start a formula (a child's or a team's name
    beginning "=", say) is quoted, so that opening the file never runs it."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def _csv(rows: list[list[Any]], name: str) -> Response:
    out = io.StringIO()
    csv.writer(out).writerows([_cell(value) for value in row] for row in rows)
    # The name is built from the query; only letters, digits and dashes reach the header.
    safe = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "figures"
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": attachment(f"{safe}.csv")},
    )


async def dashboard_csv(request: Request) -> Response:
    try:
        _, filters, _, data = await _figures(request)
    except BadPeriod:
        return _period_refused(request)
    section = request.query_params.get("section", "adherence")
    section = section if section in SECTIONS else "adherence"
    return _csv(_section_rows(section, data), f"{section}-{filters['start']}-to-{filters['end']}")


# The obligation a figure of another section is about, named in its drill-down's heading.
FIGURE_CODES = {
    "HANDOVERS_ACKNOWLEDGED": "P15",
    "HANDOVERS": "P14",
    "PAPERS": "P6",
    "FINAL_DISCUSSION": "P13",
}
IRO_FIGURES = {
    "IRO_CHILDREN": "The IRO's children",
    "IRO_IN_PROCEEDINGS": "The IRO's children in proceedings",
    "IRO_OVERDUE_REVIEWS": "The IRO's children whose next review is late",
}
MEASURE_WORDS = {
    "OPENED": "opened",
    "MET_ON_TIME": "met on time",
    "MET_LATE": "met late",
    "WAIVED": "waived",
    "NOT_APPLICABLE": "did not apply",
    "MISSED": "missed",
    "OPEN": "open",
    "OVERDUE": "overdue",
}


def _figure_title(figure: str) -> str:
    """A figure in words: "Handovers missing (P14 The guardian gives the IRO the written handover)"."""
    section, _, rest = Figure[figure].value.partition(":")
    if section in QUESTIONS:
        words = f"{QUESTIONS[section]}: {rest.replace('_', ' ')}"
    elif figure in FIGURE_TITLES:  # monitoring between reviews
        words = FIGURE_TITLES[figure]
    elif figure in IRO_FIGURES:
        words = IRO_FIGURES[figure]
    elif section == "participation":
        words = next(label for f, label, _ in PARTICIPATION if f == figure)
    elif section == "iro_view":
        label = {f: label for _, label, f in IRO_VIEW}.get(figure, "Filed in the period")
        words = f"Guardians' analyses: {label[0].lower()}{label[1:]}"
    elif titled := {f: label for label, _, f in DISPUTE_ROWS + REFERRAL_ROWS}.get(figure):
        words = f"{'Referrals to Cafcass' if section == 'referrals' else 'Disputes'}: {titled.lower()}"
    elif section == "disputes":  # resolved at a formal stage
        words = f"Disputes resolved at formal stage {rest.removeprefix('stage_')}"
    elif section == "referrals":  # concluded with an outcome
        outcome = label_of(figure.removeprefix("REFERRALS_"), "referral_outcome")
        words = f"Referrals to Cafcass concluded: {outcome.lower()}"
    else:
        words = figure.replace("_", " ").capitalize()
    code = FIGURE_CODES.get(figure) or next(
        (code for prefix, code in FIGURE_CODES.items() if figure.startswith(prefix + "_")), None
    )
    return f"{words} ({coded(code)})" if code else words


async def _cases(request: Request) -> tuple[Any, list[dict[str, Any]], str, str]:
    """The cases behind the figure the query names (an adherence figure, by code and measure, or another
    one), its title and a name for its file."""
    query = request.query_params
    figure = query.get("figure", "").upper()
    async with signed_in(request) as (uow, actor):
        if not may_view(actor):
            raise PageNotFound
        filters, _ = _filters(request)
        if figure:
            if figure not in Figure.__members__:
                raise PageNotFound
            variables: dict[str, Any] = {
                "figure": figure,
                "start": filters["start"],
                "end": filters["end"],
                "iroId": query.get("iro") or None,
                "by": filters["by"],
                "groupId": query.get("group") or None,
            }
            data = await operations(request).run(uow, actor, "DashboardCases", variables)
            title = _figure_title(figure)
            reviews = figure == Figure.IRO_OVERDUE_REVIEWS.name
            midpoints = figure in FIGURE_TITLES
            rows = _rows(data["dashboardCases"], late_reviews=reviews, midpoints=midpoints)
            return actor, rows, title, figure
        variables = {
            **filters,
            "code": query.get("code", ""),
            "measure": query.get("measure", "OPENED").upper(),
            "groupId": query.get("group") or None,
        }
        if variables["measure"] not in Measure.__members__:
            raise PageNotFound
        data = await operations(request).run(uow, actor, "AdherenceCases", variables)
    code, measure = variables["code"], MEASURE_WORDS[variables["measure"]]
    return actor, _rows(data["adherenceCases"]), f"{coded(code)}: {measure}", f"{code}-{measure}"


ROLE_WORDS = {
    "GUARDIAN": "Children's guardian",
    "IRO": "IRO",
    "SOCIAL_WORKER": "Social worker",
    "IRO_MANAGER": "IRO managers",
}


def _owner(obligation: dict[str, Any]) -> tuple[str, str]:
    """Whose duty an obligation is: the people, and their roles, in words."""
    guardian = (obligation["ownerPerson"] or {}).get("name")
    if obligation["owner"] == "BOTH":
        iro = (obligation["partnerPerson"] or {}).get("name")
        people = " and ".join(name for name in (guardian, iro) if name) or "Nobody yet"
        return people, "Children's guardian and IRO"
    role = ROLE_WORDS.get(obligation["owner"], obligation["owner"].capitalize())
    if obligation["owner"] == "IRO_MANAGER":
        return "The authority's IRO managers", role  # nobody's by name (IA)
    return guardian or "Nobody yet", role


def _standing(obligation: dict[str, Any]) -> str:
    """Where an obligation stands, with the day it was met or closed."""
    state, closed = obligation["state"], long_date(obligation["closedAt"])
    if state == "MET":
        return f"Met on {closed}" + (" (on time)" if obligation["metOnTime"] else " (late)")
    if state == "WAIVED":
        return f"Waived on {closed}"
    if state == "NOT_APPLICABLE":
        return f"Did not apply (from {closed})"
    if state == "MISSED":
        return f"Missed ({closed})"
    return "Overdue" if obligation["overdue"] else "Open"


def _late_reviews(case: dict[str, Any]) -> list[dict[str, Any]]:
    """A case's children whose next review is late, each as a duty of their IRO due by its latest date."""
    return [
        {
            "code": "",
            "name": "Next looked-after review (regulation 33)",
            "child": f"{child['givenName']} {child['familyName']}",
            "owner": (child["iro"] or {}).get("name") or "Nobody yet",
            "role": "IRO",
            "dueOn": child["nextReview"]["dueBy"],
            "standing": (
                f"Late: booked for {long_date(child['nextReview']['bookedOn'])}"
                if child["nextReview"]["bookedOn"]
                else "Late: not booked"
            ),
            "closedAt": None,
        }
        for child in case["children"]
        if child.get("nextReview") and child["nextReview"]["late"]
    ]


def _rows(
    references: list[dict[str, Any]], late_reviews: bool = False, midpoints: bool = False
) -> list[dict[str, Any]]:
    """The cases behind a figure, one row per obligation the figure counts on each (for an IRO's late
    reviews, per child whose next review is late); a case the viewer may not read shows only its number."""
    rows: list[dict[str, Any]] = []
    for reference in references:
        case = reference["case"]
        base = {
            "id": reference["id"],
            "caseNumber": reference["caseNumber"],
            "readable": case is not None,
            "issuedOn": case["issuedOn"] if case else None,
            "stage": label_of(case["stage"], "stage") if case else "",
            "localAuthority": case["localAuthority"]["name"] if case else "",
            "children": ", ".join(f"{c['givenName']} {c['familyName']}" for c in case["children"])
            if case
            else "",
        }
        if midpoints:  # each child (or review) behind the figure, with their cycle
            lines: list[dict[str, Any] | None] = [*midpoint_lines(reference)]
            rows.extend({**base, "obligation": line} for line in lines or [None])
            continue
        if late_reviews:
            rows.extend({**base, "obligation": late} for late in (_late_reviews(case) if case else []))
            if not case:
                rows.append({**base, "obligation": None})
            continue
        obligations = sorted(reference["obligations"], key=lambda o: (o["dueOn"], o["code"]))
        for obligation in obligations or [None]:
            row = {**base, "obligation": None}
            if obligation:
                owner, role = _owner(obligation)
                row["obligation"] = {
                    "code": obligation["code"],
                    "name": coded(obligation["code"]),
                    "owner": owner,
                    "role": role,
                    "dueOn": obligation["dueOn"],
                    "standing": _standing(obligation),
                    "closedAt": obligation["closedAt"],
                }
            rows.append(row)
    return rows


async def drill_down(request: Request) -> Response:
    try:
        actor, rows, title, _ = await _cases(request)
    except BadPeriod:
        return _period_refused(request)
    filters, _ = _filters(request)
    return render(
        request,
        "dashboard_cases.html",
        {
            "actor": actor,
            "rows": rows,
            "cases": len({row["id"] for row in rows}),
            "with_obligations": any(row["obligation"] for row in rows),
            "title": title,
            "csv_link": "/dashboard/cases.csv?" + request.url.query,
            "back": "/dashboard?" + urlencode(filters),
        },
    )


async def drill_down_csv(request: Request) -> Response:
    try:
        _, rows, _, name = await _cases(request)
    except BadPeriod:
        return _period_refused(request)
    table = [
        [
            "case number",
            "issued",
            "stage",
            "local authority",
            "children",
            "obligation",
            "owner",
            "owner's role",
            "due",
            "where it stands",
            "met or closed on",
        ]
    ]
    for row in rows:
        obligation = row["obligation"] or {}
        table.append(
            [
                row["caseNumber"],
                row["issuedOn"] or "",
                row["stage"].lower(),
                row["localAuthority"],
                obligation.get("child") or row["children"],
                obligation.get("name", ""),
                obligation.get("owner", ""),
                obligation.get("role", ""),
                obligation.get("dueOn", ""),
                obligation.get("standing", ""),
                (obligation.get("closedAt") or "")[:10],
            ]
        )
    return _csv(table, f"{name}-cases")


routes = [
    Route("/dashboard", dashboard, methods=["GET"]),
    Route("/dashboard.csv", dashboard_csv, methods=["GET"]),
    Route("/dashboard/cases", drill_down, methods=["GET"]),
    Route("/dashboard/cases.csv", drill_down_csv, methods=["GET"]),
]
