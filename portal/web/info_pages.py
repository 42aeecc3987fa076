"""The pages anyone may read, signed in or not, linked from every page's footer: the accessibility statement
(a legal requirement for a public-sector service), the privacy notice and the cookies page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.auth import throttle
from portal.auth.web import SESSION_COOKIE
from portal.settings import Settings
from portal.web.rendering import render
from portal.web.requests import maybe_signed_in


async def _page(request: Request, template: str) -> Response:
    settings: Settings = request.app.state.settings
    # Someone signed in keeps their navigation; nobody needs to sign in to read these pages.
    actor = await maybe_signed_in(request)
    return render(
        request,
        template,
        {
            "actor": actor,
            "nav": None,
            "session_cookie": SESSION_COOKIE,
            "idle_minutes": settings.session_idle_minutes,
            "absolute_hours": settings.session_absolute_hours,
            "attempts_minutes": int(throttle.longest_window(settings).total_seconds() // 60),
        },
    )


async def accessibility(request: Request) -> Response:
    return await _page(request, "accessibility.html")


async def privacy(request: Request) -> Response:
    return await _page(request, "privacy.html")


async def cookies(request: Request) -> Response:
    return await _page(request, "cookies.html")


routes = [
    Route("/accessibility", accessibility, methods=["GET"]),
    Route("/privacy", privacy, methods=["GET"]),
    Route("/cookies", cookies, methods=["GET"]),
]
