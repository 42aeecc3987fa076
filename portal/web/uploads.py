"""Files over HTTP, for every record that takes one (a court paper, a dispute's document): the streaming
upload (the route for API clients, and the reading of a page's form) and the download.

An upload is checked before its body is read (who is asking, may they add it here, is the declared size too
large), then streamed to the blob store with no database transaction open, and recorded after. It carries
one file: a second file in a form refuses the whole upload, and nothing of it is kept. A body is limited
while it streams whether or not it declares its length: to the largest file for a file sent as the body,
and to that plus ``_FORM_ALLOWANCE`` for a form. The API route answers JSON with a stable code whatever
happens (400, 401, 404, 413, 415, 500).

A download is streamed from the store as an attachment, with nosniff and a sandboxing CSP.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from portal import metrics
from portal.auth.actor import Actor
from portal.auth.web import BadToken, api_actor, csrf_valid, session_actor
from portal.db import unit_of_work
from portal.errors import DomainError, ErrorCode, NotFound
from portal.outage import outage
from portal.papers.multipart import MalformedForm, boundary_of, read_form, too_long
from portal.papers.receive import ALLOWED_EXTENSIONS, Received, Receiver, too_large, too_many_files
from portal.storage.blobs import BlobStore
from portal.web.headers import attachment
from portal.web.operations import PageNotFound
from portal.web.requests import FORM_MAX_BYTES, CsrfFailed, SignInRequired

log = logging.getLogger("portal.uploads")

_STATUS = {
    ErrorCode.FILE_TOO_LARGE: 413,
    ErrorCode.FILE_EXPANDS_TOO_MUCH: 413,
    ErrorCode.FILE_TYPE_NOT_ALLOWED: 415,
    ErrorCode.FILE_TYPE_MISMATCH: 415,
    ErrorCode.FILE_ACTIVE_CONTENT: 415,
    ErrorCode.NOT_FOUND: 404,
}
# What a form may add to its file: its other fields, the boundaries and the parts' headers.
_FORM_ALLOWANCE = FORM_MAX_BYTES
_INCOMPLETE = "The upload did not arrive whole: choose the file and send it again"
# What a page's file input accepts (the server checks the content whatever it says).
_ACCEPT = ",".join(f".{e}" for e in sorted(ALLOWED_EXTENSIONS))


def page_limits(request: Request) -> dict[str, object]:
    """What a page's upload form says of the file it takes: ``max_mb`` and ``accept``."""
    return {"max_mb": request.app.state.settings.upload_max_bytes // (1024 * 1024), "accept": _ACCEPT}


def _body_limit(request: Request, *, form: bool) -> int:
    largest_file: int = request.app.state.settings.upload_max_bytes
    return largest_file + (_FORM_ALLOWANCE if form else 0)


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
    status = _STATUS.get(problems[0].code, 400)
    body = {"errors": [{"code": p.code.value, "message": p.message, "field": p.field} for p in problems]}
    return JSONResponse(body, status_code=status)


def _error_json(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"errors": [{"code": code, "message": message, "field": None}]}
    return JSONResponse(body, status_code=status, headers=headers)


def _check_complete(request: Request, received_size: int) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) != received_size:
        raise DomainError.one(ErrorCode.UPLOAD_INCOMPLETE, "The upload was cut short: send it again", "file")


def _receiver(request: Request) -> Receiver:
    settings = request.app.state.settings
    return Receiver(request.app.state.blobs, settings.upload_max_bytes, settings.upload_max_expanded_bytes)


# Checks a form's fields that arrived before its file, before any byte of the file is kept.
FieldsCheck = Callable[[dict[str, str]], None]


async def _receive_form(
    request: Request,
    into: Receiver,
    boundary: bytes,
    *,
    csrf: bool,
    check_fields: FieldsCheck | None = None,
) -> dict[str, str]:
    """A multipart form's fields, its one file streamed into ``into`` (started only if a file was chosen).
    Any part after the first that carries a file, or a file in a field other than ``file``, refuses the
    upload. With ``csrf``, the form's token is checked before any byte of the file is kept."""
    file_parts = 0

    async def on_file_start(name: str, filename: str, fields: dict[str, str]) -> None:
        nonlocal file_parts
        if csrf and not csrf_valid(request, fields.get("csrf_token")):
            raise CsrfFailed
        file_parts += 1
        if file_parts > 1 or (filename and name != "file"):
            raise too_many_files()
        if check_fields is not None:
            check_fields(fields)
        if filename:
            await into.start(filename)

    async def on_file_data(chunk: bytes) -> None:
        if into.started:
            await into.write(chunk)

    return await read_form(
        boundary, _limited(request, _body_limit(request, form=True)), on_file_start, on_file_data
    )


async def _small_form(request: Request) -> dict[str, str]:
    """A URL-encoded form post (no file), read up to ``_FORM_ALLOWANCE``, after checking its CSRF token."""
    body = bytearray()
    async for chunk in _limited(request, _FORM_ALLOWANCE, lambda: too_long("choose a file to upload")):
        body += chunk
    fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if not csrf_valid(request, fields.get("csrf_token")):
        raise CsrfFailed
    return fields


@dataclass
class PageForm:
    """What a page's upload form brought: its fields, its file (received whole and accepted), whether every
    field arrived (a refused file can stop the form part-way), and each problem as the API words one."""

    fields: dict[str, str] = field(default_factory=dict)
    received: Received | None = None
    read_whole: bool = False
    problems: list[dict[str, Any]] = field(default_factory=list)


