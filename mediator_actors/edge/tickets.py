"""Short-lived, single-use tickets: how a browser authenticates on the monitoring WebSocket.

A browser cannot hold the CLI's Ed25519 key file, and a WebSocket cannot carry an
``Authorization`` header. So the dashboard asks ``POST /api/v1/ws-ticket`` (which needs the
dashboard's bearer token, like the API), gets a 256-bit ticket valid for ``ttl_s`` seconds,
and answers the WebSocket's challenge with it. The ticket is redeemed once: a second use,
a late use or an unknown ticket is refused with the same frame as any other refusal. Only
a hash of each ticket is kept, so a memory dump holds nothing a client could replay.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from mediator_actors.safety.secrets import Secret

TICKET_HEX = 64


def _digest(ticket: str) -> bytes:
    return hashlib.sha256(ticket.encode("ascii", "replace")).digest()


class TicketBook:
    def __init__(
        self,
        *,
        ttl_s: float = 30.0,
        max_outstanding: int = 256,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_outstanding = max_outstanding
        self.clock = clock
        self._tickets: dict[bytes, tuple[float, str]] = {}
        self.issued = 0
        self.redeemed = 0

    def issue(self, holder: str) -> str:
        """A fresh ticket for ``holder`` (a name for the log, never a secret)."""
        now = self.clock()
        self._expire(now)
        if len(self._tickets) >= self.max_outstanding:
            # The oldest goes first: a flood of requests cannot grow memory.
            oldest = min(self._tickets, key=lambda k: self._tickets[k][0])
            del self._tickets[oldest]
        ticket = secrets.token_hex(TICKET_HEX // 2)
        self._tickets[_digest(ticket)] = (now + self.ttl_s, holder)
        self.issued += 1
        return ticket

    def redeem(self, ticket: object) -> str | None:
        """The holder's name if ``ticket`` is outstanding and fresh; it is spent either way."""
        if not isinstance(ticket, str) or len(ticket) != TICKET_HEX:
            return None
        found = self._tickets.pop(_digest(ticket), None)
        if found is None or found[0] < self.clock():
            return None
        self.redeemed += 1
        return found[1]

    def outstanding(self) -> int:
        self._expire(self.clock())
        return len(self._tickets)

    def _expire(self, now: float) -> None:
        for key in [k for k, (until, _) in self._tickets.items() if until < now]:
            del self._tickets[key]


#: Beside config.yaml, like the dev signing key: never under DATA_DIR, which is shared freely.
DASHBOARD_TOKEN_FILE = ".dashboard-token"  # noqa: S105 - a file name


def load_or_create_token(path: Path) -> Secret:
    """The dashboard's bearer token in ``path`` (mode 600), created on first use."""
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: read theirs
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(32) + "\n")
    return Secret(path.read_text(encoding="ascii").strip())
