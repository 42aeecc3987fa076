"""Backing up the portal and restoring it: every table's rows as of one moment and every blob a record
refers to, in a folder that says what it holds (``manifest.json``); and such a folder put back into an empty
database and blob store, then checked: every table's rows counted, every blob's SHA-256, and the audit
trail verified.

The rows are kept as JSON, a gzipped file per table with its columns named in its first line, so a backup of
one database (PostgreSQL, say) restores into the other; both must be at the same migration, which the
manifest names. A restore is one transaction: it puts back everything or nothing."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import models
from models import utcnow
from portal.audit.chain import Verdict, verify
from portal.audit.keys import Keyring
from portal.backup import repository
from portal.db import snapshot
from portal.storage.blobs import BlobStore, check_digest

FORMAT = 1
BATCH = 1000
MANIFEST = "manifest.json"
# What the manifest's HMAC is for, so that its key is never the audit chain's own.
SIGNING = b"portal backup manifest"
BLOB = "sha256"
# The tables the migrations fill (the protocol's default rules, the national dispute ladder, and the view
# version their writing moved): a database freshly migrated holds their rows, which a restore replaces with
# the backup's.
SEEDED = frozenset(
    {"obligation_rule", "dispute_ladder", "dispute_ladder_stage", "referral_timescale", "view_version"}
)
# The tables triggers fill as others are written (an audit event queues itself for sealing; a write moves
# its case's view version): put back last, in place of what the triggers put there as the rows went back.
QUEUES = frozenset({"audit_queue", "view_version"})


class BackupError(Exception):
    """A backup or a restore that cannot be made, and why, in a line."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: its format, the migration its rows are at, when it was made, each table's file
    (rows and SHA-256) and each blob (its SHA-256, the name of its file, and its size)."""

    format: int
    revision: str
    made_at: str
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    blobs: dict[str, int] = field(default_factory=dict)
    # An HMAC of the rest under the audit key ``signed_by``: who can alter a backup so that it still
    # matches its manifest needs the audit keys too.
    signed_by: str = ""
    signature: str = ""

    def signed(self, keyring: Keyring) -> Manifest:
        key = keyring.current
        return replace(self, signed_by=key.id, signature=key.mac(SIGNING, self._content()))

    def signed_with(self, keyring: Keyring) -> bool:
        key = keyring.get(self.signed_by)
        return key is not None and hmac.compare_digest(key.mac(SIGNING, self._content()), self.signature)

    def _content(self) -> bytes:
        content = asdict(replace(self, signed_by="", signature=""))
        return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Restored:
    rows: int
    tables: int
    blobs: int
    audit: Verdict


def _tables() -> list[sa.Table]:
    """Every table, each after those it refers to."""
    return list(models.metadata.sorted_tables)


def _encoder(column: sa.Column[Any]) -> Callable[[Any], Any]:
    kind = column.type
    if isinstance(kind, sa.Uuid):
        return str
    if isinstance(kind, sa.Enum):
        return lambda value: value.value if hasattr(value, "value") else value
    if isinstance(kind, sa.LargeBinary):
        return lambda value: base64.b64encode(value).decode()
    if isinstance(getattr(kind, "impl", kind), sa.DateTime | sa.Date):
        return lambda value: value.isoformat()
    return lambda value: value


def _decoder(column: sa.Column[Any]) -> Callable[[Any], Any]:
    kind = column.type
    impl = getattr(kind, "impl", kind)
    if isinstance(kind, sa.Uuid):
        return uuid.UUID
    if isinstance(kind, sa.Enum) and kind.enum_class is not None:
        return kind.enum_class
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode
    if isinstance(impl, sa.DateTime):
        return datetime.fromisoformat
    if isinstance(impl, sa.Date):
        return date.fromisoformat
    return lambda value: value


def _self_references(table: sa.Table) -> list[str]:
    """The columns by which a row may point at another row of its own table: put back once they all are."""
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


async def back_up(
    sessions: async_sessionmaker[AsyncSession], blobs: BlobStore, folder: Path, keyring: Keyring
) -> Manifest:
    """Write the backup into ``folder`` (new, or empty), its manifest signed with the audit keyring's key."""
    _prepare(folder)
    tables: dict[str, dict[str, Any]] = {}
    referred: set[str] = set()
    async with sessions() as session, session.begin():
        await session.connection(execution_options=snapshot(session.get_bind().dialect.name))
        revision = await repository.revision(session)
        if revision is None:
            raise BackupError("the database is not migrated: there is nothing to back up")
        for table in _tables():
            encoders = [_encoder(column) for column in table.columns]
            # A blob is named by its SHA-256, in the column of that name of the records that refer to it.
            digest_at = table.columns.keys().index(BLOB) if BLOB in table.columns else None
            path = folder / "tables" / f"{table.name}.jsonl.gz"
            count = 0
            with _HashedGzip(path) as out:
                out.line(table.columns.keys())
                async for batch in repository.rows(session, table, BATCH):
                    for row in batch:
                        out.line(
                            [
                                None if v is None else encode(v)
                                for encode, v in zip(encoders, row, strict=True)
                            ]
                        )
                        if digest_at is not None:
                            referred.add(row[digest_at])
                    count += len(batch)
            tables[table.name] = {"rows": count, "sha256": out.hexdigest}
    sizes = {digest: await _copy_out(blobs, digest, folder / "blobs" / digest) for digest in sorted(referred)}
    manifest = Manifest(FORMAT, revision, utcnow().isoformat(), tables, sizes).signed(keyring)
    (folder / MANIFEST).write_text(json.dumps(asdict(manifest), indent=1))
    return manifest


