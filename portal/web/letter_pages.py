"""Pages for what the IRO writes to a looked-after child (issue 19): the form on which the child's IRO records
how they introduced themselves and the way of keeping in touch agreed, the form on which they tell the child
what was decided in a resolved dispute, and each one's letter, a tagged PDF in plain language drawn from the
record whenever it is asked for (so it always says what the record says). Each form runs a named mutation and
re-shows itself with every problem; each letter is read as an export, and the audit trail says so."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import clock
from portal.audit.service import Look
from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.letters.addressee import suggested
from portal.printing import print_pdf
from portal.web.forms import FormErrors, date_values, iso, parse_date
from portal.web.headers import attachment
from portal.web.labels import LABELS
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import TEMPLATES, render
from portal.web.requests import posted_form, signed_in

INTRODUCTION_FIELDS = {
    "childId": "explainedOn-day",
    "explainedOn": "explainedOn-day",
    "explainedHow": "explainedHow",
    "keepingInTouch": "keepingInTouch",
    "phone": "phone",
    "letterTo": "letterTo",
    "carerName": "carerName",
    "caseId": "explainedOn-day",
    "form": "explainedOn-day",
}
SUMMARY_FIELDS = {
    "decided": "decided",
    "viewsCounted": "viewsCounted",
    "letterTo": "letterTo",
    "carerName": "carerName",
    "childId": "decided",
    "id": "decided",
    "disputeId": "decided",
    "form": "decided",
}


def _child(case: dict[str, Any], child_id: str) -> dict[str, Any]:
    child: dict[str, Any] | None = next((c for c in case["children"] if c["id"] == child_id), None)
    if child is None:
        raise PageNotFound
    return child


async def _case(request: Request, uow: UnitOfWork, actor: Actor, case_id: str, **look: Any) -> dict[str, Any]:
    case: dict[str, Any] = (
        await operations(request).run(uow, actor, "Introductions", {"id": case_id}, **look)
    )["case"]
    return case


def _mine(case: dict[str, Any], child: dict[str, Any], actor: Actor) -> dict[str, Any] | None:
    """The actor's introduction to the child, if they recorded one."""
    me = str(actor.person_id)
    return next(
        (i for i in case["introductions"] if i["childId"] == child["id"] and i["iro"]["id"] == me), None
    )


