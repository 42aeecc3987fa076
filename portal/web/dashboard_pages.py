"""The adherence dashboard for Cafcass and IRO managers: a table per group, a server-rendered SVG chart with
the table as its alternative, each figure linking to the cases behind it, and the same figures as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from itertools import groupby
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal import clock
from portal.dashboards.adherence import GroupBy
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import render, sees_dashboards
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


async def _lines(request: Request) -> tuple[Any, dict[str, str], list[dict[str, Any]]]:
    filters = _filters(request)
    async with signed_in(request) as (uow, actor):
        if not sees_dashboards(actor):
            raise PageNotFound
        data = await operations(request).run(uow, actor, "Adherence", filters)
    request.state.table1 = data["table1"]
    request.state.tracker = data["proceedingsTracker"]
    request.state.workload = data["iroWorkload"]
    return actor, filters, data["adherence"]


def _chart(lines: list[dict[str, Any]]) -> dict[str, Any]:
    """Bars per code, as shares of what opened: met on time, met late, open overdue, open, waived or not
    applicable. Geometry only; the template draws it."""
    width, row = 520, 28
    bars = []
    for index, line in enumerate(lines):
        total = line["opened"] or 1
        x, segments = 0.0, []
        for key, label, css in (
            ("metOnTime", "met on time", "app-chart__on-time"),
            ("metLate", "met late", "app-chart__late"),
            ("overdue", "overdue", "app-chart__overdue"),
            ("openNotOverdue", "open", "app-chart__open"),
            ("closedOtherwise", "waived or did not apply", "app-chart__other"),
        ):
            value = {
                "openNotOverdue": line["open"] - line["overdue"],
                "closedOtherwise": line["waived"] + line["notApplicable"],
            }.get(key, line.get(key, 0))
            share = value / total * width
            if value:
                segments.append(
                    {"x": round(x, 1), "width": round(share, 1), "css": css, "label": label, "value": value}
                )
            x += share
        bars.append({"y": index * row, "code": line["code"], "segments": segments, "opened": line["opened"]})
    return {"bars": bars, "width": width, "height": max(1, len(bars)) * row}


async def dashboard(request: Request) -> Response:
    actor, filters, lines = await _lines(request)
    groups = [
        {"id": group_id, "name": name, "lines": list(rows), "chart": None}
        for (group_id, name), rows in groupby(lines, key=lambda line: (line["groupId"], line["groupName"]))
    ]
    for group in groups:
        group["chart"] = _chart(group["lines"])
    return render(
        request,
        "dashboard.html",
        {
            "actor": actor,
            "filters": filters,
            "groups": groups,
            "columns": COLUMNS,
            "table1": request.state.table1,
            "tracker": request.state.tracker,
            "workload": request.state.workload,
            "csv_link": "/dashboard.csv?" + urlencode(filters),
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


async def dashboard_csv(request: Request) -> Response:
    _, filters, lines = await _lines(request)
    out = io.StringIO()
    writer = csv.writer(out)
    keys = ["groupName", "code", *(key for key, _, _ in COLUMNS), "lateMedianDays", "lateP90Days"]
    writer.writerow(
        ["group", "code", *(label.lower() for _, label, _ in COLUMNS), "median days late", "p90 days late"]
    )
    for line in lines:
        writer.writerow(["" if line[k] is None else line[k] for k in keys])
    name = f"adherence-{filters['start']}-to-{filters['end']}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def drill_down(request: Request) -> Response:
    filters = _filters(request)
    query = request.query_params
    variables = {
        **filters,
        "code": query.get("code", ""),
        "measure": query.get("measure", "OPENED"),
        "groupId": query.get("group") or None,
    }
    async with signed_in(request) as (uow, actor):
        if not sees_dashboards(actor):
            raise PageNotFound
        data = await operations(request).run(uow, actor, "AdherenceCases", variables)
    return render(
        request,
        "dashboard_cases.html",
        {
            "actor": actor,
            "cases": data["adherenceCases"],
            "variables": variables,
            "back": "/dashboard?" + urlencode(filters),
        },
    )


routes = [
    Route("/dashboard", dashboard, methods=["GET"]),
    Route("/dashboard.csv", dashboard_csv, methods=["GET"]),
    Route("/dashboard/cases", drill_down, methods=["GET"]),
]
