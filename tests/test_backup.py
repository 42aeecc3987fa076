"""`portal backup` and `portal restore` (issue 16): a backup restored into a fresh database and file store
holds every record as it was, every file with its SHA-256, and an audit trail that verifies; a restore that
cannot be made whole (a database that is not empty, a backup altered since it was made) puts back nothing."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

import models
from portal.audit.keys import Keyring
from portal.audit.sealer import sealer_for
from portal.backup.service import MANIFEST, SEEDED, read_manifest
from portal.db import create_engine, create_session_factory
from portal.migrations import upgrade
from portal.settings import Settings
from tests.support import files
from tests.support.graphql import log_contact
from tests.support.world import World
from tests.test_dispute_documents import add, raised_dispute
from tests.test_papers import filed

Portal = Any  # the conftest's ``portal`` fixture: runs `portal ARGS`


def _at(table: str, column: str) -> int:
    return list(models.metadata.tables[table].columns.keys()).index(column)


async def _everything(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    found = {}
    async with engine.connect() as connection:
        for table in models.metadata.sorted_tables:
            rows = await connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            found[table.name] = [tuple(row) for row in rows]
    return found


async def _a_case_with_everything(
    world: World, engine: AsyncEngine, settings: Settings, client: httpx.AsyncClient
) -> None:
    """A case with contacts (one correcting another), a court paper's file, a dispute's document, outbox
    email and a sealed audit trail with events still to seal."""
    case_id = await world.open_case()
    first = await log_contact(client, world, "guardian", "iro", case_id)
    corrects = first["contact"]["id"]
    await log_contact(client, world, "guardian", "iro", case_id, correctsId=corrects, summary="Corrected.")
    await filed(client, world, case_id, files.PDF, name="plan.pdf")
    _, dispute_id = await raised_dispute(client, world)
    assert (await add(client, world, "iro", dispute_id, files.PNG, name="minutes.png")).status_code == 201
    await sealer_for(create_session_factory(engine), settings).run_once()
    await log_contact(client, world, "iro", "guardian", case_id)  # its events are not sealed yet


@pytest.fixture
async def backup(
    portal: Portal,
    capsys: pytest.CaptureFixture[str],
    world: World,
    engine: AsyncEngine,
    settings: Settings,
    client: httpx.AsyncClient,
    tmp_path: Path,
) -> Path:
    """A backup of a case with everything (``_a_case_with_everything``), made with `portal backup`."""
    await _a_case_with_everything(world, engine, settings, client)
    folder = tmp_path / "backup"
    status, out, err = await portal(capsys, "backup", "--to", str(folder))
    assert status == 0, err
    assert out.startswith("Backed up ")
    assert "and 2 files" in out
    return folder


@pytest.fixture
def elsewhere(backup: Path, fresh_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Once the backup is made, `portal` runs on the fresh database, with a file store of its own (this
    folder)."""
    monkeypatch.setenv("PORTAL_DATABASE_URL", fresh_url)
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path / "elsewhere"))
    return tmp_path / "elsewhere"


