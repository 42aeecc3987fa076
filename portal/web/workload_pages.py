"""The IRO manager's workload pages (issue 19): her authority's IROs weighed as IRO managers count them,
with the authority's total and its open conflicts of interest (``/workloads``); an IRO's profile; the
child-protection conferences an IRO chaired in a month (the IRO may enter their own); the authority's
weights; and recording or withdrawing a conflict of interest between an IRO and a child (the IRO may declare
their own). Each form runs a named mutation and re-shows itself with every problem; anyone else finds no
such page."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from models import CaseRole, Role
from portal import clock
from portal.auth.actor import Actor
from portal.dashboards.viewer import may_view
from portal.dashboards.workload import HANDBOOK_RANGE
from portal.web.forms import FormErrors, parse_whole_number
from portal.web.labels import LABELS, label
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import render
from portal.web.requests import posted_form, signed_in

PROFILE_FIELDS = (
    "fullTimeEquivalence",
    "employment",
    "childrenHeld",
    "siblingGroupChildren",
    "outOfAreaChildren",
)
WEIGHT_FIELDS = (
    (
        "siblingGroup",
        "Each child in a sibling group",
        "From -1 to 2: siblings reviewed together may take less each.",
    ),
    ("inProceedings", "Each child in care proceedings", "From -1 to 2."),
    ("outOfArea", "Each child placed out of area", "From -1 to 2: travel lengthens the reviews."),
    ("conference", "Each child-protection conference chaired last month", "From 0 to 5 children's worth."),
)
CONFLICT_FIELDS = {
    "childId": "childId",
    "iroId": "iroId",
    "kind": "kind",
    "details": "details",
    "form": "childId",
}
# The months offered for conferences: this one and the eleven before it.
MONTHS_OFFERED = 12


def _managers(actor: Actor | None) -> bool:
    """The workload pages are an IRO manager's (who sees the dashboards)."""
    return actor is not None and actor.has_role(Role.IRO_MANAGER) and may_view(actor)


def figure(value: float | None) -> str:
    """A figure as shown: whole numbers without a point, others to two places at most."""
    if value is None:
        return ""
    return f"{value:g}" if value == int(value) else f"{value:.2f}".rstrip("0")


def workload_rows(authority: dict[str, Any] | None) -> list[list[Any]]:
    """The workload section as a table for the CSV download, its header first (the columns it had before
    issue 19 first, as they were), then the authority's total."""
    header = [
        "IRO",
        "children",
        "in proceedings",
        "reviews late",
        "above 70",
        "full-time equivalence",
        "employment",
        "children held (entered)",
        "in sibling groups",
        "placed out of area",
        "conferences last month",
        "weighted caseload",
        "per full-time equivalent",
        "against 50 to 70",
        "children held below the portal's",
        "open conflicts of interest",
    ]
    loads = authority["iros"] if authority else []
    rows: list[list[Any]] = [header]
    for load in loads:
        rows.append(
            [
                load["name"],
                load["children"],
                load["inProceedings"],
                load["overdueReviews"],
                "yes" if load["overRange"] else "no",
                figure(load["fullTimeEquivalence"]),
                label(load["employment"], "employment") if load["employment"] else "",
                "" if load["childrenHeld"] is None else load["childrenHeld"],
                "" if load["siblingGroupChildren"] is None else load["siblingGroupChildren"],
                "" if load["outOfAreaChildren"] is None else load["outOfAreaChildren"],
                "" if load["conferencesLastMonth"] is None else load["conferencesLastMonth"],
                figure(load["weightedCaseload"]),
                figure(load["perFullTimeEquivalent"]),
                label(load["standing"], "caseload_standing") if load["standing"] else "no profile",
                "yes" if load["staleFigure"] else "no",
                len(load["conflicts"]),
            ]
        )
    if authority and authority["perFullTimeEquivalent"] is not None:
        total = [
            "All IROs with a profile",
            *[""] * 4,
            figure(authority["fullTimeEquivalence"]),
            *[""] * 5,
            figure(authority["weightedCaseload"]),
            figure(authority["perFullTimeEquivalent"]),
            label(authority["standing"], "caseload_standing"),
            "",
            "",
        ]
        rows.append(total)
    return rows


