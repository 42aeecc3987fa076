"""The guardian's record of whether their analysis cites the IRO's view of the care plan (issue 19;
RESEARCH-NOTES.md §1.7): a form for each analysis, linked from the papers tab (and reached straight after
filing one). It runs RecordIroView and re-shows itself with every problem."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.web.forms import FormErrors
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import render
from portal.web.requests import posted_form, signed_in

ANALYSES = {"GUARDIAN_ANALYSIS_INITIAL", "GUARDIAN_ANALYSIS_FINAL"}
FIELDS = {"cites": "cites", "reason": "reason", "paperId": "cites", "form": "cites"}
ANSWERS = {"yes": True, "no": False}


async def _analysis(request: Request, uow: UnitOfWork, actor: Actor) -> tuple[dict[str, Any], dict[str, Any]]:
    """The case and the analysis the address names, for the guardian who may record it; otherwise the 404
    (a paper not there, not theirs to see, or not an analysis look the same)."""
    data = await operations(request).run(uow, actor, "CasePapers", {"id": request.path_params["case_id"]})
    case: dict[str, Any] = data["case"]
    paper = next((p for p in case["papers"] if p["id"] == request.path_params["paper_id"]), None)
    if paper is None or paper["kind"] not in ANALYSES or not case["viewerCan"]["recordIroView"]:
        raise PageNotFound
    return case, paper


def _page(
    request: Request,
    actor: Actor,
    case: dict[str, Any],
    paper: dict[str, Any],
    values: dict[str, str],
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "iro_view_form.html",
        {
            "actor": actor,
            "case": case,
            "paper": paper,
            "values": values,
            "errors": errors,
            "filed": request.query_params.get("filed") == "1",
        },
        status_code=status_code,
    )


async def iro_view_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        case, paper = await _analysis(request, uow, actor)
    recorded = paper["iroView"]
    values = {"cites": "yes" if recorded["cites"] else "no", "reason": recorded["reason"]} if recorded else {}
    return _page(request, actor, case, paper, values, FormErrors({}))


async def record_iro_view(request: Request) -> Response:
    form = await posted_form(request)
    case_id, paper_id = request.path_params["case_id"], request.path_params["paper_id"]
    errors = FormErrors(FIELDS)
    answer = ANSWERS.get(form.get("cites", ""))
    input = {
        "paperId": paper_id,
        "cites": answer,
        "reason": form.get("reason", "") if answer is False else "",
    }
    async with signed_in(request) as (uow, actor):
        payload = (await operations(request).run(uow, actor, "RecordIroView", {"input": input}))[
            "recordIroView"
        ]
        if any(e["code"] in {"NOT_FOUND", "INVALID_ID"} for e in payload["errors"]):
            raise PageNotFound  # not there, or not theirs to record: the same to them
        errors.add_api_errors(payload["errors"])
        if errors:
            uow.fail()
            case, paper = await _analysis(request, uow, actor)
            return _page(request, actor, case, paper, form, errors, status_code=400)
    return RedirectResponse(f"/cases/{case_id}/papers?done=iro-view#paper-{paper_id}", status_code=303)


routes = [
    Route("/cases/{case_id}/papers/{paper_id}/iro-view", iro_view_form, methods=["GET"]),
    Route("/cases/{case_id}/papers/{paper_id}/iro-view", record_iro_view, methods=["POST"]),
]
