"""Durable jobs: the outbox pattern for every piece of work whose loss matters.

A job row is written in the same transaction as the fact that creates it, *before* any actor
is told. Workers claim rows, and on (re)start :meth:`JobQueue.recover` hands back the rows a
crashed worker held. Every method takes the connection so it joins the caller's transaction.

States::

    pending -> running -> done
                       -> pending      (failed, will retry after a back-off)
                       -> failed       (failed for good: a clear, non-retryable reason)
                       -> quarantined  (failed max_attempts times: poison, kept with its reason)
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from mediator_actors.store.database import Migration

#: ``not_before`` of a held job: later than any clock will read.
HELD = 1e15


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    QUARANTINED = "quarantined"


MIGRATIONS = (
    Migration(
        "jobs",
        1,
        (
            """CREATE TABLE jobs (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                dedupe_key TEXT NOT NULL,
                payload TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending','running','done','failed','quarantined')),
                priority REAL NOT NULL DEFAULT 0,
                attempts INTEGER NOT NULL DEFAULT 0,
                max_attempts INTEGER NOT NULL DEFAULT 5,
                last_error TEXT,
                result TEXT,
                not_before REAL NOT NULL DEFAULT 0,
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL,
                UNIQUE (kind, dedupe_key)
            )""",
            "CREATE INDEX jobs_ready ON jobs (kind, state, not_before, priority)",
        ),
    ),
    # v2: claims walk the pending jobs in priority order instead of sorting all of them
    # (a temp B-tree per claim: 12.7 of the 50k cycle's 18 s of claims, quadratic in jobs).
    Migration(
        "jobs",
        2,
        ("CREATE INDEX jobs_claim ON jobs (kind, state, priority DESC, id)",),
    ),
)


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    kind: str
    dedupe_key: str
    payload: Mapping[str, Any]
    state: JobState
    attempts: int
    max_attempts: int
    last_error: str | None
    priority: float
    #: what ``complete`` recorded (None until the job is done)
    result: Mapping[str, Any] | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Job:
        return cls(
            id=row["id"],
            kind=row["kind"],
            dedupe_key=row["dedupe_key"],
            payload=json.loads(row["payload"]),
            state=JobState(row["state"]),
            attempts=row["attempts"],
            max_attempts=row["max_attempts"],
            last_error=row["last_error"],
            priority=row["priority"],
            result=json.loads(row["result"]) if row["result"] else None,
        )


class JobQueue:
    """Operations on the ``jobs`` table for one ``kind`` of job."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def enqueue(
        self,
        conn: sqlite3.Connection,
        dedupe_key: str,
        payload: Mapping[str, Any],
        *,
        now: float,
        priority: float = 0.0,
        max_attempts: int = 5,
        not_before: float = 0.0,
    ) -> bool:
        """Add a job unless one with this key exists (in any state); True if added."""
        cursor = conn.execute(
            "INSERT OR IGNORE INTO jobs (kind, dedupe_key, payload, priority, max_attempts,"
            " not_before, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.kind,
                dedupe_key,
                json.dumps(payload, sort_keys=True, allow_nan=False),
                priority,
                max_attempts,
                not_before,
                now,
                now,
            ),
        )
        return cursor.rowcount == 1

    def claim(self, conn: sqlite3.Connection, *, now: float, limit: int = 1) -> list[Job]:
        """Mark up to ``limit`` ready jobs running (highest priority first) and return them."""
        rows = conn.execute(
            # "+not_before": not an index term, so SQLite walks jobs_claim in order and
            # stops at ``limit`` (only jobs deferred into the future are skipped over)
            "SELECT * FROM jobs WHERE kind = ? AND state = 'pending' AND +not_before <= ?"
            " ORDER BY priority DESC, id LIMIT ?",
            (self.kind, now, limit),
        ).fetchall()
        jobs = []
        for row in rows:
            conn.execute(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = ?"
                " WHERE id = ?",
                (now, row["id"]),
            )
            job = Job.from_row(row)
            jobs.append(replace(job, state=JobState.RUNNING, attempts=job.attempts + 1))
        return jobs

    def complete(
        self,
        conn: sqlite3.Connection,
        job_id: int,
        *,
        now: float,
        result: Mapping[str, Any] | None = None,
    ) -> None:
        conn.execute(
            "UPDATE jobs SET state = 'done', result = ?, last_error = NULL, updated_at = ?"
            " WHERE id = ?",
            (None if result is None else json.dumps(result, sort_keys=True), now, job_id),
        )

    def fail(
        self, conn: sqlite3.Connection, job_id: int, error: str, *, now: float, retry_in: float
    ) -> JobState:
        """Record a failed attempt: retry after ``retry_in`` s, or quarantine when exhausted."""
        row = conn.execute(
            "SELECT attempts, max_attempts FROM jobs WHERE id = ?", (job_id,)
        ).fetchone()
        if row is None:
            raise KeyError(job_id)
        state = JobState.QUARANTINED if row["attempts"] >= row["max_attempts"] else JobState.PENDING
        conn.execute(
            "UPDATE jobs SET state = ?, last_error = ?, not_before = ?, updated_at = ? WHERE id = ?",
            (state.value, error[:2000], now + retry_in, now, job_id),
        )
        return state

    def defer(
        self,
        conn: sqlite3.Connection,
        job_id: int,
        reason: str | None,
        *,
        now: float,
        retry_in: float,
    ) -> None:
        """Put a claimed job back for later without spending its attempt: the wait was not
        the job's fault (an exhausted LLM budget, the chain's pace). ``reason`` None keeps
        the last error as it was."""
        conn.execute(
            "UPDATE jobs SET state = 'pending', attempts = MAX(attempts - 1, 0),"
            " last_error = COALESCE(?, last_error), not_before = ?, updated_at = ?"
            " WHERE id = ? AND state = 'running'",
            (None if reason is None else reason[:2000], now + retry_in, now, job_id),
        )

    def give_up(self, conn: sqlite3.Connection, job_id: int, error: str, *, now: float) -> None:
        """End a job for good with a reason (no retry would change the outcome)."""
        conn.execute(
            "UPDATE jobs SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?",
            (error[:2000], now, job_id),
        )

    def hold(self, conn: sqlite3.Connection, dedupe_key: str, reason: str, *, now: float) -> bool:
        """Keep a pending job from being claimed until :meth:`release` (a payout while its
        settlement is disputed). True when the job is now held; a job already claimed or
        finished cannot be held."""
        cursor = conn.execute(
            "UPDATE jobs SET not_before = ?, last_error = ?, updated_at = ?"
            " WHERE kind = ? AND dedupe_key = ? AND state = 'pending' AND not_before < ?",
            (HELD, reason[:2000], now, self.kind, dedupe_key, HELD),
        )
        return cursor.rowcount == 1

    def release(self, conn: sqlite3.Connection, dedupe_key: str, *, now: float) -> bool:
        """Let a held job run again; True when it was held."""
        cursor = conn.execute(
            "UPDATE jobs SET not_before = ?, updated_at = ?"
            " WHERE kind = ? AND dedupe_key = ? AND state = 'pending' AND not_before >= ?",
            (now, now, self.kind, dedupe_key, HELD),
        )
        return cursor.rowcount == 1

    def give_up_pending(self, conn: sqlite3.Connection, error: str, *, now: float) -> int:
        """End every pending job of this kind for good with ``error``; how many."""
        cursor = conn.execute(
            "UPDATE jobs SET state = 'failed', last_error = ?, updated_at = ?"
            " WHERE kind = ? AND state = 'pending'",
            (error[:2000], now, self.kind),
        )
        return cursor.rowcount

    def recover(
        self, conn: sqlite3.Connection, *, now: float, stale_after: float | None = None
    ) -> int:
        """Hand back jobs left running by a crashed worker; call when a worker (re)starts.

        With ``stale_after``, only jobs running for longer than that many seconds: use it
        while other workers may be mid-job, with a time no live worker's job can take.
        """
        cutoff = now if stale_after is None else now - stale_after
        cursor = conn.execute(
            "UPDATE jobs SET state = 'pending', updated_at = ? WHERE kind = ? AND state = 'running'"
            " AND updated_at <= ?",
            (now, self.kind, cutoff),
        )
        return cursor.rowcount

    def counts(self, conn: sqlite3.Connection) -> dict[JobState, int]:
        """Number of jobs in each state (every state present, zero when empty)."""
        counts = dict.fromkeys(JobState, 0)
        for state, count in conn.execute(
            "SELECT state, COUNT(*) FROM jobs WHERE kind = ? GROUP BY state", (self.kind,)
        ):
            counts[JobState(state)] = count
        return counts

    def get(self, conn: sqlite3.Connection, dedupe_key: str) -> Job | None:
        row = conn.execute(
            "SELECT * FROM jobs WHERE kind = ? AND dedupe_key = ?", (self.kind, dedupe_key)
        ).fetchone()
        return None if row is None else Job.from_row(row)

    def next_ready_at(self, conn: sqlite3.Connection) -> float | None:
        """When the earliest pending job becomes ready, or None if there is none."""
        row = conn.execute(
            "SELECT MIN(not_before) FROM jobs WHERE kind = ? AND state = 'pending'"
            " AND not_before < ?",
            (self.kind, HELD),
        ).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def dedupe_keys(
        self,
        conn: sqlite3.Connection,
        *,
        prefix: str = "",
        states: Collection[JobState] = tuple(JobState),
    ) -> set[str]:
        """Every key this queue ever held that starts with ``prefix``, in one of ``states``
        (by default every key, in any state)."""
        wanted = [JobState(s).value for s in states]
        rows = conn.execute(
            f"SELECT dedupe_key FROM jobs WHERE kind = ? AND substr(dedupe_key, 1, ?) = ?"  # noqa: S608 - only placeholders
            f" AND state IN ({', '.join('?' * len(wanted))})",
            (self.kind, len(prefix), prefix, *wanted),
        )
        return {str(row[0]) for row in rows}

    def page(self, conn: sqlite3.Connection, *, after_id: int = 0, limit: int) -> list[Job]:
        """Jobs in the order they were added, ``limit`` at a time after the id ``after_id``."""
        rows = conn.execute(
            "SELECT * FROM jobs WHERE kind = ? AND id > ? ORDER BY id LIMIT ?",
            (self.kind, after_id, limit),
        ).fetchall()
        return [Job.from_row(row) for row in rows]

    def count(
        self,
        conn: sqlite3.Connection,
        *,
        prefix: str = "",
        states: Collection[JobState] = tuple(JobState),
    ) -> int:
        """Jobs whose dedupe key starts with ``prefix``, in one of ``states``."""
        wanted = [JobState(s).value for s in states]
        row = conn.execute(
            f"SELECT COUNT(*) FROM jobs WHERE kind = ? AND substr(dedupe_key, 1, ?) = ?"  # noqa: S608 - only placeholders
            f" AND state IN ({', '.join('?' * len(wanted))})",
            (self.kind, len(prefix), prefix, *wanted),
        ).fetchone()
        return int(row[0])

    def payload_values(
        self, conn: sqlite3.Connection, fields: Sequence[str], *, states: Collection[JobState]
    ) -> list[tuple[Any, ...]]:
        """The named top-level payload fields of every job in one of ``states``."""
        paths = [_payload_path(name) for name in fields]
        wanted = [JobState(s).value for s in states]
        columns = ", ".join("json_extract(payload, ?)" for _ in paths)
        rows = conn.execute(
            f"SELECT {columns} FROM jobs WHERE kind = ?"  # noqa: S608 - only placeholders
            f" AND state IN ({', '.join('?' * len(wanted))})",
            (*paths, self.kind, *wanted),
        ).fetchall()
        return [tuple(row) for row in rows]

    def ended_since(
        self, conn: sqlite3.Connection, field: str, *, since: float
    ) -> list[tuple[Any, float]]:
        """(payload ``field``, when) of every job that ended ``done`` or ``failed`` after
        ``since``, oldest first."""
        rows = conn.execute(
            "SELECT json_extract(payload, ?), updated_at FROM jobs WHERE kind = ?"
            " AND state IN ('done', 'failed') AND updated_at > ? ORDER BY updated_at",
            (_payload_path(field), self.kind, since),
        ).fetchall()
        return [(value, float(at)) for value, at in rows]


