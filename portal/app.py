"""The application: routes, middleware and the database engine's lifetime."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import botocore.exceptions
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from portal import background
from portal.api.documents import documents_for
from portal.api.view import BUSY, GraphQLView
from portal.audit.sealer import run_forever as seal_forever
from portal.audit.sealer import sealer_for
from portal.auth.oidc import build_clients
from portal.auth.web import SESSION_COOKIE
from portal.db import create_engine, create_session_factory
from portal.mail.sender import run_forever
from portal.migrations import at_head
from portal.outage import RETRY_AFTER_SECONDS, Outage, first_line, outage
from portal.reminders.service import run_forever as clock_forever
from portal.settings import Settings
from portal.storage import blob_store
from portal.web import sign_in
from portal.web.admin_pages import routes as admin_routes
from portal.web.allocation_pages import routes as allocation_routes
from portal.web.annual_report_pages import routes as annual_report_routes
from portal.web.dashboard_pages import routes as dashboard_routes
from portal.web.dispute_documents import routes as dispute_document_routes
from portal.web.dispute_pages import routes as dispute_routes
from portal.web.handover_pages import routes as handover_routes
from portal.web.headers import SecurityHeaders
from portal.web.info_pages import routes as info_routes
from portal.web.iro_view_pages import routes as iro_view_routes
from portal.web.ladder_pages import routes as ladder_routes
from portal.web.letter_pages import routes as letter_routes
from portal.web.metering import Observed, metrics_route
from portal.web.midpoint_pages import routes as midpoint_routes
from portal.web.operations import Operations, PageNotFound
from portal.web.pages import routes as page_routes
from portal.web.papers import routes as paper_routes
from portal.web.proceedings_pages import routes as proceedings_routes
from portal.web.record_pages import routes as record_routes
from portal.web.referral_pages import routes as referral_routes
from portal.web.rendering import render
from portal.web.report_pages import routes as report_routes
from portal.web.requests import CsrfFailed, FormTooLarge, SignInRequired
from portal.web.retention_pages import routes as retention_routes
from portal.web.significant_change_pages import routes as significant_change_routes
from portal.web.workload_pages import routes as workload_routes

log = logging.getLogger("portal")
STATIC = Path(__file__).parent / "web" / "static"


async def _sign_in_required(request: Request, _exc: Exception) -> Response:
    return RedirectResponse("/sign-in", status_code=303)


async def _not_found(request: Request, _exc: Exception) -> Response:
    return render(request, "not_found.html", {}, status_code=404)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return await _not_found(request, exc)
    return PlainTextResponse(exc.detail, status_code=exc.status_code)


async def _csrf_failed(request: Request, _exc: Exception) -> Response:
    return render(request, "csrf.html", {}, status_code=403)


async def _form_too_large(request: Request, _exc: Exception) -> Response:
    response = render(request, "form_too_large.html", {}, status_code=413)
    response.headers["Connection"] = "close"  # the rest of the body is not worth reading
    return response


async def _busy(request: Request, _exc: Exception) -> Response:
    """No database connection came free in time: the person is asked to try again, nothing is logged as a
    fault (the pool's timeout is a refusal, not a failure)."""
    log.warning("refused a page: no database connection came free in time")
    response = render(request, "busy.html", {}, status_code=503)
    response.headers.update(BUSY)
    return response


async def _server_error(request: Request, _exc: Exception) -> Response:
    # Starlette's error middleware has logged the exception; the person gets the GOV.UK wording.
    if _wants_json(request):
        return _error_json(500, "INTERNAL", "The portal could not complete this request")
    return render(request, "server_error.html", {}, status_code=500)


# What a request that failed in an outage is told: status, code, message, page and headers.
_OUTAGES = {
    Outage.UNAVAILABLE: (
        503,
        "The service is unavailable: try again in a moment",
        "unavailable.html",
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    ),
    Outage.STORAGE_FULL: (507, "There is no room to keep it: it was not kept", "storage_full.html", {}),
}


async def _failed(request: Request, exc: Exception) -> Response:
    """A request that raised an error of the database, the blob store or the operating system. An outage of
    theirs is answered as such (503 with Retry-After, or 507), with a line in the log rather than a
    traceback for every request while it lasts; anything else is the portal's own fault, logged in full."""
    found = outage(exc)
    if found is None:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return await _server_error(request, exc)
    status, message, template, headers = _OUTAGES[found]
    log.warning("answered %s %s with %d: %s", request.method, request.url.path, status, first_line(exc))
    if _wants_json(request):
        return _error_json(status, found.value, message, headers)
    response = render(request, template, {}, status_code=status)
    response.headers.update(headers)
    return response


def _wants_json(request: Request) -> bool:
    """An API client: one with a bearer token, or asking for JSON rather than a page."""
    accept = request.headers.get("accept", "")
    return "authorization" in request.headers or ("application/json" in accept and "text/html" not in accept)


def _error_json(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error in the shape of the API's routes' own (portal/web/papers.py's)."""
    body = {"errors": [{"code": code, "message": message, "field": None}]}
    return JSONResponse(body, status_code=status, headers=headers)


async def _healthz(_request: Request) -> Response:
    """Liveness: the process answers. It says nothing of the database (that is /readyz)."""
    return PlainTextResponse("ok")


async def _readyz(request: Request) -> Response:
    """Readiness: the database answers within 2 s and is migrated to this code's version, and the blob store
    takes a file, so a load balancer sends no requests to a process that would fail them."""
    try:
        async with asyncio.timeout(2):
            migrated = await at_head(request.app.state.engine)
    except Exception as error:
        log.warning("not ready: the database does not answer: %s", first_line(error))
        return JSONResponse(
            {"status": "unavailable", "reason": "the database does not answer"}, status_code=503
        )
    if not migrated:
        reason = "the database is not migrated to this version: run `portal migrate`"
        return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
    try:
        async with asyncio.timeout(2):
            await request.app.state.blobs.probe()
    except Exception as error:
        log.warning("not ready: the file store takes no file: %s", first_line(error))
        reason = "the file store takes no file (unreachable, full or not writable)"
        return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
    return JSONResponse({"status": "ready"})


def create_app(settings: Settings | None = None, *, engine: AsyncEngine | None = None) -> Starlette:
    settings = settings or Settings()
    engine = engine or create_engine(settings.database_url, echo=settings.sql_echo, pool=settings.pool)
    sessions = create_session_factory(engine)
    # Made now, so that the portal refuses to start without its audit keys rather than at the first seal.
    sealer = sealer_for(sessions, settings)
    blobs = blob_store(settings)
    documents = documents_for(settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        tasks = []
        wanted = settings.outbox_in_app or settings.clock_in_app or settings.audit_seal_in_app
        held = background.hold(settings.database_url) if wanted else None
        if wanted and held is None:
            log.info("another process runs the sender, the clock and the sealer on this SQLite database")
        if held is not None and settings.outbox_in_app:
            tasks.append(asyncio.create_task(run_forever(sessions, settings)))
        if held is not None and settings.clock_in_app:
            tasks.append(asyncio.create_task(clock_forever(sessions, settings)))
        if held is not None and settings.audit_seal_in_app:
            tasks.append(asyncio.create_task(seal_forever(sealer, settings.audit_seal_every_seconds)))
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if held is not None:
            held.release()
        await blobs.close()
        await engine.dispose()

    https = settings.base_url.startswith("https://")
    app = Starlette(
        debug=False,
        routes=[
            # Every method reaches the view, which answers the ones it does not take in JSON (405).
            Route("/graphql", GraphQLView(settings, sessions, documents)),
            Route("/healthz", _healthz),
            Route("/readyz", _readyz),
            Route("/metrics", metrics_route),
            Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
            *sign_in.routes,
            *page_routes,
            *record_routes,
            *significant_change_routes,
            *workload_routes,
            *midpoint_routes,
            *letter_routes,
            *annual_report_routes,
            *dispute_routes,
            *dispute_document_routes,
            *referral_routes,
            *paper_routes,
            *iro_view_routes,
            *handover_routes,
            *proceedings_routes,
            *dashboard_routes,
            *report_routes,
            *admin_routes,
            *retention_routes,
            *ladder_routes,
            *allocation_routes,
            *info_routes,
        ],
        middleware=[
            Middleware(Observed),
            Middleware(
                SecurityHeaders,
                https=https,
                graphiql=settings.graphiql,
                form_targets=[p.issuer for p in settings.oidc_providers],
            ),
            Middleware(
                SessionMiddleware,
                secret_key=settings.session_secret,
                session_cookie=SESSION_COOKIE,
                max_age=settings.session_absolute_hours * 60 * 60,
                same_site="lax",
                https_only=https,
            ),
        ],
        exception_handlers={
            SignInRequired: _sign_in_required,
            PageNotFound: _not_found,
            CsrfFailed: _csrf_failed,
            FormTooLarge: _form_too_large,
            HTTPException: _http_error,
            PoolTimeout: _busy,
            # The database's, the blob store's and the operating system's errors: an outage, or a fault.
            SQLAlchemyError: _failed,
            asyncpg.PostgresError: _failed,
            botocore.exceptions.BotoCoreError: _failed,
            OSError: _failed,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.blobs = blobs
    app.state.operations = Operations(settings, documents)
    app.state.oidc = build_clients(settings)
    return app
