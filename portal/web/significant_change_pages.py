"""Pages for significant changes in a looked-after child's circumstances (SC; CPPCR 2010 reg 33(3); issue
18): the form on which the child's social worker tells the IRO of one (or the IRO records one they learned
of), and a change's page, where the child's IRO books an additional review for it (the review form,
prefilled) or says no review is needed, with the reason. Each form runs a named mutation and re-shows itself
with every problem."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import clock
from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.web.case_forms import CaseForm
from portal.web.forms import FormErrors, date_values, iso, parse_date
from portal.web.labels import LABELS
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import render
from portal.web.requests import posted_form, signed_in

OPERATION = "SignificantChanges"
NOTIFY = CaseForm(
    "significant_change_form.html",
    "notifySignificantChange",
    {
        "childId": "childId",
        "kind": "kind",
        "occurredOn": "occurredOn-day",
        "summary": "summary",
        "caseId": "childId",
        "form": "childId",
    },
    operation=OPERATION,
    context=lambda case: {"notifiable": notifiable(case)},
)
# The answer on a change's page: why no review is needed (a refusal about the change itself shows there too).
ANSWER_FIELDS = {"reason": "reason", "response": "reason", "id": "reason", "form": "reason"}


def notifiable(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The looked-after children of the case whose social worker or IRO the viewer is (``me``, set by the
    page from the members): those they may tell the IRO of a change for."""
    me = case.get("me", "")
    mine = {
        child["id"]
        for member in case["members"]
        if member["role"] in {"SOCIAL_WORKER", "IRO"} and member["person"]["id"] == me
        for child in member["children"]
    }
    return [c for c in case["children"] if c["id"] in mine and c["lookedAfter"]]


async def _case(request: Request, uow: UnitOfWork, actor: Actor) -> dict[str, Any]:
    data = await operations(request).run(uow, actor, OPERATION, {"id": request.path_params["case_id"]})
    case: dict[str, Any] = data["case"]
    case["me"] = str(actor.person_id)
    return case


async def notify_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        case = await _case(request, uow, actor)
    if not case["viewerCan"]["notifySignificantChange"]:
        raise PageNotFound
    today = clock.today()
    values: dict[str, str] = dict(date_values("occurredOn", today.isoformat()))
    children = notifiable(case)
    if len(children) == 1:
        values["childId"] = children[0]["id"]
    return NOTIFY.render(request, actor, case, values, FormErrors({}))


async def notify(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(NOTIFY.anchors)
    occurred = parse_date(form, "occurredOn", "The date of the change", errors, "occurredOn")
    kind = form.get("kind", "")
    if kind and kind not in LABELS["change_kind"]:
        errors.add("kind", "Say what kind of change it is")
    variables = {
        "input": {
            "caseId": request.path_params["case_id"],
            "childId": form.get("childId") or None,
            "kind": kind if kind in LABELS["change_kind"] else None,
            "occurredOn": iso(occurred),
            "summary": form.get("summary", ""),
        }
    }
    case_id = request.path_params["case_id"]
    async with signed_in(request) as (uow, actor):
        result = await operations(request).run(uow, actor, "NotifySignificantChange", variables)
        errors.add_api_errors(result["notifySignificantChange"]["errors"])
        if errors:
            uow.fail()
            case = await _case(request, uow, actor)
            if not case["viewerCan"]["notifySignificantChange"]:
                raise PageNotFound
            return NOTIFY.render(request, actor, case, form, errors, status_code=400)
    return RedirectResponse(f"/cases/{case_id}?done=change-notified", status_code=303)


def _change(case: dict[str, Any], change_id: str) -> dict[str, Any]:
    change: dict[str, Any] | None = next(
        (c for c in case["significantChanges"] if c["id"] == change_id), None
    )
    if change is None:
        raise PageNotFound
    return change


def _page(
    request: Request,
    actor: Actor,
    case: dict[str, Any],
    values: dict[str, str],
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    change = _change(case, request.path_params["change_id"])
    child = next(c for c in case["children"] if c["id"] == change["childId"])
    review = next((r for r in case["reviews"] if r["id"] == change["reviewId"]), None)
    childs_iro = bool(child["iro"]) and child["iro"]["id"] == case["me"]
    return render(
        request,
        "significant_change.html",
        {
            "actor": actor,
            "case": case,
            "change": change,
            "child": child,
            "review": review,
            # The child's IRO answers a change not yet answered.
            "answers": childs_iro and case["viewerCan"]["manageReviews"] and change["response"] is None,
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


async def change_page(request: Request) -> Response:
    """A significant change, for everyone who reads the case; its IRO's answer, for the child's IRO."""
    async with signed_in(request) as (uow, actor):
        case = await _case(request, uow, actor)
    return _page(request, actor, case, {}, FormErrors({}))


async def no_review(request: Request) -> Response:
    """The child's IRO says no review is needed, with the reason (meets SC)."""
    form = await posted_form(request)
    case_id, change_id = request.path_params["case_id"], request.path_params["change_id"]
    errors = FormErrors(ANSWER_FIELDS)
    input = {"id": change_id, "response": "NO_REVIEW", "reason": form.get("reason", "")}
    async with signed_in(request) as (uow, actor):
        payload = (await operations(request).run(uow, actor, "RespondToSignificantChange", {"input": input}))[
            "respondToSignificantChange"
        ]
        if any(e["code"] in {"NOT_FOUND", "INVALID_ID"} for e in payload["errors"]):
            raise PageNotFound  # not there, or not theirs to see: the same to them
        errors.add_api_errors(payload["errors"])
        if errors:
            uow.fail()
            case = await _case(request, uow, actor)
            return _page(request, actor, case, form, errors, status_code=400)
    return RedirectResponse(f"/cases/{case_id}?done=change-answered", status_code=303)


routes = [
    Route("/cases/{case_id}/significant-changes/new", notify_form, methods=["GET"]),
    Route("/cases/{case_id}/significant-changes", notify, methods=["POST"]),
    Route("/cases/{case_id}/significant-changes/{change_id}", change_page, methods=["GET"]),
    Route("/cases/{case_id}/significant-changes/{change_id}/no-review", no_review, methods=["POST"]),
]
