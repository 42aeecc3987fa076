"""The IRO service's annual report (issue 19): a page for a reporting year (``/reports/annual?year=YYYY``, the
year running by default), linked from the IRO manager's dashboard, and the same report as a tagged,
accessible PDF and as a Word document to complete with narrative. All three run the AnnualReport operation;
anyone but an IRO manager gets the 404."""

from __future__ import annotations

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
from portal.reports.annual import current_year, year_bounds
from portal.reports.annual_document import Document, Section, Table
from portal.reports.word import word_document
from portal.web.forms import FormErrors
from portal.web.headers import attachment
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import TEMPLATES, render
from portal.web.requests import signed_in

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _year(asked: str) -> tuple[int | None, FormErrors]:
    """The reporting year asked for, or the problem with it."""
    errors = FormErrors({"year": "year"})
    if not asked.isascii() or not asked.isdigit() or len(asked) > 4:
        errors.add("year", "Enter the year the reporting year begins in, for example 2026")
        return None, errors
    try:
        year_bounds(int(asked), clock.today())
    except DomainError as refused:
        for problem in refused.problems:
            errors.add("year", problem.message)
        return None, errors
    return int(asked), errors


async def _report(request: Request, asked: str) -> tuple[Actor, dict[str, Any] | None, FormErrors]:
    async with signed_in(request) as (uow, actor):
        if not (may_view(actor) and actor.has_role(Role.IRO_MANAGER)):
            raise PageNotFound
        year, errors = _year(asked)
        if year is None:
            return actor, None, errors
        data = await operations(request).run(uow, actor, "AnnualReport", {"year": year})
    return actor, data["annualReport"], errors


async def annual_page(request: Request) -> Response:
    asked = request.query_params.get("year", "").strip() or str(current_year(clock.today()))
    actor, report, errors = await _report(request, asked)
    return render(
        request,
        "report_annual.html",
        {"actor": actor, "report": report, "values": {"year": asked}, "errors": errors},
        status_code=400 if errors else 200,
    )


def _document(report: dict[str, Any]) -> Document:
    return Document(
        title=report["title"],
        subtitle=report["subtitle"],
        about=report["about"],
        sections=[
            Section(
                heading=s["heading"],
                paragraphs=s["paragraphs"],
                tables=[Table(t["caption"], tuple(t["header"]), t["rows"]) for t in s["tables"]],
                narrative=s["narrative"],
            )
            for s in report["sections"]
        ],
    )


async def annual_download(request: Request) -> Response:
    """The report as a PDF or a Word document."""
    asked, extension = request.path_params["year"], request.path_params["format"]
    if extension not in {"pdf", "docx"}:
        raise PageNotFound
    _, report, errors = await _report(request, asked)
    if report is None or errors:
        raise PageNotFound
    name = f"iro-annual-report-{report['year']}-{report['year'] + 1}.{extension}"
    headers = {"Content-Disposition": attachment(name)}
    if extension == "pdf":
        html = TEMPLATES.get_template("report_annual_pdf.html").render(report=report)
        return Response(await print_pdf(html), media_type="application/pdf", headers=headers)
    return Response(word_document(_document(report)), media_type=WORD, headers=headers)


routes = [
    Route("/reports/annual", annual_page, methods=["GET"]),
    Route("/reports/annual/{year}.{format}", annual_download, methods=["GET"]),
]
