"""Only the portal's user may read what it keeps on disk (issue 13): the SQLite database and its -wal and
-shm files, the blob folders and blobs, their temporary files, the audit checkpoints and ``var/`` itself are
created 0600 (files) and 0700 (folders), even when the process runs with a permissive umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.audit.checkpoints import Checkpoint, FileStore
from portal.audit.keys import load
from portal.db import create_engine
from portal.storage.local import LocalBlobStore
from tests.conftest import TEST_AUDIT_KEY


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(root: Path) -> dict[str, int]:
    """Every file and folder under ``root`` (and ``root``), with its permissions."""
    found = {".": mode(root)}
    for path in root.rglob("*"):
        found[path.relative_to(root).as_posix()] = mode(path)
    return found


def private(found: dict[str, int], root: Path) -> dict[str, int]:
    """Those of ``found`` that are not owner-only: 0600 for a file, 0700 for a folder."""
    return {name: oct(m) for name, m in found.items() if m != (0o700 if (root / name).is_dir() else 0o600)}


@pytest.mark.usefixtures("permissive_umask")
async def test_the_database_blobs_and_checkpoints_are_the_portals_alone(tmp_path: Path) -> None:
    """Issue 13: with umask 022, what the portal creates under a new var/ is readable by its user only."""
    var = tmp_path / "var"
    engine = create_engine(f"sqlite+aiosqlite:///{var / 'portal.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.text("CREATE TABLE t (x INTEGER)"))
            await connection.execute(sa.text("INSERT INTO t VALUES (1)"))
        async with engine.connect() as connection:  # the WAL's files exist while a connection is open
            assert (await connection.execute(sa.text("SELECT x FROM t"))).scalar() == 1
            assert {"portal.db-wal", "portal.db-shm"} <= {p.name for p in var.iterdir()}

            store = LocalBlobStore(var / "blobs")
            writer = await store.writer()
            await writer.write(b"%PDF-1.7\n")
            assert mode(next((var / "blobs" / "tmp").iterdir())) == 0o600  # the temporary file, too
            digest = await writer.commit()
            assert await store.exists(digest)
            aborted = await store.writer()
            await aborted.write(b"half")
            await aborted.abort()

            keyring = load(TEST_AUDIT_KEY, None, None)
            checkpoints = FileStore(var / "audit" / "checkpoints")
            await checkpoints.append(Checkpoint.sign(keyring.current, 1, "0" * 64))

            found = modes(var)
            assert {"portal.db", "portal.db-wal", "portal.db-shm", "blobs", "audit/checkpoints"} <= set(found)
            assert any(name.endswith(digest) for name in found)
            assert private(found, var) == {}
    finally:
        await engine.dispose()


@pytest.mark.usefixtures("permissive_umask")
def test_the_portal_command_runs_with_an_owner_only_umask(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: whatever umask the portal is started with, what it creates is its user's alone."""
    from portal import cli

    monkeypatch.setattr(cli, "build_parser", lambda: _Parser())
    try:
        cli.main([])
        assert os.umask(0o022) == 0o077
    finally:
        os.umask(0o022)


class _Parser:
    """A parser whose command does nothing."""

    def parse_args(self, _argv: list[str] | None) -> object:
        class Args:
            @staticmethod
            def func(*_: object) -> None:
                return None

        return Args()
