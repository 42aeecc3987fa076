"""The managers' staffing pages: the Cafcass manager's allocation queue and the allocate / reallocate a
guardian form; the IRO manager's assignment page and the assign / reassign an IRO form; and their tasks on
"Your tasks". Each page is for one role: anyone else finds no such page, as for a page that does not exist.

Reallocating ends the current guardian's (or IRO's) part on the case, so it has a check-your-answers step.
The answers are checked by running the mutation and rolling it back, so the page never judges them by
rules of its own; confirming runs it again for real."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import clock
from portal.audit.service import Look
from portal.auth.actor import Actor
from portal.calendar import add_working_days
from portal.dashboards.workload import HANDBOOK_RANGE
from portal.db import UnitOfWork
from portal.obligations.rules import APPOINTMENT, DEFAULTS
from portal.staffing import service as staffing
from portal.web.forms import NOBODY, FormErrors, iso, parse_date
from portal.web.operations import OperationFailed, Operations, PageNotFound
from portal.web.rendering import render
from portal.web.requests import posted_form, signed_in

QUEUE_PAGE = 25
# The IRO Handbook: an IRO is appointed within 5 working days of the child becoming looked after (rule IA,
# which no local rule changes).
IRO_WITHIN_WORKING_DAYS = DEFAULTS[APPOINTMENT].working_days


def _operations(request: Request) -> Operations:
    ops: Operations = request.app.state.operations
    return ops


@dataclass(frozen=True)
class Staffing:
    """What differs between allocating a guardian and assigning an IRO."""

    key: str  # the child's field for the holder, and the flash on the case page
    for_actor: Callable[[Actor | None], bool]
    queue_operation: str
    form_operation: str
    mutation: str
    ability: str
    loads: str  # the operation giving the people to choose from, with their caseloads
    person_id: str  # each load's id field
    holder_words: str  # "guardian", "IRO"
    a_holder: str  # "a guardian", "an IRO"
    path: str  # the form's last path segment


GUARDIAN = Staffing(
    key="guardian",
    for_actor=staffing.allocates_guardians,
    queue_operation="AllocationQueue",
    form_operation="AllocationForm",
    mutation="AllocateGuardian",
    ability="allocateGuardian",
    loads="GuardianCaseloads",
    person_id="guardianId",
    holder_words="guardian",
    a_holder="a guardian",
    path="guardian",
)
IRO = Staffing(
    key="iro",
    for_actor=staffing.assigns_iros,
    queue_operation="AssignmentQueue",
    form_operation="AssignmentForm",
    mutation="AssignIro",
    ability="assignIro",
    loads="IroWorkload",
    person_id="iroId",
    holder_words="IRO",
    a_holder="an IRO",
    path="iro",
)


def iro_due_by(looked_after_since: str | None) -> date | None:
    """When a looked-after child should have had an IRO by (the Handbook's 5 working days)."""
    if not looked_after_since:
        return None
    return add_working_days(date.fromisoformat(looked_after_since), IRO_WITHIN_WORKING_DAYS)


def band(children: int) -> tuple[str, str]:
    """An IRO's caseload against the IRO Handbook's recommended 50 to 70 children: the words and the tag's
    colour."""
    low, high = HANDBOOK_RANGE
    if children > high:
        return f"Over {high}", "govuk-tag--red"
    if children >= low:
        return f"Within {low} to {high}", "govuk-tag--green"
    return f"Under {low}", "govuk-tag--grey"


def _days_since(day: str) -> int:
    return (clock.today() - date.fromisoformat(day)).days


async def _loads(request: Request, uow: UnitOfWork, actor: Actor, staff: Staffing) -> list[dict[str, Any]]:
    """The people the manager may choose from, with their caseloads now."""
    data = await _operations(request).run(uow, actor, staff.loads, {})
    loads: list[dict[str, Any]] = next(iter(data.values()))
    return loads


async def _queue(request: Request, staff: Staffing, template: str) -> Response:
    query = request.query_params
    variables: dict[str, Any] = {"first": QUEUE_PAGE}
    for param, name in (("after", "after"), ("waiting-after", "waitingAfter")):
        if query.get(param):
            variables[name] = query[param]
    async with signed_in(request) as (uow, actor):
        if not staff.for_actor(actor):
            raise PageNotFound
        try:
            data = await _operations(request).run(uow, actor, staff.queue_operation, variables)
        except OperationFailed:
            if len(variables) == 1:
                raise
            # A cursor from an older page that no longer reads: start the lists again.
            return RedirectResponse(request.url.path, status_code=303)
        loads = await _loads(request, uow, actor, staff)
    links = {}
    for alias, param in (("waiting", "waiting-after"), (_other(staff), "after")):
        info = data[alias]["pageInfo"]
        if info["hasNextPage"]:
            keep = {k: v for k, v in query.items() if k != param}
            links[alias] = request.url.path + "?" + urlencode({**keep, param: info["endCursor"]})
    return render(
        request,
        template,
        {
            "actor": actor,
            "data": data,
            "loads": loads,
            "links": links,
            "today": clock.today().isoformat(),
            "days_since": _days_since,
            "iro_due_by": iro_due_by,
            "band": band,
            "HANDBOOK_RANGE": HANDBOOK_RANGE,
            "iro_within": IRO_WITHIN_WORKING_DAYS,
        },
    )


def _other(staff: Staffing) -> str:
    return "allocated" if staff is GUARDIAN else "assigned"


async def allocations_page(request: Request) -> Response:
    return await _queue(request, GUARDIAN, "allocations.html")


async def assignments_page(request: Request) -> Response:
    return await _queue(request, IRO, "assignments.html")


async def _form_data(request: Request, uow: UnitOfWork, actor: Actor, staff: Staffing) -> dict[str, Any]:
    """The form's case and people, if the viewer may staff the case; otherwise not found."""
    if not staff.for_actor(actor):
        raise PageNotFound
    data = await _operations(request).run(
        uow, actor, staff.form_operation, {"id": request.path_params["case_id"]}
    )
    if not data["case"]["viewerCan"][staff.ability]:
        raise PageNotFound
    return {**data, "loads": await _loads(request, uow, actor, staff)}


def _eligible(staff: Staffing, case: dict[str, Any]) -> list[dict[str, Any]]:
    """The children who can have one: every child for a guardian; the looked-after children for an IRO."""
    children: list[dict[str, Any]] = case["children"]
    return children if staff is GUARDIAN else [c for c in children if c["lookedAfter"]]


def _people(staff: Staffing, data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The radios' options: each person with their caseload as the hint."""
    holders = {(c[staff.key] or {}).get("id") for c in data["case"]["children"]}
    options = []
    for load in data["loads"]:
        if staff is GUARDIAN:
            hint = f"{_count(load['cases'], 'case')}, {_count(load['children'], 'child', 'children')} now"
        else:
            words, _ = band(load["children"])
            hint = (
                f"{_count(load['children'], 'child', 'children')} now: {words[0].lower()}{words[1:]} "
                f"(the IRO Handbook recommends {HANDBOOK_RANGE[0]} to {HANDBOOK_RANGE[1]})"
            )
        if load[staff.person_id] in holders:
            hint += f". The {staff.holder_words} on this case now"
        if staff is IRO and (names := [c["childName"] for c in _case_conflicts(load, data["case"]["id"])]):
            hint += f". A conflict of interest is recorded with {' and '.join(names)}"
        options.append((load[staff.person_id], load["name"], hint))
    return options


def _case_conflicts(load: dict[str, Any], case_id: str, children: list[str] | None = None) -> list[Any]:
    """An IRO's open conflicts of interest with children of the case (of ``children``, if given)."""
    return [
        c
        for c in load.get("conflicts", [])
        if c["conflict"]["caseId"] == case_id and (children is None or c["conflict"]["childId"] in children)
    ]


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


ANCHORS = {
    "personId": "personId",
    "childIds": "childIds",
    "reallocationReason": "reallocationReason",
    "appointedOn": "appointedOn-day",
    "conflictAcknowledged": "conflictAcknowledged",
    "form": "personId",
}
APPOINTED_PARTS = ("appointedOn-day", "appointedOn-month", "appointedOn-year")


def _render_form(
    request: Request,
    actor: Actor,
    staff: Staffing,
    data: dict[str, Any],
    values: dict[str, str],
    chosen: list[str] | None,
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    case = data["case"]
    eligible = _eligible(staff, case)
    return render(
        request,
        "staffing_form.html",
        {
            "actor": actor,
            "staff": staff,
            "case": case,
            "eligible": eligible,
            "others": [c for c in case["children"] if c not in eligible],
            "people": _people(staff, data),
            "held": any(c[staff.key] for c in eligible),
            "values": values,
            # Every child, until the manager chooses.
            "chosen": [c["id"] for c in eligible] if chosen is None else chosen,
            "errors": errors,
        },
        status_code=status_code,
    )


async def _show(request: Request, staff: Staffing) -> Response:
    async with signed_in(request) as (uow, actor):
        data = await _form_data(request, uow, actor, staff)
    return _render_form(request, actor, staff, data, {}, None, FormErrors(ANCHORS))


async def _submit(request: Request, staff: Staffing) -> Response:
    form = await posted_form(request)
    posted = [c for c in (await request.form()).getlist("childIds") if isinstance(c, str)]
    case_id = request.path_params["case_id"]
    step = form.get("step", "check")
    person = form.get("personId", "")
    reason = form.get("reallocationReason", "")
    values = {
        "personId": person,
        "reallocationReason": reason,
        **{k: form.get(k, "") for k in APPOINTED_PARTS},
    }
    async with signed_in(request) as (uow, actor):
        data = await _form_data(request, uow, actor, staff)
        case = data["case"]
        eligible = _eligible(staff, case)
        if step == "change":  # back from checking the answers, to change one
            return _render_form(request, actor, staff, data, values, posted, FormErrors(ANCHORS))
        errors = FormErrors(ANCHORS)
        # An IRO appointed before the proceedings: the day it was (IA is judged on it).
        appointed = parse_date(form, "appointedOn", "The day the IRO was appointed", errors, "appointedOn")
        # The manager goes ahead knowing of the IRO's conflicts of interest (ticked on the check page).
        acknowledged = step == "confirm" and form.get("conflictAcknowledged") == "yes"
        if not person:
            errors.add("personId", f"Select the {staff.holder_words}")
        # With one child there is nothing to choose; with several, none chosen would mean every child.
        asked = len(eligible) > 1
        if asked and not posted:
            errors.add("childIds", "Select at least one child")
        chosen = posted if asked else [c["id"] for c in eligible]
        variables = {
            "input": {
                "caseId": case_id,
                "personId": person or NOBODY,
                "childIds": posted if asked else [],
                "reallocationReason": reason or None,
                **(
                    {"appointedOn": iso(appointed), "conflictAcknowledged": acknowledged}
                    if staff is IRO
                    else {}
                ),
            }
        }
        result = await _operations(request).run(uow, actor, staff.mutation, variables)
        conflicted = False
        for error in next(iter(result.values()))["errors"]:
            name = (error.get("field") or "form").split(".")[0]
            if error["code"] == "CONFLICT_OF_INTEREST":
                conflicted = True  # shown on the check page, where the manager acknowledges it
                continue
            if error["code"] == "ALREADY_ALLOCATED":
                if not person:
                    continue  # whether anyone is replaced depends on who is chosen
                error = {**error, "message": _reason_needed(staff, case, chosen, person)}
                name = "reallocationReason"
            errors.add(name, error["message"])
        if errors:
            uow.fail()
            return _render_form(request, actor, staff, data, values, posted, errors, status_code=400)
        replaced = _replaced(staff, case, chosen, person)
        if conflicted or (replaced and step != "confirm"):
            uow.fail()  # checked, not yet done: the manager confirms first
            if conflicted and step == "confirm":
                errors.add(
                    "conflictAcknowledged",
                    "Confirm that you have considered the conflict of interest, or choose another IRO",
                )
            return _render_check(request, actor, staff, data, values, posted, chosen, replaced, errors)
    return RedirectResponse(f"/cases/{case_id}?done={staff.key}", status_code=303)


def _replaced(staff: Staffing, case: dict[str, Any], chosen: list[str], person: str) -> dict[str, list[str]]:
    """Whoever the change replaces: their names, and the children whose {guardian, IRO} they stop being."""
    replaced: dict[str, list[str]] = {}
    for child in case["children"]:
        holder = child[staff.key]
        if child["id"] in chosen and holder and holder["id"] != person:
            replaced.setdefault(holder["name"], []).append(child["givenName"])
    return replaced


def _reason_needed(staff: Staffing, case: dict[str, Any], chosen: list[str], person: str) -> str:
    names = " and ".join(_replaced(staff, case, chosen, person)) or f"the current {staff.holder_words}"
    return f"Enter why {names} is being replaced"


def _render_check(
    request: Request,
    actor: Actor,
    staff: Staffing,
    data: dict[str, Any],
    values: dict[str, str],
    posted: list[str],
    chosen: list[str],
    replaced: dict[str, list[str]],
    errors: FormErrors | None = None,
) -> Response:
    case = data["case"]
    names = {option[0]: option[1] for option in _people(staff, data)}
    load: dict[str, Any] = next((x for x in data["loads"] if x[staff.person_id] == values["personId"]), {})
    return render(
        request,
        "staffing_check.html",
        {
            "actor": actor,
            "staff": staff,
            "case": case,
            "values": values,
            "posted": posted,
            "asked": len(_eligible(staff, case)) > 1,
            "person_name": names.get(values["personId"], ""),
            "chosen_children": [c for c in case["children"] if c["id"] in chosen],
            "replaced": replaced,
            "conflicts": _case_conflicts(load, case["id"], chosen) if staff is IRO else [],
            "errors": errors or FormErrors({"conflictAcknowledged": "conflictAcknowledged"}),
        },
        status_code=400 if errors else 200,
    )


async def guardian_form(request: Request) -> Response:
    return await _show(request, GUARDIAN)


async def allocate_guardian(request: Request) -> Response:
    return await _submit(request, GUARDIAN)


async def iro_form(request: Request) -> Response:
    return await _show(request, IRO)


async def assign_iro(request: Request) -> Response:
    return await _submit(request, IRO)


async def manager_tasks(ops: Operations, uow: UnitOfWork, actor: Actor) -> dict[str, Any]:
    """A manager's staffing tasks for "Your tasks" (empty for anyone else): the cases waiting for a guardian
    (``toAllocate``) or an IRO (``toAssign``), with the form that does each."""
    guardians, iros = staffing.allocates_guardians(actor), staffing.assigns_iros(actor)
    if not (guardians or iros):
        return {}
    variables = {"guardians": guardians, "iros": iros}
    data = await ops.run(uow, actor, "ManagerTasks", variables, look=Look.TASK_LIST)
    data["count"] = sum(data[k]["totalCount"] for k in ("toAllocate", "toAssign") if k in data)
    data["iro_due_by"] = iro_due_by
    data["days_since"] = _days_since
    return data


routes = [
    Route("/allocations", allocations_page, methods=["GET"]),
    Route("/assignments", assignments_page, methods=["GET"]),
    Route("/cases/{case_id}/guardian", guardian_form, methods=["GET"]),
    Route("/cases/{case_id}/guardian", allocate_guardian, methods=["POST"]),
    Route("/cases/{case_id}/iro", iro_form, methods=["GET"]),
    Route("/cases/{case_id}/iro", assign_iro, methods=["POST"]),
]
