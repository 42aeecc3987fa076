"""The /graphql endpoint: one unit of work per request, committed after the operation unless it failed.

A query runs in a read-only transaction and its looks are recorded after it; a mutation runs in a writing
one. Either way the response leaves only after its audit events are written: if they cannot be, the
caller gets an error and no data.
"""

from __future__ import annotations

import json
import logging
import uuid

from cross_web import HTTPException
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from portal.api.context import Context
from portal.api.documents import intent_of
from portal.api.schema import schema
from portal.auth.web import BadToken, api_actor
from portal.db import Intent, unit_of_work
from portal.settings import Settings

JSON = "application/json"
log = logging.getLogger("portal.api")


def _error(message: str, code: str, status: int, **extensions: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}, status_code=status
    )


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(
            schema, graphql_ide="graphiql" if settings.graphiql else None, allow_queries_via_get=True
        )
        self.settings = settings
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # No subscriptions: refuse websocket handshakes outright.
            await send({"type": "websocket.close", "code": 1008})
            return
        request = Request(scope, receive)
        if request.method == "POST" and request.headers.get("content-type", "").split(";")[0].strip() != JSON:
            # Only JSON: a cross-site HTML form can send urlencoded, multipart or text/plain, never JSON.
            await PlainTextResponse("GraphQL takes application/json", status_code=415)(scope, receive, send)
            return
        try:
            response = await self._respond(request, await self._intent(request))
        except Exception:
            # The work or its audit could not be committed (the database is unreachable, say): nothing
            # the request read may leave without its record.
            reference = uuid.uuid4().hex
            log.exception("request %s failed to complete", reference)
            response = _error(
                "The portal could not complete this request. Try again in a moment; if it keeps happening, "
                "quote this reference to support: " + reference,
                "UNAVAILABLE",
                503,
                correlationId=reference,
            )
            response.headers["Retry-After"] = "5"
        await response(scope, receive, send)

    async def _intent(self, request: Request) -> Intent:
        if request.method != "POST":
            return Intent.READ  # GET may only query
        try:
            return intent_of(json.loads(await request.body()))
        except ValueError:
            return Intent.READ  # malformed: refused before it runs

    async def _respond(self, request: Request, intent: Intent) -> Response:
        async with unit_of_work(self.sessions, intent) as uow:
            try:
                actor = await api_actor(request, uow)
            except BadToken:
                response: Response = _error("The API token is not valid", "UNAUTHENTICATED", 401)
                response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
                return response
            request.state.context = Context(settings=self.settings, uow=uow, actor=actor)
            try:
                return await self.run(request)
            except HTTPException as error:  # a malformed request: no query, a mutation over GET
                uow.fail()
                return PlainTextResponse(error.reason, status_code=error.status_code)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        # Made by _respond for this request (websockets are refused before they get here).
        context: Context = request.state.context
        return context