def _introduction_page(
    request: Request,
    actor: Actor,
    case: dict[str, Any],
    child: dict[str, Any],
    values: dict[str, str],
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    # The child's IRO, who may write to the case's children, introduces themselves; nobody else has the form.
    if not (
        case["viewerCan"]["writeToChildren"] and child["iro"] and child["iro"]["id"] == str(actor.person_id)
    ):
        raise PageNotFound
    context = {"actor": actor, "case": case, "child": child, "values": values, "errors": errors}
    return render(request, "introduction_form.html", context, status_code=status_code)


async def introduction_form(request: Request) -> Response:
    """The child's IRO's form, filled with what they recorded before, or with today and a letter to the child
    (to the carer for a young child)."""
    async with signed_in(request) as (uow, actor):
        case = await _case(request, uow, actor, request.path_params["case_id"])
    child = _child(case, request.path_params["child_id"])
    today = clock.today()
    found = _mine(case, child, actor)
    if found is None:
        to = suggested(date.fromisoformat(child["dateOfBirth"]), today)
        values = {**date_values("explainedOn", today.isoformat()), "letterTo": to.name}
    else:
        values = {
            **date_values("explainedOn", found["explainedOn"]),
            "explainedHow": found["explainedHow"],
            "keepingInTouch": found["keepingInTouch"],
            "phone": found["phone"],
            "advocacyExplained": "yes" if found["advocacyExplained"] else "",
            "letterTo": found["letterTo"],
            "carerName": found["carerName"],
        }
    return _introduction_page(request, actor, case, child, values, FormErrors({}))


def _choice(form: dict[str, str], name: str, kind: str) -> str | None:
    """A radio's value if it is one of the choices (anything else is the same as none)."""
    value = form.get(name, "")
    return value if value in LABELS[kind] else None


async def record_introduction(request: Request) -> Response:
    form = await posted_form(request)
    case_id, child_id = request.path_params["case_id"], request.path_params["child_id"]
    errors = FormErrors(INTRODUCTION_FIELDS)
    explained = parse_date(form, "explainedOn", "The date you explained your role", errors, "explainedOn")
    variables = {
        "input": {
            "caseId": case_id,
            "childId": child_id,
            "explainedOn": iso(explained),
            "explainedHow": _choice(form, "explainedHow", "explained_how"),
            "keepingInTouch": form.get("keepingInTouch", ""),
            "phone": form.get("phone", ""),
            "advocacyExplained": form.get("advocacyExplained") == "yes",
            "letterTo": _choice(form, "letterTo", "letter_to"),
            "carerName": form.get("carerName", ""),
        }
    }
    async with signed_in(request) as (uow, actor):
        result = await operations(request).run(uow, actor, "RecordIroIntroduction", variables)
        errors.add_api_errors(result["recordIroIntroduction"]["errors"])
        if errors:
            uow.fail()
            case = await _case(request, uow, actor, case_id)
            child = _child(case, child_id)
            return _introduction_page(request, actor, case, child, form, errors, status_code=400)
    return RedirectResponse(f"/cases/{case_id}?done=introduction-recorded#letters", status_code=303)


async def _letter(html: str, name: str) -> Response:
    headers = {"Content-Disposition": attachment(name)}
    return Response(await print_pdf(html), media_type="application/pdf", headers=headers)


async def introduction_letter(request: Request) -> Response:
    """An introduction's letter to the child or their carer, for everyone who reads the case."""
    case_id, introduction_id = request.path_params["case_id"], request.path_params["introduction_id"]
    async with signed_in(request) as (uow, actor):
        case = await _case(request, uow, actor, case_id, look=Look.EXPORT_LETTER_PDF)
    introduction = next((i for i in case["introductions"] if i["id"] == introduction_id), None)
    if introduction is None:
        raise PageNotFound
    child = _child(case, introduction["childId"])
    html = TEMPLATES.get_template("letters/introduction.html").render(
        introduction=introduction,
        child=child,
        iro=introduction["iro"],
        phone=introduction["phone"],
        authority=case["localAuthority"]["name"],
        written_on=introduction["updatedAt"],
        to_carer=introduction["letterTo"] == "CARER",
    )
    return await _letter(html, f"letter-from-your-iro-{child['givenName']}.pdf")


async def _dispute(request: Request, uow: UnitOfWork, actor: Actor) -> dict[str, Any]:
    found = await operations(request).run(
        uow, actor, "ChildSummaries", {"id": request.path_params["dispute_id"]}
    )
    dispute: dict[str, Any] = found["dispute"]
    return dispute


def _summary_page(
    request: Request,
    actor: Actor,
    dispute: dict[str, Any],
    case: dict[str, Any],
    child: dict[str, Any],
    values: dict[str, str],
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    if not (
        case["viewerCan"]["writeToChildren"] and child["iro"] and child["iro"]["id"] == str(actor.person_id)
    ):
        raise PageNotFound
    if dispute["childId"] not in {None, child["id"]}:
        raise PageNotFound
    context = {
        "actor": actor,
        "dispute": dispute,
        "case": case,
        "child": child,
        "values": values,
        "errors": errors,
    }
    return render(request, "child_summary_form.html", context, status_code=status_code)


async def summary_form(request: Request) -> Response:
    """The child's IRO's form for a dispute's summary for the child, filled with what they wrote before."""
    child_id = request.path_params["child_id"]
    async with signed_in(request) as (uow, actor):
        dispute = await _dispute(request, uow, actor)
        case = await _case(request, uow, actor, dispute["caseId"])
    child = _child(case, child_id)
    found = next((s for s in dispute["childSummaries"] if s["childId"] == child_id), None)
    if found is None:
        to = suggested(date.fromisoformat(child["dateOfBirth"]), clock.today())
        introduction = _mine(case, child, actor)
        values = {
            "letterTo": introduction["letterTo"] if introduction else to.name,
            "carerName": introduction["carerName"] if introduction else "",
        }
    else:
        values = {k: found[k] for k in ("decided", "viewsCounted", "letterTo", "carerName")}
    return _summary_page(request, actor, dispute, case, child, values, FormErrors({}))


async def write_summary(request: Request) -> Response:
    form = await posted_form(request)
    dispute_id, child_id = request.path_params["dispute_id"], request.path_params["child_id"]
    errors = FormErrors(SUMMARY_FIELDS)
    variables = {
        "input": {
            "disputeId": dispute_id,
            "childId": child_id,
            "decided": form.get("decided", ""),
            "viewsCounted": form.get("viewsCounted", ""),
            "letterTo": _choice(form, "letterTo", "letter_to"),
            "carerName": form.get("carerName", ""),
        }
    }
    async with signed_in(request) as (uow, actor):
        payload = (await operations(request).run(uow, actor, "WriteChildSummary", variables))[
            "writeChildSummary"
        ]
        if any(e["code"] in {"NOT_FOUND", "INVALID_ID"} for e in payload["errors"]):
            raise PageNotFound  # not there, or not theirs to see: the same to them
        errors.add_api_errors(payload["errors"])
        if errors:
            uow.fail()
            dispute = await _dispute(request, uow, actor)
            case = await _case(request, uow, actor, dispute["caseId"])
            child = _child(case, child_id)
            return _summary_page(request, actor, dispute, case, child, form, errors, status_code=400)
    return RedirectResponse(f"/disputes/{dispute_id}?done=child-summary-written", status_code=303)


async def summary_letter(request: Request) -> Response:
    """A dispute's letter to one child it concerns (or their carer), for everyone who sees the dispute."""
    child_id = request.path_params["child_id"]
    async with signed_in(request) as (uow, actor):
        dispute = await _dispute(request, uow, actor)
        case = await _case(request, uow, actor, dispute["caseId"], look=Look.EXPORT_LETTER_PDF)
    summary = next((s for s in dispute["childSummaries"] if s["childId"] == child_id), None)
    if summary is None:
        raise PageNotFound
    child = _child(case, child_id)
    iro = summary["writtenBy"]
    # The IRO's number, as they gave it to the child when they introduced themselves.
    phone = next(
        (
            i["phone"]
            for i in case["introductions"]
            if i["childId"] == child_id and i["iro"]["id"] == iro["id"]
        ),
        "",
    )
    html = TEMPLATES.get_template("letters/child_summary.html").render(
        summary=summary,
        child=child,
        iro=iro,
        phone=phone,
        authority=case["localAuthority"]["name"],
        written_on=summary["updatedAt"],
        to_carer=summary["letterTo"] == "CARER",
    )
    return await _letter(html, f"what-was-decided-{child['givenName']}.pdf")


routes = [
    Route("/cases/{case_id}/children/{child_id}/introduction", introduction_form, methods=["GET"]),
    Route("/cases/{case_id}/children/{child_id}/introduction", record_introduction, methods=["POST"]),
    Route(
        "/cases/{case_id}/introductions/{introduction_id}/letter.pdf", introduction_letter, methods=["GET"]
    ),
    Route("/disputes/{dispute_id}/children/{child_id}/summary", summary_form, methods=["GET"]),
    Route("/disputes/{dispute_id}/children/{child_id}/summary", write_summary, methods=["POST"]),
    Route("/disputes/{dispute_id}/children/{child_id}/letter.pdf", summary_letter, methods=["GET"]),
]
