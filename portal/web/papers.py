"""Court papers over HTTP: the streaming upload routes (one for API clients, one for the page's form), the
papers tab, the guardian's confirmation, and downloads.

An upload is checked before its body is read (who is asking, may they file on this case, is the declared
size too large), then streamed to the blob store with no database transaction open, and recorded after. It
carries one file: a second file in a form refuses the whole upload, and nothing of it is kept. A body is
limited while it streams whether or not it declares its length: to the largest file for a file sent as the
body, and to that plus ``FORM_ALLOWANCE`` for a form. The API route answers JSON with a stable code whatever
happens (400, 401, 404, 413, 415, 500); the page route answers with the page and its error summary.

A download is streamed from the store as an attachment, with nosniff and a sandboxing CSP.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from models import Upload
from portal import metrics
from portal.auth.actor import Actor
from portal.auth.web import BadToken, api_actor, csrf_valid, session_actor
from portal.db import unit_of_work
from portal.errors import DomainError, ErrorCode, NotFound
from portal.outage import outage
from portal.papers import service as papers
from portal.papers.multipart import MalformedForm, boundary_of, read_form, too_long
from portal.papers.plans import PLAN_FIELD_MAX_LENGTH
from portal.papers.receive import ALLOWED_EXTENSIONS, Received, Receiver, too_large, too_many_files
from portal.web.forms import FormErrors, parse_date
from portal.web.headers import attachment
from portal.web.labels import LABELS
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import render
from portal.web.requests import FORM_MAX_BYTES, CsrfFailed, SignInRequired, posted_form, signed_in

log = logging.getLogger("portal.papers")

STATUS = {
    ErrorCode.FILE_TOO_LARGE: 413,
    ErrorCode.FILE_EXPANDS_TOO_MUCH: 413,
    ErrorCode.FILE_TYPE_NOT_ALLOWED: 415,
    ErrorCode.FILE_TYPE_MISMATCH: 415,
    ErrorCode.FILE_ACTIVE_CONTENT: 415,
    ErrorCode.NOT_FOUND: 404,
}
# What a form may add to its file: its other fields, the boundaries and the parts' headers.
FORM_ALLOWANCE = FORM_MAX_BYTES
INCOMPLETE = "The upload did not arrive whole: choose the file and send it again"


def _case_id(request: Request) -> uuid.UUID:
    try:
        return uuid.UUID(request.path_params["case_id"])
    except ValueError:
        raise NotFound("Case") from None


def _body_limit(request: Request, *, form: bool) -> int:
    largest_file: int = request.app.state.settings.upload_max_bytes
    return largest_file + (FORM_ALLOWANCE if form else 0)


def _declared_too_large(request: Request, limit: int) -> bool:
    declared = request.headers.get("content-length", "")
    return declared.isdigit() and int(declared) > limit


async def _limited(
    request: Request, limit: int, refusal: Callable[[], DomainError] | None = None
) -> AsyncIterator[bytes]:
    """The request's body as it streams, refused as soon as it passes ``limit`` (as too large a file,
    unless ``refusal`` says otherwise): a chunked body declares no length, and a declared one may be false."""
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise refusal() if refusal else too_large(request.app.state.settings.upload_max_bytes)
        yield chunk


def _errors_json(error: DomainError) -> JSONResponse:
    problems = error.problems
    status = STATUS.get(problems[0].code, 400)
    body = {"errors": [{"code": p.code.value, "message": p.message, "field": p.field} for p in problems]}
    return JSONResponse(body, status_code=status)


def _error_json(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"errors": [{"code": code, "message": message, "field": None}]}
    return JSONResponse(body, status_code=status, headers=headers)


async def _may_file(request: Request, actor: Actor, case_id: uuid.UUID) -> None:
    async with unit_of_work(request.app.state.sessions) as uow:
        # A refusal raises out of here; the unit of work keeps it in the audit trail.
        await uow.run(lambda s: papers.check_can_file(s, actor, case_id))


async def _record(request: Request, actor: Actor, case_id: uuid.UUID, received: Received) -> Upload:
    async with unit_of_work(request.app.state.sessions) as uow:
        return await uow.run(lambda s: papers.record_upload(s, actor, case_id, received))


def _check_complete(request: Request, received_size: int) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) != received_size:
        raise DomainError.one(ErrorCode.UPLOAD_INCOMPLETE, "The upload was cut short: send it again", "file")


def _receiver(request: Request) -> Receiver:
    settings = request.app.state.settings
    return Receiver(request.app.state.blobs, settings.upload_max_bytes, settings.upload_max_expanded_bytes)


async def _receive_form(
    request: Request, receiver: Receiver, boundary: bytes, *, csrf: bool
) -> dict[str, str]:
    """A multipart form's fields, its one file streamed into ``receiver`` (started only if a file was
    chosen). Any part after the first that carries a file, or a file in a field other than ``file``, refuses
    the upload. With ``csrf``, the form's token is checked before any byte of the file is kept."""
    file_parts = 0

    async def on_file_start(name: str, filename: str, fields: dict[str, str]) -> None:
        nonlocal file_parts
        if csrf and not csrf_valid(request, fields.get("csrf_token")):
            raise CsrfFailed
        file_parts += 1
        if file_parts > 1 or (filename and name != "file"):
            raise too_many_files()
        if filename:
            await receiver.start(filename)

    async def on_file_data(chunk: bytes) -> None:
        if receiver.started:
            await receiver.write(chunk)

    return await read_form(
        boundary, _limited(request, _body_limit(request, form=True)), on_file_start, on_file_data
    )


