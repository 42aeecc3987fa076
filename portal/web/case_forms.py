"""A form on a case, as most of the pages' forms are: shown to those who may do what it does (anyone else
finds no such page), posted to a mutation, and on failure shown again with every problem at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal.auth.actor import Actor
from portal.db import UnitOfWork
from portal.web.forms import FormErrors
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import render
from portal.web.requests import signed_in


async def case_for(
    request: Request, uow: UnitOfWork, actor: Actor, ability: str, operation: str = "RecordForm"
) -> dict[str, Any]:
    """The form's case, read by ``operation``, if the viewer may do ``ability`` on it; otherwise not found."""
    data = await operations(request).run(uow, actor, operation, {"id": request.path_params["case_id"]})
    case: dict[str, Any] = data["case"]
    if not case["viewerCan"][ability]:
        raise PageNotFound
    return case


class CaseForm:
    """One form page: its template, the ability it needs, its fields' anchors for the error summary, the
    operation that reads its case, and what else its template needs from the case."""

    def __init__(
        self,
        template: str,
        ability: str,
        anchors: dict[str, str],
        *,
        operation: str = "RecordForm",
        context: Callable[[dict[str, Any]], dict[str, Any]] = lambda case: {},
    ) -> None:
        self.template, self.ability, self.anchors = template, ability, anchors
        self.operation, self.context = operation, context

    async def case(self, request: Request, uow: UnitOfWork, actor: Actor) -> dict[str, Any]:
        return await case_for(request, uow, actor, self.ability, self.operation)

    def render(
        self,
        request: Request,
        actor: Actor,
        case: dict[str, Any],
        values: dict[str, Any],
        errors: FormErrors,
        status_code: int = 200,
        **extra: Any,
    ) -> Response:
        context = {"actor": actor, "case": case, "values": values, "errors": errors, **self.context(case)}
        return render(request, self.template, {**context, **extra}, status_code=status_code)

    async def show(self, request: Request, values: dict[str, Any] | None = None, **extra: Any) -> Response:
        async with signed_in(request) as (uow, actor):
            case = await self.case(request, uow, actor)
        return self.render(request, actor, case, values or {}, FormErrors({}), **extra)

    async def submit(
        self,
        request: Request,
        operation: str,
        variables: dict[str, Any],
        errors: FormErrors,
        values: dict[str, Any],
        done: str,
        **extra: Any,
    ) -> Response:
        """Run the mutation; on success go back to the case with a message, otherwise show every error (the
        page's own about what it could not read, then the API's) and keep nothing."""
        case_id = request.path_params["case_id"]
        async with signed_in(request) as (uow, actor):
            result = await operations(request).run(uow, actor, operation, variables)
            errors.add_api_errors(next(iter(result.values()))["errors"])
            if errors:
                uow.fail()
                case = await self.case(request, uow, actor)
                return self.render(request, actor, case, values, errors, status_code=400, **extra)
        return RedirectResponse(f"/cases/{case_id}?done={done}", status_code=303)
