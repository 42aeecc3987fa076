"""The annual report as an editable Word document (.docx), for the IRO manager to complete with narrative:
real headings (so the document has a navigable outline and a screen reader can move by them), tables with
header rows that repeat across pages, and, where the manager writes, the prompt and an empty paragraph in
its place."""

from __future__ import annotations

import io

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from portal.reports.annual_document import Document, Table

LANGUAGE = "en-GB"


def _header_row(table: docx.table.Table) -> None:
    """The first row is the table's header: marked so, and repeated on each page it runs to."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)
    for cell in table.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True


def _table(document: docx.document.Document, found: Table) -> None:
    document.add_paragraph(found.caption, style="Caption")
    table = document.add_table(rows=1, cols=len(found.header), style="Table Grid")
    for cell, text in zip(table.rows[0].cells, found.header, strict=True):
        cell.text = text
    for row in found.rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    if not found.rows:
        table.add_row().cells[0].text = "None."
    _header_row(table)


def word_document(found: Document) -> bytes:
    """The report as a .docx file's bytes."""
    document = docx.Document()
    properties = document.core_properties
    properties.title, properties.subject, properties.language = found.title, found.subtitle, LANGUAGE
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(found.title, level=0)
    document.add_paragraph(found.subtitle, style="Subtitle")
    for text in found.about:
        document.add_paragraph(text)
    for section in found.sections:
        document.add_heading(section.heading, level=1)
        for text in section.paragraphs:
            document.add_paragraph(text)
        for table in section.tables:
            _table(document, table)
        if section.narrative:
            prompt = document.add_paragraph()
            prompt.add_run(f"For the IRO manager to write: {section.narrative}").italic = True
            document.add_paragraph("")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
