"""Word (DOCX), Excel (XLSX) and OpenDocument text (ODT) files are ZIP archives. What one holds is read from
the archive's central directory, the list of entries at its end that every reader goes by, never from names
found elsewhere in its bytes (a comment, or another entry's content, can say anything).

An archive is accepted as one of these types only when:

- it opens as a ZIP, starting at its first byte, with no encrypted entries, no two entries of the same name
  (part names are compared without case, as Office compares them), only stored or deflated entries, each
  entry's local header agreeing with the directory, and no entry overlapping another or the directory (the
  overlapping entries of a "zip bomb" expand one compressed block many times);
- it has at most ``MAX_ENTRIES`` entries, expands to at most the portal's limit
  (``PORTAL_UPLOAD_MAX_EXPANDED_BYTES``, 512 MB by default), and is compressed at most ``MAX_RATIO`` to 1
  overall and in each entry larger than ``RATIO_FLOOR`` (real documents are compressed 3 to 30 to 1);
- it holds the parts the type needs: for DOCX and XLSX ``[Content_Types].xml`` and the main part
  (``word/document.xml``, ``xl/workbook.xml``) declared there with the document's own content type; for ODT
  a first entry ``mimetype`` saying so, and ``content.xml``;
- it holds nothing that runs: no VBA project (``vbaProject.bin``), ActiveX control, Excel 4 macro sheet or
  macro-enabled content type, and in an ODT no ``Basic/`` or ``Scripts/`` folder. None of the allowed types
  may carry macros; a macro-enabled file renamed ``.docx`` is refused as active content.
"""

from __future__ import annotations

import struct
import zipfile
from typing import IO
from xml.etree import ElementTree

from portal.errors import DomainError, ErrorCode
from portal.papers.sniff import DOCX, ODT, XLSX

MAX_ENTRIES = 10_000
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
# [Content_Types].xml and mimetype are read and parsed: they are small in any real document.
SMALL_PART = 1024 * 1024

