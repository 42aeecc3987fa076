"""The same storage tests against both blob stores: the local folder and S3 through moto's server mode."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from portal.storage.blobs import BlobStore
from portal.storage.local import LocalBlobStore, LocalWriter
from portal.storage.s3 import S3BlobStore
from tests.support.s3 import KEY, REGION, SECRET, S3Server


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    server = S3Server()
    yield server
    server.stop()


@pytest.fixture(params=["local", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    if request.param == "local":
        yield LocalBlobStore(tmp_path / "blobs")
        return
    server: S3Server = request.getfixturevalue("s3_server")
    s3 = S3BlobStore(
        bucket=server.bucket(f"papers-{uuid.uuid4().hex[:8]}"),
        endpoint_url=server.endpoint,
        region=REGION,
        access_key=KEY,
        secret_key=SECRET,
    )
    yield s3
    await s3.close()


async def _put(store: BlobStore, *chunks: bytes) -> str:
    writer = await store.writer()
    for chunk in chunks:
        await writer.write(chunk)
    return await writer.commit()


async def _get(store: BlobStore, digest: str) -> bytes:
    return b"".join([chunk async for chunk in store.read(digest)])


async def test_a_blob_is_stored_under_its_hash_and_read_back(store: BlobStore) -> None:
    digest = await _put(store, b"%PDF-1.7\n", b"the care plan")
    assert digest == hashlib.sha256(b"%PDF-1.7\nthe care plan").hexdigest()
    assert await store.exists(digest)
    assert await _get(store, digest) == b"%PDF-1.7\nthe care plan"
    assert [d for d, _ in await store.digests()] == [digest]
    assert await store.staged() == []


async def test_a_large_blob_goes_in_parts_and_comes_back_whole(store: BlobStore) -> None:
    content = os.urandom(3 * 1024 * 1024)
    writer = await store.writer()
    for _ in range(6):  # 18 MiB: more than two S3 parts
        await writer.write(content)
    assert writer.size == 18 * 1024 * 1024
    digest = await writer.commit()
    assert hashlib.sha256(await _get(store, digest)).hexdigest() == digest
    assert await store.staged() == []


async def test_the_same_content_twice_is_one_blob(store: BlobStore) -> None:
    first = await _put(store, b"same")
    second = await _put(store, b"sa", b"me")
    assert first == second
    assert [d for d, _ in await store.digests()] == [first]


async def test_an_aborted_write_leaves_nothing(store: BlobStore) -> None:
    writer = await store.writer()
    await writer.write(os.urandom(9 * 1024 * 1024))
    await writer.abort()
    assert await store.digests() == []
    assert await store.staged() == []


async def test_an_interrupted_write_is_found_by_the_sweeper_and_removed(store: BlobStore) -> None:
    writer = await store.writer()
    await writer.write(os.urandom(9 * 1024 * 1024))
    # Then the process dies: neither commit nor abort, and the system closes its files.
    if isinstance(writer, LocalWriter):
        writer.close()
    staged = await store.staged()
    assert len(staged) == 1
    await store.remove_staged(staged[0][0])
    assert await store.staged() == []
    assert await store.digests() == []


async def test_deleting_and_bad_digests(store: BlobStore) -> None:
    digest = await _put(store, b"gone soon")
    await store.delete(digest)
    assert not await store.exists(digest)
    with pytest.raises(ValueError, match="SHA-256"):
        await store.exists("../../etc/passwd")
