"""The monitoring WebSocket's wire protocol: auth message, limits, bounded frame reading and
strict parsing of client messages. No sockets or servers here (see :mod:`ws`).

Frame lengths are checked from the header, before any payload is read: gevent-websocket would
read whatever length a peer declares (field notes: one frame claiming 1 GiB took the server
from 30 MB to 440 MB).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from geventwebsocket.exceptions import WebSocketError
from geventwebsocket.websocket import Header, WebSocket

from mediator_actors.edge.hub import Filter
from mediator_actors.model import is_digest_id

AUTH_DOMAIN = b"nlc-mediator/ws-auth/v1\x00"
REFUSED_CODE = 1008
REFUSED_REASON = "refused"
HEX64 = 64
#: A Sec-WebSocket-Key is base64 of exactly 16 bytes (RFC 6455 4.1).
WS_KEY = re.compile(r"^[A-Za-z0-9+/]{21}[AQgw]==$")
FILTER_KEYS = frozenset({"party", "intent", "settlement"})
_FILTER_ID_TAGS = {"intent": "ent", "settlement": "stl"}


def auth_message(challenge: bytes, server_id: str) -> bytes:
    """What a client signs: domain-separated so no other signature of the key can be reused."""
    return AUTH_DOMAIN + challenge + server_id.encode("utf-8")


@dataclass(frozen=True, slots=True)
class WsLimits:
    max_connections: int = 1000
    max_unauthenticated: int = 64
    auth_timeout_s: float = 5.0
    max_frame_bytes: int = 4096
    max_message_bytes: int = 8192
    max_fragments: int = 8
    max_subscriptions: int = 32
    #: Client → server messages per second (token bucket) and burst.
    message_rate: float = 20.0
    message_burst: float = 40.0
    #: New connections admitted per second (bogus auth floods), and burst.
    admit_rate: float = 200.0
    admit_burst: float = 400.0
    send_queue: int = 256
    send_timeout_s: float = 5.0
    heartbeat_s: float = 20.0


class TokenBucket:
    def __init__(
        self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.at = burst, clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Refused(Exception):  # noqa: N818 - a verdict, not a fault
    """The peer broke the protocol; the message is for our log only."""


class BoundedWebSocket(WebSocket):  # type: ignore[misc]
    """gevent-websocket's WebSocket with frame and message bounds checked from the header."""

    __slots__ = ("limits", "on_activity", "on_ping")

    def handle_ping(self, header: Any, payload: bytes) -> None:
        # Routed through the client's queue so only its sender greenlet ever writes.
        self.on_ping(payload)

    def read_frame(self) -> tuple[Any, bytes]:
        header = Header.decode_header(self.stream)  # at most 14 bytes
        limits: WsLimits = self.limits
        if header.flags:
            raise Refused("reserved bits set")
        if not header.mask:
            raise Refused("unmasked client frame")
        if header.length > limits.max_frame_bytes:
            raise Refused(f"frame of {header.length} bytes declared")
        payload = self.raw_read(header.length) if header.length else b""
        if len(payload) != header.length:
            raise WebSocketError("Unexpected EOF reading frame payload")
        self.on_activity()
        return header, header.unmask_payload(payload) if header.length else b""

    def read_message(self) -> str | None:
        """The next text message; ``None`` on a close frame. Binary is refused."""
        message = bytearray()
        opcode = None
        frames = 0
        while True:
            header, payload = self.read_frame()
            op = header.opcode
            if op == self.OPCODE_PING:
                self.handle_ping(header, payload)
                continue
            if op == self.OPCODE_PONG:
                continue
            if op == self.OPCODE_CLOSE:
                return None
            if op == self.OPCODE_TEXT and opcode is None:
                opcode = op
            elif op != self.OPCODE_CONTINUATION or opcode is None:
                raise Refused(f"unexpected opcode {op}")
            frames += 1
            message += payload
            if frames > self.limits.max_fragments or len(message) > self.limits.max_message_bytes:
                raise Refused("message too large or too fragmented")
            if header.fin:
                try:
                    return bytes(message).decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise Refused("invalid utf-8") from exc


def is_hex(value: object, length: int) -> bool:
    return (
        isinstance(value, str)
        and len(value) == length
        and all(c in "0123456789abcdef" for c in value)
    )


def reject_constant(name: str) -> Any:
    raise Refused(f"non-finite number {name}")


def parse_message(text: str | None) -> dict[str, Any]:
    if text is None:
        raise Refused("closed before answering")
    try:
        value = json.loads(text, parse_constant=reject_constant)
    except (ValueError, RecursionError) as exc:
        raise Refused("malformed json") from exc
    if not isinstance(value, dict):
        raise Refused("message is not an object")
    return value


def parse_filter(raw: object) -> Filter:
    if raw is None:
        return Filter()
    if not isinstance(raw, dict) or not set(raw) <= FILTER_KEYS:
        raise Refused("invalid filter")
    for key, value in raw.items():
        if not isinstance(value, str) or not 0 < len(value) <= 256:
            raise Refused("invalid filter")
        # Protocol v2 ids: an intent is an entry ref (ent_...), a settlement stl_...
        if key in _FILTER_ID_TAGS and not is_digest_id(value, _FILTER_ID_TAGS[key]):
            raise Refused("invalid filter")
    return Filter(
        party=raw.get("party"), intent=raw.get("intent"), settlement=raw.get("settlement")
    )
