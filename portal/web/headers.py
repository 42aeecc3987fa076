"""Security headers on every response."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(form_targets: Sequence[str]) -> str:
    """No inline script or style anywhere (the pages' JavaScript is a module file). Forms post only here,
    or, through a redirect, to the identity providers people sign in and out with."""
    origins = sorted({f"{u.scheme}://{u.netloc}" for u in map(urlsplit, form_targets)})
    form_action = " ".join(["'self'", *origins])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        f"connect-src 'self'; form-action {form_action}; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    )


class SecurityHeaders:
    """Security headers on every response; HSTS when served over https. GraphiQL, in development only,
    needs its CDN scripts, so its page goes without the CSP."""

    def __init__(
        self, app: ASGIApp, *, https: bool, graphiql: bool, form_targets: Sequence[str] = ()
    ) -> None:
        self.app, self.https, self.graphiql = app, https, graphiql
        self.csp = content_security_policy(form_targets).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ide = self.graphiql and scope["path"] == "/graphql" and scope["method"] == "GET"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                extra = {
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"same-origin",
                    b"x-frame-options": b"DENY",
                    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
                }
                if not ide:
                    extra[b"content-security-policy"] = self.csp
                if self.https:
                    extra[b"strict-transport-security"] = b"max-age=31536000; includeSubDomains"
                present = {k.lower() for k, _ in headers}
                headers.extend((k, v) for k, v in extra.items() if k not in present)
            await send(message)

        await self.app(scope, receive, send_with_headers)
