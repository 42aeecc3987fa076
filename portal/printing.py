"""Tagged, accessible PDFs (PDF/UA-1) drawn by WeasyPrint from HTML, fetching nothing from anywhere."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import NoReturn

from weasyprint import HTML
from weasyprint.urls import URLFetcher

# A child's file takes WeasyPrint a second or more of CPU: pages print on a thread of their own so that the
# event loop goes on serving everyone else meanwhile. One thread: Pango and fontconfig are not documented as
# safe to use from several threads at once, and one printer bounds what a burst of exports can take.
_PRINTER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="printing")


class NoFetching(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no types
    """The PDFs need nothing from outside: a URL in a record (an image, a style sheet) is never fetched, and
    the page is drawn without it."""

    def fetch(self, url: str, headers: object = None) -> NoReturn:
        raise ValueError(f"the PDFs fetch nothing ({url})")


def tagged_pdf(html: str) -> bytes:
    """``html`` as a tagged, accessible PDF (PDF/UA-1), fetching nothing."""
    # WeasyPrint has no types; without a target, write_pdf returns the document's bytes.
    pdf: bytes = HTML(string=html, url_fetcher=NoFetching()).write_pdf(pdf_variant="pdf/ua-1")
    return pdf


async def print_pdf(html: str) -> bytes:
    """``tagged_pdf`` on the printing thread, for a request: the event loop is not held while it draws."""
    return await asyncio.get_running_loop().run_in_executor(_PRINTER, tagged_pdf, html)
