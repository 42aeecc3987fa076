"""Where document blobs live: one interface, a local folder (the default) and S3-compatible storage."""
