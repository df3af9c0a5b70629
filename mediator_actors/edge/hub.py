"""The event hub behind the monitoring WebSocket: actors publish, authenticated clients receive.

``EventHub.publish(channel, event)`` is what actors call **after** their store commit. It never
blocks and never raises into the caller: each client has its own bounded queue and sender
greenlet (a broadcast loop that sends inline stops every client when one stops reading: field
notes), and a client whose queue is full is closed, alone.

Every outbound frame (events and protocol messages alike) goes through the ``redact`` hook once,
before encoding; a hook that raises drops the frame (fail closed).

Events are :class:`~mediator_actors.monitoring.MonitoringEvent` values; the channel is the
event's own and :func:`~mediator_actors.monitoring.encode_event` makes the frame's ``data``.
Filters look at the fields every kind shares: ``parties``, ``intents`` and ``settlement_id``.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import gevent

from mediator_actors.monitoring import Channel, MonitoringEvent, encode_event

log = logging.getLogger("mediator.edge.ws")

CHANNELS = frozenset(channel.value for channel in Channel)

Redactor = Callable[[object], object]


def identity(value: object) -> object:
    return value


@dataclass(frozen=True, slots=True)
class Filter:
    """One subscription's filter; ``None`` fields match anything."""

    party: str | None = None
    intent: str | None = None
    settlement: str | None = None

    def matches(self, event: MonitoringEvent) -> bool:
        if self.party is not None and self.party not in event.parties:
            return False
        if self.intent is not None and self.intent not in event.intents:
            return False
        return self.settlement is None or event.settlement_id == self.settlement


def frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked, final server frame (RFC 6455 5.2), encoded once and sent to many."""
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | opcode, n])
    elif n < 65536:
        head = bytes([0x80 | opcode, 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 127]) + n.to_bytes(8, "big")
    return head + payload


class Subscriber(Protocol):
    """What the hub needs of a connected client (``ws.ClientConnection``)."""

    def wants(self, channel: str, event: MonitoringEvent) -> bool: ...

    def offer(self, data: bytes | None) -> bool:
        """Send or queue an encoded frame without blocking; False if closed or now closing."""
        ...


class EventHub:
    """Fan-out of published events to subscribed, authenticated clients.

    All methods are non-blocking and safe to call from any greenlet on the hub thread.
    """

    def __init__(
        self,
        *,
        redact: Redactor = identity,
        clock: Callable[[], float] = time.time,
        chunk: int = 64,
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
        #: Clients served inline per publish, and per slice of the fan-out greenlet.
        self.chunk = chunk
        self._fanout_jobs: deque[tuple[bytes, list[Subscriber], float]] = deque()
        #: Seconds from publish to the last client of each deferred fan-out (newest 1,024).
        self.fanout_seconds: deque[float] = deque(maxlen=1024)
        self._fanout: gevent.Greenlet | None = None
        #: In-process observers of every published event (the activity log, the business
        #: metrics); called inline, so each must be quick and must not block.
        self.listeners: list[Callable[[MonitoringEvent], None]] = []

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

    def encode_frame(self, message: Mapping[str, Any]) -> bytes | None:
        """:meth:`encode` as one WebSocket text frame."""
        text = self.encode(message)
        return None if text is None else frame(0x1, text.encode("ascii"))

    def publish(self, event: MonitoringEvent) -> int:
        """Deliver ``event`` to every client subscribed to its channel whose filter matches.

        Returns the number of clients it is addressed to. Never blocks, never raises. The first
        :attr:`chunk` clients get it at once; a larger fan-out continues on the hub's fan-out
        greenlet, which yields between chunks so probes are answered during a 1,000-client
        burst. Per-client order is kept: while a fan-out is pending, new events queue behind it.
        """
        for listener in self.listeners:
            try:
                listener(event)
            except Exception as exc:  # noqa: BLE001 - an observer must never fail a publisher
                self.publish_errors += 1
                log.error("event listener failed: %s", type(exc).__name__)
        try:
            channel = event.channel.value
            self.published += 1
            targets = [c for c in self._subscribers[channel] if c.wants(channel, event)]
            total = len(targets)
            if not total:
                return 0
            self.seq += 1
            envelope = {
                "type": "event",
                "channel": channel,
                "seq": self.seq,
                "ts": int(self.clock() * 1000),
                "data": encode_event(event),
            }
            data = self.encode_frame(envelope)
            if data is None:
                return 0
            if not self._fanout_jobs:
                self._deliver(data, targets[: self.chunk])
                targets = targets[self.chunk :]
            if targets:
                self._fanout_jobs.append((data, targets, time.monotonic()))
                if self._fanout is None or self._fanout.dead:
                    self._fanout = gevent.spawn(self._fanout_loop)
            return total
        except Exception as exc:  # noqa: BLE001 - publish is called by actors after commit
            self.publish_errors += 1
            log.error("ws publish failed: %s", type(exc).__name__)
            return 0

    def _deliver(self, data: bytes, clients: list[Subscriber]) -> None:
        for client in clients:
            if client.offer(data):
                self.delivered += 1
            else:
                self.dropped_slow += 1

    def _fanout_loop(self) -> None:
        while self._fanout_jobs:
            data, clients, since = self._fanout_jobs[0]
            try:
                for start in range(0, len(clients), self.chunk):
                    self._deliver(data, clients[start : start + self.chunk])
                    # Let probes and readers in between chunks. Not sleep(0): that runs other
                    # greenlets but polls no I/O (a 1 ms-chunked loop held timers 75 ms);
                    # idle() returns once the loop has polled and run what was ready.
                    gevent.idle()
            except Exception as exc:  # noqa: BLE001 - one bad client must not stall the rest
                self.publish_errors += 1
                log.error("ws fan-out failed: %s", type(exc).__name__)
            finally:
                self._fanout_jobs.popleft()
                self.fanout_seconds.append(time.monotonic() - since)
