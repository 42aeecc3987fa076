"""What a file really is, from its content, and whether that agrees with its name. Fed chunk by chunk while
the file streams in; the ZIP-based formats are told apart by the entry names their archives must hold (ZIP
stores names uncompressed, in each entry's header and again in the directory at the end)."""

from __future__ import annotations

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
    _pending_utf8: bytes = b""

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < 16:
            self.head += chunk[: 16 - len(self.head)]
        window = self._tail + chunk
        for kind, marker in ZIP_MARKERS.items():
            if marker in window:
                self._zip_found.add(kind)
        self._tail = window[-OVERLAP:]
        if self._text_ok:
            self._check_text(chunk)

    def _check_text(self, chunk: bytes) -> None:
        data = self._pending_utf8 + chunk
        if b"\x00" in data:
            self._text_ok = False
            return
        try:
            data.decode("utf-8")
            self._pending_utf8 = b""
        except UnicodeDecodeError as error:
            # A character split across chunks is fine; anything else is not text.
            if error.start >= len(data) - 3 and error.reason == "unexpected end of data":
                self._pending_utf8 = data[error.start :]
                self._text_ok = True
                try:
                    data[: error.start].decode("utf-8")
                except UnicodeDecodeError:
                    self._text_ok = False
            else:
                self._text_ok = False

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
        if head and self._text_ok and not self._pending_utf8:
            return TEXT
        return None


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
