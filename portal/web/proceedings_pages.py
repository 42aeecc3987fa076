"""The LA solicitor's pages for the proceedings' timetable: opening proceedings (with a check of her answers,
since it starts the 26-week clock), recording a hearing or stage, an extension (CA 1989 s32(5)-(8)), a
child's legal status, and the final orders (with a check of her answers: they conclude the proceedings and
open the guardian's handover duties, P12-P14). Every page refuses anyone else with the page-not-found page.

Each form runs a named operation and re-shows itself with every problem at once. Answers travel in the
forms themselves (hidden fields on the check-your-answers pages), so nothing about the children is kept
between requests, and everything works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from models import Stage
from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.web.case_forms import CaseForm, case_for
from portal.web.forms import NOBODY, FormErrors, iso, parse_date
from portal.web.labels import LABELS
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import render
from portal.web.requests import posted_form, signed_in

# Rows of the "Add another child" list: more than any sibling group, and a bound on what a post can ask.
MAX_CHILDREN = 10
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
CHILD_PARTS = ("givenName", "familyName", "dateOfBirth", "legalStatus", "lookedAfterSince")


# Opening proceedings -------------------------------------------------------------------------------------


def _rows(form: dict[str, str]) -> int:
    text = form.get("rows", "1")
    return min(max(int(text), 1), MAX_CHILDREN) if text.isdigit() else 1


def _open_anchors(rows: int) -> dict[str, str]:
    anchors = {"courtId": "courtId", "caseNumber": "caseNumber", "issuedOn": "issuedOn-day"}
    anchors["children"] = "children-0-givenName"
    for n in range(rows):
        for part in CHILD_PARTS:
            name = f"children-{n}-{part}"
            anchors[name] = f"{name}-day" if part in ("dateOfBirth", "lookedAfterSince") else name
    anchors["form"] = "courtId"
    return anchors


def _child_words(message: str, n: int, rows: int) -> str:
    """The API's message about "the child", naming which child when there are several ("Enter the second
    child's date of birth")."""
    if rows == 1:
        return message
    ordinal = ORDINALS[n]
    if "the child" in message:
        return message.replace("the child", f"the {ordinal} child", 1)
    if message.startswith("The "):
        return f"The {ordinal} child's {message[4:]}"
    return f"{ordinal.capitalize()} child: {message}"


def _page_field(api_field: str | None) -> str:
    """Where the page shows an API error: newChildren.1.dateOfBirth is the second row's date of birth."""
    parts = (api_field or "form").split(".")
    if parts[0] == "newChildren" and len(parts) == 3 and parts[1].isdigit():
        return f"children-{parts[1]}-{parts[2]}"
    return parts[0]


def _add_open_errors(errors: FormErrors, api_errors: list[dict[str, Any]], rows: int) -> None:
    for error in api_errors:
        field = _page_field(error.get("field"))
        message = error["message"]
        if field.startswith("children-"):
            message = _child_words(message, int(field.split("-")[1]), rows)
        errors.add(field, message)


def _open_input(form: dict[str, str], rows: int, errors: FormErrors) -> dict[str, Any]:
    """The OpenProceedings input from the form, with the page's own problems (dates it cannot read)."""
    issued = parse_date(form, "issuedOn", "The issue date", errors, "issuedOn")
    children = []
    for n in range(rows):
        prefix = f"children-{n}"
        whose = "The child's" if rows == 1 else f"The {ORDINALS[n]} child's"
        born = parse_date(
            form, f"{prefix}-dateOfBirth", f"{whose} date of birth", errors, f"{prefix}-dateOfBirth"
        )
        since = parse_date(
            form,
            f"{prefix}-lookedAfterSince",
            f"{whose} looked-after date",
            errors,
            f"{prefix}-lookedAfterSince",
        )
        status = form.get(f"{prefix}-legalStatus", "")
        children.append(
            {
                "givenName": form.get(f"{prefix}-givenName", ""),
                "familyName": form.get(f"{prefix}-familyName", ""),
                "dateOfBirth": iso(born),
                "legalStatus": status if status in LABELS["legal_status"] else None,
                "lookedAfterSince": iso(since),
            }
        )
    return {
        "courtId": form.get("courtId") or NOBODY,
        "caseNumber": form.get("caseNumber", ""),
        "issuedOn": iso(issued),
        "newChildren": children,
    }


