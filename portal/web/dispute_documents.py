"""A dispute's documents over HTTP (portal/disputes/service.py keeps them): the upload for API clients, the
dispute page's "Add a document" form, and the download. The streaming, its limits and its refusals are the
court papers' (portal/web/uploads.py): the file is checked and stored before the record is written, and a
file whose record is refused is left to the sweep.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.actor import Actor
from portal.auth.web import session_actor
from portal.db import unit_of_work
from portal.disputes import service as disputes
from portal.errors import DomainError, NotFound
from portal.papers.receive import Received
from portal.web import uploads
from portal.web.dispute_pages import DISPUTE_PAGE
from portal.web.forms import FormErrors
from portal.web.operations import PageNotFound
from portal.web.requests import SignInRequired, signed_in

# The form's fields, and where a problem with the dispute itself shows.
FIELDS = {"description": "description", "file": "file", "id": "file"}


def _dispute_id(request: Request) -> uuid.UUID:
    try:
        return uuid.UUID(request.path_params["dispute_id"])
    except ValueError:
        raise NotFound("Dispute", "id") from None


async def _may_add(request: Request, actor: Actor) -> None:
    dispute_id = _dispute_id(request)
    async with unit_of_work(request.app.state.sessions) as uow:
        # A refusal raises out of here; the unit of work keeps it in the audit trail.
        await uow.run(lambda s: disputes.check_can_add_document(s, actor, dispute_id))


def _check_fields(fields: dict[str, str]) -> None:
    """The description, when it came before the file: refused before any byte is kept."""
    if "description" in fields:
        disputes.check_description(fields["description"])


async def _record(
    request: Request, actor: Actor, received: Received, fields: dict[str, str]
) -> dict[str, Any]:
    dispute_id = _dispute_id(request)
    description = fields.get("description", "")
    async with unit_of_work(request.app.state.sessions) as uow:
        document = await uow.run(lambda s: disputes.add_document(s, actor, dispute_id, received, description))
    return {
        "documentId": str(document.id),
        "disputeId": str(document.dispute_id),
        "stage": document.stage,
        "description": document.description,
        "sha256": document.sha256,
        "size": document.size,
        "contentType": document.content_type,
        "filename": document.filename,
    }


# ``POST /disputes/{id}/documents/uploads``, for API clients with a bearer token: the file as the body with
# its name in ``X-Filename`` and what it is in ``X-Description`` (both percent-encoded), or a
# multipart/form-data body with the fields ``description`` and ``file``. Answers the document's id, hash,
# size and type (201); anything else, JSON with a stable code.
upload_api = uploads.in_flight(
    uploads.ApiUpload(_may_add, _record, headers={"x-description": "description"}, check_fields=_check_fields)
)


@uploads.in_flight
async def add_document(request: Request) -> Response:
    """The dispute page's form: what the document is and the file, in one multipart post, streamed as it
    arrives. Every problem is reported at once, on the page again; the description is kept, the file must be
    chosen again."""
    settings = request.app.state.settings
    async with unit_of_work(request.app.state.sessions) as uow:
        actor = await session_actor(request, uow, settings)
    if actor is None:
        raise SignInRequired
    errors = FormErrors(FIELDS)
    fields: dict[str, str] = {}
    try:
        await _may_add(request, actor)
    except NotFound:
        raise PageNotFound from None
    except DomainError as refused:
        _add(errors, _problems(refused))
        return await _again(request, fields, errors)
    got = await uploads.receive_page_form(request)
    fields, received = got.fields, got.received
    _add(errors, [(p["field"], p["message"]) for p in got.problems])
    if received is None and not errors.get("file"):
        errors.add("file", "Choose a file to upload")
    try:
        disputes.check_description(fields.get("description", ""))
    except DomainError as error:
        _add(errors, _problems(error))
    if received is not None and not errors:
        try:
            await _record(request, actor, received, fields)
        except NotFound:
            raise PageNotFound from None
        except DomainError as error:
            _add(errors, _problems(error))
    if errors:
        return await _again(request, fields, errors)
    return RedirectResponse(f"/disputes/{_dispute_id(request)}?done=document", status_code=303)


def _problems(error: DomainError) -> list[tuple[str | None, str]]:
    return [(p.field, p.message) for p in error.problems]


def _add(errors: FormErrors, problems: list[tuple[str | None, str]]) -> None:
    """Each problem on one of the form's fields (the dispute's own, and the upload's, on the file)."""
    for field, message in problems:
        errors.add(field if field in FIELDS else "file", message)


async def _again(request: Request, fields: dict[str, str], errors: FormErrors) -> Response:
    values = {"description": fields.get("description", "")}
    async with signed_in(request) as (uow, actor):
        return await DISPUTE_PAGE.again(request, uow, actor, values, errors)


async def download(request: Request) -> Response:
    """A dispute's document, for whoever sees the dispute; opening it is audited."""
    return await uploads.download(request, "document_id", disputes.open_document)


routes = [
    Route("/disputes/{dispute_id}/documents/uploads", upload_api, methods=["POST"]),
    Route("/disputes/{dispute_id}/documents", add_document, methods=["POST"]),
    Route("/dispute-documents/{document_id}", download, methods=["GET"]),
]
