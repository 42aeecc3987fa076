"""Active content in PDFs: the portal's policy, and the check that applies it.

**Policy.** A court paper is read, not run. The portal refuses a PDF that holds:

- JavaScript (a JavaScript action, document-level scripts, or a script in a media action);
- a launch action, which starts a program or opens another file;
- an XFA form (XFA carries its own scripts), or embedded Flash or 3D media (``RichMedia``);
- attached files (``EmbeddedFiles``, file attachment annotations, embedded file streams): a file inside a
  PDF would escape the type check every upload gets, so it must be uploaded as a paper of its own;
- encryption: an encrypted PDF cannot be checked (and a password-protected one cannot be opened by the IRO).

Everything else a paper legitimately uses stays allowed: an ``OpenAction`` or page actions that go to a page
or set the view (e-bundles use them), links (``URI``, ``GoTo``, ``GoToR``), bookmarks, forms without scripts,
annotations. Whatever triggers an action (``OpenAction``, ``AA``), what the action does is what is checked.
Someone whose paper is refused can print it to a new PDF, which drops all of the above.

**The check.** Names in a PDF may be written with ``#xx`` escapes (``/J#61vaScript`` is ``/JavaScript``), and
objects may be compressed inside object streams, where no byte of them shows. So:

1. every byte of the file is searched once for the refused names, in any mix of escapes and case, ending at a
   delimiter (inside streams too: an object can be placed anywhere its cross-reference entry points);
2. each object stream (a stream whose dictionary has ``/N`` and ``/First``; found from its ``/First`` key,
   whose object is then parsed) is decompressed and searched the same way, and for ``/JS`` as well. An
   object stream that cannot be decompressed (a filter other than Flate, a predictor, damaged data, a
   dictionary too long to find its object) makes the file uncheckable, and it is refused. Decompression
   stops at the portal's expansion limit.

``/JS`` alone is looked for only in object streams: in a compressed stream's random bytes three characters
turn up by chance, and every script's dictionary also names its action type (``/JavaScript`` or
``/Rendition``), which is looked for everywhere. A refused name inside a text string (a title mentioning
``/JavaScript``) is refused too: rare, and on the safe side. The work is one regular-expression pass over
the file, a megabyte at a time, plus the object streams, which are small; the work of finding them is
bounded, and a file built to make it long is refused.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from portal.errors import DomainError, ErrorCode

# The refused names, and what the refusal calls them.
REFUSED = {
    "JavaScript": "JavaScript",
    "JS": "JavaScript",
    "Launch": "an action that starts a program",
    "Rendition": "a media action, which can run JavaScript",
    "RichMedia": "embedded media (Flash or 3D), which can run scripts",
    "XFA": "an XFA form, which carries its own scripts",
    "EmbeddedFiles": "attached files",
    "EmbeddedFile": "attached files",
    "FileAttachment": "attached files",
}
ONLY_IN_OBJECT_STREAMS = {"JS"}
ENCRYPT, FIRST = "Encrypt", "First"
SPACE = rb"\x00\t\n\x0c\r "
DELIMITERS = SPACE + rb"()<>\[\]{}/%"
# An object's header, "12 0 obj".
HEADER = re.compile(rb"(?<![0-9])[0-9]{1,10}[" + SPACE + rb"]+[0-9]{1,5}[" + SPACE + rb"]+obj(?![A-Za-z0-9])")
# How far before an object stream's /First its header may be (the most a dictionary may hold), searched in
# steps that double from the first; how much is decompressed at once; what is kept between chunks of a
# decompressed stream.
LOOKBACK = 256 * 1024
FIRST_STEP = 256
# How much of an object is read first to parse it (more if it goes on, up to LOOKBACK).
FIRST_READ = 1024
CHUNK = 1024 * 1024
OVERLAP = 64
# What each /First costs the budget of work, on top of the bytes read for it: a file made of little else
# (real ones have one per bookmark with children, and per object stream) is refused before it takes long.
PER_FIRST = 4096
WORK_FLOOR = 64 * 1024 * 1024


def _name_pattern(names: set[str], *, at_end: bool) -> re.Pattern[bytes]:
    """Any of ``names`` as a whole PDF name token: each character as itself or ``#xx``, in either case."""
    alternatives = []
    for name in sorted(names, key=len, reverse=True):
        characters = []
        for character in name:
            cases = (character.lower(), character.upper())
            options = {re.escape(character)} | {f"#{ord(c):02x}" for c in cases}
            characters.append("(?:" + "|".join(sorted(options)) + ")")
        alternatives.append("".join(characters))
    ending = b"(?=[" + DELIMITERS + b"]" + (rb"|\Z" if at_end else b"") + b")"
    return re.compile(b"/(?:" + "|".join(alternatives).encode() + b")" + ending, re.IGNORECASE)


