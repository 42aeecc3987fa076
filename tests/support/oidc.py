"""A real OpenID Connect provider for the sign-in tests: the npm oidc-provider, run by Node on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "frontend" / "test-support" / "oidc-provider.mjs"
CLIENT_ID, CLIENT_SECRET = "portal", "portal-test-secret"


@contextmanager
def oidc_provider(portal_base_urls: list[str], accounts: dict[str, dict[str, object]]) -> Iterator[str]:
    """Start the provider with one client whose redirects go to ``portal_base_urls``; yield its issuer."""
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
