"""Keeping a case's records: its retention date and legal holds (everyone who may read the case sees them;
the authority's solicitor and the managers in scope place and lift holds), and each local authority's rule,
for its administrators."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.retention.policy import DEFAULT_AGE, KEEP_YEARS_MAX, KEEP_YEARS_MIN
from portal.web.admin_pages import administered_organisation
from portal.web.forms import FormErrors
from portal.web.operations import PageNotFound
from portal.web.pages import Flash, operations
from portal.web.rendering import render
from portal.web.requests import posted_form, signed_in

FLASH = {
    "placed": Flash("The legal hold is in place: the case will be kept until it is lifted.", True),
    "lifted": Flash("The legal hold is lifted.", True),
}
RULE_FLASH = {"set": Flash("The rule is saved. The portal applies it from now on.", True)}


async def _case(request: Request, uow: UnitOfWork, actor: Actor) -> dict[str, Any]:
    data = await operations(request).run(uow, actor, "CaseRetention", {"id": request.path_params["case_id"]})
    case: dict[str, Any] = data["case"]
    return case


async def retention_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        case = await _case(request, uow, actor)
    return render(
        request,
        "retention.html",
        {"actor": actor, "case": case, "flash": FLASH.get(request.query_params.get("done", ""))},
    )


def _hold_page(
    request: Request, actor: Actor, case: dict[str, Any], values: dict[str, str], errors: FormErrors
) -> Response:
    hold_id = request.path_params.get("hold_id")
    hold = None
    if hold_id is not None:
        hold = next((h for h in case["retention"]["legalHolds"] if h["id"] == hold_id), None)
        if hold is None or hold["liftedAt"]:
            raise PageNotFound
    return render(
        request,
        "legal_hold_form.html",
        {"actor": actor, "case": case, "hold": hold, "values": values, "errors": errors},
        status_code=400 if errors else 200,
    )


async def hold_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        case = await _case(request, uow, actor)
    if not case["viewerCan"]["manageLegalHolds"]:
        raise PageNotFound
    return _hold_page(request, actor, case, {}, FormErrors({}))


async def place_hold(request: Request) -> Response:
    return await _post_hold(request, "PlaceLegalHold", "placed")


async def lift_hold(request: Request) -> Response:
    return await _post_hold(request, "LiftLegalHold", "lifted")


async def _post_hold(request: Request, operation: str, done: str) -> Response:
    case_id = request.path_params["case_id"]
    form = await posted_form(request)
    hold_id = request.path_params.get("hold_id")
    subject = {"id": hold_id} if hold_id else {"caseId": case_id}
    variables = {"input": {**subject, "reason": form.get("reason", "")}}
    errors = FormErrors({"reason": "reason"})
    async with signed_in(request) as (uow, actor):
        result = await operations(request).run(uow, actor, operation, variables)
        payload = next(iter(result.values()))
        codes = {e["code"] for e in payload["errors"]}
        if "NOT_FOUND" in codes:
            raise PageNotFound
        if "ALREADY_DONE" in codes:  # lifted meanwhile, by someone else or a second click
            return RedirectResponse(f"/cases/{case_id}/retention?done={done}", status_code=303)
        errors.add_api_errors(payload["errors"])
        if errors:
            uow.fail()
            case = await _case(request, uow, actor)
            return _hold_page(request, actor, case, form, errors)
    return RedirectResponse(f"/cases/{case_id}/retention?done={done}", status_code=303)


# ---------------------------------------------------------------------------------------------------------
# An authority's rule (its administrators)

RULE_FIELDS = {"rule": "rule", "keepYearsAfterConclusion": "keepYearsAfterConclusion"}


async def _rule(request: Request, uow: UnitOfWork, actor: Actor, chosen: str | None = None) -> dict[str, Any]:
    organisation = await administered_organisation(request, uow, actor, chosen)
    data = await operations(request).run(uow, actor, "RetentionRule", {"organisationId": organisation["id"]})
    rule: dict[str, Any] = data["retentionRule"]
    return rule


def _rule_page(
    request: Request, actor: Actor, rule: dict[str, Any], values: dict[str, str], errors: FormErrors
) -> Response:
    return render(
        request,
        "admin_retention.html",
        {
            "actor": actor,
            "rule": rule,
            "values": values,
            "errors": errors,
            "default_age": DEFAULT_AGE,
            "years_min": KEEP_YEARS_MIN,
            "years_max": KEEP_YEARS_MAX,
            "flash": RULE_FLASH.get(request.query_params.get("done", "")),
        },
        status_code=400 if errors else 200,
    )


async def rule_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        rule = await _rule(request, uow, actor)
    years = rule["keepYearsAfterConclusion"]
    values = {"rule": "years" if years else "default", "keepYearsAfterConclusion": str(years or "")}
    return _rule_page(request, actor, rule, values, FormErrors(RULE_FIELDS))


async def set_rule(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(RULE_FIELDS)
    years: int | None = None
    if form.get("rule") == "years":
        text = form.get("keepYearsAfterConclusion", "").strip()
        if not text.isdigit():
            errors.add("keepYearsAfterConclusion", "Enter the number of years, like 25")
        else:
            years = int(text)
    elif form.get("rule") != "default":
        errors.add("rule", "Choose how long to keep concluded cases")
    async with signed_in(request) as (uow, actor):
        rule = await _rule(request, uow, actor, form.get("organisation"))
        if not errors:
            variables = {
                "input": {"organisationId": rule["organisation"]["id"], "keepYearsAfterConclusion": years}
            }
            result = await operations(request).run(uow, actor, "SetRetentionRule", variables)
            errors.add_api_errors(result["setRetentionRule"]["errors"])
        if errors:
            uow.fail()
            return _rule_page(request, actor, rule, form, errors)
    return RedirectResponse(
        f"/admin/retention?organisation={rule['organisation']['id']}&done=set", status_code=303
    )


routes = [
    Route("/cases/{case_id}/retention", retention_page, methods=["GET"]),
    Route("/cases/{case_id}/retention/hold", hold_form, methods=["GET"]),
    Route("/cases/{case_id}/retention/hold", place_hold, methods=["POST"]),
    Route("/cases/{case_id}/retention/holds/{hold_id}/lift", hold_form, methods=["GET"]),
    Route("/cases/{case_id}/retention/holds/{hold_id}/lift", lift_hold, methods=["POST"]),
    Route("/admin/retention", rule_page, methods=["GET"]),
    Route("/admin/retention", set_rule, methods=["POST"]),
]
