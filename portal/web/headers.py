"""Security headers on every response, and the one way a download is named."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import quote, urlsplit

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


# What the plain filename may hold: RFC 6266 advises against "%" and "\\" in it (some browsers decode
# them); quotes, semicolons and control characters would end the parameter. Anything else becomes "_".
_PLAIN = re.compile(r"[^A-Za-z0-9 ._()+,=@~-]")
# RFC 5987's attr-char beyond letters and digits: everything else in filename* is percent-encoded.
_ATTR_CHARS = "!#$&+-.^_`|~"


def attachment(filename: str) -> str:
    """A Content-Disposition for downloading ``filename``, whatever it holds (quotes, semicolons, line
    breaks, any script, emoji): an ASCII ``filename`` for old clients and the exact name, UTF-8 and
    percent-encoded, in ``filename*`` (RFC 6266 and RFC 5987). The header is ASCII, so it can always be
    sent, and no character of the name can end its parameter or start another."""
    # Control and format characters and folder separators have no place in a saved file's name.
    name = (
        "".join(
            "_" if c in "/\\" or unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} else c
            for c in unicodedata.normalize("NFC", filename)
        ).strip()
        or "download"
    )
    # The plain name: accents dropped from their letters, any other character not plainly safe as "_".
    unaccented = "".join(c for c in unicodedata.normalize("NFKD", name) if unicodedata.category(c) != "Mn")
    plain = _PLAIN.sub("_", unaccented).strip(" .") or "download"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"


# Never kept by a browser or a proxy: the pages, exports and API answers all carry case data. Static assets
# (fingerprinted, no case data) may be cached.
NO_STORE = b"no-store"
CACHEABLE = ("/static/",)


class SecurityHeaders:
    """Security headers on every response; HSTS when served over https; ``Cache-Control: no-store`` on
    everything but the static assets (unless a route chose its own). GraphiQL, in development only, needs
    its CDN scripts, so its page goes without the CSP."""

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
                if not scope["path"].startswith(CACHEABLE):
                    extra[b"cache-control"] = NO_STORE
                if self.https:
                    extra[b"strict-transport-security"] = b"max-age=31536000; includeSubDomains"
                present = {k.lower() for k, _ in headers}
                headers.extend((k, v) for k, v in extra.items() if k not in present)
            await send(message)

        await self.app(scope, receive, send_with_headers)
