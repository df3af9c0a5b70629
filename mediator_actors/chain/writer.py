"""The one path for every entry the node writes: a durable outbox drained at the chain's pace.

Callers enqueue inside their own transaction (the fact and the entry to publish commit
together); :meth:`ChainWriter.drain_once` posts what is ready:

- at most ``per_author`` entries per author per ``window`` (the real node allows 10 a minute);
- 422 ``rate_limit`` -> retried after ``retry_after`` (not counted as a failed attempt);
- 422 ``duplicate`` -> delivered (the chain already holds our entry);
- any other 422 -> ``failed`` for good, with the chain's reason;
- transient errors (down, 5xx, timeouts, breaker open) -> retried with back-off, and the
  job is quarantined after ``max_attempts``.

A crash between a successful post and its commit re-posts the entry on restart; the chain
answers ``duplicate`` and it is counted delivered, so nothing is published twice.

Blocking: ``drain_once`` posts at most ``batch`` entries (each bounded by the client's
deadline) and commits once per entry through the store (off the hub).
"""

from __future__ import annotations

import logging
import math
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from mediator_actors.chain.client import (
    ChainProtocolError,
    ChainUnavailableError,
    PostOutcome,
    PostResult,
)
from mediator_actors.errors import ChainError, CodecError
from mediator_actors.model import canonical_json
from mediator_actors.runtime.resilience import Backoff
from mediator_actors.safety.secretscan import SecretScanner
from mediator_actors.safety.textsafety import escape_for_log
from mediator_actors.store import CHAIN_OUTBOX, Job, Store

logger = logging.getLogger(__name__)


class ChainPoster(Protocol):
    def post_entry(
        self, *, content: str, author: str, intent: str, metadata: Mapping[str, Any]
    ) -> PostResult: ...


@dataclass(frozen=True, slots=True)
class OutgoingEntry:
    content: str
    author: str
    intent: str
    metadata: Mapping[str, Any]

    def payload(self) -> dict[str, Any]:
        return {
            "content": self.content,
            "author": self.author,
            "intent": self.intent,
            "metadata": dict(self.metadata),
        }


@dataclass(frozen=True, slots=True)
class DrainResult:
    delivered: tuple[str, ...] = ()  # dedupe keys; duplicates included
    duplicates: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()  # (key, reason): the chain refused for good
    deferred: int = 0  # waiting for the author's pace or a rate_limit retry_after
    retrying: tuple[str, ...] = ()  # transient failure, will retry
    error: str | None = None


@dataclass(slots=True)
class _Tally:
    delivered: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    deferred: int = 0
    error: str | None = None


def enqueue_entry(
    conn: sqlite3.Connection, key: str, entry: OutgoingEntry, *, now: float, priority: float = 0.0
) -> bool:
    """Queue ``entry`` for posting, inside the caller's transaction; False if ``key`` exists.

    Raises ValueError for an entry that could never be valid (wrong types, NaN, not JSON).
    """
    if not all(isinstance(v, str) and v for v in (entry.content, entry.author, entry.intent)):
        raise ValueError("content, author and intent must be non-empty strings")
    if not isinstance(entry.metadata, Mapping):
        raise ValueError("metadata must be a mapping")
    canonical_json(entry.payload())  # raises ValueError on NaN/Infinity or non-JSON values
    return CHAIN_OUTBOX.enqueue(
        conn, key, entry.payload(), now=now, priority=priority, max_attempts=8
    )


