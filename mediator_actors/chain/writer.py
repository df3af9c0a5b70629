"""The one path for every entry the node writes: a durable outbox drained at the chain's pace.

Callers enqueue inside their own transaction (the fact and the entry to publish commit
together); :meth:`ChainWriter.drain_once` posts what is ready:

- at most ``per_author`` entries per author per ``window`` (the real node allows 10 a minute);
- before posting, the entry is checked against the real node's secret-scanner patterns
  (:mod:`mediator_actors.chain.scanner`): one the chain would alter is failed
  ``would_be_redacted`` and never posted; one whose ``acceptance_deadline`` has passed is
  failed ``pointless``;
- back-pressure is not a fault: 429 (``Retry-After``) and 422 ``rate_limit``
  (``retry_after``) wait as long as the chain asks, spend no attempt and hold the writer;
- 422 ``duplicate`` -> delivered (the chain already holds our entry);
- any other 4xx -> ``failed`` for good, with the chain's reason;
- no answer at all (refused, reset, timeout, breaker open) -> waits with back-off and
  spends **no** attempt, however long the outage; 401/403 waits for the key to be fixed;
- an answer that is no use (5xx, garbage) counts as an attempt; attempts only lengthen
  the back-off, so an entry stays queued until it is posted, pointless or refused.

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
    AUTH_PROBLEM,
    ChainAuthError,
    ChainBusyError,
    ChainProtocolError,
    ChainUnavailableError,
    PostOutcome,
    PostResult,
)
from mediator_actors.chain.scanner import chain_scan_findings
from mediator_actors.errors import ChainError, CodecError
from mediator_actors.model import canonical_json, parse_iso_utc
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
        #: The whole writer waits until then (a 429, an outage, a refused key).
        self._hold_until = 0.0
        self._outages = 0  # consecutive posts that got no answer, for the back-off
        self._auth_logged_at = -math.inf

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
            blocked = max(self._blocked_until.get(author, 0.0), self._hold_until)
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

    def _refuse_locally(self, payload: Mapping[str, Any], now: float) -> str | None:
        """Why we must not post this entry at all (never sent), or None."""
        if self._scanner is not None and self._scanner.contains_secret(payload):
            # The last gate before the chain: an entry that would publish a secret is never
            # sent. The reason names no value; the entry stays in the store for review.
            return "contains_secret"
        findings = chain_scan_findings(payload)
        if findings:
            # The real node's scanner would rewrite it in every answer (or refuse the
            # answers in block mode): nobody could read it back as written.
            where = sorted({f"{f.path} ({f.pattern})" for f in findings})
            return "would_be_redacted: " + ", ".join(where)[:250]
        metadata = payload.get("metadata")
        deadline = metadata.get("acceptance_deadline") if isinstance(metadata, Mapping) else None
        deadline_ts = parse_iso_utc(deadline)
        if deadline_ts is not None and deadline_ts <= now:
            return f"pointless: its acceptance deadline {deadline} passed before it was posted"
        return None

    def _post_one(
        self, job: Job, author: str, window: deque[float], now: float, tally: _Tally
    ) -> None:
        payload = job.payload
        refused = self._refuse_locally(payload, now)
        if refused is not None:
            logger.error("chain: not posting %s: %s", job.dedupe_key, refused)
            self._finish(job, failed_reason=refused)
            tally.failed.append((job.dedupe_key, refused.split(":", 1)[0]))
            return
        try:
            result = self._client.post_entry(
                content=payload["content"],
                author=author,
                intent=payload["intent"],
                metadata=payload["metadata"],
            )
        except (ChainError, CodecError) as exc:
            self._on_error(job, exc, now, tally)
            return
        self._outages = 0
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
            self._finish(
                job, failed_reason=f"refused by the chain: {reason}: {result.message}"[:300]
            )
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

    def _on_error(self, job: Job, exc: ChainError | CodecError, now: float, tally: _Tally) -> None:
        """What a failed post means: back-pressure, no answer, the key, a refusal, junk."""
        if isinstance(exc, ChainBusyError):
            # Back-pressure: wait as asked (or back off), no attempt, hold every author.
            self._outages = 0
            wait = exc.retry_after if exc.retry_after is not None else self._window / 2
            # The reason says who asked: the chain's 429, or our own share of its limit.
            self._hold(job, now, wait, f"waiting {wait:.0f}s, not an attempt: {exc}"[:300])
            tally.error = str(exc)[:300]
            tally.deferred += 1
            return
        if isinstance(exc, ChainUnavailableError):
            tally.error = str(exc)[:300]
            tally.retrying.append(job.dedupe_key)
            if exc.answered:  # it answered, uselessly (5xx): that was an attempt
                self._outages = 0
                self._retry(job, f"the chain answered HTTP {exc.status}; will retry")
                return
            self._outages += 1
            wait = exc.retry_in or self._backoff.delay(self._outages)
            self._hold(job, now, wait, f"the chain did not answer ({exc}); not an attempt")
            return
        if isinstance(exc, ChainAuthError):
            # Not the entry's fault: hold everything, back off, and say so once a minute.
            self._outages += 1
            tally.deferred += 1
            if now - self._auth_logged_at >= 60.0:
                self._auth_logged_at = now
                logger.error("chain: not posting: %s", AUTH_PROBLEM)
            self._hold(job, now, self._backoff.delay(self._outages), f"not posted: {AUTH_PROBLEM}")
            return
        if isinstance(exc, ChainProtocolError):
            self._outages = 0
            status = exc.status or 0
            if 400 <= status < 500:  # the node will never take this entry (429 is ChainBusy)
                reason = f"refused by the chain: http_{status}"
                self._finish(job, failed_reason=reason)
                tally.failed.append((job.dedupe_key, f"http_{status}"))
            else:  # a redirect or garbage: the chain answered; retry with back-off
                self._retry(job, f"the chain answered unusably: {str(exc)[:250]}")
                tally.retrying.append(job.dedupe_key)
            return
        # An unreadable answer (the entry may exist: a retry then meets "duplicate"), or
        # the endpoint failed its SSRF re-check: retry with back-off.
        self._retry(job, f"no usable answer: {str(exc)[:250]}")
        tally.retrying.append(job.dedupe_key)

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

    def _hold(self, job: Job, now: float, wait: float, reason: str) -> None:
        """Put the job back without spending its attempt and hold the whole writer."""
        wait = max(wait, 0.0)
        self._hold_until = max(self._hold_until, now + wait)
        self._store.write(
            lambda conn: CHAIN_OUTBOX.defer(conn, job.id, reason, now=self._clock(), retry_in=wait)
        )

    def _retry(self, job: Job, error: str) -> None:
        """An answered attempt failed. Attempts lengthen the back-off but never end the job:
        past ``max_attempts`` it keeps waiting at the longest back-off instead."""
        delay = self._backoff.delay(job.attempts)
        now = self._clock()
        error = f"{error} (attempt {job.attempts})"

        def retry(conn: sqlite3.Connection) -> None:
            if job.attempts >= job.max_attempts:
                CHAIN_OUTBOX.defer(conn, job.id, error, now=now, retry_in=delay)
            else:
                CHAIN_OUTBOX.fail(conn, job.id, error, now=now, retry_in=delay)

        self._store.write(retry)

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
