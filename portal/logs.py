"""The portal's log lines: plain text by default, or one JSON object per line (``PORTAL_LOG_FORMAT=json``)
for a log collector. Every line written while a request is served carries its correlation id (the
``X-Request-Id`` it came with, if that is a plain token, or a new one, sent back in the response:
portal/web/metering.py), the operation and the signed-in person's id, so one request's lines can be found
together and quoted to support.

Only ids and names the code chose go in them: never case content, never what a client sent beyond its
request id."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from typing import Any

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
OPERATION: contextvars.ContextVar[str | None] = contextvars.ContextVar("operation", default=None)
PERSON: contextvars.ContextVar[str | None] = contextvars.ContextVar("person_id", default=None)
# A request id a client may choose: short, and nothing that could forge a log line.
CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def request_id() -> str:
    """The current request's correlation id (a new one outside a request)."""
    return REQUEST_ID.get() or uuid.uuid4().hex


class InContext(logging.Filter):
    """Adds the request's correlation id, operation and person to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        record.operation = OPERATION.get()
        record.person_id = PERSON.get()
        return True


class JsonLines(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "operation": getattr(record, "operation", None),
            "person_id": getattr(record, "person_id", None),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps({k: v for k, v in line.items() if v not in (None, "-")}, ensure_ascii=False)


def config(log_format: str) -> dict[str, Any]:
    """A logging configuration (for ``logging.config.dictConfig`` and uvicorn's ``log_config``): the
    portal's and uvicorn's lines to standard error, in ``log_format``."""
    formatter: dict[str, Any] = {"()": f"{__name__}.JsonLines"} if log_format == "json" else {"format": TEXT}
    handler = {"class": "logging.StreamHandler", "formatter": "portal", "filters": ["context"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": f"{__name__}.InContext"}},
        "formatters": {"portal": formatter},
        "handlers": {"stderr": handler},
        "loggers": {
            "portal": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        },
    }
