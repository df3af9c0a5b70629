"""The settlement event log (tables ``settlement_events``, ``settlement_quarantine``,
``settlement_clock``): every mined settlement entry applied, in chain order, with its
effect, plus the quarantine and the chain-time high-water mark.

Each function takes the caller's connection and is one or two indexed statements.
"""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mediator_actors.model import ChainEntry, EntryRef

logger = logging.getLogger(__name__)

COUNTED = "counted"
#: Waiting for what it refers to (a proposal, a challenge) to be mined; replayed then.
PENDING = "pending"


#: The event log's tables; created by the ``settlements`` component's first migration
#: (:data:`mediator_actors.settlement.records.MIGRATIONS`).
TABLES: tuple[str, ...] = (
    """CREATE TABLE settlement_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_ref TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        settlement_id TEXT,
        challenge_id TEXT,
        author TEXT NOT NULL,
        value TEXT,
        block_index INTEGER NOT NULL,
        chain_time REAL NOT NULL,
        effect TEXT NOT NULL,
        recorded_at REAL NOT NULL
    )""",
    "CREATE INDEX settlement_events_settlement ON settlement_events (settlement_id, effect)",
    "CREATE INDEX settlement_events_challenge ON settlement_events (challenge_id, effect)",
    """CREATE TABLE settlement_quarantine (
        entry_ref TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        author TEXT NOT NULL,
        block_index INTEGER,
        reason TEXT NOT NULL,
        recorded_at REAL NOT NULL
    )""",
    """CREATE TABLE settlement_clock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        chain_time REAL NOT NULL
    )""",
)


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    kind: str
    settlement_id: str | None
    challenge_id: str | None
    author: str
    value: str | None
    block_index: int
    chain_time: float

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Event:
        return cls(
            row["seq"],
            row["kind"],
            row["settlement_id"],
            row["challenge_id"],
            row["author"],
            row["value"],
            row["block_index"],
            row["chain_time"],
        )


def advance_clock(conn: sqlite3.Connection, timestamp: float) -> float:
    """Chain time after a block with ``timestamp``: the largest timestamp seen so far, so a
    back-dated block cannot reopen a deadline. A non-finite timestamp moves nothing."""
    row = conn.execute("SELECT chain_time FROM settlement_clock WHERE id = 1").fetchone()
    current = float(row[0]) if row is not None else 0.0
    valid = isinstance(timestamp, int | float) and math.isfinite(timestamp)
    chain_time = max(current, float(timestamp)) if valid else current
    conn.execute(
        "INSERT INTO settlement_clock (id, chain_time) VALUES (1, ?)"
        " ON CONFLICT (id) DO UPDATE SET chain_time = excluded.chain_time",
        (chain_time,),
    )
    return chain_time


def chain_clock(conn: sqlite3.Connection) -> float:
    """The chain time reached so far (0 before any block), without moving it."""
    row = conn.execute("SELECT chain_time FROM settlement_clock WHERE id = 1").fetchone()
    return float(row[0]) if row is not None else 0.0


def already_applied(conn: sqlite3.Connection, ref: EntryRef) -> bool:
    """True when the entry was applied or quarantined before (re-application is a no-op)."""
    if conn.execute("SELECT 1 FROM settlement_events WHERE entry_ref = ?", (ref,)).fetchone():
        return True
    row = conn.execute("SELECT 1 FROM settlement_quarantine WHERE entry_ref = ?", (ref,))
    return row.fetchone() is not None


def add_event(
    conn: sqlite3.Connection,
    entry: ChainEntry,
    chain_time: float,
    *,
    kind: str,
    now: float,
    settlement_id: str | None = None,
    challenge_id: str | None = None,
    value: str | None = None,
) -> Event:
    """Log a mined entry as ``pending``; its handler sets the effect."""
    cursor = conn.execute(
        "INSERT INTO settlement_events (entry_ref, kind, settlement_id, challenge_id, author,"
        " value, block_index, chain_time, effect, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            entry.ref,
            kind,
            settlement_id,
            challenge_id,
            entry.author,
            value,
            entry.block_index,
            chain_time,
            PENDING,
            now,
        ),
    )
    return Event(
        seq=int(cursor.lastrowid or 0),
        kind=kind,
        settlement_id=settlement_id,
        challenge_id=challenge_id,
        author=entry.author,
        value=value,
        block_index=int(entry.block_index or 0),
        chain_time=chain_time,
    )


