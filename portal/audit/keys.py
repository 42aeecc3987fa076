"""The keys that seal the audit trail: secrets the database never holds.

A keyring is a list of ``<key id>:<secret>`` entries (the secret in URL-safe base64, at least 32 bytes),
from ``PORTAL_AUDIT_KEY`` or the file ``PORTAL_AUDIT_KEY_FILE`` (one entry per line, ``#`` comments). The
first entry seals new events and signs checkpoints; the others are earlier keys, kept to verify what they
sealed, so keys rotate by putting a new entry first. The embedded default keeps a generated keyring in
``var/audit.keys``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
MIN_SECRET_BYTES = 32


class KeyringError(ValueError):
    """The audit keyring is missing or malformed."""


@dataclass(frozen=True)
class Key:
    id: str
    secret: bytes

    def mac(self, purpose: bytes, message: bytes) -> str:
        """HMAC-SHA256 of ``message`` under a key derived for ``purpose``, so the chain's hashes and the
        checkpoints' signatures never share a key."""
        return hmac.new(_derived(self.secret, purpose), message, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:  # never print a secret
        return f"Key({self.id!r})"


@functools.lru_cache(maxsize=64)
def _derived(secret: bytes, purpose: bytes) -> bytes:
    # Derived once per key and purpose: the sealer macs every event.
    return hmac.new(secret, purpose, hashlib.sha256).digest()


@dataclass(frozen=True)
class Keyring:
    keys: tuple[Key, ...]

    @property
    def current(self) -> Key:
        return self.keys[0]

    def get(self, key_id: str) -> Key | None:
        return next((k for k in self.keys if k.id == key_id), None)


def parse(text: str) -> Keyring:
    """A keyring from its text form; KeyringError says what is wrong without repeating any secret."""
    keys: list[Key] = []
    entries = [e.strip() for line in text.splitlines() for e in line.split("#", 1)[0].split(",")]
    for number, entry in enumerate((e for e in entries if e), start=1):
        key_id, sep, encoded = entry.partition(":")
        if not sep or not KEY_ID.match(key_id):
            raise KeyringError(f"audit key entry {number} is not '<key id>:<secret>'")
        try:
            secret = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            raise KeyringError(f"audit key {key_id!r}: the secret is not base64") from None
        if len(secret) < MIN_SECRET_BYTES:
            raise KeyringError(f"audit key {key_id!r}: the secret must be at least {MIN_SECRET_BYTES} bytes")
        if any(k.id == key_id for k in keys):
            raise KeyringError(f"audit key {key_id!r} appears twice")
        keys.append(Key(key_id, secret))
    if not keys:
        raise KeyringError("the audit keyring holds no key")
    return Keyring(tuple(keys))


def new_entry(key_id: str) -> str:
    """A fresh ``<key id>:<secret>`` entry, for a new keyring or to rotate to."""
    if not KEY_ID.match(key_id):
        raise KeyringError("a key id is 1 to 40 letters, digits, dots, dashes or underscores")
    return f"{key_id}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}"


def load(value: str, file: Path | None, generated: Path | None) -> Keyring:
    """The keyring from the variable, else the file, else (the embedded default) ``generated``, which is
    created with one new key the first time."""
    if value:
        return parse(value)
    if file is not None:
        try:
            return parse(file.read_text())
        except OSError as error:
            raise KeyringError(f"cannot read the audit key file {file}: {error.strerror}") from None
    if generated is None:
        raise KeyringError("set PORTAL_AUDIT_KEY or PORTAL_AUDIT_KEY_FILE: the audit trail is sealed with it")
    if not generated.exists():
        generated.parent.mkdir(parents=True, exist_ok=True)
        draft = generated.with_name(f"{generated.name}.{os.getpid()}.new")
        draft.write_text(
            "# The audit trail's keys: the first seals, the rest verify. Keep this file away from the\n"
            "# database and its backups, and from anyone who can write the database.\n"
            f"{new_entry('k1')}\n"
        )
        draft.chmod(0o600)
        # Linked into place only if absent: two processes starting at once end up with the same key.
        with contextlib.suppress(FileExistsError):
            os.link(draft, generated)
        draft.unlink()
    return parse(generated.read_text())
