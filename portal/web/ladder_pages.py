"""A local authority's dispute resolution ladder, and a Cafcass service area's timescale for referrals to
Cafcass, for their administrators (and national ones): the version in force, and a form to set a new one
(portal/disputes/ladders.py and portal/referrals/timescales.py check them). Disputes raised and referrals
made from then on follow the new version; those open keep theirs. Anyone else finds no such page."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from models import OrganisationKind
from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.web.admin_pages import administered_organisation
from portal.web.forms import FormErrors, parse_whole_number
from portal.web.operations import PageNotFound
from portal.web.pages import Flash, operations
from portal.web.rendering import render
from portal.web.requests import posted_form, signed_in

# The form's rows of stages (blank ones are left out): more than the Handbook's default of five.
LADDER_ROWS = 8
LADDER_FIELDS = {
    "stages": "stages-0-answerer",
    **{
        f"stages.{n}.{part}": f"stages-{n}-{part}"
        for n in range(LADDER_ROWS)
        for part in ("answerer", "workingDays")
    },
    "overallWorkingDays": "overallWorkingDays",
    "solicitorFromStage": "solicitorFromStage",
    "organisationId": "stages-0-answerer",
    "form": "stages-0-answerer",
}
LADDER_FLASH = {
    "set": Flash("The new ladder is in force for the disputes raised from now on. Open disputes keep theirs.")
}


async def _configured(
    request: Request, uow: UnitOfWork, actor: Actor, chosen: str | None, kind: OrganisationKind, query: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The organisation the page is about, if it is of ``kind`` and the actor administers it, and what the
    operation ``query`` gives for it (its one root)."""
    organisation = await administered_organisation(request, uow, actor, chosen)
    if organisation["kind"] != kind.name:
        raise PageNotFound
    data = await operations(request).run(uow, actor, query, {"organisationId": organisation["id"]})
    return organisation, next(iter(data.values()))