async def receive_page_form(request: Request) -> PageForm:
    """A page's upload form (CSRF checked before any byte of the file is kept), streamed as it arrives: a
    form without a file is read as a small one; anything refused or cut short keeps no blob."""
    got = PageForm()
    into = _receiver(request)
    try:
        if (boundary := boundary_of(request.headers.get("content-type", ""))) is None:
            got.fields = await _small_form(request)  # a form without the file: its CSRF token first
            got.read_whole = True
        else:
            if _declared_too_large(request, _body_limit(request, form=True)):
                raise too_large(request.app.state.settings.upload_max_bytes)
            got.fields = await _receive_form(request, into, boundary, csrf=True)
            if not csrf_valid(request, got.fields.get("csrf_token")):
                raise CsrfFailed
            got.read_whole = True  # the file's own checks come last: a refused file still has its fields
            if into.started:
                got.received = await into.finish()
    except DomainError as error:
        await into.abort()
        got.problems = [{"field": p.field, "message": p.message} for p in error.problems]
    except (MalformedForm, ClientDisconnect):
        await into.abort()
        got.problems = [{"field": "file", "message": _INCOMPLETE}]
    except BaseException:
        await into.abort()
        raise
    return got


def in_flight(route: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Counted in ``portal_uploads_in_flight`` while it runs."""

    @functools.wraps(route)
    async def counted(request: Request) -> Response:
        with metrics.UPLOADS_IN_FLIGHT.track_inprogress():
            return await route(request)

    return counted


class ApiUpload:
    """What one API upload route does around the streaming: who may add the file (``check``, before the body
    is read), what the fields must say (``check_fields``, before any byte is kept), and how the file is
    recorded (``record``, after it arrived whole: the JSON to answer). A file sent as the body carries its
    name in ``X-Filename`` and its fields in the ``headers`` named (each percent-encoded)."""

    def __init__(
        self,
        check: Callable[[Request, Actor], Awaitable[None]],
        record: Callable[[Request, Actor, Received, dict[str, str]], Awaitable[dict[str, Any]]],
        headers: dict[str, str] | None = None,
        check_fields: FieldsCheck | None = None,
    ) -> None:
        self.check, self.record = check, record
        self.headers, self.check_fields = headers or {}, check_fields

    async def __call__(self, request: Request) -> Response:
        try:
            return await self._upload(request)
        except BadToken:
            return _error_json(
                401, "UNAUTHENTICATED", "Send a valid API token", {"WWW-Authenticate": "Bearer"}
            )
        except NotFound as missing:
            return _errors_json(DomainError.one(ErrorCode.NOT_FOUND, missing.problems[0].message, None))
        except DomainError as error:
            return _errors_json(error)
        except (MalformedForm, ClientDisconnect):
            return _error_json(400, ErrorCode.UPLOAD_INCOMPLETE, _INCOMPLETE)
        except Exception as error:
            if outage(error) is not None:
                raise  # the database or the disk: answered as an outage (portal/app.py)
            reference = uuid.uuid4().hex
            log.exception("unexpected error %s in an upload", reference)
            message = "Something went wrong. If it keeps happening, quote this reference to support: "
            return _error_json(500, "INTERNAL", message + reference)

    async def _upload(self, request: Request) -> Response:
        async with unit_of_work(request.app.state.sessions) as uow:
            actor = await api_actor(request, uow)
        if actor is None:
            raise BadToken
        await self.check(request, actor)
        boundary = boundary_of(request.headers.get("content-type", ""))
        limit = _body_limit(request, form=boundary is not None)
        if _declared_too_large(request, limit):
            raise too_large(request.app.state.settings.upload_max_bytes)
        into = _receiver(request)
        try:
            if boundary is not None:
                fields = await _receive_form(
                    request, into, boundary, csrf=False, check_fields=self.check_fields
                )
            else:
                fields = {
                    name: unquote(request.headers.get(header, "")) for header, name in self.headers.items()
                }
                if self.check_fields is not None:
                    self.check_fields(fields)
                await into.start(unquote(request.headers.get("x-filename", "")))
                async for chunk in _limited(request, limit):
                    await into.write(chunk)
                _check_complete(request, into.size)
            received = await into.finish()
        except BaseException:
            await into.abort()
            raise
        return JSONResponse(await self.record(request, actor, received, fields), status_code=201)


class Stored(Protocol):
    """A record of a stored file: its blob's name, and what the download says of it."""

    sha256: str
    size: int
    content_type: str
    filename: str


async def download(
    request: Request,
    path_param: str,
    open_file: Callable[[AsyncSession, Actor, uuid.UUID], Awaitable[Stored]],
) -> Response:
    """The file the path names, for someone ``open_file`` lets open it (signed in, or with an API token;
    it audits the opening); anyone else gets not-found."""
    settings = request.app.state.settings
    try:
        file_id = uuid.UUID(request.path_params[path_param])
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
            stored = await uow.run(lambda s: open_file(s, actor, file_id))
        except NotFound:
            raise PageNotFound from None
    return _file_response(request.app.state.blobs, stored)


def _file_response(store: BlobStore, stored: Stored) -> Response:
    """A stored file, streamed as an attachment that no browser renders in the portal's origin."""

    async def body() -> AsyncIterator[bytes]:
        async for chunk in store.read(stored.sha256):
            yield chunk

    return StreamingResponse(
        body(),
        media_type=stored.content_type,
        headers={
            "Content-Length": str(stored.size),
            "Content-Disposition": attachment(stored.filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "private, no-store",
        },
    )
