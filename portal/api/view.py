"""The /graphql endpoint, as the GraphQL-over-HTTP specification describes it, for API clients with a token.

Every answer is JSON with a stable code, whatever its status. Refusals come as early and as cheaply as they
can: without a token nothing is read or parsed (401); a body over the limit is refused while it arrives
(413); then the document is prepared (portal/api/documents.py: parsed, measured, validated, once for all
requests that send it) before any transaction opens. The operation then runs in one unit of work: a query
in a read-only transaction with its looks recorded after it, a mutation in a writing one. Either way the
response leaves only after its audit events are written; if they cannot be, the caller gets 503 and no data.

A client may send its own document within the cost limits, or name a trusted one (graphql/operations/) by
``documentId``: its name, or ``sha256:<hex>`` of its text.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.http.ides import get_graphql_ide_html
from strawberry.types.graphql import OperationType

from graphql import GraphQLFormattedError
from portal import clock, logs
from portal.api.context import Context
from portal.api.documents import Documents, Prepared
from portal.api.execution import execute
from portal.api.reuse import case_variable, is_dashboard
from portal.audit import pending
from portal.auth.web import BadToken, api_actor
from portal.db import Intent, UnitOfWork, unit_of_work
from portal.outage import RETRY_AFTER_SECONDS, Outage, first_line, outage
from portal.reuse.service import Bursts, Reuse, Shared, asker, replay
from portal.settings import Settings

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
ALLOW = "GET, POST"
BUSY = {"Retry-After": "1"}
RETRY = {"Retry-After": str(RETRY_AFTER_SECONDS)}
# Variables and extensions nest this deep at most; no input type of the schema nests half as deep.
MAX_JSON_DEPTH = 32
log = logging.getLogger("portal.api")


class Refusal(Exception):
    """A request refused before any GraphQL runs: its status, stable code and words, and any headers."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def _errors(
    errors: list[GraphQLFormattedError], status: int, media: str, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse({"errors": errors}, status_code=status, media_type=media, headers=headers)


def _refusal(refusal: Refusal, media: str = JSON) -> Response:
    error: GraphQLFormattedError = {"message": refusal.message, "extensions": {"code": refusal.code}}
    return _errors([error], refusal.status, media, refusal.headers)


@dataclass(frozen=True)
class Params:
    """A GraphQL-over-HTTP request's parameters, checked for shape."""

    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


