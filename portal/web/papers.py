"""Court papers over HTTP: the streaming upload routes (one for API clients, one for the page's form), the
papers tab, the guardian's confirmation, and downloads.

An upload is checked before its body is read (who is asking, may they file on this case, is the declared
size too large), then streamed to the blob store with no database transaction open, and recorded after. A
download is streamed from the store as an attachment, with nosniff and a sandboxing CSP.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, unquote

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from models import Upload
from portal.auth.actor import Actor
from portal.auth.web import BadToken, api_actor, csrf_valid, session_actor
from portal.db import unit_of_work
from portal.errors import DomainError, ErrorCode, NotFound
from portal.papers import service as papers
from portal.papers.multipart import MalformedForm, read_form
from portal.papers.receive import ALLOWED_EXTENSIONS, Received, Receiver, too_large
from portal.web.forms import FormErrors, parse_date
from portal.web.labels import LABELS
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import render
from portal.web.requests import CsrfFailed, SignInRequired, posted_form, signed_in

STATUS = {
    ErrorCode.FILE_TOO_LARGE: 413,
    ErrorCode.FILE_TYPE_NOT_ALLOWED: 415,
    ErrorCode.FILE_TYPE_MISMATCH: 415,
    ErrorCode.NOT_FOUND: 404,
}


def _case_id(request: Request) -> uuid.UUID:
    try:
        return uuid.UUID(request.path_params["case_id"])
    except ValueError:
        raise NotFound("Case") from None


def _declared_too_large(request: Request) -> bool:
    declared = request.headers.get("content-length", "")
    return declared.isdigit() and int(declared) > request.app.state.settings.upload_max_bytes


def _errors_json(error: DomainError) -> JSONResponse:
    problems = error.problems
    status = STATUS.get(problems[0].code, 400)
    body = {"errors": [{"code": p.code.value, "message": p.message, "field": p.field} for p in problems]}
    return JSONResponse(body, status_code=status)


async def _may_file(request: Request, actor: Actor, case_id: uuid.UUID) -> None:
    async with unit_of_work(request.app.state.sessions) as uow:
        # A refusal raises out of here; the unit of work keeps it in the audit trail.
        await uow.run(lambda s: papers.check_can_file(s, actor, case_id))


async def _record(request: Request, actor: Actor, case_id: uuid.UUID, received: Received) -> Upload:
    async with unit_of_work(request.app.state.sessions) as uow:
        return await uow.run(lambda s: papers.record_upload(s, actor, case_id, received))


def _check_complete(request: Request, received_size: int) -> None:
    declared = request.headers.get("content-length", "")
    if request.headers.get("content-type", "").startswith("multipart/"):
        return  # the multipart parser checks the closing boundary
    if declared.isdigit() and int(declared) != received_size:
        raise DomainError.one(ErrorCode.UPLOAD_INCOMPLETE, "The upload was cut short: send it again", "file")


async def upload_api(request: Request) -> Response:
    """``POST /cases/{id}/papers/uploads`` with the file as the body and its name in ``X-Filename``
    (percent-encoded), for API clients with a bearer token. Answers the upload's id, hash, size and type."""
    settings = request.app.state.settings
    try:
        case_id = _case_id(request)
        async with unit_of_work(request.app.state.sessions) as uow:
            actor = await api_actor(request, uow)
        if actor is None:
            raise BadToken
        await _may_file(request, actor, case_id)
        if _declared_too_large(request):
            raise too_large(settings.upload_max_bytes)
        receiver = Receiver(request.app.state.blobs, settings.upload_max_bytes)
        await receiver.start(unquote(request.headers.get("x-filename", "")))
        try:
            async for chunk in request.stream():
                await receiver.write(chunk)
            _check_complete(request, receiver.size)
            received = await receiver.finish()
        except BaseException:
            await receiver.abort()
            raise
        upload = await _record(request, actor, case_id, received)
    except BadToken:
        return JSONResponse(
            {"errors": [{"code": "UNAUTHENTICATED", "message": "Send a valid API token", "field": None}]},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    except NotFound as missing:
        return _errors_json(DomainError.one(ErrorCode.NOT_FOUND, missing.problems[0].message, None))
    except DomainError as error:
        return _errors_json(error)
    except ClientDisconnect:
        return Response(status_code=400)
    return JSONResponse(
        {
            "uploadId": str(upload.id),
            "sha256": upload.sha256,
            "size": upload.size,
            "contentType": upload.content_type,
            "filename": upload.filename,
        },
        status_code=201,
    )


FORM_FIELDS = {
    "file": "file",
    "uploadId": "file",
    "paperId": "paperId",
    "kind": "kind",
    "title": "title",
    "filedOn": "filedOn-day",
    "filedByParty": "filedByParty",
    "confidentiality": "confidentiality",
    "lawfulBasis": "lawfulBasis",
    "form": "file",
}


async def papers_page(
    request: Request, errors: FormErrors | None = None, values: dict[str, str] | None = None
) -> Response:
    async with signed_in(request) as (uow, actor):
        data = await operations(request).run(uow, actor, "CasePapers", {"id": request.path_params["case_id"]})
    done = request.query_params.get("done")
    return render(
        request,
        "papers.html",
        {
            "actor": actor,
            "case": data["case"],
            "errors": errors or FormErrors({}),
            "values": values or {"confidentiality": "STANDARD", "lawfulBasis": "FPR_12_73_IRO"},
            "flash": {"filed": "The paper is filed.", "confirmed": "Your confirmation is recorded."}.get(
                done or ""
            ),
            "max_mb": request.app.state.settings.upload_max_bytes // (1024 * 1024),
            "accept": ",".join(f".{e}" for e in sorted(ALLOWED_EXTENSIONS)),
        },
        status_code=400 if errors else 200,
    )


async def upload_page(request: Request) -> Response:
    """The papers tab's form: the file and what it is, in one multipart post, streamed as it arrives."""
    settings = request.app.state.settings
    case_id = _case_id(request)
    async with unit_of_work(request.app.state.sessions) as uow:
        actor = await session_actor(request, uow, settings)
    if actor is None:
        raise SignInRequired
    try:
        await _may_file(request, actor, case_id)
    except NotFound:
        raise PageNotFound from None
    errors = FormErrors(FORM_FIELDS)
    receiver = Receiver(request.app.state.blobs, settings.upload_max_bytes)
    started = False

    async def on_file_start(name: str, filename: str, fields: dict[str, str]) -> None:
        nonlocal started
        if not csrf_valid(request, fields.get("csrf_token")):
            raise CsrfFailed
        if name == "file" and filename:
            await receiver.start(filename)
            started = True

    async def on_file_data(chunk: bytes) -> None:
        if started:
            await receiver.write(chunk)

    content_type = request.headers.get("content-type", "")
    boundary = content_type.partition("boundary=")[2].strip('"').encode()
    fields: dict[str, str] = {}
    received: Received | None = None
    if not content_type.startswith("multipart/form-data") or not boundary:
        await posted_form(request)  # a small form without the file: its CSRF token first
        errors.add("file", "Choose a file to upload")
        return await papers_page(request, errors)
    try:
        if _declared_too_large(request):
            raise too_large(settings.upload_max_bytes)
        fields = await read_form(boundary, request.stream(), on_file_start, on_file_data)
        if not csrf_valid(request, fields.get("csrf_token")):
            raise CsrfFailed
        if started:
            received = await receiver.finish()
    except DomainError as error:
        await receiver.abort()
        errors.add_api_errors([{"field": p.field, "message": p.message} for p in error.problems])
    except (MalformedForm, ClientDisconnect):
        await receiver.abort()
        errors.add("file", "The upload did not arrive whole: choose the file and send it again")
    except BaseException:
        await receiver.abort()
        raise
    upload_id = fields.get("uploadId", "")
    if received is not None:
        upload_id = str((await _record(request, actor, case_id, received)).id)
    elif not upload_id and not errors:
        errors.add("file", "Choose a file to upload")
    filed_on = parse_date(fields, "filedOn", "The date filed", errors, "filedOn")
    if upload_id and not errors.get("file"):
        variables = {"input": _file_input(upload_id, fields, filed_on.isoformat() if filed_on else None)}
        async with signed_in(request) as (uow, signed):
            result = await operations(request).run(uow, signed, "FileCourtPaper", variables)
            errors.add_api_errors(result["fileCourtPaper"]["errors"])
            if errors:
                uow.fail()
    if errors:
        # Keep what was chosen; an upload that arrived is kept too, so only the details need fixing.
        return await papers_page(
            request, errors, {**fields, "uploadId": upload_id if received or fields.get("uploadId") else ""}
        )
    return RedirectResponse(f"/cases/{case_id}/papers?done=filed", status_code=303)


def _file_input(upload_id: str, fields: dict[str, str], filed_on: str | None) -> dict[str, Any]:
    def choice(name: str, labels: str) -> str | None:
        value = fields.get(name, "")
        return value if value in LABELS[labels] else None

    brief = {
        key: fields.get(f"planInBrief.{key}", "")
        for key in ("placement", "permanence", "familyContact", "services")
    }
    plan = {"planInBrief": brief} if any(brief.values()) else {}
    if fields.get("paperId"):
        return {"uploadId": upload_id, "filedOn": filed_on, "paperId": fields["paperId"], **plan}
    return {
        **plan,
        "uploadId": upload_id,
        "filedOn": filed_on,
        "kind": choice("kind", "paper_kind"),
        "title": fields.get("title", ""),
        "filedByParty": choice("filedByParty", "filing_party"),
        "confidentiality": choice("confidentiality", "confidentiality"),
        "lawfulBasis": choice("lawfulBasis", "lawful_basis"),
    }


async def confirm_forwarded(request: Request) -> Response:
    form = await posted_form(request)
    case_id = request.path_params["case_id"]
    variables = {"input": {"caseId": case_id, "note": form.get("note", "")}}
    async with signed_in(request) as (uow, actor):
        result = await operations(request).run(uow, actor, "ConfirmPapersForwarded", variables)
        problems = result["confirmPapersForwarded"]["errors"]
        if problems:
            uow.fail()
    if problems:
        errors = FormErrors({"form": "confirm", "note": "note"})
        errors.add_api_errors(problems)
        return await papers_page(request, errors)
    return RedirectResponse(f"/cases/{case_id}/papers?done=confirmed", status_code=303)


async def download(request: Request) -> Response:
    """A paper's version, streamed as an attachment, for someone who may open it (signed in, or with an API
    token); anyone else gets not-found. Opening it is audited and is the IRO's receipt."""
    settings = request.app.state.settings
    try:
        version_id = uuid.UUID(request.path_params["version_id"])
    except ValueError:
        raise PageNotFound from None
    async with unit_of_work(request.app.state.sessions) as uow:
        try:
            actor = await api_actor(request, uow) or await session_actor(request, uow, settings)
        except BadToken:
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        if actor is None:
            raise SignInRequired
        try:
            version, _ = await uow.run(lambda s: papers.open_version(s, actor, version_id))
        except NotFound:
            raise PageNotFound from None
    store = request.app.state.blobs

    async def body() -> AsyncIterator[bytes]:
        async for chunk in store.read(version.sha256):
            yield chunk

    return StreamingResponse(
        body(),
        media_type=version.content_type,
        headers={
            "Content-Length": str(version.size),
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(version.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "private, no-store",
        },
    )


async def plans_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        data = await operations(request).run(uow, actor, "CarePlans", {"id": request.path_params["case_id"]})
    return render(request, "plans.html", {"actor": actor, "case": data["case"]})


routes = [
    Route("/cases/{case_id}/plans", plans_page, methods=["GET"]),
    Route("/cases/{case_id}/papers/uploads", upload_api, methods=["POST"]),
    Route("/cases/{case_id}/papers", papers_page, methods=["GET"]),
    Route("/cases/{case_id}/papers", upload_page, methods=["POST"]),
    Route("/cases/{case_id}/papers/confirm", confirm_forwarded, methods=["POST"]),
    Route("/papers/{version_id}", download, methods=["GET"]),
]
