"""What a file really is, from its content, and whether that agrees with its name. Fed chunk by chunk while
the file streams in; the ZIP-based formats are told apart by the entry names their archives must hold (ZIP
stores names uncompressed, in each entry's header and again in the directory at the end)."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

PDF, DOCX, XLSX, ODT = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
)
PNG, JPEG, TEXT = "image/png", "image/jpeg", "text/plain"

# The allowlist: each type with the extensions that may carry it.
EXTENSIONS: dict[str, frozenset[str]] = {
    PDF: frozenset({"pdf"}),
    DOCX: frozenset({"docx"}),
    XLSX: frozenset({"xlsx"}),
    ODT: frozenset({"odt"}),
    PNG: frozenset({"png"}),
    JPEG: frozenset({"jpg", "jpeg"}),
    TEXT: frozenset({"txt"}),
}
ZIP_MARKERS = {
    DOCX: b"word/document.xml",
    XLSX: b"xl/workbook.xml",
    ODT: b"mimetypeapplication/vnd.oasis.opendocument.text",
}
# Programs, refused whatever they are called: Windows (MZ), Linux (ELF), macOS (Mach-O), scripts.
EXECUTABLES = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
OVERLAP = 64


@dataclass
class Sniffer:
    head: bytes = b""
    _zip_found: set[str] = field(default_factory=set)
    _tail: bytes = b""
    _text_ok: bool = True
    # Decodes UTF-8 across chunk boundaries: a character split between two chunks is fine.
    _utf8: codecs.IncrementalDecoder = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")())

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < 16:
            self.head += chunk[: 16 - len(self.head)]
        window = self._tail + chunk
        for kind, marker in ZIP_MARKERS.items():
            if marker in window:
                self._zip_found.add(kind)
        self._tail = window[-OVERLAP:]
        if self._text_ok:
            try:
                self._text_ok = "\x00" not in self._utf8.decode(chunk)
            except UnicodeDecodeError:
                self._text_ok = False

    def _text(self) -> bool:
        """Valid UTF-8 to the end, with no NUL."""
        if not self._text_ok:
            return False
        try:
            self._utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        return True

    def content_type(self) -> str | None:
        """The allowed type the content is, or None."""
        head = self.head
        if head.startswith(EXECUTABLES):
            return None
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"PK\x03\x04"):
            found = [kind for kind in (DOCX, XLSX, ODT) if kind in self._zip_found]
            return found[0] if len(found) == 1 else None
        if head and self._text():
            return TEXT
        return None


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
