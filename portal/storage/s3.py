"""Blobs in S3-compatible object storage (aioboto3): written as a multipart upload to a temporary key, then
copied under their hash and the temporary object removed, so a blob under its hash is always whole."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import aioboto3
from botocore.exceptions import ClientError

from portal.storage.blobs import CHUNK, check_digest

# S3 parts are at least 5 MiB, except the last.
PART = 8 * 1024 * 1024
STAGING = "tmp/"
BLOBS = "blobs/"


class S3Writer:
    def __init__(self, client: Any, bucket: str) -> None:
        self._client, self._bucket = client, bucket
        self._key = f"{STAGING}{uuid.uuid4().hex}"
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self._buffer = bytearray()
        self.sha256 = hashlib.sha256()
        self.size = 0

    async def write(self, chunk: bytes) -> None:
        self.sha256.update(chunk)
        self.size += len(chunk)
        self._buffer += chunk
        if len(self._buffer) >= PART:
            await self._flush()

    async def _flush(self) -> None:
        if self._upload_id is None:
            started = await self._client.create_multipart_upload(Bucket=self._bucket, Key=self._key)
            self._upload_id = started["UploadId"]
        number = len(self._parts) + 1
        sent = await self._client.upload_part(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=bytes(self._buffer),
        )
        self._parts.append({"PartNumber": number, "ETag": sent["ETag"]})
        self._buffer.clear()

    async def commit(self) -> str:
        digest = self.sha256.hexdigest()
        if self._upload_id is None:  # small enough for one request
            await self._client.put_object(Bucket=self._bucket, Key=BLOBS + digest, Body=bytes(self._buffer))
            return digest
        if self._buffer:
            await self._flush()
        await self._client.complete_multipart_upload(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},
        )
        await self._client.copy_object(
            Bucket=self._bucket, Key=BLOBS + digest, CopySource={"Bucket": self._bucket, "Key": self._key}
        )
        await self._client.delete_object(Bucket=self._bucket, Key=self._key)
        return digest

    async def abort(self) -> None:
        if self._upload_id is not None:
            await self._client.abort_multipart_upload(
                Bucket=self._bucket, Key=self._key, UploadId=self._upload_id
            )


class S3BlobStore:
    """One client for the store's life; ``close`` releases it."""

    def __init__(
        self, *, bucket: str, endpoint_url: str | None, region: str, access_key: str, secret_key: str
    ) -> None:
        self.bucket = bucket
        self._session = aioboto3.Session(
            aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None, region_name=region
        )
        self._endpoint_url = endpoint_url
        self._stack = AsyncExitStack()
        self._client: Any = None

    async def _s3(self) -> Any:
        if self._client is None:
            self._client = await self._stack.enter_async_context(
                self._session.client("s3", endpoint_url=self._endpoint_url)
            )
        return self._client

    async def close(self) -> None:
        await self._stack.aclose()
        self._client = None

    async def writer(self) -> S3Writer:
        return S3Writer(await self._s3(), self.bucket)

    async def read(self, digest: str) -> AsyncIterator[bytes]:
        check_digest(digest)
        response = await (await self._s3()).get_object(Bucket=self.bucket, Key=BLOBS + digest)
        body = response["Body"]
        try:
            async for chunk in body.iter_chunks(CHUNK):
                yield chunk
        finally:
            body.close()

    async def exists(self, digest: str) -> bool:
        check_digest(digest)
        try:
            await (await self._s3()).head_object(Bucket=self.bucket, Key=BLOBS + digest)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    async def probe(self) -> None:
        s3, key = await self._s3(), f"{STAGING}.probe-{uuid.uuid4().hex}"
        await s3.put_object(Bucket=self.bucket, Key=key, Body=b"probe")
        await s3.delete_object(Bucket=self.bucket, Key=key)

    async def delete(self, digest: str) -> None:
        check_digest(digest)
        await (await self._s3()).delete_object(Bucket=self.bucket, Key=BLOBS + digest)

    async def staged(self) -> list[tuple[str, float]]:
        s3, now = await self._s3(), time.time()
        found = []
        listed = await s3.list_multipart_uploads(Bucket=self.bucket, Prefix=STAGING)
        for upload in listed.get("Uploads", []):
            found.append((f"{upload['Key']}|{upload['UploadId']}", now - upload["Initiated"].timestamp()))
        objects = await s3.list_objects_v2(Bucket=self.bucket, Prefix=STAGING)
        for item in objects.get("Contents", []):
            found.append((item["Key"], now - item["LastModified"].timestamp()))
        return found

    async def remove_staged(self, name: str) -> None:
        s3 = await self._s3()
        key, _, upload_id = name.partition("|")
        if upload_id:
            await s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        else:
            await s3.delete_object(Bucket=self.bucket, Key=key)

    async def digests(self) -> list[tuple[str, float]]:
        s3, now = await self._s3(), time.time()
        found: list[tuple[str, float]] = []
        paginator = s3.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.bucket, Prefix=BLOBS):
            found += [
                (item["Key"].removeprefix(BLOBS), now - item["LastModified"].timestamp())
                for item in page.get("Contents", [])
            ]
        return found
