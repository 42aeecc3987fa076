"""moto in server mode: a real HTTP S3 endpoint on 127.0.0.1, for the S3 blob store's tests."""

from __future__ import annotations

from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from tests.support.ports import free_port

REGION = "eu-west-2"
KEY, SECRET = "testing", "testing"


class S3Server:
    def __init__(self) -> None:
        self.port = free_port()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def bucket(self, name: str, *, object_lock: bool = False) -> str:
        """A new bucket; with S3 Object Lock turned on, if asked."""
        self._client().create_bucket(
            Bucket=name,
            CreateBucketConfiguration={"LocationConstraint": REGION},
            ObjectLockEnabledForBucket=object_lock,
        )
        return name

    def retention(self, bucket: str, key: str) -> dict[str, Any]:
        """An object's Object Lock retention: its mode and until when (from HEAD: moto answers
        GetObjectRetention with a 500)."""
        head = self._client().head_object(Bucket=bucket, Key=key)
        return {"Mode": head.get("ObjectLockMode"), "RetainUntilDate": head.get("ObjectLockRetainUntilDate")}

    def keys(self, bucket: str) -> list[str]:
        listed = self._client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def _client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
        )

    def stop(self) -> None:
        self._server.stop()