async def _rows_of(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    try:
        return await _everything(engine)
    finally:
        await engine.dispose()


async def test_a_backup_restores_whole_into_a_fresh_database_and_file_store(
    portal: Portal,
    capsys: pytest.CaptureFixture[str],
    engine: AsyncEngine,
    backup: Path,
    elsewhere: Path,
    fresh_url: str,
) -> None:
    assert ((await asyncio.to_thread(backup.stat)).st_mode & 0o777) == 0o700
    status, _, err = await portal(capsys, "backup", "--to", str(backup))
    assert (status, err.strip()) == (1, f"portal: {backup} is not empty: back up into a new folder")

    status, out, err = await portal(capsys, "restore", "--from", str(backup))
    assert status == 0, err
    assert "every file's SHA-256 matches, and the audit trail verifies" in out
    before = await _everything(engine)
    assert await _rows_of(fresh_url) == before
    assert len(before["contact"]) == 3
    assert any(row[_at("contact", "corrects_id")] for row in before["contact"])
    assert before["audit_queue"]
    assert before["audit_seal"]
    [digest] = {row[_at("upload", "sha256")] for row in before["upload"]}
    [document] = {row[_at("dispute_document", "sha256")] for row in before["dispute_document"]}
    restored = await asyncio.to_thread(lambda: sorted(p.name for p in elsewhere.rglob("*") if p.is_file()))
    assert {digest, document} <= set(restored)

    # Into a database that is not empty (the same one again): refused, and nothing added.
    status, _, err = await portal(capsys, "restore", "--from", str(backup))
    assert status == 1
    assert "the database is not empty" in err


async def test_a_backup_altered_since_it_was_made_is_not_restored(
    portal: Portal, capsys: pytest.CaptureFixture[str], backup: Path, elsewhere: Path, fresh_url: str
) -> None:
    contacts = backup / "tables" / "contact.jsonl.gz"
    lines = gzip.decompress(contacts.read_bytes()).splitlines()
    contacts.write_bytes(gzip.compress(b"\n".join(lines[:-1]) + b"\n"))  # a row taken out
    status, _, err = await portal(capsys, "restore", "--from", str(backup))
    assert (status, err.strip()) == (
        1,
        "portal: the backup's contact table is not what it was when the backup was made",
    )
    found = await _rows_of(fresh_url)
    assert all(rows == [] for name, rows in found.items() if name not in SEEDED)  # migrated, nothing more


def _alter(
    backup: Path, table: str, change: Callable[[list[bytes]], list[bytes]], keyring: Keyring | None
) -> None:
    """Change a table's rows in the backup, and its manifest to match; signed again with ``keyring`` if
    given (someone who holds the audit keys), else left with the old signature."""
    path = backup / "tables" / f"{table}.jsonl.gz"
    lines = change(gzip.decompress(path.read_bytes()).splitlines())
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    manifest = read_manifest(backup)
    held = {"rows": len(lines) - 1, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    manifest = replace(manifest, tables={**manifest.tables, table: held})
    if keyring is not None:
        manifest = manifest.signed(keyring)
    (backup / MANIFEST).write_text(json.dumps(asdict(manifest)))


async def test_a_backup_altered_to_match_its_manifest_is_not_restored_without_the_keys(
    portal: Portal, capsys: pytest.CaptureFixture[str], backup: Path, elsewhere: Path, fresh_url: str
) -> None:
    """A row taken out and the manifest rewritten to match: without the audit keys, its signature is not."""
    _alter(backup, "contact", lambda lines: lines[:-1], None)
    status, _, err = await portal(capsys, "restore", "--from", str(backup))
    assert (status, err.strip()) == (
        1,
        "portal: the backup's manifest is not signed with this portal's audit keys: it was altered since it "
        "was made, or made with other keys",
    )
    found = await _rows_of(fresh_url)
    assert all(rows == [] for name, rows in found.items() if name not in SEEDED)


async def test_a_restore_whose_audit_trail_does_not_verify_commits_nothing(
    portal: Portal,
    capsys: pytest.CaptureFixture[str],
    backup: Path,
    elsewhere: Path,
    fresh_url: str,
    settings: Settings,
) -> None:
    """Someone with the audit keys alters an audit event in the backup and signs it again: the rows go in,
    the audit trail does not verify, and the transaction they went in is rolled back."""

    def forged(lines: list[bytes]) -> list[bytes]:
        # The earliest event, which is sealed (the file's first line may be one of those still to seal,
        # which the chain does not cover yet).
        columns, rows = json.loads(lines[0]), [json.loads(line) for line in lines[1:]]
        earliest = min(range(len(rows)), key=lambda n: rows[n][columns.index("occurred_at")])
        rows[earliest][columns.index("action")] = "nothing.happened"
        return [lines[0], *(json.dumps(row).encode() for row in rows)]

    _alter(backup, "audit_event", forged, settings.audit_keyring)
    status, _, err = await portal(capsys, "restore", "--from", str(backup))
    assert status == 1
    assert err.startswith("portal: the audit trail does not verify")
    found = await _rows_of(fresh_url)
    assert all(rows == [] for name, rows in found.items() if name not in SEEDED)


async def test_a_freshly_migrated_database_holds_rows_only_in_the_tables_a_restore_replaces(
    fresh_url: str,
) -> None:
    """A restore refuses a database with rows in any table but those the migrations fill (SEEDED), and
    replaces those: a migration that starts filling another table must be named there."""
    engine = create_engine(fresh_url)
    try:
        await upgrade(engine)
        filled = {name for name, rows in (await _everything(engine)).items() if rows}
    finally:
        await engine.dispose()
    assert filled == SEEDED