def _in_flight(route: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Counted in ``portal_uploads_in_flight`` while it runs."""

    @functools.wraps(route)
    async def counted(request: Request) -> Response:
        with metrics.UPLOADS_IN_FLIGHT.track_inprogress():
            return await route(request)

    return counted


@_in_flight
async def upload_api(request: Request) -> Response:
    """``POST /cases/{id}/papers/uploads``, for API clients with a bearer token: the file as the body with
    its name in ``X-Filename`` (percent-encoded), or as the one file of a multipart/form-data body, in its
    field ``file``. Answers the upload's id, hash, size and type; anything else, JSON with a stable code."""
    try:
        return await _upload_api(request)
    except BadToken:
        return _error_json(401, "UNAUTHENTICATED", "Send a valid API token", {"WWW-Authenticate": "Bearer"})
    except NotFound as missing:
        return _errors_json(DomainError.one(ErrorCode.NOT_FOUND, missing.problems[0].message, None))
    except DomainError as error:
        return _errors_json(error)
    except MalformedForm:
        return _error_json(400, ErrorCode.UPLOAD_INCOMPLETE, INCOMPLETE)
    except ClientDisconnect:
        return _error_json(400, ErrorCode.UPLOAD_INCOMPLETE, INCOMPLETE)
    except Exception as error:
        if outage(error) is not None:
            raise  # the database or the disk: answered as an outage (portal/app.py)
        reference = uuid.uuid4().hex
        log.exception("unexpected error %s in an upload", reference)
        message = "Something went wrong. If it keeps happening, quote this reference to support: "
        return _error_json(500, "INTERNAL", message + reference)


async def _upload_api(request: Request) -> Response:
    case_id = _case_id(request)
    async with unit_of_work(request.app.state.sessions) as uow:
        actor = await api_actor(request, uow)
    if actor is None:
        raise BadToken
    await _may_file(request, actor, case_id)
    boundary = boundary_of(request.headers.get("content-type", ""))
    limit = _body_limit(request, form=boundary is not None)
    if _declared_too_large(request, limit):
        raise too_large(request.app.state.settings.upload_max_bytes)
    receiver = _receiver(request)
    try:
        if boundary is not None:
            await _receive_form(request, receiver, boundary, csrf=False)
        else:
            await receiver.start(unquote(request.headers.get("x-filename", "")))
            async for chunk in _limited(request, limit):
                await receiver.write(chunk)
            _check_complete(request, receiver.size)
        received = await receiver.finish()
    except BaseException:
        await receiver.abort()
        raise
    upload = await _record(request, actor, case_id, received)
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
    "paperId": "paperId",
    "filedOn": "filedOn-day",
    "title": "title",
    "kind": "kind",
    "filedByParty": "filedByParty",
    "confidentiality": "confidentiality",
    "lawfulBasis": "lawfulBasis",
    "planInBrief": "planInBrief.placement",
    "planInBrief.placement": "planInBrief.placement",
    "planInBrief.permanence": "planInBrief.permanence",
    "planInBrief.familyContact": "planInBrief.familyContact",
    "planInBrief.services": "planInBrief.services",
    "form": "file",
}
# The API's names for the file: a problem with any of them is a problem with the file chosen.
FILE_FIELDS = {"uploadId", "file", "form", None}
PLAN_KEYS = ("placement", "permanence", "familyContact", "services")
DEFAULTS = {"confidentiality": "STANDARD", "lawfulBasis": "FPR_12_73_IRO"}


def _add_problems(errors: FormErrors, problems: list[dict[str, Any]]) -> None:
    errors.add_api_errors(
        [{**p, "field": "file" if p.get("field") in FILE_FIELDS else p["field"]} for p in problems]
    )


def _new_version_of(case: dict[str, Any], paper_id: str) -> dict[str, str]:
    """The form for a new version of a paper: the paper chosen and, for a care plan, the plan in brief of
    the latest care plan version that gave one (what the new version is compared with), to change only what
    has changed."""
    if not any(paper["id"] == paper_id for paper in case["papers"]):
        return {}
    values = {"paperId": paper_id}
    if not any(plan["paperId"] == paper_id for plan in case["carePlans"]):
        return values
    latest = next((plan for plan in reversed(case["carePlans"]) if plan["planInBrief"]), None)
    if latest is not None:
        values |= {f"planInBrief.{key}": latest["planInBrief"][key] for key in PLAN_KEYS}
        values["startedFrom"] = f"{latest['title']}, version {latest['version']['version']}"
    return values


