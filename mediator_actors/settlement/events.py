"""The settlement event log: every mined settlement entry applied, in chain order, with its
effect, plus the quarantine and the chain-time high-water mark.

Each function takes the caller's connection and is one or two indexed statements.
"""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from mediator_actors.model import ChainEntry, EntryRef

logger = logging.getLogger(__name__)

COUNTED = "counted"
#: Waiting for what it refers to (a proposal, a challenge) to be mined; replayed then.
PENDING = "pending"


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


def already_applied(conn: sqlite3.Connection, ref: EntryRef) -> bool:
    """True when the entry was applied or quarantined before (re-application is a no-op)."""
    for table in ("settlement_events", "settlement_quarantine"):
        query = f"SELECT 1 FROM {table} WHERE entry_ref = ?"  # noqa: S608 - fixed names
        if conn.execute(query, (ref,)).fetchone() is not None:
            return True
    return False


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


def pending_events(conn: sqlite3.Connection, where: str, params: tuple[str, ...]) -> list[Event]:
    """Pending events matching ``where`` (a fixed clause of the caller's), in chain order."""
    rows = conn.execute(
        f"SELECT * FROM settlement_events WHERE effect = '{PENDING}' AND {where}"  # noqa: S608
        " ORDER BY seq",
        params,
    ).fetchall()
    return [Event.from_row(row) for row in rows]


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