async def restore(
    sessions: async_sessionmaker[AsyncSession],
    blobs: BlobStore,
    folder: Path,
    keyring: Keyring,
    revision: str,
) -> Restored:
    """Put the backup in ``folder`` back into this database (migrated to ``revision``, and empty) and blob
    store, and check what was put back."""
    manifest = read_manifest(folder)
    if not manifest.signed_with(keyring):
        raise BackupError(
            "the backup's manifest is not signed with this portal's audit keys: it was altered since it was "
            "made, or made with other keys"
        )
    if manifest.revision != revision:
        raise BackupError(
            f"the backup is at migration {manifest.revision} and this portal at {revision}: restore it with "
            "the portal's version that made it, then migrate"
        )
    tables = {table.name: table for table in _tables()}
    if set(manifest.tables) != set(tables):
        raise BackupError("the backup's tables are not this portal's")
    for name, held in manifest.tables.items():
        if _sha256_of(folder / "tables" / f"{name}.jsonl.gz") != held["sha256"]:
            raise BackupError(f"the backup's {name} table is not what it was when the backup was made")
    for digest in manifest.blobs:
        check_digest(digest)
        if _sha256_of(folder / "blobs" / digest) != digest:
            raise BackupError(f"the backup's blob {digest} is not what it was when the backup was made")
    async with sessions() as session, session.begin():
        for table in tables.values():
            if table.name not in SEEDED and await repository.count(session, table):
                raise BackupError(
                    f"the database is not empty ({table.name} has rows): restore into an empty one"
                )
    for digest in manifest.blobs:
        await _copy_in(blobs, folder / "blobs" / digest, digest)
    async with sessions() as session, session.begin():
        for table in reversed(tables.values()):
            if table.name in SEEDED:
                await repository.clear(session, table)
        for name, table in tables.items():
            if name not in QUEUES:
                await _put_back(session, table, folder / "tables" / f"{name}.jsonl.gz")
        for name in QUEUES:
            await repository.clear(session, tables[name])
            await _put_back(session, tables[name], folder / "tables" / f"{name}.jsonl.gz")
        # Checked before it is committed: a restore that does not check out leaves the database empty.
        return await _check(session, blobs, manifest, keyring)