async def _ladder(
    request: Request, uow: UnitOfWork, actor: Actor, chosen: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The authority the page is about and its ladder in force, if the actor administers it."""
    return await _configured(request, uow, actor, chosen, OrganisationKind.LOCAL_AUTHORITY, "DisputeLadder")


def _ladder_values(ladder: dict[str, Any]) -> dict[str, str]:
    """The form filled with the ladder in force, to change from."""
    values = {
        "overallWorkingDays": str(ladder["overallWorkingDays"]),
        "solicitorFromStage": str(ladder["solicitorFromStage"] or ""),
    }
    for n, stage in enumerate(ladder["stages"]):
        values[f"stages-{n}-answerer"] = stage["answerer"]
        values[f"stages-{n}-workingDays"] = str(stage["workingDays"])
    return values


def _render_ladder(
    request: Request,
    actor: Actor,
    organisation: dict[str, Any],
    ladder: dict[str, Any],
    values: dict[str, str],
    errors: FormErrors,
) -> Response:
    return render(
        request,
        "admin_dispute_ladder.html",
        {
            "actor": actor,
            "organisation": organisation,
            "ladder": ladder,
            "values": values,
            "errors": errors,
            "rows": range(LADDER_ROWS),
            "flash": LADDER_FLASH.get(request.query_params.get("done", "")),
        },
        status_code=400 if errors else 200,
    )


async def ladder_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        organisation, ladder = await _ladder(request, uow, actor)
    return _render_ladder(request, actor, organisation, ladder, _ladder_values(ladder), FormErrors({}))


def _ladder_input(form: dict[str, str], errors: FormErrors) -> tuple[dict[str, Any], dict[str, str]]:
    """The new ladder from the form, with the page's own problems (numbers it could not read) added, and
    the form's values with the blank rows of stages left out, so that each row is the stage it numbers."""
    rows = [
        (form.get(f"stages-{n}-answerer", "").strip(), form.get(f"stages-{n}-workingDays", "").strip())
        for n in range(LADDER_ROWS)
    ]
    stages, values = [], {k: v for k, v in form.items() if not k.startswith("stages-")}
    for n, (post, days) in enumerate(row for row in rows if any(row)):
        message = f"Enter the working days for stage {n + 1} as a number, like 5"
        working_days = parse_whole_number(days, errors, f"stages.{n}.workingDays", message)
        stages.append({"answerer": post, "workingDays": working_days or 0})
        values |= {f"stages-{n}-answerer": post, f"stages-{n}-workingDays": days}
    overall = parse_whole_number(
        form.get("overallWorkingDays", ""),
        errors,
        "overallWorkingDays",
        "Enter the working days for the whole ladder as a number, like 20",
    )
    solicitor = form.get("solicitorFromStage", "").strip()
    message = "Enter the stage's number, like 3, or leave it empty"
    input = {
        "stages": stages,
        "overallWorkingDays": overall or 0,
        "solicitorFromStage": parse_whole_number(solicitor, errors, "solicitorFromStage", message)
        if solicitor
        else None,
    }
    return input, values


async def set_ladder(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(LADDER_FIELDS)
    input, values = _ladder_input(form, errors)
    async with signed_in(request) as (uow, actor):
        organisation, ladder = await _ladder(request, uow, actor, form.get("organisation"))
        variables = {"input": {"organisationId": organisation["id"], **input}}
        result = await operations(request).run(uow, actor, "SetDisputeLadder", variables)
        errors.add_api_errors(result["setDisputeLadder"]["errors"])
        if errors:
            uow.fail()
            return _render_ladder(request, actor, organisation, ladder, values, errors)
    return RedirectResponse(
        f"/admin/dispute-ladder?organisation={organisation['id']}&done=set", status_code=303
    )


routes = [
    Route("/admin/dispute-ladder", ladder_page, methods=["GET"]),
    Route("/admin/dispute-ladder", set_ladder, methods=["POST"]),
]


# ---------------------------------------------------------------------------------------------------------
# A Cafcass service area's timescale for referrals (portal/referrals/timescales.py)

TIMESCALE_FIELDS = {
    "acknowledgeWorkingDays": "acknowledgeWorkingDays",
    "appointWorkingDays": "appointWorkingDays",
    "outcomeWorkingDays": "outcomeWorkingDays",
    "organisationId": "acknowledgeWorkingDays",
    "form": "acknowledgeWorkingDays",
}
# Each step's field, and how the page names it in a problem.
TIMESCALE_STEPS = (
    ("acknowledgeWorkingDays", "to acknowledge a referral"),
    ("appointWorkingDays", "to appoint an officer"),
    ("outcomeWorkingDays", "to the outcome"),
)
TIMESCALE_FLASH = {
    "set": Flash("The new timescale is in force for referrals made from now on. Open referrals keep theirs.")
}


async def _timescale(
    request: Request, uow: UnitOfWork, actor: Actor, chosen: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The service area the page is about and its timescale in force, if the actor administers it."""
    kind = OrganisationKind.CAFCASS_SERVICE_AREA
    return await _configured(request, uow, actor, chosen, kind, "ReferralTimescale")


def _render_timescale(
    request: Request,
    actor: Actor,
    organisation: dict[str, Any],
    timescale: dict[str, Any],
    values: dict[str, str],
    errors: FormErrors,
) -> Response:
    return render(
        request,
        "admin_referral_timescale.html",
        {
            "actor": actor,
            "organisation": organisation,
            "timescale": timescale,
            "values": values,
            "errors": errors,
            "flash": TIMESCALE_FLASH.get(request.query_params.get("done", "")),
        },
        status_code=400 if errors else 200,
    )


async def timescale_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        organisation, timescale = await _timescale(request, uow, actor)
    values = {field: str(timescale[field]) for field, _ in TIMESCALE_STEPS}
    return _render_timescale(request, actor, organisation, timescale, values, FormErrors({}))


async def set_timescale(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(TIMESCALE_FIELDS)
    days = {
        field: parse_whole_number(
            form.get(field, ""), errors, field, f"Enter the working days {words} as a number, like 5"
        )
        or 0
        for field, words in TIMESCALE_STEPS
    }
    async with signed_in(request) as (uow, actor):
        organisation, timescale = await _timescale(request, uow, actor, form.get("organisation"))
        variables = {"input": {"organisationId": organisation["id"], **days}}
        result = await operations(request).run(uow, actor, "SetReferralTimescale", variables)
        errors.add_api_errors(result["setReferralTimescale"]["errors"])
        if errors:
            uow.fail()
            return _render_timescale(request, actor, organisation, timescale, form, errors)
    return RedirectResponse(
        f"/admin/referral-timescale?organisation={organisation['id']}&done=set", status_code=303
    )


routes += [
    Route("/admin/referral-timescale", timescale_page, methods=["GET"]),
    Route("/admin/referral-timescale", set_timescale, methods=["POST"]),
]