def _payload_path(field: str) -> str:
    if not field.isidentifier():
        raise ValueError(f"not a payload field name: {field[:40]!r}")
    return f"$.{field}"


def active_depths(conn: sqlite3.Connection) -> dict[tuple[str, JobState], int]:
    """Jobs pending or running, per queue kind and state (absent when zero)."""
    rows = conn.execute(
        "SELECT kind, state, COUNT(*) FROM jobs WHERE state IN ('pending', 'running')"
        " GROUP BY kind, state"
    ).fetchall()
    return {(str(kind), JobState(state)): int(n) for kind, state, n in rows}


def quarantined_count(conn: sqlite3.Connection) -> int:
    """Jobs of every queue quarantined as poison."""
    return int(conn.execute("SELECT COUNT(*) FROM jobs WHERE state = 'quarantined'").fetchone()[0])


#: Every queue the node runs, declared once. Pairs found by the index keeper, worked by
#: the negotiator pool (dedupe key: the pair key).
NEGOTIATIONS = JobQueue("negotiation")
#: Entries to publish, drained by the chain writer (proposals, payout claims).
CHAIN_OUTBOX = JobQueue("chain_outbox")
#: Disputes whose clarification the configured LLM writes, after the follower's commit
#: (dedupe key: the dispute id; worked by the dispute handler).
DISPUTE_CLARIFICATIONS = JobQueue("dispute_clarification")
