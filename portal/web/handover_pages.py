"""The handover page: the guardian's form, generated from the template the draft is written on; each
version's view; the IRO's acknowledgement or questions; the closing checklist; the PDF."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from portal.audit.service import Look
from portal.web.exports import tagged_pdf
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


async def _case(request: Request, look: Look | None = None) -> tuple[Any, dict[str, Any]]:
    async with signed_in(request) as (uow, actor):
        data = await operations(request).run(
            uow, actor, "CaseHandover", {"id": request.path_params["case_id"]}, look=look
        )
    return actor, data["case"]


def _draft(case: dict[str, Any]) -> dict[str, Any] | None:
    latest = case["handovers"][0] if case["handovers"] else None
    return latest if latest and latest["state"] == "DRAFT" else None


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
    """The form's answers, by the template: what the API takes."""

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


def anchors(handover: dict[str, Any] | None) -> dict[str, str]:
    """Where each answer's error links to: the API names it ``answers.key`` (``answers.key.0.part`` in a
    list), the form ``a.key`` (a date's day box for a date)."""
    found: dict[str, str] = {}
    if handover is None:
        return found

    def add(path: str, kind: str) -> None:
        found[f"answers.{path}"] = f"a.{path}" + ("-day" if kind == "DATE" else "")

    for section in handover["template"]["sections"]:
        for field in section["fields"]:
            if field["kind"] == "ITEMS":
                for index in range(field["rows"]):
                    for part in field["itemFields"]:
                        add(f"{field['key']}.{index}.{part['key']}", part["kind"])
            else:
                add(field["key"], field["kind"])
    return found


async def handover_page(
    request: Request, errors: FormErrors | None = None, values: dict[str, str] | None = None
) -> Response:
    actor, case = await _case(request)
    draft = _draft(case)
    if errors is not None:
        reanchored = FormErrors(anchors(draft))
        reanchored.add_api_errors([{"field": e.field, "message": e.message} for e in errors.summary])
        errors = reanchored
    return render(
        request,
        "handover.html",
        {
            "actor": actor,
            "case": case,
            "draft": draft,
            "values": values if values is not None else _values(draft),
            "errors": errors or FormErrors({}),
            "flash": FLASH.get(request.query_params.get("done", "")),
        },
        status_code=400 if errors else 200,
    )


async def _mutate(request: Request, operation: str, input: dict[str, Any], done: str) -> Response:
    case_id = request.path_params["case_id"]
    async with signed_in(request) as (uow, actor):
        result = await operations(request).run(uow, actor, operation, {"input": input})
        payload = next(iter(result.values()))
        if payload["errors"]:
            uow.fail()
    if payload["errors"]:
        errors = FormErrors({})
        errors.add_api_errors(payload["errors"])
        current = payload.get("current")
        return await handover_page(request, errors, _values(current) if current else None)
    return RedirectResponse(f"/cases/{case_id}/handover?done={done}#top", status_code=303)


async def start(request: Request) -> Response:
    await posted_form(request)
    return await _mutate(request, "StartHandover", {"caseId": request.path_params["case_id"]}, "saved")


async def save(request: Request) -> Response:
    """Save the draft, or save and submit it."""
    form = await posted_form(request)
    _, case = await _case(request)
    draft = _draft(case)
    if draft is None:
        raise PageNotFound
    errors = FormErrors({})
    answers = _answers(draft["template"], form, errors)
    revision = int(form.get("revision", "0") or 0)
    if form.get("action") == "autosave":
        if errors:  # half-typed dates: wait for the rest
            return JSONResponse(
                {"errors": [{"field": e.field, "message": e.message} for e in errors.summary]},
                status_code=400,
            )
        return await _autosave(request, draft["id"], revision, answers)
    if errors:
        return await handover_page(request, errors, form)
    saved = await _mutate(
        request, "SaveHandover", {"id": draft["id"], "revision": revision, "answers": answers}, "saved"
    )
    if form.get("action") != "submit" or saved.status_code != 303:
        return saved
    return await _mutate(
        request, "SubmitHandover", {"id": draft["id"], "revision": revision + 1}, "submitted"
    )


async def _autosave(request: Request, handover_id: str, revision: int, answers: dict[str, Any]) -> Response:
    """The page's script saving as the guardian types: the new revision, or the conflict."""
    input = {"id": handover_id, "revision": revision, "answers": answers}
    async with signed_in(request) as (uow, actor):
        payload = (await operations(request).run(uow, actor, "SaveHandover", {"input": input}))[
            "saveHandover"
        ]
        if payload["errors"]:
            uow.fail()
    if payload["errors"]:
        return JSONResponse({"errors": payload["errors"]}, status_code=409 if payload["current"] else 400)
    return JSONResponse({"revision": payload["handover"]["revision"]})


async def answer(request: Request) -> Response:
    form = await posted_form(request)
    handover_id = request.path_params["handover_id"]
    if form.get("action") == "return":
        return await _mutate(
            request, "ReturnHandover", {"id": handover_id, "questions": form.get("questions", "")}, "returned"
        )
    return await _mutate(request, "AcknowledgeHandover", {"id": handover_id}, "acknowledged")


async def close(request: Request) -> Response:
    form = await posted_form(request)
    reason = form.get("overrideReason")
    input = {
        "caseId": request.path_params["case_id"],
        "overrideReason": reason if "overrideReason" in form else None,
    }
    return await _mutate(request, "CloseGuardianInvolvement", input, "closed")


async def pdf(request: Request) -> Response:
    """One version of the handover as a tagged PDF, with its template."""
    _, case = await _case(request, Look.EXPORT_HANDOVER_PDF)
    handover = next((h for h in case["handovers"] if h["id"] == request.path_params["handover_id"]), None)
    if handover is None:
        raise PageNotFound
    html = TEMPLATES.get_template("handover_record.html").render(case=case, handover=handover)
    document = tagged_pdf(html)
    name = f"handover-{case['caseNumber']}-v{handover['version']}.pdf"
    return Response(document, media_type="application/pdf", headers={"Content-Disposition": attachment(name)})


routes = [
    Route("/cases/{case_id}/handover", handover_page, methods=["GET"]),
    Route("/cases/{case_id}/handover/start", start, methods=["POST"]),
    Route("/cases/{case_id}/handover/draft", save, methods=["POST"]),
    Route("/cases/{case_id}/handover/close", close, methods=["POST"]),
    Route("/cases/{case_id}/handover/{handover_id}/answer", answer, methods=["POST"]),
    Route("/cases/{case_id}/handover/{handover_id}.pdf", pdf, methods=["GET"]),
]