CONTENT_TYPES = "[content_types].xml"
CT_NAMESPACE = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# The OOXML types: the main part, and the content type it must be declared with.
OOXML = "application/vnd.openxmlformats-officedocument."
MAIN_PARTS = {
    DOCX: ("word/document.xml", OOXML + "wordprocessingml.document.main+xml"),
    XLSX: ("xl/workbook.xml", OOXML + "spreadsheetml.sheet.main+xml"),
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# What runs: in entry names (lower case) and in declared content types (lower case).
ACTIVE_NAMES = ("vbaproject.bin", "vbadata.xml")
ACTIVE_FOLDERS = ("activex/", "xl/macrosheets/")
ODT_ACTIVE_FOLDERS = ("basic/", "scripts/")
ACTIVE_CONTENT_TYPES = ("macroenabled", "vbaproject", "macrosheet", "activex", "vbadata")
LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then file name and extra field lengths at 26 and 28


def not_allowed() -> DomainError:
    return DomainError.one(
        ErrorCode.FILE_TYPE_NOT_ALLOWED,
        "The file's content is not a Word (DOCX), Excel (XLSX) or OpenDocument text (ODT) document that the "
        "portal can open",
        "file",
    )


def active_content() -> DomainError:
    return DomainError.one(
        ErrorCode.FILE_ACTIVE_CONTENT,
        "The document contains macros or other content that runs, which the portal does not accept: save it "
        "again as a document without macros (.docx, .xlsx or .odt) and upload that",
        "file",
    )


def expands_too_much(max_expanded: int) -> DomainError:
    return DomainError.one(
        ErrorCode.FILE_EXPANDS_TOO_MUCH,
        f"The document would expand to more than {max_expanded // (1024 * 1024)} MB when opened, or is "
        "compressed far more than a real document is, so the portal does not accept it",
        "file",
    )


def identify(file: IO[bytes], size: int, max_expanded: int) -> str:
    """The type of the ZIP-based document in ``file`` (``size`` bytes), or a DomainError saying why it is
    refused. Reads the directory, the entries' local headers and the small parts that declare the type;
    never decompresses the document's content."""
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            _check_structure(file, archive, entries)
            _check_size(entries, size, max_expanded)
            names = {entry.filename.lower(): entry for entry in entries}
            if any(_active_name(name) for name in names):
                raise active_content()
            if "mimetype" in names:
                return _odt(archive, entries, names)
            return _ooxml(archive, names)
    except DomainError:
        raise
    # What zipfile and the XML parser raise for a damaged or deceptive archive.
    except (
        zipfile.BadZipFile,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
        RuntimeError,
        SyntaxError,
    ):
        raise not_allowed() from None


def _check_structure(file: IO[bytes], archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    if not entries or len(entries) > MAX_ENTRIES:
        raise not_allowed()
    if len({entry.filename.lower() for entry in entries}) != len(entries):
        raise not_allowed()
    spans = []
    for entry in entries:
        if entry.flag_bits & 0x1 or entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise not_allowed()
        file.seek(entry.header_offset)
        header = file.read(LOCAL_HEADER.size)
        if len(header) != LOCAL_HEADER.size:
            raise not_allowed()
        signature, name_length, extra_length = LOCAL_HEADER.unpack(header)
        encoding = "utf-8" if entry.flag_bits & 0x800 else "cp437"
        if signature != b"PK\x03\x04" or file.read(name_length) != entry.orig_filename.encode(encoding):
            raise not_allowed()
        start = entry.header_offset
        spans.append((start, start + LOCAL_HEADER.size + name_length + extra_length + entry.compress_size))
    spans.sort()
    if spans[0][0] != 0:  # something before the first entry: not a plain document
        raise not_allowed()
    boundaries = [start for start, _ in spans[1:]] + [archive.start_dir]
    if any(end > boundary for (_, end), boundary in zip(spans, boundaries, strict=True)):
        raise not_allowed()


def _check_size(entries: list[zipfile.ZipInfo], size: int, max_expanded: int) -> None:
    total = sum(entry.file_size for entry in entries)
    if total > max_expanded or (total > RATIO_FLOOR and total > MAX_RATIO * size):
        raise expands_too_much(max_expanded)
    for entry in entries:
        if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise expands_too_much(max_expanded)


def _active_name(name: str) -> bool:
    return name.rsplit("/", 1)[-1] in ACTIVE_NAMES or any(
        name.startswith(folder) or f"/{folder}" in name for folder in ACTIVE_FOLDERS
    )


def _small(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    """A small part's bytes (its CRC checked by zipfile), or refused."""
    if entry.file_size > SMALL_PART:
        raise not_allowed()
    return archive.read(entry)


def _ooxml(archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> str:
    if CONTENT_TYPES not in names:
        raise not_allowed()
    declared = _content_types(_small(archive, names[CONTENT_TYPES]))
    if any(marker in value.lower() for value in declared.values() for marker in ACTIVE_CONTENT_TYPES):
        raise active_content()
    found = [
        kind
        for kind, (part, _) in MAIN_PARTS.items()
        if part in names and declared.get(f"/{part}") is not None
    ]
    if len(found) != 1:
        raise not_allowed()
    kind = found[0]
    part, content_type = MAIN_PARTS[kind]
    if declared[f"/{part}"] != content_type:
        raise not_allowed()
    return kind


def _content_types(data: bytes) -> dict[str, str]:
    """``[Content_Types].xml``: each overridden part (lower case, with its leading slash) and its type, and
    each default under ``*.extension``. A DOCTYPE has no place in it (and would allow entity expansion)."""
    if b"<!doctype" in data.lower() or b"<!entity" in data.lower():
        raise not_allowed()
    root = ElementTree.fromstring(data)
    if root.tag != f"{CT_NAMESPACE}Types":
        raise not_allowed()
    declared: dict[str, str] = {}
    for element in root:
        content_type = element.get("ContentType", "")
        if element.tag == f"{CT_NAMESPACE}Override":
            declared[element.get("PartName", "").lower()] = content_type
        elif element.tag == f"{CT_NAMESPACE}Default":
            declared[f"*.{element.get('Extension', '').lower()}"] = content_type
    return declared


def _odt(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], names: dict[str, zipfile.ZipInfo]) -> str:
    first = min(entries, key=lambda entry: entry.header_offset)
    if first.filename != "mimetype" or first.compress_type != zipfile.ZIP_STORED:
        raise not_allowed()
    if _small(archive, first).strip() != ODT_MIMETYPE or "content.xml" not in names:
        raise not_allowed()
    if any(name.startswith(ODT_ACTIVE_FOLDERS) for name in names):
        raise active_content()
    return ODT
