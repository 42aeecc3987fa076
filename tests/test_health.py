"""Liveness and readiness, and commands run before the database is ready (issue 14)."""

from __future__ import annotations

import errno
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.app import create_app
from portal.cli import main
from portal.db import create_engine
from portal.settings import Settings
from tests.support.ports import free_port


async def _get(settings: Settings, engine: AsyncEngine, path: str) -> httpx.Response:
    app = create_app(settings, engine=engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test") as c:
        return await c.get(path)


async def test_ready_when_the_database_is_migrated(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}
    assert (await client.get("/healthz")).text == "ok"


async def test_not_ready_on_an_unmigrated_or_unreachable_database(settings: Settings, tmp_path: Path) -> None:
    """/healthz said ok with no database: /readyz says what is wrong, and /healthz stays a liveness check."""
    empty = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    gone = create_engine(f"postgresql+asyncpg://portal@127.0.0.1:{free_port()}/portal")  # nothing listens
    try:
        response = await _get(settings, empty, "/readyz")
        assert response.status_code == 503
        assert "portal migrate" in response.json()["reason"]
        response = await _get(settings, gone, "/readyz")
        assert response.status_code == 503
        assert response.json()["reason"] == "the database does not answer"
        assert (await _get(settings, gone, "/healthz")).status_code == 200
    finally:
        await empty.dispose()
        await gone.dispose()


def test_a_command_before_migrate_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    """Provisioning on a database nobody migrated crashed with a traceback."""
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PORTAL_AUDIT_KEY", settings.audit_key)
    with pytest.raises(SystemExit) as exit:
        main(["org", "add", "--kind", "court", "--name", "Family Court at Riverside"])
    message = str(exit.value.code)
    assert message.startswith("portal: the database has no portal tables yet")
    assert "portal migrate" in message
    assert "\n" not in message


async def test_not_ready_when_the_file_store_takes_no_file(
    settings: Settings, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: /readyz said ready with uploads bound to fail: S3 that does not answer, or a local folder
    on a full disk."""
    unreachable = settings.model_copy(
        update={
            "blob_backend": "s3",
            "s3_bucket": "court-papers",
            "s3_endpoint_url": f"http://127.0.0.1:{free_port()}",  # nothing listens
            "s3_region": "eu-west-2",
            "s3_access_key": "testing",
            "s3_secret_key": "testing",
        }
    )
    reason = "the file store takes no file (unreachable, full or not writable)"
    app = create_app(unreachable, engine=engine)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://portal.test"
        ) as c:
            response = await c.get("/readyz")
    finally:
        await app.state.blobs.close()
    assert (response.status_code, response.json()["reason"]) == (503, reason)

    def full(_path: Path, _data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(Path, "write_bytes", full)
        response = await _get(settings, engine, "/readyz")
    assert (response.status_code, response.json()["reason"]) == (503, reason)
    assert (await _get(settings, engine, "/readyz")).status_code == 200