class GraphQLView:
    def __init__(
        self, settings: Settings, sessions: async_sessionmaker[AsyncSession], documents: Documents
    ) -> None:
        self.settings, self.sessions, self.documents = settings, sessions, documents
        trusted = documents.trusted_text.values()
        views = {text: name for text in trusted if (name := case_variable(text))}
        self.reuse = Reuse(views, settings.reuse_entries, settings.reuse_megabytes * 1024 * 1024)
        self.bursts = Bursts(frozenset(text for text in trusted if is_dashboard(text)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # No subscriptions: refuse websocket handshakes outright.
            await send({"type": "websocket.close", "code": 1008})
            return
        request = Request(scope, receive)
        try:
            response = await self._handle(request)
        except Refusal as refusal:
            response = _refusal(refusal)
        except ClientDisconnect:
            return
        except Exception:
            response = _fault("INTERNAL", 500, "the request failed")
        if _body_left_unread(request):
            # Refused before its body was read (no token, too large ...): close the connection rather
            # than read and discard the rest, which for a 100 MB body costs more than everything else.
            response.headers["Connection"] = "close"
        await response(scope, receive, send)

    async def _handle(self, request: Request) -> Response:
        if request.method not in ("GET", "POST"):
            raise Refusal(
                405, "METHOD_NOT_ALLOWED", "Send GraphQL requests with GET or POST", {"Allow": ALLOW}
            )
        if self._wants_ide(request):
            return HTMLResponse(get_graphql_ide_html("graphiql"))
        media = _negotiate(request.headers.get("accept"))
        if request.method == "POST":
            _check_content_type(request.headers.get("content-type", ""))
        if not request.headers.get("authorization"):
            raise Refusal(401, "UNAUTHENTICATED", "Send an API token", {"WWW-Authenticate": "Bearer"})
        try:
            params = await self._params(request)
        except Refusal as refusal:
            if refusal.status == 400:  # malformed: a request error, which plain JSON answers with 200
                refusal.status = _request_error(media)
            return _refusal(refusal, media)
        prepared = self.documents.prepare(params.query)
        # What the request is timed as (portal/metrics.py): a trusted document's name, never a client's.
        request.state.operation = self.documents.name_of(params.query) or "graphql"
        logs.OPERATION.set(request.state.operation)
        intent = prepared.intent(params.operation_name) or Intent.READ
        if request.method == "GET" and intent is Intent.WRITE:
            return _refusal(
                Refusal(405, "METHOD_NOT_ALLOWED", "Send mutations with POST", {"Allow": "POST"}), media
            )
        if prepared.errors:
            intent = Intent.READ  # refused: it only looks up the token
        try:
            return await self._respond(request, params, prepared, intent, media)
        except PoolTimeout:
            # Every connection stayed busy for the pool's timeout: refuse now, so the caller can come back,
            # rather than queue work that its caller will have given up on.
            log.warning("refused a request: no database connection came free in time")
            return _refusal(Refusal(503, "BUSY", "The portal is busy: try again in a moment", BUSY), media)
        except Exception as error:
            # The work or its audit could not be committed (the database is unreachable, say): nothing
            # the request read may leave without its record.
            found = outage(error)
            if found is None:
                return _fault("UNAVAILABLE", 503, "the request failed to complete", media, RETRY)
            log.warning("answered a request with %s: %s", found.value, first_line(error))
            if found is Outage.STORAGE_FULL:
                return _refusal(
                    Refusal(507, found.value, "There is no room to keep it: it was not kept"), media
                )
            return _refusal(
                Refusal(503, found.value, "The service is unavailable: try again shortly", RETRY), media
            )

    def _wants_ide(self, request: Request) -> bool:
        accept = request.headers.get("accept", "")
        return (
            self.settings.graphiql
            and request.method == "GET"
            and "text/html" in accept.lower()
            and "query" not in request.query_params
            and "documentId" not in request.query_params
        )

    async def _params(self, request: Request) -> Params:
        if request.method == "GET":
            raw: dict[str, Any] = dict(request.query_params)
            for name in ("variables", "extensions"):
                if name in raw:
                    raw[name] = _load_json(raw[name])
        else:
            raw = _load_json(await self._body(request))
        return self._shape(raw)

    async def _body(self, request: Request) -> bytes:
        limit = self.settings.graphql_max_body_bytes
        declared = request.headers.get("content-length", "")
        too_large = Refusal(413, "REQUEST_TOO_LARGE", f"The request body may be {limit} bytes at most")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
        request.state.body_read = True
        return b"".join(chunks)

    def _shape(self, raw: Any) -> Params:
        if not isinstance(raw, dict):
            raise Refusal(400, "BAD_REQUEST", "The request must be a JSON object")
        query, document_id = raw.get("query"), raw.get("documentId")
        variables, name = raw.get("variables"), raw.get("operationName")
        if variables is not None and not isinstance(variables, dict):
            raise Refusal(400, "BAD_REQUEST", "variables must be a JSON object")
        if name is not None and not isinstance(name, str):
            raise Refusal(400, "BAD_REQUEST", "operationName must be a string")
        if raw.get("extensions") is not None and not isinstance(raw.get("extensions"), dict):
            raise Refusal(400, "BAD_REQUEST", "extensions must be a JSON object")
        if query is None and isinstance(document_id, str):
            query = self.documents.trusted(document_id)
            if query is None:
                raise Refusal(400, "DOCUMENT_NOT_FOUND", "No trusted document has that documentId")
        if not isinstance(query, str) or not query.strip():
            raise Refusal(400, "BAD_REQUEST", "Send a GraphQL document as query, or a documentId")
        return Params(query, variables, name)

    async def _respond(
        self, request: Request, params: Params, prepared: Prepared, intent: Intent, media: str
    ) -> Response:
        today = clock.today()
        place = (
            None
            if prepared.errors
            else self.bursts.join(
                params.query, params.operation_name, params.variables, request.headers["authorization"], today
            )
        )
        # Waiting for a burst's answer takes no turn at the database (portal/reuse/service.py, Bursts).
        shared = await self.bursts.answer(place) if place is not None and not place.leads else None
        built: Shared | None = None
        try:
            async with unit_of_work(self.sessions, intent, first=place is not None and place.leads) as uow:
                response, answered = await self._answer(request, params, prepared, media, uow, today, shared)
            built = answered if place is not None and place.leads else None
            return response
        finally:
            if place is not None and place.leads:
                self.bursts.done(place, built)

    async def _answer(
        self,
        request: Request,
        params: Params,
        prepared: Prepared,
        media: str,
        uow: UnitOfWork,
        today: date,
        shared: Shared | None,
    ) -> tuple[Response, Shared | None]:
        """The response in the request's unit of work, and, if it ran and gave data without errors, the answer
        a burst may share."""
        try:
            actor = await api_actor(request, uow)
        except BadToken:
            actor = None
        if actor is None:
            refusal = Refusal(
                401,
                "UNAUTHENTICATED",
                "The API token is not valid",
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
            return _refusal(refusal, media), None
        if prepared.errors:
            return _errors([e.formatted for e in prepared.errors], _request_error(media), media), None
        if shared is not None and shared.asker == asker(actor):
            replay(uow, actor, shared.events)
            return Response(shared.body, media_type=media), None
        context = Context(settings=self.settings, uow=uow, actor=actor, documents=self.documents, today=today)
        ticket = None
        case_id = self.reuse.case_of(params.query, params.variables) if self.settings.reuse_entries else None
        if case_id is not None and params.variables is not None:
            ticket = await self.reuse.look_up(
                uow, actor, params.query, params.operation_name, params.variables, case_id, today
            )
            if ticket.kept is not None:
                replay(uow, actor, ticket.kept.events)
                return Response(ticket.kept.body, media_type=media), None
        mark = pending.mark(uow.session)
        response, done = await self._run(request, params, context, media)
        if not done:
            return response, None
        body, events = bytes(response.body), tuple(pending.since(uow.session, mark))
        if ticket is not None:
            self.reuse.keep(ticket, body, events)
        return response, Shared(body, events, asker(actor))

    async def _run(
        self, request: Request, params: Params, context: Context, media: str
    ) -> tuple[Response, bool]:
        """The request run, and whether it gave data without errors."""
        allowed = (
            {OperationType.QUERY}
            if request.method == "GET"
            else {OperationType.QUERY, OperationType.MUTATION}
        )
        result = await execute(
            params.query,
            variable_values=params.variables,
            context_value=context,
            operation_name=params.operation_name,
            allowed_operation_types=allowed,
        )
        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        started = result.data is not None or any(e.path for e in result.errors or ())
        if not started:
            context.uow.fail()
            return JSONResponse(body, status_code=_request_error(media), media_type=media), False
        body["data"] = result.data
        return JSONResponse(body, media_type=media), not result.errors


def _fault(
    code: str, status: int, logged: str, media: str = JSON, headers: dict[str, str] | None = None
) -> Response:
    """The portal's own failure, logged with its traceback under a reference the caller can quote."""
    reference = logs.request_id()
    log.exception("%s: %s", logged, reference)
    message = (
        "The portal could not complete this request. Try again in a moment; if it keeps happening, "
        "quote this reference to support: " + reference
    )
    error: GraphQLFormattedError = {
        "message": message,
        "extensions": {"code": code, "correlationId": reference},
    }
    return _errors([error], status, media, headers)


def _body_left_unread(request: Request) -> bool:
    has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
    return has_body and not getattr(request.state, "body_read", False)


def _request_error(media: str) -> int:
    """The status of a request that failed before it ran (a document or variables that do not fit):
    400 under the GraphQL-over-HTTP media type; 200 under plain JSON, which legacy clients expect."""
    return 400 if media == GRAPHQL_RESPONSE else 200


def _load_json(text: str | bytes) -> Any:
    try:
        value = json.loads(text)
    except RecursionError:
        raise Refusal(400, "JSON_TOO_DEEP", f"JSON may nest {MAX_JSON_DEPTH} deep at most") from None
    except ValueError:
        raise Refusal(400, "BAD_REQUEST", "The request is not valid JSON") from None
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        raise Refusal(400, "JSON_TOO_DEEP", f"JSON may nest {MAX_JSON_DEPTH} deep at most")
    return value


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            if depth >= limit:
                return True
            stack.extend((child, depth + 1) for child in item if isinstance(child, dict | list))
    return False


def _media_range(part: str) -> tuple[str, float]:
    kind, *params = (p.strip() for p in part.split(";"))
    quality = 1.0
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
    return kind.lower(), quality


def _negotiate(accept: str | None) -> str:
    """The response's media type: GraphQL-over-HTTP's when the client prefers it, else JSON; 406 when the
    client accepts neither. No Accept header means JSON, as the specification asks of servers."""
    if not accept:
        return JSON
    ranges = dict(_media_range(p) for p in accept.split(",")[:32] if p.strip())
    graphql_q = ranges.get(GRAPHQL_RESPONSE, 0.0)
    json_q = max(ranges.get(JSON, 0.0), ranges.get("application/*", 0.0), ranges.get("*/*", 0.0))
    if graphql_q > 0 and graphql_q >= json_q:
        return GRAPHQL_RESPONSE
    if json_q > 0:
        return JSON
    raise Refusal(406, "NOT_ACCEPTABLE", f"Responses are {GRAPHQL_RESPONSE} or {JSON}")


def _check_content_type(header: str) -> None:
    """Only JSON, compared as media types are (case-insensitively), in UTF-8: a cross-site HTML form can
    send urlencoded, multipart or text/plain, never JSON."""
    kind, *params = (p.strip().lower() for p in header.split(";"))
    charset = next((p.partition("=")[2].strip('"') for p in params if p.startswith("charset=")), "utf-8")
    if kind != JSON or charset not in ("utf-8", "utf8"):
        raise Refusal(415, "UNSUPPORTED_MEDIA_TYPE", "GraphQL requests take application/json in UTF-8")
