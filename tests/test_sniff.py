"""Sniffing what a file is: plain text as it streams (a character split between chunks is still text; a
cut-off character, a NUL or invalid UTF-8 is not); ZIP-based documents by their central directory, with
their expansion bounded and macros refused; PDFs by the active-content policy (issue 13)."""

from __future__ import annotations

import io
import tempfile
import zipfile

import pytest

from portal.errors import DomainError
from portal.papers import office, pdf
from portal.papers.sniff import DOCX, ODT, TEXT, XLSX, ZIP, Sniffer
from tests.support import files


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        ([b"caf" + b"\xc3", b"\xa9 au lait"], TEXT),
        ([b"abc\xc3"], None),
        ([b"abc", b"\x00def"], None),
        ([b"abc", b"\xff\xfe"], None),
        ([b"PK\x03\x04", b"word/document.xml"], ZIP),  # which document, only the directory says
    ],
)
def test_text_across_chunks(chunks: list[bytes], expected: str | None) -> None:
    sniffer = Sniffer()
    for chunk in chunks:
        sniffer.feed(chunk)
    assert sniffer.content_type() == expected


def identify(archive: bytes, max_expanded: int = 512 * 1024 * 1024) -> str:
    """The document type, or the refusal's code."""
    try:
        return office.identify(io.BytesIO(archive), len(archive), max_expanded)
    except DomainError as error:
        return error.problems[0].code


@pytest.mark.parametrize(
    ("archive", "expected"),
    [
        (files.DOCX, DOCX),
        (files.XLSX, XLSX),
        (files.ODT, ODT),
        (files.PLAIN_ZIP, "FILE_TYPE_NOT_ALLOWED"),
        (files.DOCX_NAMES_IN_COMMENT, "FILE_TYPE_NOT_ALLOWED"),
        (files.DOCX_NAMES_IN_CONTENT, "FILE_TYPE_NOT_ALLOWED"),
        (files.DOCX_WITHOUT_CONTENT_TYPES, "FILE_TYPE_NOT_ALLOWED"),
        (files.DOCX_DECLARED_AS_XML, "FILE_TYPE_NOT_ALLOWED"),
        (files.DOCX_WITH_MACROS, "FILE_ACTIVE_CONTENT"),
        (files.DOCM_RENAMED, "FILE_ACTIVE_CONTENT"),
        (files.docx({"word/activeX/activeX1.bin": b"\x00"}), "FILE_ACTIVE_CONTENT"),
        (
            files.docx({"[Content_Types].xml": b'<!DOCTYPE x [<!ENTITY a "a">]><Types/>'}),
            "FILE_TYPE_NOT_ALLOWED",
        ),
        (files.overlapping(files.DOCX), "FILE_TYPE_NOT_ALLOWED"),
        (files.DOCX[:-30], "FILE_TYPE_NOT_ALLOWED"),  # cut short: no directory
        (
            files.zipped({"mimetype": files.ODT_MIME, "content.xml": b"<o/>", "Basic/Module1.xml": b"x"}),
            "FILE_ACTIVE_CONTENT",
        ),
    ],
)
def test_a_zip_is_the_document_its_central_directory_says(archive: bytes, expected: str) -> None:
    """Issue 13: the entries the type needs, read from the directory; names elsewhere in the bytes do not
    count; macros and ActiveX are refused; a damaged or overlapping archive is not opened."""
    assert identify(archive) == expected


