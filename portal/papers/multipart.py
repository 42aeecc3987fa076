"""Reading a multipart/form-data body as it streams in, without spooling it: small fields are collected as
text; the file part's bytes go straight to a callback, so memory stays flat whatever the file's size. A
field and the number of fields are limited (what is over is refused as TOO_LONG), and a part's headers by
the parser (8 of at most 4 KB each; more is a malformed form); the body as a whole is limited by whoever
gives its chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header

from portal.errors import DomainError, ErrorCode

# A form field other than the file may be at most this long; a form, at most this many fields.
FIELD_LIMIT = 64 * 1024
FIELDS_LIMIT = 50


def too_long(what: str) -> DomainError:
    return DomainError.one(ErrorCode.TOO_LONG, f"The form is too long: {what}", "form")


def boundary_of(content_type: str) -> bytes | None:
    """The boundary of a multipart/form-data body, from its Content-Type; None for any other body."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary", b"")
    return boundary if kind == b"multipart/form-data" and 0 < len(boundary) <= 70 else None


class MalformedForm(ValueError):
    pass


# What the parser's callbacks saw in one chunk: a part begins, a header (name, value), the headers end,
# some of the part's data, the part ends.
Event = (
    tuple[Literal["begin", "headers_done", "end"], None]
    | tuple[Literal["header"], tuple[bytes, bytes]]
    | tuple[Literal["data"], bytes]
)


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)


async def read_form(
    boundary: bytes,
    chunks: AsyncIterator[bytes],
    on_file_start: Callable[[str, str, dict[str, str]], Awaitable[None]],
    on_file_data: Callable[[bytes], Awaitable[None]],
) -> dict[str, str]:
    """The form's text fields. When the file part starts, ``on_file_start(field, filename, fields so far)``
    runs (it may refuse by raising); its bytes then go to ``on_file_data``."""
    fields: dict[str, str] = {}
    events: list[Event] = []
    current = _Part()
    header_field = bytearray()
    header_value = bytearray()

    def on_part_begin() -> None:
        events.append(("begin", None))

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        events.append(("header", (bytes(header_field).lower(), bytes(header_value))))
        header_field.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        events.append(("headers_done", None))

    def on_part_data(data: bytes, start: int, end: int) -> None:
        events.append(("data", bytes(data[start:end])))

    def on_part_end() -> None:
        events.append(("end", None))

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    async for chunk in chunks:
        try:
            parser.write(chunk)
        except DomainError:  # a limit, from a callback
            raise
        except Exception as error:  # the parser's own errors: the body is not a valid form
            raise MalformedForm(str(error)) from None
        for event in events:
            match event:
                case ("begin", _):
                    current = _Part()
                case ("header", (name, raw)):
                    current.headers[name] = raw
                case ("headers_done", _):
                    _, options = parse_options_header(current.headers.get(b"content-disposition", b""))
                    current.name = options.get(b"name", b"").decode("utf-8", "replace")
                    if b"filename" in options:
                        current.filename = options[b"filename"].decode("utf-8", "replace")
                        await on_file_start(current.name, current.filename, dict(fields))
                case ("data", data):
                    if current.filename is not None:
                        await on_file_data(data)
                    else:
                        current.data.extend(data)
                        if len(current.data) > FIELD_LIMIT:
                            raise too_long(f"a field may be at most {FIELD_LIMIT // 1024} KB")
                case ("end", _) if current.filename is None:
                    if len(fields) >= FIELDS_LIMIT:
                        raise too_long(f"it may have at most {FIELDS_LIMIT} fields")
                    fields[current.name] = current.data.decode("utf-8", "replace")
        events.clear()
    try:
        parser.finalize()
    except Exception as error:
        raise MalformedForm(str(error)) from None
    return fields
