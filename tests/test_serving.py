"""`portal serve`: worker processes on uvloop and httptools, and a garbage collector tuned once the app is
built (issue 15: full collections paused requests for 110-147 ms)."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from portal.cli import main
from portal.web.serving import YOUNG_THRESHOLD, tune_collector
from tests.conftest import TEST_AUDIT_KEY
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_what_the_app_holds_is_frozen_out_of_the_collectors_sight(restored_collector: None) -> None:
    held = [object() for _ in range(1000)]
    tune_collector()
    assert gc.get_freeze_count() >= len(held)
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD


def test_the_demo_runs_in_one_process() -> None:
    with pytest.raises(SystemExit, match="one process"):
        main(["serve", "--demo", "--workers", "2"])


def test_serve_with_workers_starts_that_many_processes(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PYTHONPATH": str(ROOT),
        "PORTAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'portal.db'}",
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "PORTAL_AUDIT_KEY": TEST_AUDIT_KEY,
        "PORTAL_OUTBOX_IN_APP": "false",
        "PORTAL_CLOCK_IN_APP": "false",
    }
    portal = [sys.executable, "-m", "portal.cli"]
    subprocess.run([*portal, "migrate"], env=env, check=True, capture_output=True)
    port = free_port()
    command = [*portal, "serve", "--port", str(port), "--workers", "2"]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as server:
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.poll() is None, "the server stopped"
                assert time.monotonic() < deadline, "the server did not start within 60 s"
                time.sleep(0.2)
            workers = [p for p in Path("/proc").glob("[0-9]*") if _parent(p) == server.pid and _is_worker(p)]
            assert len(workers) == 2
        finally:
            server.send_signal(signal.SIGINT)
            output = server.communicate(timeout=30)[0].decode()
    assert "Started parent process" in output
    assert output.count("Application startup complete") == 2


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _is_worker(proc: Path) -> bool:
    try:
        return b"spawn_main" in (proc / "cmdline").read_bytes()
    except OSError:
        return False


def _serving(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> list[str]:
    """`portal serve` on ``database_url`` records the database it would serve rather than serving it."""
    from portal.web import serving

    served: list[str] = []
    monkeypatch.setattr(serving, "serve", lambda settings, *_: served.append(settings.database_url))
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PORTAL_AUDIT_KEY", TEST_AUDIT_KEY)
    return served


def test_serve_refuses_a_database_that_is_not_migrated_unless_asked_to_migrate_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: every request would fail; it says so in one line and stops, or migrates with --migrate."""
    served = _serving(monkeypatch, tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    with pytest.raises(SystemExit) as refused:
        main(["serve"])
    assert str(refused.value.code) == (
        "portal: the database is not migrated to this version: run `portal migrate` first "
        "(or `portal serve --migrate`)"
    )
    assert served == []
    main(["serve", "--migrate"])
    main(["serve"])  # migrated now
    assert len(served) == 2


def test_serve_starts_on_a_database_that_does_not_answer_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its requests get 503 and /readyz says why until the database answers (tests/test_outages.py)."""
    served = _serving(monkeypatch, tmp_path, f"postgresql+asyncpg://portal@127.0.0.1:{free_port()}/portal")
    main(["serve"])
    assert len(served) == 1
    assert capsys.readouterr().err.startswith("portal: the database does not answer yet (")
