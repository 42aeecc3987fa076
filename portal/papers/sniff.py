"""What a file really is, from its content, and whether that agrees with its name. Fed chunk by chunk while
the file streams in, it tells the types apart by their first bytes (and plain text by being valid UTF-8 to
the end). A ZIP archive is only ``ZIP`` here: which document it is (DOCX, XLSX, ODT) is read from its
central directory once it has arrived whole (portal/papers/office.py)."""

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
# Not an allowed type: a ZIP archive, until its directory says which document it is.
ZIP = "application/zip"

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
# Programs, refused whatever they are called: Windows (MZ), Linux (ELF), macOS (Mach-O), scripts.
EXECUTABLES = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")


@dataclass
class Sniffer:
    head: bytes = b""
    _text_ok: bool = True
    # Decodes UTF-8 across chunk boundaries: a character split between two chunks is fine.
    _utf8: codecs.IncrementalDecoder = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")())

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < 16:
            self.head += chunk[: 16 - len(self.head)]
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
        """The allowed type the content is (``ZIP`` for any ZIP archive), or None."""
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
            return ZIP
        if head and self._text():
            return TEXT
        return None


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