class ChainWriter:
    """Drains the ``chain_outbox`` queue; call :meth:`drain_once` on a timer or when told."""

    def __init__(
        self,
        *,
        store: Store,
        client: ChainPoster,
        clock: Callable[[], float] = time.time,
        per_author: int = 10,
        window: float = 60.0,
        batch: int = 20,
        backoff: Backoff | None = None,
        scanner: SecretScanner | None = None,
    ) -> None:
        self._store = store
        self._scanner = scanner
        self._client = client
        self._clock = clock
        self._per_author = per_author
        self._window = window
        self._batch = batch
        self._backoff = backoff or Backoff(minimum=2.0, maximum=300.0)
        self._sent: dict[str, deque[float]] | None = None
        self._blocked_until: dict[str, float] = {}

    def enqueue_entry(
        self, conn: sqlite3.Connection, key: str, entry: OutgoingEntry, *, now: float
    ) -> bool:
        return enqueue_entry(conn, key, entry, now=now)

    def recover(self) -> int:
        """Hand back entries a crashed writer held; call when the writer (re)starts."""
        return self._store.write(lambda conn: CHAIN_OUTBOX.recover(conn, now=self._clock()))

    def next_ready_at(self) -> float | None:
        return self._store.read(CHAIN_OUTBOX.next_ready_at)

    def drain_once(self) -> DrainResult:
        now = self._clock()
        sent = self._pace(now)
        jobs: list[Job] = self._store.write(
            lambda conn: CHAIN_OUTBOX.claim(conn, now=now, limit=self._batch)
        )
        tally = _Tally()
        for job in jobs:
            author = str(job.payload["author"])
            window = sent.setdefault(author, deque())
            while window and window[0] <= now - self._window:
                window.popleft()
            blocked = self._blocked_until.get(author, 0.0)
            if tally.error is not None or len(window) >= self._per_author or blocked > now:
                # Over the author's pace (or the chain is down): wait, without an attempt.
                wait_until = window[0] + self._window if len(window) >= self._per_author else now
                self._release(job, not_before=max(now, wait_until, blocked))
                tally.deferred += 1
                continue
            self._post_one(job, author, window, now, tally)
        return DrainResult(
            tuple(tally.delivered),
            tuple(tally.duplicates),
            tuple(tally.failed),
            tally.deferred,
            tuple(tally.retrying),
            tally.error,
        )

    def _post_one(
        self, job: Job, author: str, window: deque[float], now: float, tally: _Tally
    ) -> None:
        payload = job.payload
        if self._scanner is not None and self._scanner.contains_secret(payload):
            # The last gate before the chain: an entry that would publish a secret is never
            # sent. The reason names no value; the entry stays in the store for review.
            logger.error("chain: refused to post %s: it contains a secret", job.dedupe_key)
            self._finish(job, failed_reason="contains_secret")
            tally.failed.append((job.dedupe_key, "contains_secret"))
            return
        try:
            result = self._client.post_entry(
                content=payload["content"],
                author=author,
                intent=payload["intent"],
                metadata=payload["metadata"],
            )
        except ChainUnavailableError as exc:
            tally.error = str(exc)[:300]
            self._retry(job, tally.error)
            tally.retrying.append(job.dedupe_key)
            return
        except ChainProtocolError as exc:
            if exc.status in {400, 404, 413, 415}:  # the node will never take this entry
                self._finish(job, failed_reason=f"http_{exc.status}")
                tally.failed.append((job.dedupe_key, f"http_{exc.status}"))
            else:  # 401/403 (fix the key), redirects, garbage: retry with back-off
                self._retry(job, str(exc)[:300])
                tally.retrying.append(job.dedupe_key)
            return
        except (ChainError, CodecError) as exc:
            # An unreadable answer (the entry may exist: a retry then meets "duplicate"),
            # or the endpoint failed its SSRF re-check: retry with back-off.
            self._retry(job, str(exc)[:300])
            tally.retrying.append(job.dedupe_key)
            return
        if result.outcome is PostOutcome.RATE_LIMIT:
            retry_after = result.retry_after or self._window
            self._release(job, not_before=now + retry_after)
            # The chain says this author is full: hold the author's other entries too.
            self._blocked_until[author] = now + retry_after
            tally.deferred += 1
            return
        window.append(now)
        if result.outcome is PostOutcome.REJECTED:
            reason = result.reason or "rejected"
            self._finish(job, failed_reason=f"{reason}: {result.message}"[:300])
            tally.failed.append((job.dedupe_key, reason))
            logger.warning("chain: entry %s rejected: %s", job.dedupe_key, escape_for_log(reason))
            return
        entry = result.entry
        self._finish(
            job,
            result={
                "outcome": result.outcome.value,
                "ref": entry.ref if entry else None,
                "timestamp": entry.timestamp if entry else None,
            },
        )
        tally.delivered.append(job.dedupe_key)
        if result.outcome is PostOutcome.DUPLICATE:
            tally.duplicates.append(job.dedupe_key)

    # --- bookkeeping ----------------------------------------------------------------

    def _pace(self, now: float) -> dict[str, deque[float]]:
        """Per-author send times in the last window; rebuilt from the store after a restart."""
        if self._sent is None:
            rows = self._store.read(
                lambda conn: CHAIN_OUTBOX.ended_since(conn, "author", since=now - self._window)
            )
            self._sent = {}
            for author, at in rows:
                self._sent.setdefault(str(author), deque()).append(float(at))
        return self._sent

    def _release(self, job: Job, *, not_before: float) -> None:
        """Back to pending without spending an attempt (pacing is not a failure)."""
        now = self._clock()
        self._store.write(
            lambda conn: CHAIN_OUTBOX.defer(conn, job.id, None, now=now, retry_in=not_before - now)
        )

    def _retry(self, job: Job, error: str) -> None:
        delay = self._backoff.delay(job.attempts)
        now = self._clock()
        self._store.write(
            lambda conn: CHAIN_OUTBOX.fail(conn, job.id, error, now=now, retry_in=delay)
        )

    def _finish(
        self, job: Job, *, result: dict[str, Any] | None = None, failed_reason: str | None = None
    ) -> None:
        now = self._clock()

        def finish(conn: sqlite3.Connection) -> None:
            if failed_reason is not None:
                CHAIN_OUTBOX.give_up(conn, job.id, failed_reason, now=now)
            else:
                CHAIN_OUTBOX.complete(conn, job.id, now=now, result=result)

        self._store.write(finish)


def seconds_until(ready_at: float | None, now: float) -> float:
    """How long a drain loop may sleep before the next entry is ready (inf: nothing queued)."""
    return math.inf if ready_at is None else max(0.0, ready_at - now)
