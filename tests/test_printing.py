"""PDFs print off the event loop: a child's file takes WeasyPrint seconds, and every other request would wait
behind it if it drew on the loop's thread."""

from __future__ import annotations

import threading
from typing import NoReturn

import pytest
from weasyprint import HTML

from portal import printing


async def test_pdfs_are_drawn_on_the_printing_thread_not_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn_on: list[str] = []
    real = printing.tagged_pdf

    def watched(html: str) -> bytes:
        drawn_on.append(threading.current_thread().name)
        return real(html)

    monkeypatch.setattr(printing, "tagged_pdf", watched)
    document = await printing.print_pdf("<html lang='en'><head><title>T</title></head><body>x</body></html>")
    assert document.startswith(b"%PDF-")
    assert len(drawn_on) == 1
    assert drawn_on[0].startswith("printing")
    assert drawn_on[0] != threading.current_thread().name


def test_a_printed_page_fetches_nothing_and_is_drawn_without_it() -> None:
    fetched: list[str] = []

    class Watching(printing.NoFetching):
        def fetch(self, url: str, headers: object = None) -> NoReturn:
            fetched.append(url)
            return super().fetch(url, headers)

    html = (
        "<html lang='en'><head><title>T</title></head><body><img src='http://192.0.2.1/x.png'></body></html>"
    )
    pdf = HTML(string=html, url_fetcher=Watching()).write_pdf()
    assert fetched == ["http://192.0.2.1/x.png"]
    assert pdf.startswith(b"%PDF-")
    assert printing.tagged_pdf(html).startswith(b"%PDF-")
