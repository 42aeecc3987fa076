"""The dashboards for Cafcass and IRO managers: adherence per code (a table per group with a server-rendered
SVG chart, the table its alternative), Table 1 measured, the 26-week tracker, handovers, court papers and IRO
workload. Every figure links to the cases behind it; each section and each list of cases downloads as CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date, timedelta
from itertools import groupby
from typing import Any, TypedDict
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from portal import clock
from portal.dashboards.adherence import GroupBy, Measure
from portal.dashboards.drill import Figure
from portal.dashboards.viewer import may_view, period_problems
from portal.web.forms import FormErrors
from portal.web.headers import attachment
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import render
from portal.web.requests import signed_in

PERIOD_DAYS = 182
COLUMNS = [
    ("opened", "Opened", "OPENED"),
    ("metOnTime", "Met on time", "MET_ON_TIME"),
    ("metLate", "Met late", "MET_LATE"),
    ("waived", "Waived", "WAIVED"),
    ("notApplicable", "Did not apply", "NOT_APPLICABLE"),
    ("open", "Open", "OPEN"),
    ("overdue", "Overdue", "OVERDUE"),
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
SECTIONS = ("adherence", "table1", "tracker", "handovers", "papers", "workload")


def _filters(request: Request) -> dict[str, str]:
    query = request.query_params
    today = clock.today()

    def day(name: str, default: date) -> str:
        try:
            return date.fromisoformat(query.get(name, "")).isoformat()
        except ValueError:
            return default.isoformat()

    by = query.get("by", "").upper()
    return {
        "start": day("start", today - timedelta(days=PERIOD_DAYS)),
        "end": day("end", today),
        "by": by if by in GroupBy.__members__ else "NONE",
    }


class BadPeriod(Exception):
    """The period asked for is one the dashboards refuse (the rule: portal.dashboards.viewer)."""

    def __init__(self, actor: Any, errors: FormErrors) -> None:
        self.actor, self.errors = actor, errors
        super().__init__("; ".join(error.message for error in errors.summary))


def _period(actor: Any, filters: dict[str, str]) -> None:
    problems = period_problems(date.fromisoformat(filters["start"]), date.fromisoformat(filters["end"]))
    if problems:
        errors = FormErrors({"start": "start", "end": "end"})
        for problem in problems:
            errors.add(problem.field or "start", problem.message)
        raise BadPeriod(actor, errors)


async def _figures(request: Request) -> tuple[Any, dict[str, str], dict[str, Any]]:
    filters = _filters(request)
    async with signed_in(request) as (uow, actor):
        if not may_view(actor):
            raise PageNotFound
        _period(actor, filters)
        data = await operations(request).run(uow, actor, "Adherence", filters)
    return actor, filters, data


def _table1_links(line: dict[str, Any]) -> list[tuple[str, str | None]]:
    """Each count's key in a Table 1 line and the figure behind it (none for "sometimes" of the final
    discussion, which was held or not)."""
    categories = (
        ("HELD", None, "NOT_HELD")
        if line["question"] == "final_discussion"
        else ("ALWAYS_OR_MOSTLY", "SOMETIMES", "RARELY_OR_NEVER")
    )
    return [
        (key, f"{line['question'].upper()}_{category}" if category else None)
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


def _stacked(rows: Iterable[tuple[str, int, list[tuple[str, str, int]]]], width: int = 520) -> dict[str, Any]:
    """Horizontal bars, one per row (label, total, segments of (label, css class, value)), each segment a
    share of the row's total. Geometry only; the template draws it."""
    height = 28
    bars: list[_Bar] = []
    for index, (label, total, parts) in enumerate(rows):
        x = 0.0
        segments: list[_Segment] = []
        for name, css, value in parts:
            share = value / (total or 1) * width
            if value:
                segments.append(
                    {"x": round(x, 1), "width": round(share, 1), "css": css, "label": name, "value": value}
                )
            x += share
        bars.append({"y": index * height, "label": label, "segments": segments})
    # Room on the left for the longest label (about 8 units a character at the labels' size).
    margin = 10 + 8 * max([4, *(len(bar["label"]) for bar in bars)])
    return {"bars": bars, "width": width, "height": max(1, len(bars)) * height, "margin": margin}


def _adherence_chart(lines: list[dict[str, Any]]) -> dict[str, Any]:
    """Per code, shares of what opened: met on time, met late, overdue, open, waived or did not apply."""
    return _stacked(
        (
            line["code"],
            line["opened"],
            [
                ("met on time", "app-chart__on-time", line["metOnTime"]),
                ("met late", "app-chart__late", line["metLate"]),
                ("overdue", "app-chart__overdue", line["overdue"]),
                ("open", "app-chart__open", line["open"] - line["overdue"]),
                ("waived or did not apply", "app-chart__other", line["waived"] + line["notApplicable"]),
            ],
        )
        for line in lines
    )


def _workload_chart(loads: list[dict[str, Any]]) -> dict[str, Any]:
    """Each IRO's children on one scale (at least the Handbook's 70): in proceedings, and the rest."""
    scale = max([70, *(load["children"] for load in loads)])
    return _stacked(
        (
            load["name"],
            scale,
            [
                ("in proceedings", "app-chart__late", load["inProceedings"]),
                ("not in proceedings", "app-chart__open", load["children"] - load["inProceedings"]),
            ],
        )
        for load in loads
    )