def set_effect(conn: sqlite3.Connection, seq: int, effect: str) -> None:
    conn.execute("UPDATE settlement_events SET effect = ? WHERE seq = ?", (effect, seq))


def _in(values: Sequence[str]) -> str:
    return ", ".join("?" * len(values))


def pending_for_settlement(
    conn: sqlite3.Connection, settlement_id: str, challenge_ids: Sequence[str]
) -> list[Event]:
    """Pending events of one settlement or of its challenges, in chain order."""
    rows = conn.execute(
        "SELECT * FROM settlement_events WHERE effect = ? AND (settlement_id = ?"  # noqa: S608 - only placeholders
        f" OR challenge_id IN ({_in(challenge_ids)})) ORDER BY seq",
        (PENDING, settlement_id, *challenge_ids),
    ).fetchall()
    return [Event.from_row(row) for row in rows]


def pending_resolutions(conn: sqlite3.Connection, challenge_id: str) -> list[Event]:
    """Pending resolutions of one challenge, in chain order."""
    rows = conn.execute(
        "SELECT * FROM settlement_events WHERE effect = ? AND kind = 'resolution'"
        " AND challenge_id = ? ORDER BY seq",
        (PENDING, challenge_id),
    ).fetchall()
    return [Event.from_row(row) for row in rows]


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One applied entry as the log shows it, with its effect."""

    seq: int
    entry_ref: str
    kind: str
    author: str
    value: str | None
    block_index: int
    chain_time: float
    effect: str


def settlement_log(
    conn: sqlite3.Connection, settlement_id: str, challenge_ids: Sequence[str]
) -> list[LoggedEvent]:
    """The entries applied to one settlement or its challenges, in chain order."""
    rows = conn.execute(
        "SELECT seq, entry_ref, kind, author, value, block_index, chain_time, effect"  # noqa: S608 - only placeholders
        f" FROM settlement_events WHERE settlement_id = ? OR challenge_id IN ({_in(challenge_ids)})"
        " ORDER BY seq",
        (settlement_id, *challenge_ids),
    ).fetchall()
    return [LoggedEvent(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class QuarantinedEntry:
    """A settlement entry that cannot be used, and why."""

    entry_ref: str
    kind: str
    author: str
    block_index: int | None
    reason: str


def list_quarantine(conn: sqlite3.Connection, *, limit: int = 100) -> list[QuarantinedEntry]:
    """The most recently quarantined settlement entries first."""
    rows = conn.execute(
        "SELECT entry_ref, kind, author, block_index, reason FROM settlement_quarantine"
        " ORDER BY recorded_at DESC LIMIT ?",
        (max(1, min(limit, 1000)),),
    ).fetchall()
    return [QuarantinedEntry(*row) for row in rows]


def quarantine_size(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM settlement_quarantine").fetchone()[0])


def quarantine_by_kind(conn: sqlite3.Connection) -> dict[str, int]:
    """Quarantined settlement entries, by the kind of entry."""
    rows = conn.execute("SELECT kind, COUNT(*) FROM settlement_quarantine GROUP BY kind")
    return {str(kind): int(n) for kind, n in rows}


def quarantine(
    conn: sqlite3.Connection, entry: ChainEntry, kind: str, reason: str, *, now: float
) -> None:
    """Keep a malformed settlement entry's ref and the reason it cannot be used."""
    logger.info("settlement: quarantined a %s entry: %s", kind, reason)
    conn.execute(
        "INSERT OR IGNORE INTO settlement_quarantine (entry_ref, kind, author, block_index,"
        " reason, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
        (entry.ref, kind, str(entry.author)[:256], entry.block_index, reason, now),
    )


def settlements_of_entries(conn: sqlite3.Connection, refs: Iterable[str]) -> set[str]:
    """The settlements the applied entries among ``refs`` were about (responses, challenges,
    resolutions, payouts, proposals)."""
    found: set[str] = set()
    for ref in refs:
        row = conn.execute(
            "SELECT settlement_id FROM settlement_events WHERE entry_ref = ?"
            " AND settlement_id IS NOT NULL",
            (ref,),
        ).fetchone()
        if row is not None:
            found.add(str(row[0]))
    return found
