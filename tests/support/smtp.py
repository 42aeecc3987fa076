"""A real SMTP server (aiosmtpd) on a loopback port of our choosing, that can be stopped and started again,
and made slow or made to refuse some recipients for good."""

from __future__ import annotations

import asyncio
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.ports import free_port


class Inbox:
    """What the server received, in order. It takes ``delay`` seconds over each message, and refuses the
    addresses in ``refused`` with 550 (no such user)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.delay = 0.0
        self.refused: set[str] = set()

    async def handle_RCPT(
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self) -> None:
        # Chosen here: aiosmtpd's readiness check does not work with port 0.
        self.port = free_port()
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