async def dashboard(request: Request) -> Response:
    try:
        actor, filters, data = await _figures(request)
    except BadPeriod as bad:
        context = {"actor": bad.actor, "filters": _filters(request), "errors": bad.errors}
        return render(request, "dashboard.html", context, status_code=400)
    groups = [
        {"id": group_id, "name": name, "lines": list(rows)}
        for (group_id, name), rows in groupby(
            data["adherence"], key=lambda line: (line["groupId"], line["groupName"])
        )
    ]
    handovers, papers = data["handoverFigures"], data["paperTimings"]
    period = {"start": filters["start"], "end": filters["end"]}
    return render(
        request,
        "dashboard.html",
        {
            "actor": actor,
            "filters": filters,
            "errors": FormErrors({}),
            "groups": [{**group, "chart": _adherence_chart(group["lines"])} for group in groups],
            "columns": COLUMNS,
            "table1": data["table1"],
            "table1_links": _table1_links,
            "tracker": data["proceedingsTracker"],
            "tracker_figures": TRACKER_FIGURES,
            "workload": data["iroWorkload"],
            "workload_chart": _workload_chart(data["iroWorkload"]),
            "handovers": handovers,
            "handover_columns": HANDOVERS,
            "handover_chart": _stacked(
                [
                    (
                        "Handovers",
                        handovers["due"],
                        [(label, css, handovers[key]) for key, label, _, css in HANDOVERS],
                    )
                ]
            ),
            "papers": papers,
            "paper_columns": PAPERS,
            "paper_chart": _stacked(
                [("Papers", papers["filed"], [(label, css, papers[key]) for key, label, _, css in PAPERS])]
            ),
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
        header = ["due", *(label.lower() for _, label, _, _ in HANDOVERS), "acknowledged"]
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
    if section == "workload":
        return [["IRO", "children", "in proceedings", "overdue reviews", "above 70"]] + [
            [
                load["name"],
                load["children"],
                load["inProceedings"],
                load["overdueReviews"],
                "yes" if load["overRange"] else "no",
            ]
            for load in data["iroWorkload"]
        ]
    keys = ["groupName", "code", *(key for key, _, _ in COLUMNS), "lateMedianDays", "lateP90Days"]
    return [
        ["group", "code", *(label.lower() for _, label, _ in COLUMNS), "median days late", "p90 days late"]
    ] + [["" if line[k] is None else line[k] for k in keys] for line in data["adherence"]]


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
        _, filters, data = await _figures(request)
    except BadPeriod as bad:
        return PlainTextResponse(str(bad), status_code=400)
    section = request.query_params.get("section", "adherence")
    section = section if section in SECTIONS else "adherence"
    return _csv(_section_rows(section, data), f"{section}-{filters['start']}-to-{filters['end']}")


async def _cases(request: Request) -> tuple[Any, list[dict[str, Any]], str]:
    """The cases behind the figure the query names: an adherence figure (code and measure) or another one."""
    filters = _filters(request)
    query = request.query_params
    figure = query.get("figure", "").upper()
    async with signed_in(request) as (uow, actor):
        if not may_view(actor):
            raise PageNotFound
        _period(actor, filters)
        if figure:
            if figure not in Figure.__members__:
                raise PageNotFound
            variables: dict[str, Any] = {
                "figure": figure,
                "start": filters["start"],
                "end": filters["end"],
                "iroId": query.get("iro") or None,
            }
            data = await operations(request).run(uow, actor, "DashboardCases", variables)
            return actor, _readable(data["dashboardCases"]), figure.replace("_", " ").capitalize()
        variables = {
            **filters,
            "code": query.get("code", ""),
            "measure": query.get("measure", "OPENED").upper(),
            "groupId": query.get("group") or None,
        }
        if variables["measure"] not in Measure.__members__:
            raise PageNotFound
        data = await operations(request).run(uow, actor, "AdherenceCases", variables)
    title = f"{variables['code']}: {variables['measure'].lower().replace('_', ' ')}"
    return actor, _readable(data["adherenceCases"]), title


def _readable(references: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cases behind a figure, as the manager (signed in, so they may read them) sees them."""
    return [{"id": r["id"], "caseNumber": r["caseNumber"], **r["case"]} for r in references if r["case"]]


async def drill_down(request: Request) -> Response:
    try:
        actor, cases, title = await _cases(request)
    except BadPeriod as bad:
        return PlainTextResponse(str(bad), status_code=400)
    filters = _filters(request)
    return render(
        request,
        "dashboard_cases.html",
        {
            "actor": actor,
            "cases": cases,
            "title": title,
            "csv_link": "/dashboard/cases.csv?" + request.url.query,
            "back": "/dashboard?" + urlencode(filters),
        },
    )


async def drill_down_csv(request: Request) -> Response:
    try:
        _, cases, title = await _cases(request)
    except BadPeriod as bad:
        return PlainTextResponse(str(bad), status_code=400)
    rows = [["case number", "issued", "stage", "local authority", "children"]] + [
        [
            case["caseNumber"],
            case["issuedOn"],
            case["stage"].lower().replace("_", " "),
            case["localAuthority"]["name"],
            "; ".join(f"{c['givenName']} {c['familyName']}" for c in case["children"]),
        ]
        for case in cases
    ]
    return _csv(rows, f"{title}-cases")


routes = [
    Route("/dashboard", dashboard, methods=["GET"]),
    Route("/dashboard.csv", dashboard_csv, methods=["GET"]),
    Route("/dashboard/cases", drill_down, methods=["GET"]),
    Route("/dashboard/cases.csv", drill_down_csv, methods=["GET"]),
]
