"""The small forms on a record's own page (a dispute's, a referral's): each posts one named mutation about
the record; success goes back to the page with a message, a refusal shows the page again with every
problem (the page's own, then the API's) and keeps nothing, and a record the viewer may not change is no
such page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.web.forms import FormErrors
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.requests import signed_in


@dataclass(frozen=True)
class ActionForm:
    """One form on a record's page: the mutation it runs, the message after it (``?done=``), and its
    fields' anchors for the error summary (the first is where a problem with the record itself shows)."""

    operation: str
    done: str
    anchors: dict[str, str]

    def errors(self) -> FormErrors:
        return FormErrors(self.anchors)

    def own_fields(self, errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The API's errors, each on one of this form's fields (the record's own on the first)."""
        first = next(iter(self.anchors))
        return [{**e, "field": e["field"] if e["field"] in self.anchors else first} for e in errors]


@dataclass(frozen=True)
class RecordPage:
    """Where a record's forms post from: its page's path (with the record's id), the path parameter that
    holds the id, the mutation input's name for it, and how the page shows again with the problems."""

    path: str
    path_param: str
    id_field: str
    again: Callable[[Request, UnitOfWork, Actor, dict[str, str], FormErrors], Awaitable[Response]]


async def act(
    request: Request,
    page: RecordPage,
    spec: ActionForm,
    input: dict[str, Any],
    errors: FormErrors,
    form: dict[str, str],
) -> Response:
    """Run one of the page's mutations on the record the request's path names."""
    record_id = request.path_params[page.path_param]
    variables = {"input": {page.id_field: record_id, **input}}
    async with signed_in(request) as (uow, actor):
        payload = next(iter((await operations(request).run(uow, actor, spec.operation, variables)).values()))
        if any(e["code"] in {"NOT_FOUND", "INVALID_ID"} for e in payload["errors"]):
            raise PageNotFound  # not there, or not theirs to change: the same to them
        errors.add_api_errors(spec.own_fields(payload["errors"]))
        if errors:
            uow.fail()
            return await page.again(request, uow, actor, form, errors)
    return RedirectResponse(f"{page.path.format(record_id)}?done={spec.done}", status_code=303)
