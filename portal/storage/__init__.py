"""Where document blobs live: one interface, a local folder (the default) and S3-compatible storage."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.settings import Settings
    from portal.storage.blobs import BlobStore


def blob_store(settings: Settings) -> BlobStore:
    """The store the settings choose."""
    if settings.blob_backend == "s3":
        from portal.storage.s3 import S3BlobStore

        return S3BlobStore(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
        )
    from portal.storage.local import LocalBlobStore

    assert settings.blob_dir is not None
    return LocalBlobStore(settings.blob_dir)
