"""The IRO manager's monthly management report by team (issue 19): a page for a calendar month
(``/reports/monthly?month=YYYY-MM``, this month by default), linked from their dashboard, and the same report
as a tagged, accessible PDF. Both run the MonthlyReport operation; anyone but an IRO manager gets the 404."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models import Role
from portal import clock
from portal.auth.actor import Actor
from portal.dashboards.viewer import may_view
from portal.errors import DomainError
from portal.printing import print_pdf
from portal.reports.service import month_bounds
from portal.web.forms import FormErrors
from portal.web.headers import attachment
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import TEMPLATES, render
from portal.web.requests import signed_in

MONTH = re.compile(r"(\d{4})-(\d{1,2})")
# The figures, as the page and the PDF show them: (key in a team's line, heading).
FIGURES = [
    ("reviewsHeldLate", "Reviews held late"),
    ("reviewsOverdue", "Reviews overdue"),
    ("actionsOverdue", "Review decisions overdue"),
    ("disputesOpened", "Disputes opened"),
    ("disputesResolved", "Disputes resolved"),
    ("disputesOpen", "Disputes open at the month's end"),
]


class _BadMonth(Exception):
    def __init__(self, errors: FormErrors) -> None:
        self.errors = errors
        super().__init__("the month asked for is refused")


def _month(request: Request) -> tuple[int, int, str]:
    """The month asked for (this month when none is), or _BadMonth with the problem."""
    today = clock.today()
    asked = request.query_params.get("month", "").strip() or f"{today.year:04d}-{today.month:02d}"
    errors = FormErrors({"month": "month", "year": "month"})
    found = MONTH.fullmatch(asked)
    if found is None:
        errors.add("month", "Enter the month as a year and month, for example 2027-03")
        raise _BadMonth(errors)
    year, month = int(found[1]), int(found[2])
    try:
        month_bounds(year, month, today)
    except DomainError as refused:
        for problem in refused.problems:
            errors.add("month", problem.message)
        raise _BadMonth(errors) from None
    return year, month, asked


async def _report(request: Request) -> tuple[Actor, dict[str, Any] | None, str, FormErrors]:
    async with signed_in(request) as (uow, actor):
        if not (may_view(actor) and actor.has_role(Role.IRO_MANAGER)):
            raise PageNotFound
        try:
            year, month, asked = _month(request)
        except _BadMonth as bad:
            return actor, None, request.query_params.get("month", ""), bad.errors
        data = await operations(request).run(uow, actor, "MonthlyReport", {"year": year, "month": month})
    return actor, data["monthlyReport"], asked, FormErrors({})


async def monthly_page(request: Request) -> Response:
    actor, report, asked, errors = await _report(request)
    return render(
        request,
        "report_monthly.html",
        {"actor": actor, "report": report, "figures": FIGURES, "values": {"month": asked}, "errors": errors},
        status_code=400 if errors else 200,
    )


async def monthly_pdf(request: Request) -> Response:
    _, report, asked, errors = await _report(request)
    if report is None or errors:
        raise PageNotFound
    html = TEMPLATES.get_template("report_monthly_pdf.html").render(report=report, figures=FIGURES)
    name = f"monthly-report-{asked}.pdf"
    return Response(
        await print_pdf(html), media_type="application/pdf", headers={"Content-Disposition": attachment(name)}
    )


routes = [
    Route("/reports/monthly", monthly_page, methods=["GET"]),
    Route("/reports/monthly.pdf", monthly_pdf, methods=["GET"]),
]