async def papers_page(
    request: Request, errors: FormErrors | None = None, values: dict[str, str] | None = None
) -> Response:
    async with signed_in(request) as (uow, actor):
        data = await operations(request).run(uow, actor, "CasePapers", {"id": request.path_params["case_id"]})
    done = request.query_params.get("done")
    if values is None:
        values = {**DEFAULTS, **_new_version_of(data["case"], request.query_params.get("version", ""))}
    return render(
        request,
        "papers.html",
        {
            "actor": actor,
            "case": data["case"],
            "errors": errors or FormErrors({}),
            "values": values,
            "flash": {"filed": "The paper is filed.", "confirmed": "Your confirmation is recorded."}.get(
                done or ""
            ),
            "max_mb": request.app.state.settings.upload_max_bytes // (1024 * 1024),
            "accept": ",".join(f".{e}" for e in sorted(ALLOWED_EXTENSIONS)),
            "plan_max": PLAN_FIELD_MAX_LENGTH,
        },
        status_code=400 if errors else 200,
    )


@_in_flight
async def upload_page(request: Request) -> Response:
    """The papers tab's form: the file and what it is, in one multipart post, streamed as it arrives. Every
    problem is reported at once: the details are checked even when the file is missing or refused. A file
    that arrived and is fine is held, so only the details need fixing; a file that is itself the problem
    (refused, or already on the case) is not, and the form asks for another."""
    settings = request.app.state.settings
    async with unit_of_work(request.app.state.sessions) as uow:
        actor = await session_actor(request, uow, settings)
    if actor is None:
        raise SignInRequired
    try:
        case_id = _case_id(request)
        await _may_file(request, actor, case_id)
    except NotFound:
        raise PageNotFound from None
    errors = FormErrors(FORM_FIELDS)
    receiver = _receiver(request)
    boundary = boundary_of(request.headers.get("content-type", ""))
    fields: dict[str, str] = {}
    received: Received | None = None
    read_whole = False  # the details are checked only if they all arrived
    if boundary is None:
        try:
            fields = await _small_form(request)  # a form without the file: its CSRF token first
            read_whole = True
        except DomainError as error:
            _add_problems(errors, [{"field": p.field, "message": p.message} for p in error.problems])
    else:
        try:
            if _declared_too_large(request, _body_limit(request, form=True)):
                raise too_large(settings.upload_max_bytes)
            fields = await _receive_form(request, receiver, boundary, csrf=True)
            if not csrf_valid(request, fields.get("csrf_token")):
                raise CsrfFailed
            read_whole = True
            if receiver.started:
                received = await receiver.finish()
        except DomainError as error:
            await receiver.abort()
            _add_problems(errors, [{"field": p.field, "message": p.message} for p in error.problems])
        except (MalformedForm, ClientDisconnect):
            await receiver.abort()
            errors.add("file", INCOMPLETE)
        except BaseException:
            await receiver.abort()
            raise
    upload_id = "" if errors.get("file") else fields.get("uploadId", "")
    if received is not None:
        upload_id = str((await _record(request, actor, case_id, received)).id)
    filed_on = parse_date(fields, "filedOn", "The date filed", errors, "filedOn")
    if read_whole:
        # Without a usable upload the API checks the details alone, and says the file is missing.
        variables = {
            "input": {
                **_file_input(upload_id, fields, filed_on.isoformat() if filed_on else None),
                "caseId": str(case_id),
            }
        }
        async with signed_in(request) as (uow, signed):
            result = await operations(request).run(uow, signed, "FileCourtPaper", variables)
            _add_problems(errors, result["fileCourtPaper"]["errors"])
            if errors:
                uow.fail()
    if errors:
        # A file that arrived and is fine is held; one that is the problem must be chosen again.
        held = upload_id if upload_id and not errors.get("file") else ""
        return await papers_page(request, errors, {**fields, "uploadId": held})
    return RedirectResponse(f"/cases/{case_id}/papers?done=filed", status_code=303)


async def _small_form(request: Request) -> dict[str, str]:
    """A URL-encoded form post (no file), read up to ``FORM_ALLOWANCE``, after checking its CSRF token."""
    body = bytearray()
    async for chunk in _limited(request, FORM_ALLOWANCE, lambda: too_long("choose a file to upload")):
        body += chunk
    fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if not csrf_valid(request, fields.get("csrf_token")):
        raise CsrfFailed
    return fields


def _file_input(upload_id: str, fields: dict[str, str], filed_on: str | None) -> dict[str, Any]:
    def choice(name: str, labels: str) -> str | None:
        value = fields.get(name, "")
        return value if value in LABELS[labels] else None

    brief = {key: fields.get(f"planInBrief.{key}", "") for key in PLAN_KEYS}
    plan = {"planInBrief": brief} if any(brief.values()) else {}
    upload = {"uploadId": upload_id} if upload_id else {}
    if fields.get("paperId"):
        return {**upload, "filedOn": filed_on, "paperId": fields["paperId"], **plan}
    return {
        **plan,
        **upload,
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
            "Content-Disposition": attachment(version.filename),
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