async def _check(session: AsyncSession, blobs: BlobStore, manifest: Manifest, keyring: Keyring) -> Restored:
    """That the database and blob store hold what the backup does: each table's rows, each blob (its bytes
    hashed again), and an audit trail that verifies."""
    for table in _tables():
        found, held = await repository.count(session, table), manifest.tables[table.name]["rows"]
        if found != held:
            raise BackupError(f"{table.name} holds {found} rows where the backup has {held}")
    audit = await verify(session, keyring, None)
    for digest in manifest.blobs:
        hashed = hashlib.sha256()
        async for chunk in blobs.read(digest):
            hashed.update(chunk)
        if hashed.hexdigest() != digest:
            raise BackupError(f"the blob {digest} does not hash to its name")
    if not audit.clean:
        raise BackupError(f"the audit trail does not verify: {audit.problem}")
    rows = sum(held["rows"] for held in manifest.tables.values())
    return Restored(rows, len(manifest.tables), len(manifest.blobs), audit)


def _prepare(folder: Path) -> None:
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: back up into a new folder")
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    (folder / "blobs").mkdir(exist_ok=True)
    os.chmod(folder, 0o700)  # children's data: the operator's alone


def read_manifest(folder: Path) -> Manifest:
    try:
        manifest = Manifest(**json.loads((folder / MANIFEST).read_text()))
    except (OSError, ValueError, TypeError) as error:
        raise BackupError(f"{folder} holds no backup this portal can read ({error})") from None
    if manifest.format != FORMAT:
        raise BackupError(f"the backup's format is {manifest.format}; this portal reads {FORMAT}")
    return manifest


async def _put_back(session: AsyncSession, table: sa.Table, path: Path) -> None:
    pointing = _self_references(table)
    pointers: dict[str, list[dict[str, Any]]] = {column: [] for column in pointing}
    lines = _lines(path)
    columns = next(lines)
    if columns != table.columns.keys():
        raise BackupError(f"the backup's {table.name} table has other columns than this portal's")
    decoders = [_decoder(table.columns[name]) for name in columns]
    batch: list[dict[str, Any]] = []
    for values in lines:
        row = {
            name: None if value is None else decode(value)
            for name, decode, value in zip(columns, decoders, values, strict=True)
        }
        for column in pointing:
            if row[column] is not None:
                pointers[column].append({"row": row["id"], "to": row[column]})
                row[column] = None
        batch.append(row)
        if len(batch) == BATCH:
            await repository.put_back(session, table, batch)
            batch = []
    await repository.put_back(session, table, batch)
    for column, found in pointers.items():
        await repository.point(session, table, column, found)


async def _copy_out(blobs: BlobStore, digest: str, path: Path) -> int:
    hashed, size = hashlib.sha256(), 0
    with path.open("wb") as out:
        async for chunk in blobs.read(digest):
            hashed.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if hashed.hexdigest() != digest:
        raise BackupError(f"the blob {digest} in the store does not hash to its name")
    return size


async def _copy_in(blobs: BlobStore, path: Path, digest: str) -> None:
    writer = await blobs.writer()
    try:
        with path.open("rb") as source:
            while chunk := source.read(1024 * 1024):
                await writer.write(chunk)
        committed = await writer.commit()
    except BaseException:
        await writer.abort()
        raise
    if committed != digest:
        raise BackupError(f"the blob {digest} was stored as {committed}")


def _lines(path: Path) -> Iterator[Any]:
    with gzip.open(path, "rt", encoding="utf-8") as source:
        for line in source:
            yield json.loads(line)


def _sha256_of(path: Path) -> str:
    hashed = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1024 * 1024):
            hashed.update(chunk)
    return hashed.hexdigest()


class _HashedGzip:
    """A gzipped file of JSON lines, hashed as it is written."""

    def __init__(self, path: Path) -> None:
        self._file: IO[bytes] = path.open("wb")
        self._hash = hashlib.sha256()
        self._gzip = gzip.GzipFile(fileobj=self, mode="wb", mtime=0)

    def write(self, data: bytes) -> int:  # GzipFile writes its output here
        self._hash.update(data)
        return self._file.write(data)

    def flush(self) -> None:
        self._file.flush()

    def line(self, values: list[Any]) -> None:
        self._gzip.write(json.dumps(values, ensure_ascii=False).encode() + b"\n")

    @property
    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def __enter__(self) -> _HashedGzip:
        return self

    def __exit__(self, *_: object) -> None:
        self._gzip.close()
        self._file.close()
