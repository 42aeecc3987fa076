"""Keyset pagination: page sizes within the cap, and cursors that are checked, not trusted."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

from portal.api.context import Info
from portal.api.doc import field, object_type
from portal.errors import DomainError, ErrorCode
from portal.validation import in_date_range


@object_type
class PageInfo:
    """Where a page of a list ends, for keyset pagination."""

    has_next_page: bool = field("Whether another page follows.")
    end_cursor: str | None = field("Pass this as `after` to get the next page.")


def page_size(info: Info, first: int | None) -> int:
    """``first``, or the default; refused beyond the cap (PORTAL_PAGE_SIZE_MAX)."""
    settings = info.context.settings
    size = settings.page_size_default if first is None else first
    if not 1 <= size <= settings.page_size_max:
        raise DomainError.one(
            ErrorCode.OUT_OF_RANGE, f"first must be between 1 and {settings.page_size_max}", "first"
        )
    return size


def encode_time_cursor(at: datetime, id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{id}".encode()).decode()


def decode_time_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """A cursor of a list in time order; anything else is INVALID_VALUE, never an error further in."""
    try:
        at, id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError("naive")
        if not in_date_range(moment):  # none of the list's; at year 1 or 9999, not even a time in UTC
            raise ValueError("out of range")
        return moment, uuid.UUID(id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise DomainError.one(
            ErrorCode.INVALID_VALUE, "That is not a cursor from this list", "after"
        ) from None
