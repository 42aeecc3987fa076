"""A real OpenID Connect provider for the sign-in tests: the npm oidc-provider, run by Node on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from portal.app import create_app
from portal.settings import OidcProvider, Settings
from tests.support.browsing import csrf_from
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "frontend" / "test-support" / "oidc-provider.mjs"
CLIENT_ID, CLIENT_SECRET = "portal", "portal-test-secret"
# Where the portal is, for the provider's redirects (the tests reach it in-process).
PORTAL = "http://portal.test"


@contextmanager
def oidc_provider(
    portal_base_urls: list[str], accounts: dict[str, dict[str, object]], *, id_token_claims: bool = False
) -> Iterator[str]:
    """Start the provider with one client whose redirects go to ``portal_base_urls``; yield its issuer.
    ``accounts`` gives logins their claims (unknown logins have a verified email address at
    unprovisioned.example); with ``id_token_claims`` the ID token holds them all (as Entra ID's does), not
    only "sub"."""
    port = free_port()
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{base}/sign-in/test/callback" for base in portal_base_urls],
        "post_logout_redirect_uris": [f"{base}/signed-out" for base in portal_base_urls],
    }
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENTS": json.dumps([client]),
        "OIDC_ACCOUNTS": json.dumps(accounts),
        "OIDC_ID_TOKEN_CLAIMS": "1" if id_token_claims else "0",
    }
    with subprocess.Popen(
        ["node", str(SCRIPT)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        ready = threading.Event()
        output: list[str] = []

        def watch() -> None:
            # Read everything the provider prints, so its pipe never fills, and notice when it is ready.
            for line in process.stdout or []:
                output.append(line)
                if line.startswith("ready"):
                    ready.set()

        threading.Thread(target=watch, daemon=True).start()
        try:
            if not ready.wait(20):
                raise RuntimeError("oidc-provider did not start:\n" + "".join(output))
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()


def provider_at(issuer: str, /, **changes: object) -> OidcProvider:
    """The test provider as the portal is configured for it ("test"); ``changes`` override the
    configuration."""
    settings = {
        "name": "test",
        "label": "Test Council",
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    return OidcProvider.model_validate({**settings, **changes})


def portal_app(
    settings: Settings, engine: AsyncEngine, provider: OidcProvider, **changes: object
) -> Starlette:
    """The portal at PORTAL, signing in with ``provider``; ``changes`` override the settings."""
    return create_app(
        settings.model_copy(update={"oidc_providers": [provider], "base_url": PORTAL, **changes}),
        engine=engine,
    )


@asynccontextmanager
async def browser(
    app: Starlette, *, peer: str = "127.0.0.1", forwarded_for: str | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of the portal (its own cookies), connecting from ``peer``; with ``forwarded_for``, every
    request carries that X-Forwarded-For (as a proxy would add it, or a client make it up)."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for is not None else {}
    transport = httpx.ASGITransport(app=app, client=(peer, 50000))
    async with httpx.AsyncClient(transport=transport, base_url=PORTAL, headers=headers) as client:
        yield client


async def sign_in_at(portal: httpx.AsyncClient, login: str) -> httpx.Response:
    """Press "Sign in with Test Council", log in at the provider as ``login``, and come back: the portal's
    answer (or its answer to the press, if that did not send the browser to the provider)."""
    back = await back_from_provider(portal, login)
    return back if isinstance(back, httpx.Response) else await portal.get(back)


async def back_from_provider(portal: httpx.AsyncClient, login: str) -> str | httpx.Response:
    """Press "Sign in with Test Council" and log in at the provider as ``login``: where the provider sends
    the browser back to at the portal (or the portal's answer to the press, if it did not send the browser
    to the provider)."""
    page = await portal.get("/sign-in")
    start = await portal.post("/sign-in/test", data={"csrf_token": csrf_from(page.text)})
    if start.status_code not in {302, 303}:
        return start
    async with httpx.AsyncClient() as browser_at_provider:
        response = await browser_at_provider.get(start.headers["location"])
        while True:
            if response.is_redirect:
                location = (
                    str(response.next_request.url) if response.next_request else response.headers["location"]
                )
                if location.startswith(PORTAL):
                    return location.removeprefix(PORTAL)
                response = await browser_at_provider.get(location)
                continue
            form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            assert form, response.text
            fields = dict(
                re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', response.text)
            )
            response = await browser_at_provider.post(
                httpx.URL(str(response.url)).join(form.group(1)),
                data={**fields, "login": login, "password": "x"},
            )
