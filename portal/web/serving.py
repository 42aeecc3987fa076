"""Serving the portal with uvicorn: its fast event loop and HTTP parser, one or more worker processes, and a
garbage collector tuned for a long-lived server."""

from __future__ import annotations

import gc
from typing import Any

import uvicorn
from starlette.applications import Starlette

from portal import logs
from portal.settings import Settings

# Collect the young generation after this many net allocations (CPython's default is 700). A request
# allocates tens of thousands of objects that die when it ends; collected every 700 they are caught alive,
# promoted and scanned again in the older generations. The older thresholds are CPython's own.
YOUNG_THRESHOLD = 20_000


def tune_collector() -> None:
    """Call once the app is built. What is alive now (modules, the schema, the prepared documents) lives as
    long as the process: gc.freeze() puts it out of the collector's sight, so a full collection scans only
    what requests left behind, not the million objects that made the 100+ ms pauses."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def worker_app() -> Starlette:
    """The app in each of several worker processes (uvicorn's factory): settings from the environment."""
    from portal.app import create_app

    app = create_app(Settings())
    tune_collector()
    return app


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Serve on uvloop and httptools; ``workers`` processes share the port (each runs its own pool, outbox
    sender, clock and audit sealer, which are safe to run side by side)."""

    def run(app: str | Starlette, **more: Any) -> None:
        log_config = logs.config(settings.log_format)
        uvicorn.run(
            app,
            host=host,
            port=port,
            loop="uvloop",
            http="httptools",
            proxy_headers=False,
            log_config=log_config,
            **more,
        )

    if workers > 1:
        run("portal.web.serving:worker_app", factory=True, workers=workers)
        return
    from portal.app import create_app

    app = create_app(settings)
    tune_collector()
    run(app)