async def _may_open(request: Request, uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """The courts to choose from, for someone who may open proceedings; anyone else finds no such page."""
    me = (await operations(request).run(uow, actor, "Me", {}))["me"]
    if not me["canOpenProceedings"]:
        raise PageNotFound
    organisations = (await operations(request).run(uow, actor, "Organisations", {}))["organisations"]
    return [o for o in organisations if o["kind"] == "COURT"]


def _render_open(
    request: Request,
    actor: Actor,
    courts: list[dict[str, Any]],
    values: dict[str, str],
    rows: int,
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    context = {
        "actor": actor,
        "courts": courts,
        "values": values,
        "rows": rows,
        "max_rows": MAX_CHILDREN,
        "ordinals": ORDINALS,
        "errors": errors,
    }
    return render(request, "proceedings_open.html", context, status_code=status_code)


async def open_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        courts = await _may_open(request, uow, actor)
    return _render_open(request, actor, courts, {}, 1, FormErrors({}))


def _without_row(form: dict[str, str], rows: int, removed: int) -> dict[str, str]:
    """The form's values with one child's row taken out and the later rows moved up."""
    kept = {k: v for k, v in form.items() if not k.startswith("children-")}
    target = 0
    for n in range(rows):
        if n == removed:
            continue
        prefix, new = f"children-{n}-", f"children-{target}-"
        kept.update({new + k.removeprefix(prefix): v for k, v in form.items() if k.startswith(prefix)})
        target += 1
    return kept


async def open_form_post(request: Request) -> Response:
    """The open-proceedings form posted: add or remove a child's row, come back from the check page to
    change an answer, or continue to the check page once the API finds nothing wrong."""
    form = await posted_form(request)
    rows = _rows(form)
    action = form.get("action", "continue")
    async with signed_in(request) as (uow, actor):
        courts = await _may_open(request, uow, actor)
        if action == "add":
            rows = min(rows + 1, MAX_CHILDREN)
            return _render_open(request, actor, courts, {**form, "rows": str(rows)}, rows, FormErrors({}))
        if action.startswith("remove-") and action[7:].isdigit() and rows > 1:
            values = _without_row(form, rows, int(action[7:]))
            return _render_open(
                request, actor, courts, {**values, "rows": str(rows - 1)}, rows - 1, FormErrors({})
            )
        if action == "change":
            return _render_open(request, actor, courts, form, rows, FormErrors({}))
        errors = FormErrors(_open_anchors(rows))
        variables = {"input": _open_input(form, rows, errors)}
        if not form.get("courtId"):
            errors.add("courtId", "Select the court")
        checked = await operations(request).run(uow, actor, "CheckOpenProceedings", variables)
        _add_open_errors(errors, checked["openProceedingsCheck"]["errors"], rows)
        if errors:
            return _render_open(request, actor, courts, form, rows, errors, status_code=400)
    court = next((c for c in courts if c["id"] == form.get("courtId")), None)
    return render(
        request,
        "proceedings_check.html",
        {
            "actor": actor,
            "values": form,
            "court": court,
            "issued_on": variables["input"]["issuedOn"],
            "children": variables["input"]["newChildren"],
            "ordinals": ORDINALS,
            "rows": rows,
        },
    )


async def open_proceedings(request: Request) -> Response:
    """The answers checked: open the proceedings and go to the new case."""
    form = await posted_form(request)
    rows = _rows(form)
    errors = FormErrors(_open_anchors(rows))
    variables = {"input": _open_input(form, rows, errors)}
    async with signed_in(request) as (uow, actor):
        courts = await _may_open(request, uow, actor)
        result = (await operations(request).run(uow, actor, "OpenProceedings", variables))["openProceedings"]
        _add_open_errors(errors, result["errors"], rows)
        if errors:  # changed since the check (another solicitor took the case number, say)
            uow.fail()
            return _render_open(request, actor, courts, form, rows, errors, status_code=400)
    return RedirectResponse(f"/cases/{result['case']['id']}?done=proceedings-opened", status_code=303)


# The timetable on an open case -----------------------------------------------------------------------------


async def _case(request: Request, uow: UnitOfWork, actor: Actor) -> dict[str, Any]:
    """The case, for its LA solicitor; anyone else (and a case that is not there) finds no such page."""
    return await case_for(request, uow, actor, "manageProceedings", "ProceedingsForm")


def next_stages(case: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """The stages a hearing may move the proceedings on to, as the service allows them."""
    return [(s.name, LABELS["stage"][s.name], None) for s in Stage[case["stage"]].next_by_hearing()]


def _proceedings_form(template: str, anchors: dict[str, str]) -> CaseForm:
    return CaseForm(
        template,
        "manageProceedings",
        anchors,
        operation="ProceedingsForm",
        context=lambda case: {"stages": next_stages(case)},
    )


STAGE = _proceedings_form(
    "proceedings_stage.html", {"stage": "stage", "changedOn": "changedOn-day", "form": "stage"}
)


async def stage_form(request: Request) -> Response:
    return await STAGE.show(request)


async def record_stage(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(STAGE.anchors)
    changed = parse_date(form, "changedOn", "The date of the hearing", errors, "changedOn")
    stage = form.get("stage", "")
    if stage not in LABELS["stage"]:
        errors.add("stage", "Select the stage the proceedings reached")
        stage = "FINAL_HEARING"  # so the API still checks the date; the page's error stands
    variables = {
        "input": {"caseId": request.path_params["case_id"], "stage": stage, "changedOn": iso(changed)}
    }
    return await STAGE.submit(request, "AdvanceStage", variables, errors, form, "stage")


EXTENSION = _proceedings_form(
    "proceedings_extension.html",
    {"weeks": "weeks", "reason": "reason", "grantedOn": "grantedOn-day", "form": "weeks"},
)


async def extension_form(request: Request) -> Response:
    return await EXTENSION.show(request)


async def record_extension(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(EXTENSION.anchors)
    granted = parse_date(form, "grantedOn", "The date the extension was granted", errors, "grantedOn")
    weeks_text = form.get("weeks", "").strip()
    if not weeks_text:
        errors.add("weeks", "Enter the number of weeks the court extended the timetable by")
    elif not weeks_text.isdigit():
        errors.add("weeks", "The number of weeks must be a whole number, like 8")
    weeks = int(weeks_text) if weeks_text.isdigit() and len(weeks_text) < 4 else 0
    variables = {
        "input": {
            "caseId": request.path_params["case_id"],
            "weeks": weeks,
            "reason": form.get("reason", ""),
            "grantedOn": iso(granted),
        }
    }
    return await EXTENSION.submit(request, "RecordExtension", variables, errors, form, "extension")


LEGAL_STATUS = _proceedings_form(
    "proceedings_legal_status.html",
    {"childId": "childId", "status": "status", "effectiveFrom": "effectiveFrom-day", "form": "childId"},
)


async def legal_status_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        case = await _case(request, uow, actor)
    values = {"childId": case["children"][0]["id"]} if len(case["children"]) == 1 else {}
    return LEGAL_STATUS.render(request, actor, case, values, FormErrors({}))


async def record_legal_status(request: Request) -> Response:
    form = await posted_form(request)
    errors = FormErrors(LEGAL_STATUS.anchors)
    effective = parse_date(form, "effectiveFrom", "The date the status took effect", errors, "effectiveFrom")
    child = form.get("childId", "")
    if not child:
        errors.add("childId", "Select the child whose legal status changed")
    status = form.get("status", "")
    if status not in LABELS["legal_status"]:
        errors.add("status", "Select the child's new legal status")
        status = "NO_ORDER"  # so the API still checks the date; the page's error stands
    if not child:
        # Any child whose status is not this one, so the API still checks the date; the page's error stands.
        async with signed_in(request) as (uow, actor):
            children = (await _case(request, uow, actor))["children"]
        child = next((c["id"] for c in children if c["legalStatus"] != status), children[0]["id"])
    variables = {
        "input": {
            "caseId": request.path_params["case_id"],
            "childId": child,
            "status": status,
            "effectiveFrom": iso(effective),
        }
    }
    return await LEGAL_STATUS.submit(request, "RecordLegalStatus", variables, errors, form, "legal-status")


# The final orders ------------------------------------------------------------------------------------------


def _final_anchors(case: dict[str, Any]) -> dict[str, str]:
    anchors = {"madeOn": "madeOn-day"}
    for child in case["children"]:
        anchors[f"order-{child['id']}"] = f"order-{child['id']}"
    anchors["form"] = "madeOn-day"
    return anchors


def _final_orders_input(
    case: dict[str, Any], form: dict[str, str], errors: FormErrors
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The RecordFinalOrders input and the orders chosen, with a problem for every child without one."""
    made = parse_date(form, "madeOn", "The date of the final orders", errors, "madeOn")
    chosen = []
    for child in case["children"]:
        order = form.get(f"order-{child['id']}", "")
        if order in LABELS["final_order"]:
            chosen.append({"childId": child["id"], "order": order})
        else:
            errors.add(
                f"order-{child['id']}",
                f"Select the final order for {child['givenName']} {child['familyName']}",
            )
    input = {"caseId": case["id"], "madeOn": iso(made), "orders": chosen}
    return input, chosen


def _api_final_errors(errors: FormErrors, api_errors: list[dict[str, Any]]) -> None:
    # The API names a child without an order only by "orders"; the page has said which child already.
    errors.add_api_errors([e for e in api_errors if e.get("field") != "orders" or not errors])


def _render_final(
    request: Request,
    actor: Actor,
    case: dict[str, Any],
    values: dict[str, str],
    errors: FormErrors,
    status_code: int = 200,
    template: str = "final_orders_form.html",
) -> Response:
    context = {"actor": actor, "case": case, "values": values, "errors": errors}
    return render(request, template, context, status_code=status_code)


async def final_orders_form(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        case = await _case(request, uow, actor)
    return _render_final(request, actor, case, {}, FormErrors({}))


async def check_final_orders(request: Request) -> Response:
    """The final orders posted: every problem at once, or the check-your-answers page. The API checks them
    by recording them in this request's transaction, which is then rolled back: nothing is kept until the
    solicitor confirms."""
    form = await posted_form(request)
    async with signed_in(request) as (uow, actor):
        case = await _case(request, uow, actor)
        errors = FormErrors(_final_anchors(case))
        if form.get("action") == "change":
            return _render_final(request, actor, case, form, errors)
        input, chosen = _final_orders_input(case, form, errors)
        result = await operations(request).run(uow, actor, "RecordFinalOrders", {"input": input})
        uow.fail()  # a check only
        _api_final_errors(errors, result["recordFinalOrders"]["errors"])
        if errors:
            return _render_final(request, actor, case, form, errors, status_code=400)
    orders = {o["childId"]: o["order"] for o in chosen}
    context = {"actor": actor, "case": case, "values": form, "orders": orders, "made_on": input["madeOn"]}
    return render(request, "final_orders_check.html", context)


async def record_final_orders(request: Request) -> Response:
    """The answers checked: record the final orders, concluding the proceedings."""
    form = await posted_form(request)
    async with signed_in(request) as (uow, actor):
        case = await _case(request, uow, actor)
        errors = FormErrors(_final_anchors(case))
        input, _ = _final_orders_input(case, form, errors)
        result = await operations(request).run(uow, actor, "RecordFinalOrders", {"input": input})
        _api_final_errors(errors, result["recordFinalOrders"]["errors"])
        if errors:
            uow.fail()
            return _render_final(request, actor, case, form, errors, status_code=400)
    return RedirectResponse(f"/cases/{case['id']}?done=final-orders", status_code=303)


routes = [
    Route("/proceedings/new", open_form, methods=["GET"]),
    Route("/proceedings/new", open_form_post, methods=["POST"]),
    Route("/proceedings", open_proceedings, methods=["POST"]),
    Route("/cases/{case_id}/stage", stage_form, methods=["GET"]),
    Route("/cases/{case_id}/stage", record_stage, methods=["POST"]),
    Route("/cases/{case_id}/extensions/new", extension_form, methods=["GET"]),
    Route("/cases/{case_id}/extensions", record_extension, methods=["POST"]),
    Route("/cases/{case_id}/legal-status", legal_status_form, methods=["GET"]),
    Route("/cases/{case_id}/legal-status", record_legal_status, methods=["POST"]),
    Route("/cases/{case_id}/final-orders", final_orders_form, methods=["GET"]),
    Route("/cases/{case_id}/final-orders", check_final_orders, methods=["POST"]),
    Route("/cases/{case_id}/final-orders/record", record_final_orders, methods=["POST"]),
]
