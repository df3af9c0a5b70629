"""The chain follower's tables (component ``chain``) and every query on them.

``chain_cursor``: the next block to read, the hash of the one before it, resets seen.
``chain_blocks``: the hash of every block read (to find the common prefix after a fork).
``chain_events``: every protocol entry seen (proposals, responses, flags...), raw.
``chain_quarantine``: entries and pages that were refused or kept failing, with the reason.
``chain_deferred``: intents over their author's intake budget, waiting their turn.
``chain_skipped``: entries seen and not taken (no intent metadata, ambiguous prose, another
protocol version), by reason.

Every function takes the caller's connection and joins its transaction; each is one or two
indexed statements.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mediator_actors.model import EntryKind, EntryRef, Intent, IntentType
from mediator_actors.store.database import Migration

MIGRATIONS = (
    Migration(
        "chain",
        1,
        (
            """CREATE TABLE chain_cursor (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                next_index INTEGER NOT NULL,
                last_hash TEXT,
                resets INTEGER NOT NULL DEFAULT 0,
                updated_at REAL NOT NULL
            )""",
            "CREATE TABLE chain_blocks (idx INTEGER PRIMARY KEY, hash TEXT NOT NULL)",
            """CREATE TABLE chain_events (
                ref TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                author TEXT NOT NULL,
                block_index INTEGER,
                raw TEXT NOT NULL,
                first_seen_at REAL NOT NULL,
                updated_at REAL NOT NULL
            )""",
            "CREATE INDEX chain_events_kind ON chain_events (kind, block_index)",
            """CREATE TABLE chain_quarantine (
                key TEXT PRIMARY KEY,
                ref TEXT,
                block_index INTEGER,
                reason TEXT NOT NULL,
                detail TEXT,
                preview TEXT,
                attempts INTEGER NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('retrying', 'quarantined')),
                first_seen_at REAL NOT NULL,
                updated_at REAL NOT NULL
            )""",
            """CREATE TABLE chain_deferred (
                seq INTEGER PRIMARY KEY,
                ref TEXT NOT NULL UNIQUE,
                author TEXT NOT NULL,
                raw TEXT NOT NULL,
                queued_at REAL NOT NULL
            )""",
        ),
    ),
    Migration(
        "chain",
        2,
        (
            # Entries seen and not taken (no intent metadata, ambiguous prose, another
            # protocol version), one row per entry so a pending entry seen again when
            # mined is counted once; /api/v1/stats counts them by reason.
            """CREATE TABLE chain_skipped (
                ref TEXT PRIMARY KEY,
                reason TEXT NOT NULL,
                block_index INTEGER,
                first_seen_at REAL NOT NULL
            )""",
            "CREATE INDEX chain_skipped_reason ON chain_skipped (reason)",
        ),
    ),
    Migration(
        "chain",
        3,
        (
            # What blocks a fork replaced carried (intents and protocol events, by ref):
            # 'lost' until the new branch is read; then 'found' (re-mined or pending again)
            # or 'gone' (retired: lifecycle rule 5). Kept as the record of the fork.
            """CREATE TABLE chain_lost (
                ref TEXT PRIMARY KEY,
                block_index INTEGER NOT NULL,
                reason TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('lost', 'found', 'gone')),
                lost_at REAL NOT NULL,
                settled_at REAL
            )""",
            "CREATE INDEX chain_lost_state ON chain_lost (state)",
        ),
    ),
)


# --------------------------------------------------------------------------- cursor


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the follower is: the next block index, the hash of the block before it."""

    next_index: int = 0
    last_hash: str | None = None
    resets: int = 0
    #: False until the follower committed its first block
    stored: bool = False


def read_cursor(conn: sqlite3.Connection) -> Cursor:
    row = conn.execute("SELECT next_index, last_hash, resets FROM chain_cursor").fetchone()
    return Cursor() if row is None else Cursor(row[0], row[1], row[2], stored=True)


def advance_cursor(
    conn: sqlite3.Connection, next_index: int, last_hash: str | None, *, now: float
) -> None:
    conn.execute(
        "INSERT INTO chain_cursor (id, next_index, last_hash, updated_at) VALUES (1, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET next_index = excluded.next_index,"
        " last_hash = excluded.last_hash, updated_at = excluded.updated_at",
        (next_index, last_hash, now),
    )


