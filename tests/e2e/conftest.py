"""A live server on a free loopback port, and Debian's Chromium driven by Playwright (never downloaded)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser, async_playwright

from portal.app import create_app
from portal.settings import Settings
from tests.support.ports import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"


Serve = Callable[..., str]


@pytest.fixture
def serve(settings: Settings) -> Iterator[Serve]:
    """Start the portal, served by uvicorn in a thread of its own (its own engine and event loop), on
    ``port`` or a free one, with ``changes`` to the settings; returns its address."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(port: int | None = None, **changes: object) -> str:
        port = port or free_port()
        base = f"http://127.0.0.1:{port}"
        app = create_app(settings.model_copy(update={"demo_sign_in": True, "base_url": base, **changes}))
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the server did not start")
            threading.Event().wait(0.02)
        return base

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server(serve: Serve) -> str:
    return serve()


@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run scripts/system-packages")
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Path:
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
