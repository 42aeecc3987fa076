"""What every page route needs: the signed-in person in a unit of work, and checked form posts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.requests import Request

from portal.auth.actor import Actor
from portal.auth.web import SESSION_TOKEN, csrf_valid, session_actor
from portal.db import Intent, UnitOfWork, unit_of_work


class SignInRequired(Exception):
    """The page needs a signed-in person."""


class CsrfFailed(Exception):
    """A form post without this session's CSRF token."""


class FormTooLarge(Exception):
    """A form post larger than any of the portal's forms can be."""


# The largest form post a page takes (a handover's longest answers fit many times over); a file upload
# may add this to its file.
FORM_MAX_BYTES = 1024 * 1024
FORM_MAX_FIELDS = 500


@asynccontextmanager
async def signed_in(request: Request) -> AsyncIterator[tuple[UnitOfWork, Actor]]:
    """The signed-in person, in a unit of work that only reads for GET and writes for a form post."""
    intent = Intent.READ if request.method in {"GET", "HEAD"} else Intent.WRITE
    async with unit_of_work(request.app.state.sessions, intent) as uow:
        actor = await session_actor(request, uow, request.app.state.settings)
        if actor is None:
            raise SignInRequired
        yield uow, actor


async def maybe_signed_in(request: Request) -> Actor | None:
    """The signed-in person, or None, for the pages anyone may read (the accessibility statement, the
    privacy notice, the cookies page): they show the navigation to someone signed in."""
    if not request.session.get(SESSION_TOKEN):
        return None
    async with unit_of_work(request.app.state.sessions, Intent.READ) as uow:
        return await session_actor(request, uow, request.app.state.settings)


async def posted_form(request: Request) -> dict[str, str]:
    """The fields of a form post, after checking it carries this session's CSRF token. The body is read
    only up to FORM_MAX_BYTES, however it is sent (a chunked body declares no length)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > FORM_MAX_BYTES:
        raise FormTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_MAX_BYTES:
            raise FormTooLarge
    # Starlette reads a body it has kept (``_body``) for the form, and for any later request.form().
    request._body = bytes(body)
    form = await request.form(max_files=0, max_fields=FORM_MAX_FIELDS)
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    if not csrf_valid(request, fields.get("csrf_token")):
        raise CsrfFailed
    return fields
