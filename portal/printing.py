"""Tagged, accessible PDFs (PDF/UA-1) drawn by WeasyPrint from HTML, fetching nothing from anywhere."""

from __future__ import annotations

from typing import Any

from weasyprint import HTML


def no_fetching(url: str, *args: object, **kwargs: object) -> dict[str, Any]:
    """The PDFs need nothing from outside: a URL in a record's text must never be fetched."""
    raise ValueError(f"the PDFs fetch nothing ({url})")


def tagged_pdf(html: str) -> bytes:
    """``html`` as a tagged, accessible PDF (PDF/UA-1), fetching nothing."""
    # WeasyPrint has no types; without a target, write_pdf returns the document's bytes.
    pdf: bytes = HTML(string=html, url_fetcher=no_fetching).write_pdf(pdf_variant="pdf/ua-1")
    return pdf