# Searched in every byte of the file: the refused names but /JS, /Encrypt, and /First (object streams); a
# name at the very end of the file ends there.
RAW = _name_pattern((set(REFUSED) - ONLY_IN_OBJECT_STREAMS) | {ENCRYPT, FIRST}, at_end=False)
RAW_TO_THE_END = _name_pattern((set(REFUSED) - ONLY_IN_OBJECT_STREAMS) | {ENCRYPT, FIRST}, at_end=True)
# Searched in decompressed object streams, a chunk at a time (the last one given a space to end on).
INNER = _name_pattern(set(REFUSED), at_end=False)


def decode_name(token: bytes) -> str:
    """A name token's name (without its slash), its ``#xx`` escapes decoded."""
    decoded = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), token[1:])
    return decoded.decode("latin-1")


def _refused(token: bytes) -> str:
    """Which of the searched names a token found by RAW or INNER is."""
    text = decode_name(token).lower()
    return next(n for n in (*REFUSED, ENCRYPT, FIRST) if n.lower() == text)


def active_content(what: str) -> DomainError:
    return DomainError.one(
        ErrorCode.FILE_ACTIVE_CONTENT,
        f"The PDF contains {what}, which the portal does not accept in a court paper: print it to a new PDF "
        "(or save a copy without scripts, attachments or launch actions) and upload that",
        "file",
    )


def uncheckable(why: str) -> DomainError:
    return DomainError.one(
        ErrorCode.FILE_TYPE_NOT_ALLOWED,
        f"The PDF {why}, so it cannot be checked for scripts: print it to a new PDF and upload that",
        "file",
    )


def expands_too_much(max_expanded: int) -> DomainError:
    return DomainError.one(
        ErrorCode.FILE_EXPANDS_TOO_MUCH,
        f"The PDF's compressed objects would expand to more than {max_expanded // (1024 * 1024)} MB",
        "file",
    )


def check(file: IO[bytes], max_expanded: int) -> None:
    """Refuse (with a DomainError) the PDF in ``file`` if it holds what the policy refuses. The file is
    read a piece at a time, never whole."""
    file.flush()
    _Check(_File(file.fileno(), os.fstat(file.fileno()).st_size), max_expanded).run()


@dataclass(frozen=True)
class _File:
    descriptor: int
    size: int

    def read(self, start: int, end: int) -> bytes:
        """The bytes from ``start`` to ``end`` (or to the end of the file)."""
        end = min(end, self.size)
        return os.pread(self.descriptor, end - start, start) if start < end else b""


