"""The handover pages (P12-P15). The hub: closing the guardian's involvement as a GOV.UK task list (each step
linking to the form that completes it; "Close my involvement" offered only when the service would allow it),
the versions, and the IRO's answer below the handover it answers. The guardian's form, generated from the
template the draft is written on and saved as they type; check your answers before submitting (it can never
change afterwards); the IRO's check before acknowledging or returning it; the PDF."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from portal.audit.service import Look
from portal.printing import print_pdf
from portal.web.forms import FormErrors, parse_date
from portal.web.headers import attachment
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import TEMPLATES, render
from portal.web.requests import posted_form, signed_in

FLASH = {
    "saved": "Your draft is saved.",
    "submitted": "The handover is submitted. The IRO has been told.",
    "acknowledged": "You have acknowledged the handover. Its issues are on your task list.",
    "returned": "The handover is returned to the guardian with your questions.",
    "closed": "The guardian's involvement is closed.",
}
QUESTIONS = "questions"
# Where the hub's errors link to: a refusal to close (no field) to the task list, the rest to their part.
HUB_ANCHORS = {"form": "closing", "caseId": "handover", "id": "answer", QUESTIONS: QUESTIONS}


async def _case(request: Request, look: Look | None = None) -> tuple[Any, dict[str, Any]]:
    async with signed_in(request) as (uow, actor):
        data = await operations(request).run(
            uow, actor, "CaseHandover", {"id": request.path_params["case_id"]}, look=look
        )
    return actor, data["case"]


def _draft(case: dict[str, Any]) -> dict[str, Any] | None:
    latest = case["handovers"][0] if case["handovers"] else None
    return latest if latest and latest["state"] == "DRAFT" else None


def _writable_draft(case: dict[str, Any]) -> dict[str, Any]:
    """The open draft, for the guardian writing it; anyone else gets the page-not-found."""
    draft = _draft(case)
    if draft is None or not case["viewerCan"]["writeHandover"]:
        raise PageNotFound
    return draft


def _submitted(case: dict[str, Any], handover_id: str) -> dict[str, Any]:
    """The submitted version the IRO is answering; for anyone else, or any other version, not found."""
    found: dict[str, Any] | None = next((h for h in case["handovers"] if h["id"] == handover_id), None)
    if found is None or found["state"] != "SUBMITTED" or not case["viewerCan"]["answerHandover"]:
        raise PageNotFound
    return found


def _values(handover: dict[str, Any] | None) -> dict[str, str]:
    """The draft's answers as form values (dates split into day, month and year)."""
    values: dict[str, str] = {}
    if handover is None:
        return values
    for section in handover["template"]["sections"]:
        for field in section["fields"]:
            answer = handover["answers"].get(field["key"])
            if field["kind"] == "ITEMS":
                for index, item in enumerate(answer or []):
                    for part in field["itemFields"]:
                        _put(
                            values,
                            f"a.{field['key']}.{index}.{part['key']}",
                            part["kind"],
                            item.get(part["key"], ""),
                        )
            else:
                _put(values, f"a.{field['key']}", field["kind"], answer or "")
    return values


def _put(values: dict[str, str], name: str, kind: str, answer: str) -> None:
    if kind == "DATE" and answer:
        year, month, day = answer.split("-")
        values.update({f"{name}-day": str(int(day)), f"{name}-month": str(int(month)), f"{name}-year": year})
    else:
        values[name] = answer


def _answers(template: dict[str, Any], form: dict[str, str], errors: FormErrors) -> dict[str, Any]:
    """The form's answers, by the template: what the API takes. A date that does not parse is an error
    here and an empty answer there."""

    def read(name: str, field: dict[str, Any]) -> str:
        if field["kind"] == "DATE":
            day = parse_date(form, name, field["label"], errors, "answers." + name.removeprefix("a."))
            return day.isoformat() if day else ""
        return form.get(name, "")

    answers: dict[str, Any] = {}
    for section in template["sections"]:
        for field in section["fields"]:
            if field["kind"] == "ITEMS":
                answers[field["key"]] = [
                    {
                        part["key"]: read(f"a.{field['key']}.{index}.{part['key']}", part)
                        for part in field["itemFields"]
                    }
                    for index in range(field["rows"])
                ]
            else:
                answers[field["key"]] = read(f"a.{field['key']}", field)
    return answers


def _paths(handover: dict[str, Any]) -> list[tuple[str, str]]:
    """Each answer's path (``key``, or ``key.0.part`` in a list) and kind, in the template's order."""
    found = []
    for section in handover["template"]["sections"]:
        for field in section["fields"]:
            if field["kind"] == "ITEMS":
                for index in range(field["rows"]):
                    for part in field["itemFields"]:
                        found.append((f"{field['key']}.{index}.{part['key']}", part["kind"]))
            else:
                found.append((field["key"], field["kind"]))
    return found