def test_an_archive_that_expands_too_much_is_refused() -> None:
    """Issue 13: 64 MB of one part compressed 1000 to 1 is refused by its ratio, and a document that would
    expand past the limit by its size, however modestly it is compressed."""
    assert identify(files.docx_expanding_to(64 * 1024 * 1024)) == "FILE_EXPANDS_TOO_MUCH"
    text = b"".join(b"<w:p>paragraph %d of the analysis</w:p>" % n for n in range(60_000))
    ordinary = files.docx({"word/document.xml": text})
    assert identify(ordinary) == DOCX
    assert identify(ordinary, max_expanded=len(text) // 2) == "FILE_EXPANDS_TOO_MUCH"


def test_a_zip_with_an_encrypted_entry_is_refused() -> None:
    """Issue 13: an entry flagged as encrypted cannot be checked."""
    archive = bytearray(files.DOCX)
    for header in (b"PK\x03\x04", b"PK\x01\x02"):  # the flag, in each local and central header
        at = archive.find(header)
        while at != -1:
            flag_at = at + (6 if header == b"PK\x03\x04" else 8)
            archive[flag_at] |= 0x1
            at = archive.find(header, at + 4)
    assert identify(bytes(archive)) == "FILE_TYPE_NOT_ALLOWED"
    assert zipfile.is_zipfile(io.BytesIO(bytes(archive)))


def check_pdf(content: bytes, max_expanded: int = 512 * 1024 * 1024) -> str:
    """ "ok", or the refusal's code."""
    with tempfile.TemporaryFile() as file:
        file.write(content)
        file.flush()
        try:
            pdf.check(file, max_expanded)
        except DomainError as error:
            return error.problems[0].code
    return "ok"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (files.PDF, "ok"),
        (files.PDF_OPENING_AT_A_PAGE, "ok"),
        (files.PDF_WITH_A_CLEAN_OBJECT_STREAM, "ok"),
        (files.PDF_WITH_JAVASCRIPT, "FILE_ACTIVE_CONTENT"),
        (files.PDF_WITH_ESCAPED_JAVASCRIPT, "FILE_ACTIVE_CONTENT"),
        (files.PDF_WITH_LAUNCH, "FILE_ACTIVE_CONTENT"),
        (files.PDF_WITH_ATTACHMENT, "FILE_ACTIVE_CONTENT"),
        (files.PDF_WITH_JAVASCRIPT_IN_AN_OBJECT_STREAM, "FILE_ACTIVE_CONTENT"),
        (files.PDF_WITH_A_SCRIPTED_RENDITION_IN_AN_OBJECT_STREAM, "FILE_ACTIVE_CONTENT"),
        (
            files.pdf(files.object_stream(b"<< /S /GoTo /JS (x) >>", filters=b"", compress=False)),
            "FILE_ACTIVE_CONTENT",
        ),
        (files.pdf(b"<< /Type /Catalog /AcroForm << /XFA 2 0 R >> >>"), "FILE_ACTIVE_CONTENT"),
        (
            files.pdf(b"<< /Type /Catalog /Pages 2 0 R /JavaScripts 3 0 R /JSON (x) >>"),
            "ok",
        ),  # whole names only
        (files.PDF_WITH_AN_UNREADABLE_OBJECT_STREAM, "FILE_TYPE_NOT_ALLOWED"),
        (
            files.pdf(
                files.object_stream(
                    b"<< >>", filters=b"/Filter /FlateDecode /DecodeParms << /Predictor 12 >>"
                )
            ),
            "FILE_TYPE_NOT_ALLOWED",
        ),
        (
            files.pdf(
                files.object_stream(b"<< >>", filters=b"/Filter /FlateDecode /Pad (" + b"x" * 300_000 + b")")
            ),
            "FILE_TYPE_NOT_ALLOWED",
        ),
        (files.PDF_ENCRYPTED, "FILE_TYPE_NOT_ALLOWED"),
    ],
)
def test_the_pdf_policy(content: bytes, expected: str) -> None:
    """Issue 13: JavaScript, launch actions, XFA and attachments are refused however their names are
    written and wherever they are compressed; an OpenAction that goes to a page is fine; what cannot be
    checked (an object stream in another compression, an encrypted file) is refused."""
    assert check_pdf(content) == expected


def test_names_are_found_across_the_pieces_the_file_is_read_in() -> None:
    """Issue 13: the PDF is read a megabyte at a time; a name split between two pieces is still found, and an
    object stream's dictionary longer than the first read of it is read again whole."""
    head = b"%PDF-1.7\n%"
    split = head + b"x" * (pdf.CHUNK - len(head) - 5) + b"\n/JavaScript (x)\n"
    assert split.index(b"/JavaScript") < pdf.CHUNK < split.index(b"/JavaScript") + len(b"/JavaScript")
    assert check_pdf(split) == "FILE_ACTIVE_CONTENT"
    scripted = b"<< /S /JavaScript /JS (x) >>"
    long_dictionary = b"/Filter /FlateDecode /Pad (" + b"x" * (4 * pdf.FIRST_READ) + b")"
    assert (
        check_pdf(files.pdf(files.object_stream(scripted, filters=long_dictionary))) == "FILE_ACTIVE_CONTENT"
    )
    clean = b"<< /S /GoTo /D [3 0 R /Fit] >>"
    assert check_pdf(files.pdf(files.object_stream(clean, filters=long_dictionary))) == "ok"


def test_a_pdf_whose_object_streams_expand_too_much_is_refused() -> None:
    """Issue 13: decompressing object streams stops at the expansion limit."""
    padding = b" " * (8 * 1024 * 1024)
    content = files.pdf(files.object_stream(b"<< /Title (x) >>" + padding))
    assert check_pdf(content) == "ok"
    assert check_pdf(content, max_expanded=4 * 1024 * 1024) == "FILE_EXPANDS_TOO_MUCH"


def test_names_in_compressed_data_do_not_count() -> None:
    """Issue 13: the bytes of an image or a page's content are not names: a long stream of them, as in a
    100 MB bundle, is read once and passes."""
    import os

    noise = os.urandom(16 * 1024 * 1024)
    assert check_pdf(files.pdf(b"<< /Length %d >>\nstream\n" % len(noise) + noise + b"\nendstream")) == "ok"
