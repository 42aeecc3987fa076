"""Receiving a file: its name checked before any byte is kept, its size limited while it streams, its type
sniffed from the content and matched with its extension, its SHA-256 computed on the way, and the blob
committed only when all of that passed. Anything refused or interrupted leaves no blob."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from portal.errors import DomainError, ErrorCode
from portal.papers.sniff import EXTENSIONS, Sniffer, extension
from portal.storage.blobs import BlobStore, BlobWriter

NAME_MAX_LENGTH = 255
ALLOWED_EXTENSIONS = frozenset().union(*EXTENSIONS.values())


@dataclass(frozen=True)
class Received:
    sha256: str
    size: int
    content_type: str
    filename: str


def check_filename(filename: str) -> str:
    """A plain file name: no folders, no control characters, an allowed extension."""
    name = unicodedata.normalize("NFC", filename.strip())
    if (
        not name
        or len(name) > NAME_MAX_LENGTH
        or any(c in name for c in "/\\")
        or name in {".", ".."}
        or any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} for c in name)
    ):
        raise DomainError.one(
            ErrorCode.FILE_NAME_INVALID,
            "The file's name must be a plain name, without folders or control characters",
            "file",
        )
    if extension(name) not in ALLOWED_EXTENSIONS:
        raise DomainError.one(
            ErrorCode.FILE_TYPE_NOT_ALLOWED,
            "The file must be a PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT), PNG, JPEG or plain "
            "text file",
            "file",
        )
    return name


class Receiver:
    """One file on its way in. ``start`` it, ``write`` its chunks, then ``finish`` (or ``abort``)."""

    def __init__(self, store: BlobStore, max_bytes: int) -> None:
        self._store, self._max = store, max_bytes
        self._writer: BlobWriter | None = None
        self._sniffer = Sniffer()
        self.filename = ""

    @property
    def size(self) -> int:
        return self._writer.size if self._writer else 0

    async def start(self, filename: str) -> None:
        self.filename = check_filename(filename)
        self._writer = await self._store.writer()

    async def write(self, chunk: bytes) -> None:
        assert self._writer is not None
        if self._writer.size + len(chunk) > self._max:
            await self.abort()
            raise too_large(self._max)
        self._sniffer.feed(chunk)
        await self._writer.write(chunk)

    async def finish(self) -> Received:
        writer = self._writer
        if writer is None:
            raise DomainError.one(ErrorCode.REQUIRED, "Choose a file to upload", "file")
        try:
            if writer.size == 0:
                raise DomainError.one(ErrorCode.FILE_EMPTY, "The file is empty", "file")
            content_type = self._sniffer.content_type()
            if content_type is None:
                raise DomainError.one(
                    ErrorCode.FILE_TYPE_NOT_ALLOWED,
                    "The file's content is not a PDF, Word, Excel, OpenDocument, PNG, JPEG or text file",
                    "file",
                )
            if extension(self.filename) not in EXTENSIONS[content_type]:
                raise DomainError.one(
                    ErrorCode.FILE_TYPE_MISMATCH,
                    "The file's content does not match its name: "
                    f"it is not a .{extension(self.filename)} file",
                    "file",
                )
        except DomainError:
            await self.abort()
            raise
        digest = await writer.commit()
        self._writer = None
        return Received(digest, writer.size, content_type, self.filename)

    async def abort(self) -> None:
        if self._writer is not None:
            await self._writer.abort()
            self._writer = None


def too_large(max_bytes: int) -> DomainError:
    return DomainError.one(
        ErrorCode.FILE_TOO_LARGE, f"The file must be smaller than {max_bytes // (1024 * 1024)} MB", "file"
    )
