"""Receiving a file: its name checked before any byte is kept, its size limited while it streams, its type
sniffed from the content and matched with its extension, its SHA-256 computed on the way, and the blob
committed only when all of that passed. Anything refused or interrupted leaves no blob.

A PDF or a ZIP archive is also copied, as it streams, to an anonymous temporary file (readable by the
portal's user only, and gone when closed, even if the process dies), so that once it has arrived whole it
can be read out of order without holding it in memory: a PDF is checked for active content
(portal/papers/pdf.py), and an archive's central directory says which document it is and whether it is safe
to open (portal/papers/office.py). Both checks run in a worker thread."""

from __future__ import annotations

import asyncio
import tempfile
import unicodedata
from dataclasses import dataclass
from typing import IO

from portal.errors import DomainError, ErrorCode
from portal.papers import office, pdf
from portal.papers.sniff import EXTENSIONS, PDF, ZIP, Sniffer, extension
from portal.storage.blobs import BlobStore, BlobWriter

# How much a ZIP archive or a PDF's compressed objects may expand to, unless the settings say otherwise.
MAX_EXPANDED = 512 * 1024 * 1024
# The first bytes that say a file is to be copied aside for a closer look.
SPOOLED = (b"%PDF-", b"PK\x03\x04")

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
    """One file on its way in. ``start`` it, ``write`` its chunks, then ``finish`` (or ``abort``). A
    receiver takes one file: starting a second refuses the request, and keeps neither."""

    def __init__(self, store: BlobStore, max_bytes: int, max_expanded: int = MAX_EXPANDED) -> None:
        self._store, self._max, self._max_expanded = store, max_bytes, max_expanded
        self._writer: BlobWriter | None = None
        self._sniffer = Sniffer()
        self._started = False
        # The first bytes, until there are enough to know whether to copy the file aside; then the copy.
        self._early: bytes | None = b""
        self._spool: IO[bytes] | None = None
        self.filename = ""

    @property
    def size(self) -> int:
        return self._writer.size if self._writer else 0

    @property
    def started(self) -> bool:
        """A file has started arriving (and was neither refused nor aborted)."""
        return self._writer is not None

    async def start(self, filename: str) -> None:
        if self._started:
            await self.abort()
            raise too_many_files()
        self._started = True
        self.filename = check_filename(filename)
        self._writer = await self._store.writer()

    async def write(self, chunk: bytes) -> None:
        assert self._writer is not None
        if self._writer.size + len(chunk) > self._max:
            await self.abort()
            raise too_large(self._max)
        self._sniffer.feed(chunk)
        await self._writer.write(chunk)
        await self._copy_aside(chunk)

    async def _copy_aside(self, chunk: bytes) -> None:
        if self._early is not None:
            self._early += chunk
            if len(self._early) < max(map(len, SPOOLED)):
                return
            chunk, self._early = self._early, None
            if chunk.startswith(SPOOLED):
                self._spool = await asyncio.to_thread(tempfile.TemporaryFile)
        if self._spool is not None:
            await asyncio.to_thread(self._spool.write, chunk)

    async def finish(self) -> Received:
        writer = self._writer
        if writer is None:
            raise DomainError.one(ErrorCode.REQUIRED, "Choose a file to upload", "file")
        try:
            if writer.size == 0:
                raise DomainError.one(ErrorCode.FILE_EMPTY, "The file is empty", "file")
            content_type = await self._inspect(self._sniffer.content_type())
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
        except BaseException:
            await self.abort()
            raise
        self._close_spool()
        digest = await writer.commit()
        self._writer = None
        return Received(digest, writer.size, content_type, self.filename)

    async def _inspect(self, sniffed: str | None) -> str | None:
        """A PDF checked for active content; a ZIP archive's document type read from its directory."""
        spool = self._spool
        if sniffed not in (PDF, ZIP):
            return sniffed
        if spool is None:  # too short to have been copied aside: not a PDF or an archive worth the name
            return None
        await asyncio.to_thread(spool.flush)
        if sniffed == PDF:
            await asyncio.to_thread(pdf.check, spool, self._max_expanded)
            return PDF
        return await asyncio.to_thread(office.identify, spool, self.size, self._max_expanded)

    def _close_spool(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    async def abort(self) -> None:
        self._close_spool()
        if self._writer is not None:
            await self._writer.abort()
            self._writer = None


def too_many_files() -> DomainError:
    return DomainError.one(
        ErrorCode.TOO_MANY_FILES, "Upload one file at a time: this upload had more than one", "file"
    )


def too_large(max_bytes: int) -> DomainError:
    size = f"{max_bytes // (1024 * 1024)} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes // 1024} KB"
    return DomainError.one(ErrorCode.FILE_TOO_LARGE, f"The file must be smaller than {size}", "file")
