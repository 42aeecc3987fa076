"""Small real files of each allowed type, and some that must be refused."""

from __future__ import annotations

import io
import zipfile
import zlib

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
TEXT = "Position statement of the local authority – café au lait.\n".encode()
EXE = b"MZ\x90\x00" + b"\x00" * 64
ELF = b"\x7fELF" + b"\x00" * 64

OOXML = "application/vnd.openxmlformats-officedocument."
WORD_MAIN = OOXML + "wordprocessingml.document.main+xml"
EXCEL_MAIN = OOXML + "spreadsheetml.sheet.main+xml"


def content_types(*overrides: tuple[str, str], defaults: tuple[tuple[str, str], ...] = ()) -> bytes:
    """An OOXML package's ``[Content_Types].xml``, declaring each (part, type)."""
    rows = [
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
        *(f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in defaults),
        *(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides),
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + "".join(rows)
        + "</Types>"
    ).encode()


def zipped(entries: dict[str, bytes], comment: bytes = b"") -> bytes:
    """A ZIP archive of ``entries``, in order, deflated (but an ODT's ``mimetype``, stored as it must be)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            stored = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=stored)
        archive.comment = comment
    return buffer.getvalue()


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    """A Word document, with ``extra`` entries (or replaced ones) by name."""
    entries = {
        "[Content_Types].xml": content_types(("/word/document.xml", WORD_MAIN)),
        "_rels/.rels": b"<Relationships/>",
        "word/document.xml": b"<w:document/>",
    }
    return zipped(entries | (extra or {}))


DOCX = docx()
XLSX = zipped(
    {
        "[Content_Types].xml": content_types(("/xl/workbook.xml", EXCEL_MAIN)),
        "_rels/.rels": b"<Relationships/>",
        "xl/workbook.xml": b"<workbook/>",
    }
)
ODT_MIME = b"application/vnd.oasis.opendocument.text"
ODT = zipped(
    {
        "mimetype": ODT_MIME,
        "content.xml": b"<office/>",
        "META-INF/manifest.xml": b"<manifest/>",
    }
)
PLAIN_ZIP = zipped({"notes.txt": b"hello"})


# ZIP archives that only pretend to be documents, and documents that carry what runs or what explodes.
DOCX_NAMES_IN_COMMENT = zipped(
    {"index.html": b"<script>alert(1)</script>"}, comment=b"[Content_Types].xml word/document.xml"
)
DOCX_NAMES_IN_CONTENT = zipped({"index.html": b"<!-- [Content_Types].xml word/document.xml -->"})
DOCX_WITH_MACROS = docx({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 VBA"})
DOCM_RENAMED = zipped(
    {
        "[Content_Types].xml": content_types(
            ("/word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml")
        ),
        "word/document.xml": b"<w:document/>",
    }
)
DOCX_WITHOUT_CONTENT_TYPES = zipped({"word/document.xml": b"<w:document/>"})
DOCX_DECLARED_AS_XML = zipped({"[Content_Types].xml": content_types(), "word/document.xml": b"<w:document/>"})


def docx_expanding_to(size: int) -> bytes:
    """A Word document whose one big part is ``size`` bytes of spaces: compressed about 1000 to 1."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types(("/word/document.xml", WORD_MAIN)))
        with archive.open("word/document.xml", "w") as part:
            block = b" " * (1024 * 1024)
            for _ in range(size // len(block)):
                part.write(block)
    return buffer.getvalue()


def overlapping(archive: bytes) -> bytes:
    """``archive`` with its first entry's compressed size, in the central directory, stretched over the next
    entry: two entries sharing bytes, as the overlapping "zip bombs" do."""
    directory = archive.index(b"PK\x01\x02")
    at = directory + 20  # the compressed size, in the first central directory record
    size = int.from_bytes(archive[at : at + 4], "little") + 100
    return archive[:at] + size.to_bytes(4, "little") + archive[at + 4 :]


# PDFs: what a court paper may hold (an OpenAction that goes to a page), and what it may not.


def pdf(*objects: bytes, trailer: bytes = b"<< /Root 1 0 R >>") -> bytes:
    """A PDF of ``objects`` (numbered from 1), enough for the check to read (no cross-reference table)."""
    body = b"".join(b"%d 0 obj\n%s\nendobj\n" % (n, o) for n, o in enumerate(objects, start=1))
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + body + b"trailer\n" + trailer + b"\n%%EOF\n"


def object_stream(*objects: bytes, filters: bytes = b"/Filter /FlateDecode", compress: bool = True) -> bytes:
    """An object stream holding ``objects`` (numbered from 10), as PDF 1.5 and later compress objects."""
    offsets, content = [], b""
    for n, o in enumerate(objects, start=10):
        offsets.append(b"%d %d" % (n, len(content)))
        content += o + b"\n"
    index = b" ".join(offsets) + b"\n"
    data = zlib.compress(index + content) if compress else index + content
    head = b"<< /Type /ObjStm /N %d /First %d %s /Length %d >>" % (
        len(objects),
        len(index),
        filters,
        len(data),
    )
    return head + b"\nstream\n" + data + b"\nendstream"


PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PDF_OPENING_AT_A_PAGE = pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>", PAGES, PAGE)
PDF_WITH_JAVASCRIPT = pdf(
    b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
    PAGES,
    PAGE,
    b"<< /Type /Action /S /JavaScript /JS (app.alert\\('hello'\\)) >>",
)
PDF_WITH_ESCAPED_JAVASCRIPT = pdf(
    b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
    PAGES,
    PAGE,
    b"<< /Type /Action /S /J#61va#53cript /J#53 (app.alert\\(1\\)) >>",
)
PDF_WITH_LAUNCH = pdf(
    b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (cmd.exe) >> >>", PAGES, PAGE
)
PDF_WITH_ATTACHMENT = pdf(
    b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 4 0 R >> >>",
    PAGES,
    PAGE,
    b"<< /Names [(setup.exe) 5 0 R] >>",
)
PDF_WITH_JAVASCRIPT_IN_AN_OBJECT_STREAM = pdf(
    b"<< /Type /Catalog /Pages 2 0 R /OpenAction 10 0 R >>",
    PAGES,
    PAGE,
    object_stream(b"<< /Type /Action /S /JavaScript /JS (app.launchURL\\('http://x'\\)) >>"),
)
PDF_WITH_A_SCRIPTED_RENDITION_IN_AN_OBJECT_STREAM = pdf(
    b"<< /Type /Catalog /Pages 2 0 R >>",
    PAGES,
    PAGE,
    object_stream(b"<< /Type /Action /S /Ren#64ition /JS 11 0 R >>", b"(app.alert\\(1\\))"),
)
PDF_WITH_A_CLEAN_OBJECT_STREAM = pdf(
    b"<< /Type /Catalog /Pages 2 0 R /Outlines 10 0 R >>",
    PAGES,
    PAGE,
    object_stream(b"<< /Type /Outlines /First 11 0 R /Last 11 0 R /Count 1 >>", b"<< /Title (Bundle) >>"),
)
PDF_WITH_AN_UNREADABLE_OBJECT_STREAM = pdf(
    b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, PAGE, object_stream(b"<< >>", filters=b"/Filter /LZWDecode")
)
PDF_ENCRYPTED = pdf(
    b"<< /Type /Catalog /Pages 2 0 R >>",
    PAGES,
    PAGE,
    b"<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>",
    trailer=b"<< /Root 1 0 R /Encrypt 4 0 R >>",
)
