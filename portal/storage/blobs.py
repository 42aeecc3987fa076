"""The blob store interface. A blob is written through a ``BlobWriter`` that hashes (SHA-256) and counts as
it goes; ``commit`` makes it visible under its hash in one atomic step, ``abort`` leaves nothing behind.
Blobs are content-addressed, so the same content is stored once however often it is uploaded."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from typing import Protocol

SHA256 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024


class BlobWriter(Protocol):
    sha256: hashlib._Hash
    size: int

    async def write(self, chunk: bytes) -> None: ...

    async def commit(self) -> str:
        """Make the blob visible under its hash; return the hash."""
        ...

    async def abort(self) -> None: ...


class BlobStore(Protocol):
    async def writer(self) -> BlobWriter: ...

    def read(self, digest: str) -> AsyncIterator[bytes]:
        """The blob's bytes, a chunk at a time."""
        ...

    async def exists(self, digest: str) -> bool: ...

    async def delete(self, digest: str) -> None: ...

    async def staged(self) -> list[tuple[str, float]]:
        """Temporary blobs left by interrupted writes, with their age in seconds, for the sweeper."""
        ...

    async def remove_staged(self, name: str) -> None: ...

    async def close(self) -> None:
        """Release connections, if any."""
        ...

    async def probe(self) -> None:
        """Write a few bytes where uploads are staged and remove them: raises if the store cannot take a
        file now (unreachable, full, or not writable), for readiness checks."""
        ...

    async def digests(self) -> list[tuple[str, float]]:
        """Every committed blob with its age in seconds, for the sweeper to compare with the records."""
        ...


def check_digest(digest: str) -> str:
    if not SHA256.match(digest):
        raise ValueError("not a SHA-256 digest")
    return digest
