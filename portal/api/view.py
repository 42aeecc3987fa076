"""The /graphql endpoint: one unit of work per request, committed after the operation unless it failed."""

from __future__ import annotations

from cross_web import HTTPException
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from portal.api.context import Context
from portal.api.schema import schema
from portal.auth.web import BadToken, api_actor
from portal.db import unit_of_work
from portal.settings import Settings

JSON = "application/json"


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
        async with unit_of_work(self.sessions) as uow:
            try:
                actor = await api_actor(request, uow)
            except BadToken:
                response: Response = JSONResponse(
                    {
                        "errors": [
                            {
                                "message": "The API token is not valid",
                                "extensions": {"code": "UNAUTHENTICATED"},
                            }
                        ]
                    },
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            else:
                request.state.context = Context(settings=self.settings, uow=uow, actor=actor)
                try:
                    response = await self.run(request)
                except HTTPException as error:  # a malformed request: no query, a mutation over GET
                    uow.fail()
                    response = PlainTextResponse(error.reason, status_code=error.status_code)
        await response(scope, receive, send)

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        return request.state.context