async def workloads_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        if not _managers(actor):
            raise PageNotFound
        data = await operations(request).run(uow, actor, "AuthorityWorkload", {})
    authority = data["authorityWorkload"]
    return render(
        request,
        "workload_list.html",
        {
            "actor": actor,
            "authority": authority,
            "conflicts": [(load, c) for load in authority["iros"] for c in load["conflicts"]],
            "handbook_range": HANDBOOK_RANGE,
            "figure": figure,
            "done": request.query_params.get("done", ""),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# An IRO's profile


def _number(text: str, errors: FormErrors, field: str, message: str) -> float | None:
    """A number typed into a box, like 0.8 or -0.25; anything else adds ``message``."""
    try:
        value = float(text.strip())
    except ValueError:
        errors.add(field, message)
        return None
    if value != value or value in (float("inf"), float("-inf")):
        errors.add(field, message)
        return None
    return value


async def _profile(request: Request, actor: Actor, uow: Any) -> dict[str, Any]:
    data = await operations(request).run(uow, actor, "IroProfile", {"iroId": request.path_params["iro_id"]})
    found: dict[str, Any] = data["iroProfile"]
    return found


def _render_profile(
    request: Request,
    actor: Actor,
    found: dict[str, Any],
    values: dict[str, str],
    errors: FormErrors,
    status: int,
) -> Response:
    return render(
        request,
        "workload_profile.html",
        {
            "actor": actor,
            "iro": found,
            "values": values,
            "errors": errors,
            "employment": [(k, v, None) for k, v in LABELS["employment"].items()],
        },
        status_code=status,
    )


async def profile_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        if not _managers(actor):
            raise PageNotFound
        found = await _profile(request, actor, uow)
    profile = found["profile"] or {}
    values = {
        k: "" if profile.get(k) is None else figure(profile[k]) for k in PROFILE_FIELDS if k != "employment"
    }
    values["employment"] = profile.get("employment") or ""
    return _render_profile(request, actor, found, values, FormErrors({k: k for k in PROFILE_FIELDS}), 200)


async def save_profile(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(
        {**{k: k for k in PROFILE_FIELDS}, "iroId": "fullTimeEquivalence", "form": "fullTimeEquivalence"}
    )
    fte = _number(
        form.get("fullTimeEquivalence", ""),
        errors,
        "fullTimeEquivalence",
        "Enter the full-time equivalence as a number, like 0.8",
    )
    counts = {
        field: parse_whole_number(form.get(field, ""), errors, field, message)
        for field, message in (
            ("childrenHeld", "Enter the looked-after children the IRO holds as a number, like 60"),
            ("siblingGroupChildren", "Enter the children in sibling groups as a number (0 if none)"),
            ("outOfAreaChildren", "Enter the children placed out of area as a number (0 if none)"),
        )
    }
    employment = form.get("employment", "")
    if employment not in LABELS["employment"]:
        errors.add("employment", "Say how the IRO is employed")
    iro_id = request.path_params["iro_id"]
    async with signed_in(request) as (uow, actor):
        if not _managers(actor):
            raise PageNotFound
        if not errors:
            input = {"iroId": iro_id, "fullTimeEquivalence": fte, "employment": employment, **counts}
            result = await operations(request).run(uow, actor, "SetIroProfile", {"input": input})
            payload = result["setIroProfile"]
            if any(
                e["code"] in {"NOT_FOUND", "INVALID_ID"} and e["field"] == "iroId" for e in payload["errors"]
            ):
                raise PageNotFound
            errors.add_api_errors(payload["errors"])
        if errors:
            uow.fail()
            found = await _profile(request, actor, uow)
            return _render_profile(request, actor, found, form, errors, 400)
    return RedirectResponse("/workloads?done=profile", status_code=303)


# ---------------------------------------------------------------------------------------------------------
# Conferences chaired


def _months(today: date) -> list[tuple[str, str, None]]:
    """The months offered, this one first: (its first day, its name)."""
    months, day = [], today.replace(day=1)
    for _ in range(MONTHS_OFFERED):
        months.append((day.isoformat(), f"{day:%B %Y}", None))
        day = (day - timedelta(days=1)).replace(day=1)
    return months


def _own_or_managed(actor: Actor, iro_id: str) -> bool:
    return _managers(actor) or (actor.has_role(Role.IRO) and str(actor.person_id) == iro_id)


def _render_conferences(
    request: Request,
    actor: Actor,
    found: dict[str, Any],
    values: dict[str, str],
    errors: FormErrors,
    status: int,
) -> Response:
    return render(
        request,
        "workload_conferences.html",
        {
            "actor": actor,
            "iro": found,
            "values": values,
            "errors": errors,
            "months": _months(clock.today()),
            "themselves": found["iroId"] == str(actor.person_id),
            "done": request.query_params.get("done", ""),
        },
        status_code=status,
    )


async def conferences_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        if not _own_or_managed(actor, request.path_params["iro_id"]):
            raise PageNotFound
        found = await _profile(request, actor, uow)
    last = (clock.today().replace(day=1) - timedelta(days=1)).replace(day=1).isoformat()
    return _render_conferences(request, actor, found, {"month": last}, FormErrors({}), 200)


async def save_conferences(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors({"month": "month", "conferences": "conferences", "iroId": "month", "form": "month"})
    month = form.get("month", "")
    offered = {value for value, _, _ in _months(clock.today())}
    if month not in offered:
        errors.add("month", "Choose the month")
    conferences = parse_whole_number(
        form.get("conferences", ""),
        errors,
        "conferences",
        "Enter the conferences chaired as a number (0 if none)",
    )
    iro_id = request.path_params["iro_id"]
    async with signed_in(request) as (uow, actor):
        if not _own_or_managed(actor, iro_id):
            raise PageNotFound
        if not errors:
            input = {"iroId": iro_id, "month": month, "conferences": conferences}
            result = await operations(request).run(uow, actor, "RecordConferencesChaired", {"input": input})
            payload = result["recordConferencesChaired"]
            if any(e["code"] == "NOT_FOUND" for e in payload["errors"]):
                raise PageNotFound
            errors.add_api_errors(payload["errors"])
        if errors:
            uow.fail()
            found = await _profile(request, actor, uow)
            return _render_conferences(request, actor, found, form, errors, 400)
    return RedirectResponse(f"/workloads/iros/{iro_id}/conferences?done=saved", status_code=303)


# ---------------------------------------------------------------------------------------------------------
# The authority's weights


def _render_weights(
    request: Request, actor: Actor, values: dict[str, str], errors: FormErrors, status: int
) -> Response:
    return render(
        request,
        "workload_weights.html",
        {"actor": actor, "values": values, "errors": errors, "fields": WEIGHT_FIELDS},
        status_code=status,
    )


async def weights_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        if not _managers(actor):
            raise PageNotFound
        data = await operations(request).run(
            uow, actor, "WorkloadWeights", {"organisationId": str(actor.organisation_id)}
        )
    weights = data["workloadWeights"]
    values = {field: figure(weights[field]) for field, _, _ in WEIGHT_FIELDS}
    return _render_weights(request, actor, values, FormErrors({}), 200)


async def save_weights(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(
        {**{f: f for f, _, _ in WEIGHT_FIELDS}, "form": "siblingGroup", "organisationId": "siblingGroup"}
    )
    weights = {
        field: _number(
            form.get(field, "") or "0", errors, field, "Enter the weight as a number, like 0.5 or -0.25"
        )
        for field, _, _ in WEIGHT_FIELDS
    }
    async with signed_in(request) as (uow, actor):
        if not _managers(actor):
            raise PageNotFound
        if not errors:
            input = {"organisationId": str(actor.organisation_id), **weights}
            result = await operations(request).run(uow, actor, "SetWorkloadWeights", {"input": input})
            errors.add_api_errors(result["setWorkloadWeights"]["errors"])
        if errors:
            uow.fail()
            return _render_weights(request, actor, form, errors, 400)
    return RedirectResponse("/workloads?done=weights", status_code=303)


# ---------------------------------------------------------------------------------------------------------
# Conflicts of interest


async def _conflict_case(request: Request, actor: Actor, uow: Any) -> tuple[dict[str, Any], list[Any], bool]:
    """The case (its children), the IROs the viewer may record a conflict for (a manager's: every IRO of the
    authority; an IRO's: none, it is their own), and whether the viewer is the IRO on the case."""
    case_id = request.path_params["case_id"]
    as_iro = actor.has_role(Role.IRO) and CaseRole.IRO in actor.case_roles.get(_uuid(case_id), frozenset())
    if not (_managers(actor) or as_iro):
        raise PageNotFound
    data = await operations(request).run(uow, actor, "AssignmentForm", {"id": case_id})
    case: dict[str, Any] = data["case"]
    if as_iro:
        return case, [], True
    if not case["viewerCan"]["assignIro"]:
        raise PageNotFound
    loads = (await operations(request).run(uow, actor, "IroWorkload", {}))["iroWorkload"]
    return case, [(load["iroId"], load["name"], None) for load in loads], False


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise PageNotFound from None


def _render_conflict(
    request: Request,
    actor: Actor,
    found: tuple[dict[str, Any], list[Any], bool],
    values: dict[str, str],
    errors: FormErrors,
    status: int,
) -> Response:
    case, iros, themselves = found
    return render(
        request,
        "workload_conflict_form.html",
        {
            "actor": actor,
            "case": case,
            "children": [(c["id"], f"{c['givenName']} {c['familyName']}", None) for c in case["children"]],
            "iros": iros,
            "themselves": themselves,
            "kinds": [(k, v, None) for k, v in LABELS["conflict_kind"].items()],
            "values": values,
            "errors": errors,
        },
        status_code=status,
    )


async def conflict_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        found = await _conflict_case(request, actor, uow)
    values = {"iroId": request.query_params.get("iro", "")}
    if len(found[0]["children"]) == 1:
        values["childId"] = found[0]["children"][0]["id"]
    return _render_conflict(request, actor, found, values, FormErrors(CONFLICT_FIELDS), 200)


async def record_conflict(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(CONFLICT_FIELDS)
    kind = form.get("kind", "")
    case_id = request.path_params["case_id"]
    async with signed_in(request) as (uow, actor):
        found = await _conflict_case(request, actor, uow)
        input = {
            "caseId": case_id,
            "childId": form.get("childId") or None,
            "iroId": None if found[2] else form.get("iroId") or None,
            "kind": kind if kind in LABELS["conflict_kind"] else None,
            "details": form.get("details", ""),
        }
        result = await operations(request).run(uow, actor, "RecordConflictOfInterest", {"input": input})
        errors.add_api_errors(result["recordConflictOfInterest"]["errors"])
        if errors:
            uow.fail()
            return _render_conflict(request, actor, found, form, errors, 400)
    return RedirectResponse(f"/cases/{case_id}?done=conflict", status_code=303)


async def withdraw_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        found = await _open_conflict(request, actor, uow)
    return render(
        request,
        "workload_withdraw.html",
        {"actor": actor, "found": found, "values": {}, "errors": FormErrors({"reason": "reason"})},
    )


async def _open_conflict(request: Request, actor: Actor, uow: Any) -> dict[str, Any]:
    """An open conflict of the manager's authority's IROs, with its IRO's name, from her list."""
    if not _managers(actor):
        raise PageNotFound
    data = await operations(request).run(uow, actor, "AuthorityWorkload", {})
    wanted = request.path_params["conflict_id"]
    for load in data["authorityWorkload"]["iros"]:
        for conflict in load["conflicts"]:
            if conflict["conflict"]["id"] == wanted:
                return {**conflict, "iroName": load["name"]}
    raise PageNotFound


async def withdraw(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors({"reason": "reason", "id": "reason", "form": "reason"})
    async with signed_in(request) as (uow, actor):
        found = await _open_conflict(request, actor, uow)
        input = {"id": found["conflict"]["id"], "reason": form.get("reason", "")}
        result = await operations(request).run(uow, actor, "WithdrawConflictOfInterest", {"input": input})
        errors.add_api_errors(result["withdrawConflictOfInterest"]["errors"])
        if errors:
            uow.fail()
            return render(
                request,
                "workload_withdraw.html",
                {"actor": actor, "found": found, "values": form, "errors": errors},
                status_code=400,
            )
    return RedirectResponse("/workloads?done=withdrawn", status_code=303)


routes = [
    Route("/workloads", workloads_page, methods=["GET"]),
    Route("/workloads/iros/{iro_id}", profile_form, methods=["GET"]),
    Route("/workloads/iros/{iro_id}", save_profile, methods=["POST"]),
    Route("/workloads/iros/{iro_id}/conferences", conferences_form, methods=["GET"]),
    Route("/workloads/iros/{iro_id}/conferences", save_conferences, methods=["POST"]),
    Route("/workloads/weights", weights_form, methods=["GET"]),
    Route("/workloads/weights", save_weights, methods=["POST"]),
    Route("/workloads/conflicts/{conflict_id}/withdraw", withdraw_form, methods=["GET"]),
    Route("/workloads/conflicts/{conflict_id}/withdraw", withdraw, methods=["POST"]),
    Route("/cases/{case_id}/conflicts/new", conflict_form, methods=["GET"]),
    Route("/cases/{case_id}/conflicts", record_conflict, methods=["POST"]),
]
