"""Signed checkpoints of the audit chain's head, kept outside the database.

As Certificate Transparency's signed tree heads anchor a log (RFC 9162), a checkpoint says "the chain had
``seq`` events and its head hash was ``hash``", signed with the audit key. Someone who can write the
database but not the checkpoint store cannot rewrite or cut short what a checkpoint covers: the rows at or
before it would no longer match it, and the keyed hashes cannot be recomputed without the key.

Two stores: an append-only file (the default: one JSON line per checkpoint, opened for appending only and
fsynced), and the S3 bucket when court papers live there, one object per checkpoint under a key that sorts
the newest first, with S3 Object Lock's retention when the bucket has it on.
"""

from __future__ import annotations

import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import aioboto3
from botocore.exceptions import ClientError

from models import utcnow
from portal.audit.keys import Key, Keyring
from portal.settings import Settings
from portal.storage.private import open_private, private_folder

ORIGIN = "guardian-iro-portal/audit"
PURPOSE = b"audit checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    key_id: str
    at: datetime
    signature: str

    @staticmethod
    def body(seq: int, hash: str, key_id: str, at: datetime) -> bytes:
        return json.dumps([ORIGIN, seq, hash, key_id, at.isoformat()], separators=(",", ":")).encode()

    @classmethod
    def sign(cls, key: Key, seq: int, hash: str) -> Checkpoint:
        at = utcnow()
        return cls(seq, hash, key.id, at, key.mac(PURPOSE, cls.body(seq, hash, key.id, at)))

    def signed_by(self, keyring: Keyring) -> bool:
        key = keyring.get(self.key_id)
        expected = key.mac(PURPOSE, self.body(self.seq, self.hash, self.key_id, self.at)) if key else ""
        return bool(key) and hmac.compare_digest(expected.encode(), self.signature.encode())

    def to_json(self) -> str:
        return json.dumps(
            {
                "origin": ORIGIN,
                "seq": self.seq,
                "hash": self.hash,
                "key": self.key_id,
                "at": self.at.isoformat(),
                "signature": self.signature,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """Raises ValueError for anything that is not a checkpoint."""
        try:
            data = json.loads(text)
            if data["origin"] != ORIGIN:
                raise ValueError("not a checkpoint of this trail")
            return cls(
                int(data["seq"]),
                str(data["hash"]),
                str(data["key"]),
                datetime.fromisoformat(data["at"]),
                str(data["signature"]),
            )
        except (KeyError, TypeError, json.JSONDecodeError) as error:
            raise ValueError(f"not a checkpoint: {error}") from None


class CheckpointStore(Protocol):
    """Where checkpoints are kept. ``latest`` raises ValueError when what is kept there is not a valid
    checkpoint (someone wrote to the store)."""

    async def append(self, checkpoint: Checkpoint) -> None: ...

    async def latest(self) -> Checkpoint | None: ...

    def describe(self) -> str: ...


class FileStore:
    """One JSON line per checkpoint, appended and fsynced; the newest is the last line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def describe(self) -> str:
        return f"the file {self.path}"

    async def append(self, checkpoint: Checkpoint) -> None:
        private_folder(self.path.parent)
        descriptor = open_private(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(descriptor, (checkpoint.to_json() + "\n").encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    async def latest(self) -> Checkpoint | None:
        last = _last_line(self.path)
        return Checkpoint.from_json(last) if last else None


def _last_line(path: Path, block: int = 4096) -> str | None:
    """The file's last non-empty line, read from the end (the file grows for ever)."""
    try:
        with path.open("rb") as file:
            end = file.seek(0, os.SEEK_END)
            tail = b""
            position = end
            while position > 0:
                position = max(0, position - block)
                file.seek(position)
                tail = file.read(end - position)
                lines = [line for line in tail.split(b"\n") if line.strip()]
                if len(lines) > 1 or (lines and position == 0):
                    return lines[-1].decode()
            return None
    except FileNotFoundError:
        return None


# The newest checkpoint lists first: object keys are the distance of the position from a large number.
S3_PREFIX = "audit-checkpoints/"
S3_TOP = 10**19


class S3Store:
    """One object per checkpoint in the court papers' bucket; under S3 Object Lock (when the bucket has it
    on) each is kept, unchangeable, for ``retain``."""

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None,
        region: str,
        access_key: str,
        secret_key: str,
        retain: timedelta,
    ) -> None:
        self._session = aioboto3.Session(
            aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None, region_name=region
        )
        self._endpoint_url = endpoint_url
        self.bucket = bucket
        self.retain = retain
        self._locked: bool | None = None

    def _client(self) -> Any:
        return self._session.client("s3", endpoint_url=self._endpoint_url)

    def describe(self) -> str:
        return f"s3://{self.bucket}/{S3_PREFIX}"

    async def append(self, checkpoint: Checkpoint) -> None:
        async with self._client() as client:
            extra: dict[str, Any] = {}
            if await self._object_lock(client):
                extra = {"ObjectLockMode": "COMPLIANCE", "ObjectLockRetainUntilDate": utcnow() + self.retain}
            await client.put_object(
                Bucket=self.bucket,
                Key=f"{S3_PREFIX}{S3_TOP - checkpoint.seq:020d}",
                Body=checkpoint.to_json().encode(),
                ContentType="application/json",
                **extra,
            )

    async def latest(self) -> Checkpoint | None:
        async with self._client() as client:
            listed = await client.list_objects_v2(Bucket=self.bucket, Prefix=S3_PREFIX, MaxKeys=1)
            contents = listed.get("Contents", [])
            if not contents:
                return None
            got = await client.get_object(Bucket=self.bucket, Key=contents[0]["Key"])
            async with got["Body"] as body:
                return Checkpoint.from_json((await body.read()).decode())

    async def _object_lock(self, client: Any) -> bool:
        if self._locked is None:
            try:
                found = await client.get_object_lock_configuration(Bucket=self.bucket)
                self._locked = found["ObjectLockConfiguration"].get("ObjectLockEnabled") == "Enabled"
            except ClientError:
                self._locked = False
        return self._locked


def checkpoint_store(settings: Settings) -> CheckpointStore:
    """The court papers' bucket when they live in S3, otherwise the append-only file."""
    if settings.blob_backend == "s3" and settings.audit_checkpoint_file is None:
        return S3Store(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            retain=timedelta(days=settings.audit_checkpoint_retain_days),
        )
    return FileStore(settings.audit_checkpoint_file or settings.var_dir / "audit-checkpoints")