@dataclass
class _Check:
    file: _File
    max_expanded: int
    expanded: int = 0
    # Bytes looked at to find and parse objects: a file built to make that slow is refused.
    work: int = 0
    parsed: dict[int, _Object | None] = field(default_factory=dict)
    searched: set[int] = field(default_factory=set)

    def run(self) -> None:
        budget = 4 * self.file.size + WORK_FLOOR
        for at, name in self._names():
            if name == ENCRYPT:
                raise uncheckable("is encrypted")
            if name != FIRST:
                raise active_content(REFUSED[name])
            self._maybe_object_stream(at)
            self.work += PER_FIRST
            if self.work > budget:
                raise uncheckable("is built in a way that would take too long to read")

    def _names(self) -> Iterator[tuple[int, str]]:
        """Each name RAW looks for, where it is in the file: the file is searched a chunk at a time, each
        after the end of the one before (where a name may have begun)."""
        position, carry, last = 0, b"", -1
        while position < self.file.size:
            chunk = self.file.read(position, position + CHUNK)
            window, base = carry + chunk, position - len(carry)
            position += len(chunk)
            pattern = RAW_TO_THE_END if position >= self.file.size else RAW
            for found in pattern.finditer(window):
                if base + found.start() > last:  # not found already, in the chunk before
                    last = base + found.start()
                    yield last, _refused(found.group())
            carry = window[-OVERLAP:]

    def _maybe_object_stream(self, at: int) -> None:
        """``/First`` at ``at``: if it is a key of an object stream's dictionary, search the stream."""
        for start in self._headers_before(at):
            if start not in self.parsed:
                self.parsed[start], read = _parse_object(self.file, start)
                self.work += read
            parsed = self.parsed[start]
            if parsed is None:
                continue  # not an object this parser reads: perhaps a header inside a string
            if parsed.stream_at is not None and parsed.stream_at <= at:
                return  # in the stream's data (content, an image): not a key
            if not parsed.start <= at < parsed.end:
                continue  # not the object this /First is in
            is_object_stream = parsed.stream_at is not None and "N" in parsed.keys and FIRST in parsed.keys
            if is_object_stream and start not in self.searched:
                self.searched.add(start)
                self._search_object_stream(parsed)
            return
        raise uncheckable("has an object that is too long or malformed to read")

    def _headers_before(self, at: int) -> Iterator[int]:
        """Where the object headers in the ``LOOKBACK`` before ``at`` end, nearest first."""
        end, bottom, step = at, max(0, at - LOOKBACK), FIRST_STEP
        while end > bottom:
            start, step = max(bottom, end - step), min(2 * step, LOOKBACK)
            # A header may straddle the step's start: look a little before it, and leave the headers that
            # end before the start to the next step.
            base = max(0, start - 32)
            found = [base + m.end() for m in HEADER.finditer(self.file.read(base, end))]
            self.work += end - base
            yield from reversed([e for e in found if e > start or start == bottom])
            end = start

    def _search_object_stream(self, parsed: _Object) -> None:
        assert parsed.stream_at is not None
        filters = parsed.keys.get("Filter")
        if isinstance(filters, list) and len(filters) <= 1:
            filters = filters[0] if filters else None
        if parsed.keys.get("DecodeParms") not in (None, "null", [], {}) or filters not in (
            None,
            "FlateDecode",
            "Fl",
        ):
            raise uncheckable("compresses its objects in a way the portal does not read")
        tail = b""
        if filters is None:
            length = parsed.keys.get("Length")
            if not isinstance(length, int) or not 0 <= length <= self.file.size - parsed.stream_at:
                raise uncheckable("has an object stream of unknown length")
            for position in range(parsed.stream_at, parsed.stream_at + length, CHUNK):
                end = min(position + CHUNK, parsed.stream_at + length)
                tail = self._search(tail, self.file.read(position, end))
            self._search(tail, b" ")
            return
        inflater = zlib.decompressobj()
        position = parsed.stream_at
        try:
            while not inflater.eof:
                pending = self.file.read(position, position + CHUNK)
                if not pending:
                    raise uncheckable("has a damaged object stream")
                position += len(pending)
                while pending and not inflater.eof:
                    tail = self._search(tail, inflater.decompress(pending, CHUNK))
                    pending = inflater.unconsumed_tail
        except zlib.error:
            raise uncheckable("has a damaged object stream") from None
        self._search(tail, b" ")

    def _search(self, tail: bytes, chunk: bytes) -> bytes:
        """Search decompressed bytes after the previous chunk's tail; return the tail to keep."""
        self.expanded += len(chunk)
        if self.expanded > self.max_expanded:
            raise expands_too_much(self.max_expanded)
        window = tail + chunk
        if found := INNER.search(window):
            raise active_content(REFUSED[_refused(found.group())])
        return window[-OVERLAP:]


# Parsing one object: enough of PDF's syntax to read a dictionary's keys and simple values.

TOKEN = re.compile(
    rb"(?P<ws>(?:[" + SPACE + rb"]|%[^\r\n]*)+)"
    rb"|(?P<name>/[^" + DELIMITERS + rb"]*)"
    rb"|(?P<number>[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))"
    rb"|(?P<dict><<)|(?P<enddict>>>)|(?P<array>\[)|(?P<endarray>\])"
    rb"|(?P<hex><[0-9A-Fa-f" + SPACE + rb"]*>)"
    rb"|(?P<string>\()"
    rb"|(?P<keyword>[A-Za-z]+)"
)
REFERENCE = re.compile(rb"[" + SPACE + rb"]+([0-9]{1,5})[" + SPACE + rb"]+R(?![A-Za-z0-9])")
STRING_SPECIAL = re.compile(rb"[()\\]")
STREAM_EOL = re.compile(rb"stream(?:\r\n|\n|\r)")
MAX_DEPTH = 32


