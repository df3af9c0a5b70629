"""The event hub behind the monitoring WebSocket: actors publish, authenticated clients receive.

``EventHub.publish(channel, event)`` is what actors call **after** their store commit. It never
blocks and never raises into the caller: each client has its own bounded queue and sender
greenlet (a broadcast loop that sends inline stops every client when one stops reading: field
notes), and a client whose queue is full is closed, alone.

Every outbound frame (events and protocol messages alike) goes through the ``redact`` hook once,
before encoding; a hook that raises drops the frame (fail closed).

Events are JSON-ready dicts. Filters look at three optional keys of the event:
``parties`` (list of author strings), ``intents`` (list of entry refs) and ``settlement_id``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger("mediator.edge.ws")

CHANNELS = frozenset(
    {
        "intents",
        "negotiations",
        "settlements",
        "challenges",
        "disputes",
        "reputation",
        "health",
        "metrics",
    }
)

Redactor = Callable[[object], object]


def identity(value: object) -> object:
    return value


@dataclass(frozen=True, slots=True)
class Filter:
    """One subscription's filter; ``None`` fields match anything."""

    party: str | None = None
    intent: str | None = None
    settlement: str | None = None

    def matches(self, event: Mapping[str, Any]) -> bool:
        if self.party is not None and self.party not in _strings(event.get("parties")):
            return False
        if self.intent is not None and self.intent not in _strings(event.get("intents")):
            return False
        return self.settlement is None or event.get("settlement_id") == self.settlement


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(v for v in value if isinstance(v, str))
    return ()


class Subscriber(Protocol):
    """What the hub needs of a connected client (``ws.ClientConnection``)."""

    def wants(self, channel: str, event: Mapping[str, Any]) -> bool: ...

    def offer(self, frame: str) -> bool:
        """Queue a frame without blocking; False (and the client is being closed) if full."""
        ...


class EventHub:
    """Fan-out of published events to subscribed, authenticated clients.

    All methods are non-blocking and safe to call from any greenlet on the hub thread.
    """

    def __init__(
        self, *, redact: Redactor = identity, clock: Callable[[], float] = time.time
    ) -> None:
        self.redact = redact
        self.clock = clock
        self._subscribers: dict[str, set[Subscriber]] = {c: set() for c in CHANNELS}
        self.seq = 0
        self.published = 0
        self.delivered = 0
        self.dropped_slow = 0
        self.redaction_failures = 0
        self.publish_errors = 0

    # clients

    def subscribe(self, client: Subscriber, channel: str) -> None:
        self._subscribers[channel].add(client)

    def unsubscribe(self, client: Subscriber, channel: str | None = None) -> None:
        for name, subs in self._subscribers.items():
            if channel is None or name == channel:
                subs.discard(client)

    def subscriber_count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    # frames

    def encode(self, message: Mapping[str, Any]) -> str | None:
        """Redact then encode one outbound message; ``None`` if redaction failed."""
        try:
            redacted = self.redact(dict(message))
            return json.dumps(
                redacted, ensure_ascii=True, allow_nan=False, separators=(",", ":"), default=str
            )
        except Exception as exc:  # noqa: BLE001 - a broken hook must never leak or crash a publisher
            self.redaction_failures += 1
            log.error("ws frame dropped: redaction or encoding failed (%s)", type(exc).__name__)
            return None

    def publish(self, channel: str, event: Mapping[str, Any]) -> int:
        """Deliver ``event`` to every client subscribed to ``channel`` whose filter matches.

        Returns the number of clients it was queued for. Never blocks, never raises.
        """
        try:
            if channel not in CHANNELS:
                self.publish_errors += 1
                log.warning("ws publish to unknown channel dropped")
                return 0
            self.published += 1
            subs = self._subscribers[channel]
            if not subs:
                return 0
            self.seq += 1
            frame: str | None = None
            queued = 0
            for client in list(subs):
                if not client.wants(channel, event):
                    continue
                if frame is None:
                    envelope = {
                        "type": "event",
                        "channel": channel,
                        "seq": self.seq,
                        "ts": int(self.clock() * 1000),
                        "data": event,
                    }
                    frame = self.encode(envelope)
                    if frame is None:
                        return 0
                if client.offer(frame):
                    queued += 1
                else:
                    self.dropped_slow += 1
            self.delivered += queued
            return queued
        except Exception as exc:  # noqa: BLE001 - publish is called by actors after commit
            self.publish_errors += 1
            log.error("ws publish failed: %s", type(exc).__name__)
            return 0