def rewind_cursor(
    conn: sqlite3.Connection, next_index: int, last_hash: str | None, *, now: float
) -> None:
    """Move the cursor back after a reset or fork, counting the reset."""
    conn.execute(
        "INSERT INTO chain_cursor (id, next_index, last_hash, resets, updated_at)"
        " VALUES (1, ?, ?, 1, ?) ON CONFLICT (id) DO UPDATE SET next_index = excluded.next_index,"
        " last_hash = excluded.last_hash, resets = resets + 1, updated_at = excluded.updated_at",
        (next_index, last_hash, now),
    )


# --------------------------------------------------------------------------- blocks


def record_block(conn: sqlite3.Connection, index: int, block_hash: str) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO chain_blocks (idx, hash) VALUES (?, ?)", (index, block_hash)
    )


def block_hashes(conn: sqlite3.Connection, *, since: int) -> dict[int, str]:
    """The stored hash of the genesis block and of every block from ``since`` on."""
    rows = conn.execute(
        "SELECT idx, hash FROM chain_blocks WHERE idx = 0 OR idx >= ?", (since,)
    ).fetchall()
    return {int(idx): str(block_hash) for idx, block_hash in rows}


def forget_blocks_after(conn: sqlite3.Connection, fork: int, *, now: float) -> None:
    """Blocks after ``fork`` are gone: drop their hashes, mark their events and waiting
    intents unmined (the intents table has its own :func:`store.intents.unmine_after`)."""
    conn.execute("DELETE FROM chain_blocks WHERE idx > ?", (fork,))
    conn.execute(
        "UPDATE chain_events SET block_index = NULL, updated_at = ? WHERE block_index > ?",
        (now, fork),
    )
    conn.execute(
        "UPDATE chain_deferred SET raw = json_set(raw, '$.block_index', NULL)"
        " WHERE json_extract(raw, '$.block_index') > ?",
        (fork,),
    )


# --------------------------------------------------------------------------- events