class _Bad(Exception):
    """Not an object this parser reads."""


class _Truncated(Exception):
    """The object goes on past the bytes read so far."""


@dataclass
class _Object:
    start: int
    end: int  # where its value ends (for a stream, where its data begins)
    keys: dict[str, object]  # a dictionary's keys and values; empty for other objects
    stream_at: int | None  # where its stream's data begins, if it is a stream


def _parse_object(file: _File, start: int) -> tuple[_Object | None, int]:
    """The value (a dictionary and its stream, or any other) that follows an object header ending at
    ``start`` (None if what follows is not one this parser reads within ``LOOKBACK`` bytes), and how many
    bytes were read to find out. A little is read first, more only if the object goes on."""
    size, read = FIRST_READ, 0
    while True:
        data = file.read(start, start + size)
        read += len(data)
        parser = _Parser(data, 0, complete=start + len(data) >= file.size)
        try:
            value = parser.value(0)
            if not isinstance(value, dict):
                return _Object(start, start + parser.position, {}, None), read
            parser.skip_whitespace()
            if not parser.complete and len(data) - parser.position < len(b"stream\r\n"):
                raise _Truncated
            eol = STREAM_EOL.match(data, parser.position)
            end = start + (eol.end() if eol else parser.position)
            return _Object(start, end, value, end if eol else None), read
        except _Bad:
            return None, read
        except _Truncated:
            if size >= LOOKBACK:
                return None, read
            size = min(8 * size, LOOKBACK)


@dataclass
class _Parser:
    """Reads PDF values from ``data``; ``complete`` when it holds the rest of the file (otherwise a value
    that runs to its end raises _Truncated, to be read again with more)."""

    data: bytes
    position: int
    complete: bool

    def _match(self) -> re.Match[bytes] | None:
        found = TOKEN.match(self.data, self.position)
        if not self.complete and (found.end() if found else self.position) >= len(self.data):
            raise _Truncated
        return found

    def skip_whitespace(self) -> None:
        found = self._match()
        if found is not None and found.lastgroup == "ws":
            self.position = found.end()

    def token(self) -> tuple[str, bytes]:
        self.skip_whitespace()
        found = self._match()
        if found is None or found.lastgroup is None:
            raise _Bad
        self.position = found.end()
        return found.lastgroup, found.group()

    def value(self, depth: int) -> object:
        if depth > MAX_DEPTH:
            raise _Bad
        kind, text = self.token()
        if kind == "name":
            return decode_name(text)
        if kind == "number":
            return self._number_or_reference(text)
        if kind == "dict":
            found: dict[str, object] = {}
            while (key := self.token()) != ("enddict", b">>"):
                if key[0] != "name":
                    raise _Bad
                found[decode_name(key[1])] = self.value(depth + 1)
            return found
        if kind == "array":
            items: list[object] = []
            while True:
                self.skip_whitespace()
                ending = self._match()
                if ending is not None and ending.lastgroup == "endarray":
                    self.position = ending.end()
                    return items
                items.append(self.value(depth + 1))
        if kind == "string":
            return self._string()
        if kind == "hex" or (kind == "keyword" and text in (b"true", b"false", b"null")):
            return text.decode("latin-1")
        raise _Bad

    def _number_or_reference(self, text: bytes) -> object:
        """A number, or a reference (``12 0 R``, kept as its text)."""
        found = REFERENCE.match(self.data, self.position) if text.isdigit() else None
        if found:
            self.position = found.end()
            return f"{text.decode()} {found.group(1).decode()} R"
        try:
            return int(text)
        except ValueError:
            return float(text)

    def _string(self) -> bytes:
        """A literal string, its parentheses balanced and its escapes skipped."""
        depth, start = 1, self.position
        while depth:
            found = STRING_SPECIAL.search(self.data, self.position)
            if found is None:
                raise _Bad if self.complete else _Truncated
            self.position = found.end() + (1 if found.group() == b"\\" else 0)
            depth += {b"(": 1, b")": -1}.get(found.group(), 0)
        return self.data[start : self.position - 1]
