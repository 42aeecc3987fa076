"""Blobs in a local folder: written to a temporary file, fsynced, then renamed into place under their hash
(``ab/cd/abcd…``), so a blob is either whole or absent. The folders are 0700 and the files 0600: only the
portal's user may read them."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from portal.storage.blobs import CHUNK, check_digest
from portal.storage.private import open_private, private_folder


class LocalWriter:
    def __init__(self, root: Path) -> None:
        self._root = root
        self._temp = root / "tmp" / f"{uuid.uuid4().hex}.part"
        self._file = os.fdopen(open_private(self._temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL), "wb")
        self.sha256 = hashlib.sha256()
        self.size = 0

    async def write(self, chunk: bytes) -> None:
        self.sha256.update(chunk)
        self.size += len(chunk)
        await asyncio.to_thread(self._file.write, chunk)

    async def commit(self) -> str:
        digest = self.sha256.hexdigest()
        target = _path(self._root, digest)

        def finish() -> None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            private_folder(target.parent)
            os.replace(self._temp, target)  # atomic; the same content already there is simply replaced
            directory = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)

        await asyncio.to_thread(finish)
        return digest

    async def abort(self) -> None:
        # Closing flushes what is buffered, which a full disk refuses again: it is thrown away anyway.
        with contextlib.suppress(OSError):
            self.close()
        self._temp.unlink(missing_ok=True)

    def close(self) -> None:
        self._file.close()


def _path(root: Path, digest: str) -> Path:
    check_digest(digest)
    return root / "blobs" / digest[:2] / digest[2:4] / digest


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        private_folder(root / "tmp")
        private_folder(root / "blobs")

    async def writer(self) -> LocalWriter:
        return LocalWriter(self.root)

    async def read(self, digest: str) -> AsyncIterator[bytes]:
        path = _path(self.root, digest)
        handle = await asyncio.to_thread(path.open, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK):
                yield chunk
        finally:
            handle.close()

    async def exists(self, digest: str) -> bool:
        return _path(self.root, digest).is_file()

    async def delete(self, digest: str) -> None:
        _path(self.root, digest).unlink(missing_ok=True)

    async def close(self) -> None:
        return None

    async def probe(self) -> None:
        def write_and_remove() -> None:
            path = self.root / "tmp" / f".probe-{uuid.uuid4().hex}"
            try:
                path.write_bytes(b"probe")
            finally:
                path.unlink(missing_ok=True)

        await asyncio.to_thread(write_and_remove)

    async def staged(self) -> list[tuple[str, float]]:
        now = time.time()
        return [(p.name, now - p.stat().st_mtime) for p in (self.root / "tmp").glob("*.part")]

    async def remove_staged(self, name: str) -> None:
        (self.root / "tmp" / Path(name).name).unlink(missing_ok=True)

    async def digests(self) -> list[tuple[str, float]]:
        now = time.time()
        return [(p.name, now - p.stat().st_mtime) for p in (self.root / "blobs").glob("*/*/*") if p.is_file()]