def save_event(
    conn: sqlite3.Connection,
    *,
    ref: str,
    kind: EntryKind,
    author: str,
    block_index: int | None,
    raw: str,
    now: float,
) -> bool:
    """Store a protocol entry unless known; True if it is new."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO chain_events (ref, kind, author, block_index, raw, first_seen_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (ref, kind.value, author, block_index, raw, now, now),
    )
    return cursor.rowcount == 1


def mark_event_mined(conn: sqlite3.Connection, ref: str, block_index: int, *, now: float) -> bool:
    """A pending event was mined; True if it was pending until now."""
    cursor = conn.execute(
        "UPDATE chain_events SET block_index = ?, updated_at = ? WHERE ref = ?"
        " AND block_index IS NULL",
        (block_index, now, ref),
    )
    return cursor.rowcount == 1


def count_flags(conn: sqlite3.Connection, intent_ref: str) -> int:
    """Distinct mediators whose mined flag names ``intent_ref``. Signatures are NOT
    verified here; the settlement side must verify before trusting the count."""
    row = conn.execute(
        "SELECT COUNT(DISTINCT json_extract(raw, '$.metadata.mediator_id')) FROM chain_events"
        " WHERE kind = 'flag' AND block_index IS NOT NULL"
        " AND json_extract(raw, '$.metadata.intent_ref') = ?",
        (intent_ref,),
    ).fetchone()
    return int(row[0])


# --------------------------------------------------------------------------- quarantine


def quarantine_attempts(conn: sqlite3.Connection, key: str) -> int:
    """Attempts recorded for ``key`` so far (0 when it never failed)."""
    row = conn.execute("SELECT attempts FROM chain_quarantine WHERE key = ?", (key,)).fetchone()
    return 0 if row is None else int(row[0])


def record_quarantine(
    conn: sqlite3.Connection,
    *,
    key: str,
    ref: str | None,
    block_index: int | None,
    reason: str,
    detail: str,
    now: float,
    final: bool,
    preview: str = "",
) -> bool:
    """Record an attempt; True when the row is (newly) quarantined."""
    row = conn.execute(
        "SELECT attempts, state FROM chain_quarantine WHERE key = ?", (key,)
    ).fetchone()
    state = "quarantined" if final else "retrying"
    if row is None:
        conn.execute(
            "INSERT INTO chain_quarantine (key, ref, block_index, reason, detail, preview, attempts,"
            " state, first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
            (key, ref, block_index, reason, detail, preview, state, now, now),
        )
        return final
    if row["state"] == "quarantined":
        if block_index is not None:  # a pending reject now mined: remember where
            conn.execute(
                "UPDATE chain_quarantine SET block_index = ? WHERE key = ?", (block_index, key)
            )
        return False
    conn.execute(
        "UPDATE chain_quarantine SET attempts = attempts + 1, state = ?, reason = ?, detail = ?,"
        " updated_at = ? WHERE key = ?",
        (state, reason, detail, now, key),
    )
    return final


def quarantine_size(conn: sqlite3.Connection) -> int:
    """Rows in the chain quarantine (retrying or quarantined for good)."""
    return int(conn.execute("SELECT COUNT(*) FROM chain_quarantine").fetchone()[0])


def quarantined_by_reason(conn: sqlite3.Connection) -> dict[str, int]:
    """Entries quarantined for good, by their reason code."""
    rows = conn.execute(
        "SELECT reason, COUNT(*) FROM chain_quarantine WHERE state = 'quarantined' GROUP BY reason"
    ).fetchall()
    return {str(reason): int(n) for reason, n in rows}


# --------------------------------------------------------------------------- skipped


def record_skipped(
    conn: sqlite3.Connection, ref: str, reason: str, *, block_index: int | None, now: float
) -> bool:
    """Note an entry seen and not taken; True the first time it is seen."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO chain_skipped (ref, reason, block_index, first_seen_at)"
        " VALUES (?, ?, ?, ?)",
        (ref, reason, block_index, now),
    )
    return cursor.rowcount == 1


def entries_not_taken(conn: sqlite3.Connection) -> dict[str, int]:
    """Entries seen and not taken, by reason: skipped kinds and quarantined entries."""
    counts: dict[str, int] = {}
    for reason, count in conn.execute("SELECT reason, COUNT(*) FROM chain_skipped GROUP BY 1"):
        counts[str(reason)] = int(count)
    for reason, count in conn.execute(
        "SELECT reason, COUNT(*) FROM chain_quarantine WHERE state = 'quarantined' GROUP BY 1"
    ):
        key = f"quarantined:{reason}"
        counts[key] = counts.get(key, 0) + int(count)
    return counts


def count_v1_events(conn: sqlite3.Connection) -> int:
    """Events stored under protocol v1 refs (64-hex, no underscore)."""
    row = conn.execute(
        "SELECT COUNT(*) FROM chain_events WHERE ref NOT LIKE '%\\_%' ESCAPE '\\'"
    ).fetchone()
    return int(row[0])


# --------------------------------------------------------------------------- deferred intake


@dataclass(frozen=True, slots=True)
class DeferredIntent:
    """An intent waiting for its author's intake budget, in arrival order (``seq``)."""

    seq: int
    intent: Intent


def is_deferred(conn: sqlite3.Connection, ref: str) -> bool:
    return conn.execute("SELECT 1 FROM chain_deferred WHERE ref = ?", (ref,)).fetchone() is not None


def defer_intent(conn: sqlite3.Connection, intent: Intent, *, now: float) -> None:
    conn.execute(
        "INSERT INTO chain_deferred (ref, author, raw, queued_at) VALUES (?, ?, ?, ?)",
        (intent.ref, intent.author, json.dumps(intent_to_json(intent)), now),
    )


def update_deferred(conn: sqlite3.Connection, intent: Intent) -> None:
    """A waiting intent was seen again (mined meanwhile): keep the newer copy."""
    conn.execute(
        "UPDATE chain_deferred SET raw = ? WHERE ref = ?",
        (json.dumps(intent_to_json(intent)), intent.ref),
    )