def anchors(handover: dict[str, Any] | None) -> dict[str, str]:
    """Where each answer's error links to on the form: the API names it ``answers.key``
    (``answers.key.0.part`` in a list), the form ``a.key`` (a date's day box for a date)."""
    if handover is None:
        return {}
    return {
        f"answers.{path}": f"a.{path}" + ("-day" if kind == "DATE" else "") for path, kind in _paths(handover)
    }


def check_anchors(handover: dict[str, Any]) -> dict[str, str]:
    """Where each answer's error links to on the check-your-answers page: its row."""
    found = {f"answers.{path}": f"check-{path.split('.')[0]}" for path, _ in _paths(handover)}
    return {**found, "form": "submit", "id": "submit"}


def _revision(form: dict[str, str]) -> int:
    """The draft's revision the form was written from (a mangled one is a conflict, not an error page)."""
    text = form.get("revision", "")
    return int(text) if text.isdigit() and len(text) < 10 else 0


# The hub


async def handover_page(
    request: Request, errors: FormErrors | None = None, values: dict[str, str] | None = None
) -> Response:
    actor, case = await _case(request)
    return render(
        request,
        "handover.html",
        {
            "actor": actor,
            "case": case,
            "draft": _draft(case),
            "values": values or {},
            "errors": errors or FormErrors({}),
            "flash": FLASH.get(request.query_params.get("done", "")),
        },
        status_code=400 if errors else 200,
    )


async def _run(request: Request, operation: str, input: dict[str, Any]) -> dict[str, Any]:
    """Run a mutation; on errors nothing it wrote is kept. Its payload."""
    async with signed_in(request) as (uow, actor):
        result = await operations(request).run(uow, actor, operation, {"input": input})
        payload: dict[str, Any] = next(iter(result.values()))
        if payload["errors"]:
            uow.fail()
    return payload


def _api_errors(payload: dict[str, Any], where: dict[str, str] | None = None) -> FormErrors:
    """The payload's errors, every one: those of no field (a refusal to close lists each step left) each
    kept, all linking to where the form's own errors go."""
    anchors = dict(where or HUB_ANCHORS)
    errors = FormErrors(anchors)
    for index, error in enumerate(payload["errors"]):
        field = error.get("field") or "form"
        if field == "form" and errors.get("form"):
            field = f"form.{index}"
            anchors[field] = anchors.get("form", "form")  # FormErrors reads the same dict
        errors.add(field, error["message"])
    return errors


def _done(request: Request, done: str, page: str = "") -> Response:
    case_id = request.path_params["case_id"]
    return RedirectResponse(f"/cases/{case_id}/handover{page}?done={done}", status_code=303)


async def start(request: Request) -> Response:
    await posted_form(request)
    payload = await _run(request, "StartHandover", {"caseId": request.path_params["case_id"]})
    if payload["errors"]:
        return await handover_page(request, _api_errors(payload))
    return RedirectResponse(f"/cases/{request.path_params['case_id']}/handover/draft", status_code=303)


async def close(request: Request) -> Response:
    """The guardian closes their involvement (through the gate), or a Cafcass manager closes it with a
    reason; what stops it is listed, all at once."""
    form = await posted_form(request)
    reason = form.get("overrideReason")
    input = {
        "caseId": request.path_params["case_id"],
        "overrideReason": reason if "overrideReason" in form else None,
    }
    payload = await _run(request, "CloseGuardianInvolvement", input)
    if payload["errors"]:
        return await handover_page(request, _api_errors(payload), {"overrideReason": reason or ""})
    return _done(request, "closed")


# The guardian's form


async def draft_page(
    request: Request, errors: FormErrors | None = None, values: dict[str, str] | None = None
) -> Response:
    actor, case = await _case(request)
    draft = _writable_draft(case)
    if errors is not None:  # the API's names for the answers, anchored to the form's fields
        reanchored = FormErrors({**anchors(draft), "form": "handover-form"})
        reanchored.add_api_errors([{"field": e.field, "message": e.message} for e in errors.summary])
        errors = reanchored
    return render(
        request,
        "handover_draft.html",
        {
            "actor": actor,
            "case": case,
            "draft": draft,
            "returned": next((h for h in case["handovers"][1:2] if h["state"] == "RETURNED"), None),
            "values": values if values is not None else _values(draft),
            "errors": errors or FormErrors({}),
            "flash": FLASH.get(request.query_params.get("done", "")),
        },
        status_code=400 if errors else 200,
    )


