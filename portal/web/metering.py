"""Each request's correlation id for its log lines (portal/logs.py) and its timing for ``/metrics``
(portal/metrics.py), and the route that answers Prometheus."""

from __future__ import annotations

import hmac
import time
import uuid
from datetime import datetime

from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models import utcnow
from portal import logs, metrics
from portal.audit import repository as audit
from portal.mail import repository as outbox
from portal.outage import outage

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Observed:
    """Each HTTP request's correlation id (``X-Request-Id``, in and out) for its log lines, and its duration
    under its operation and status for ``/metrics``. The operation is what the GraphQL view named it (a
    trusted document's name), else the endpoint that answered, else "unrouted"."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        current = given if logs.CLIENT_ID.match(given) else uuid.uuid4().hex
        tokens = logs.REQUEST_ID.set(current), logs.OPERATION.set(None), logs.PERSON.set(None)
        started, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", current.encode())]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            metrics.REQUEST_SECONDS.labels(_operation(scope), str(status)).observe(
                time.perf_counter() - started
            )
            logs.REQUEST_ID.reset(tokens[0])
            logs.OPERATION.reset(tokens[1])
            logs.PERSON.reset(tokens[2])


def _operation(scope: Scope) -> str:
    named = scope.get("state", {}).get("operation")
    if isinstance(named, str):
        return named
    endpoint = scope.get("endpoint")
    if endpoint is None:
        return "unrouted"
    return str(getattr(endpoint, "__name__", type(endpoint).__name__))


async def metrics_route(request: Request) -> Response:
    """``GET /metrics`` with the bearer token of ``PORTAL_METRICS_TOKEN``; without that setting, there is no
    such page (404), and with another token, 401."""
    expected = request.app.state.settings.metrics_token
    if not expected:
        return PlainTextResponse("Not Found", status_code=404)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        return PlainTextResponse(
            "Send the metrics token", status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    now = utcnow()
    try:
        async with request.app.state.sessions() as session:
            states = await outbox.count_by_state(session)
            oldest = await outbox.oldest_waiting(session)
            unsealed, first_unsealed = await audit.backlog(session)
    except Exception as error:
        if outage(error) is None and not isinstance(error, DBAPIError):
            raise
        # The process's own figures still tell the operator something; the database's are last scrape's.
        metrics.DATABASE_UP.set(0)
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)
    pool = request.app.state.engine.pool
    in_use = getattr(pool, "checkedout", lambda: 0)()
    metrics.read_from_database(
        pool_size=getattr(pool, "size", lambda: 0)(),
        in_use=in_use,
        idle=getattr(pool, "checkedin", lambda: 0)(),
        outbox=[(state.value, count) for state, count in states],
        oldest_waiting=_age(now, oldest),
        unsealed=unsealed,
        sealing_lag=_age(now, first_unsealed),
    )
    return Response(metrics.exposition(), media_type=CONTENT_TYPE)


def _age(now: datetime, then: datetime | None) -> float:
    return max(0.0, (now - then).total_seconds()) if then is not None else 0.0