def deferred_intents(conn: sqlite3.Connection, *, limit: int) -> list[DeferredIntent]:
    """The oldest ``limit`` waiting intents, in arrival order."""
    rows = conn.execute(
        "SELECT seq, raw FROM chain_deferred ORDER BY seq LIMIT ?", (limit,)
    ).fetchall()
    return [DeferredIntent(int(seq), intent_from_json(json.loads(raw))) for seq, raw in rows]


def admit_deferred(conn: sqlite3.Connection, seq: int) -> None:
    """The intent's turn came: it leaves the waiting table (the caller stores it)."""
    conn.execute("DELETE FROM chain_deferred WHERE seq = ?", (seq,))


def count_deferred(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM chain_deferred").fetchone()[0])


def intent_to_json(intent: Intent) -> dict[str, Any]:
    """A waiting intent as stored in ``chain_deferred.raw``."""
    return {
        "ref": intent.ref,
        "author": intent.author,
        "type": intent.type.value,
        "content": intent.content,
        "timestamp": intent.timestamp,
        "desires": list(intent.desires),
        "constraints": list(intent.constraints),
        "offered_fee": intent.offered_fee,
        "branch": intent.branch,
        "block_index": intent.block_index,
        "injection_findings": list(intent.injection_findings),
    }


def intent_from_json(doc: dict[str, Any]) -> Intent:
    """The inverse of :func:`intent_to_json`."""
    return Intent(
        ref=EntryRef(doc["ref"]),
        author=doc["author"],
        type=IntentType(doc["type"]),
        content=doc["content"],
        timestamp=doc["timestamp"],
        desires=tuple(doc["desires"]),
        constraints=tuple(doc["constraints"]),
        offered_fee=doc["offered_fee"],
        branch=doc["branch"],
        block_index=doc["block_index"],
        injection_findings=tuple(doc["injection_findings"]),
    )


# --------------------------------------------------------------------------- forks


def events_mined_after(conn: sqlite3.Connection, block_index: int) -> dict[str, int]:
    """Protocol events mined in a block after ``block_index``: ref -> block."""
    return {
        str(r[0]): int(r[1])
        for r in conn.execute(
            "SELECT ref, block_index FROM chain_events WHERE block_index > ?", (block_index,)
        )
    }


def record_lost(conn: sqlite3.Connection, lost: dict[str, int], reason: str, *, now: float) -> None:
    """Note what a fork's replaced blocks carried (ref -> its lost block), until the new
    branch says whether each is on the chain again. A ref lost again restarts as lost."""
    conn.executemany(
        "INSERT INTO chain_lost (ref, block_index, reason, state, lost_at) VALUES (?, ?, ?, 'lost', ?)"
        " ON CONFLICT (ref) DO UPDATE SET block_index = excluded.block_index,"
        " reason = excluded.reason, state = 'lost', lost_at = excluded.lost_at, settled_at = NULL",
        [(ref, index, reason, now) for ref, index in lost.items()],
    )


def found_again(conn: sqlite3.Connection, refs: Sequence[str], *, now: float) -> int:
    """Lost refs seen again (re-mined, or pending again): never retired. How many."""
    found = 0
    for ref in refs:
        found += conn.execute(
            "UPDATE chain_lost SET state = 'found', settled_at = ? WHERE ref = ? AND state = 'lost'",
            (now, ref),
        ).rowcount
    return found


def any_lost(conn: sqlite3.Connection) -> bool:
    """Whether refs a fork replaced still wait for the new branch."""
    row = conn.execute("SELECT 1 FROM chain_lost WHERE state = 'lost' LIMIT 1").fetchone()
    return row is not None


def take_gone(conn: sqlite3.Connection, *, now: float) -> dict[str, str]:
    """Every ref still lost once the new branch was read: now gone (ref -> reason)."""
    gone = {
        str(r[0]): str(r[1])
        for r in conn.execute("SELECT ref, reason FROM chain_lost WHERE state = 'lost'")
    }
    conn.execute(
        "UPDATE chain_lost SET state = 'gone', settled_at = ? WHERE state = 'lost'", (now,)
    )
    return gone