async def save(request: Request) -> Response:
    """Save the draft (and stay), save it and check the answers before submitting, or (the page's script)
    save as the guardian types. Every problem is shown at once: dates that do not parse, answers the API
    refuses and, on the way to checking, every answer a submission still needs."""
    form = await posted_form(request)
    _, case = await _case(request)
    draft = _writable_draft(case)
    errors = FormErrors({})
    answers = _answers(draft["template"], form, errors)
    revision = _revision(form)
    if form.get("action") == "autosave":
        if errors:  # half-typed dates: wait for the rest
            return JSONResponse(
                {"errors": [{"field": e.field, "message": e.message} for e in errors.summary]},
                status_code=400,
            )
        return await _autosave(request, draft["id"], revision, answers)
    payload = await _run(
        request, "SaveHandover", {"id": draft["id"], "revision": revision, "answers": answers}
    )
    if payload["errors"]:
        errors.add_api_errors(payload["errors"])
        current = payload.get("current")  # a conflict: show what the other person saved
        return await draft_page(
            request, errors, _values(current | {"template": draft["template"]}) if current else form
        )
    checking = form.get("action") == "check"
    if checking:
        _, case = await _case(request)
        errors.add_api_errors(_writable_draft(case)["missing"])
    if errors:
        return await draft_page(request, errors, form)
    if checking:
        return RedirectResponse(f"/cases/{request.path_params['case_id']}/handover/check", status_code=303)
    return _done(request, "saved", "/draft")


async def _autosave(request: Request, handover_id: str, revision: int, answers: dict[str, Any]) -> Response:
    """The page's script saving as the guardian types: the new revision, or the conflict."""
    payload = await _run(
        request, "SaveHandover", {"id": handover_id, "revision": revision, "answers": answers}
    )
    if payload["errors"]:
        return JSONResponse({"errors": payload["errors"]}, status_code=409 if payload["current"] else 400)
    return JSONResponse({"revision": payload["handover"]["revision"]})


# Check your answers, then submit


async def check_page(request: Request, errors: FormErrors | None = None) -> Response:
    actor, case = await _case(request)
    draft = _writable_draft(case)
    if errors is None and draft["missing"]:
        errors = FormErrors(check_anchors(draft))
        errors.add_api_errors(draft["missing"])
    return render(
        request,
        "handover_check.html",
        {"actor": actor, "case": case, "draft": draft, "errors": errors or FormErrors({})},
        status_code=400 if errors and request.method == "POST" else 200,
    )


async def submit(request: Request) -> Response:
    """Submit the draft as checked: it meets P14 and never changes again."""
    form = await posted_form(request)
    _, case = await _case(request)
    draft = _writable_draft(case)
    revision = _revision(form)
    payload = await _run(request, "SubmitHandover", {"id": draft["id"], "revision": revision})
    if payload["errors"]:
        return await check_page(request, _api_errors(payload, check_anchors(draft)))
    return _done(request, "submitted")


# The IRO's answer: below the handover, then checked


async def answer(request: Request) -> Response:
    """The IRO's answer to a submitted version: first a check of what it will do (acknowledge, or return
    with the questions shown), then, confirmed, the answer itself. "Change" brings the answer back to the
    handover page with the questions as written."""
    form = await posted_form(request)
    actor, case = await _case(request)
    handover = _submitted(case, request.path_params["handover_id"])
    returning = form.get("action") == "return"
    questions = form.get(QUESTIONS, "")
    if form.get("change"):
        return await handover_page(request, values={QUESTIONS: questions})
    if form.get("confirmed") != "yes":
        if returning and not questions.strip():
            errors = FormErrors(HUB_ANCHORS)
            errors.add(QUESTIONS, "Write your questions for the guardian")
            return await handover_page(request, errors, {QUESTIONS: questions})
        return render(
            request,
            "handover_answer_check.html",
            {
                "actor": actor,
                "case": case,
                "handover": handover,
                "returning": returning,
                "questions": questions,
            },
        )
    input = {"id": handover["id"], QUESTIONS: questions if returning else ""}
    payload = await _run(request, "ReturnHandover" if returning else "AcknowledgeHandover", input)
    if payload["errors"]:
        return await handover_page(request, _api_errors(payload), {QUESTIONS: questions})
    return _done(request, "returned" if returning else "acknowledged")


async def pdf(request: Request) -> Response:
    """One version of the handover as a tagged PDF, with its template."""
    _, case = await _case(request, Look.EXPORT_HANDOVER_PDF)
    handover = next((h for h in case["handovers"] if h["id"] == request.path_params["handover_id"]), None)
    if handover is None:
        raise PageNotFound
    html = TEMPLATES.get_template("handover_record.html").render(case=case, handover=handover)
    document = await print_pdf(html)
    name = f"handover-{case['caseNumber']}-v{handover['version']}.pdf"
    return Response(document, media_type="application/pdf", headers={"Content-Disposition": attachment(name)})


routes = [
    Route("/cases/{case_id}/handover", handover_page, methods=["GET"]),
    Route("/cases/{case_id}/handover/start", start, methods=["POST"]),
    Route("/cases/{case_id}/handover/draft", draft_page, methods=["GET"]),
    Route("/cases/{case_id}/handover/draft", save, methods=["POST"]),
    Route("/cases/{case_id}/handover/check", check_page, methods=["GET"]),
    Route("/cases/{case_id}/handover/submit", submit, methods=["POST"]),
    Route("/cases/{case_id}/handover/close", close, methods=["POST"]),
    Route("/cases/{case_id}/handover/{handover_id}/answer", answer, methods=["POST"]),
    Route("/cases/{case_id}/handover/{handover_id}.pdf", pdf, methods=["GET"]),
]
