"""Sniffing plain text as it streams: a character split between chunks is still text; a cut-off character,
a NUL or invalid UTF-8 is not."""

from __future__ import annotations

import pytest

from portal.papers.sniff import TEXT, Sniffer


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        ([b"caf" + b"\xc3", b"\xa9 au lait"], TEXT),
        ([b"abc\xc3"], None),
        ([b"abc", b"\x00def"], None),
        ([b"abc", b"\xff\xfe"], None),
    ],
)
def test_text_across_chunks(chunks: list[bytes], expected: str | None) -> None:
    sniffer = Sniffer()
    for chunk in chunks:
        sniffer.feed(chunk)
    assert sniffer.content_type() == expected
