"""The follower's tables, result values and pure helpers (split from ``follower``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mediator_actors.chain import codec, flags
from mediator_actors.chain.prose import read_prose
from mediator_actors.model import (
    PROTOCOL,
    ChainEntry,
    EntryKind,
    EntryRef,
    Intent,
    IntentType,
    canonical_json,
)
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
    # The follower verifies and counts flags in its own transaction (chain/flags.py owns it).
    *flags.MIGRATIONS,
)


class ChainReader(Protocol):
    def latest_block(self) -> codec.LatestBlock: ...
    def block(self, index: int) -> codec.Block: ...
    def pending(self) -> codec.EntryPage: ...
    def entries_by_author(self, author: str) -> codec.EntryPage: ...


@dataclass(frozen=True, slots=True)
class IntakeLimit:
    """At most ``per_author`` new intents per author per ``window`` seconds; the rest wait."""

    per_author: int = 30
    window: float = 60.0


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll changed, for the actor to announce after the commit."""

    new_intents: tuple[EntryRef, ...] = ()
    new_intent_authors: dict[EntryRef, str] = field(default_factory=dict)
    new_events: dict[EntryKind, tuple[EntryRef, ...]] = field(default_factory=dict)
    #: Entries that are now known to be mined (first seen mined, or pending before):
    #: closure and challenge outcomes are decided from mined entries only.
    mined_intents: tuple[EntryRef, ...] = ()
    mined_events: dict[EntryKind, tuple[EntryRef, ...]] = field(default_factory=dict)
    archived: tuple[EntryRef, ...] = ()
    quarantined: tuple[str, ...] = ()
    #: what ``on_mined_block`` decided (settlement transitions), committed with the cursor
    decided: tuple[Any, ...] = ()
    deferred: int = 0
    blocks: int = 0
    next_index: int = 0
    caught_up: bool = True
    reset: bool = False
    error: str | None = None
    retry_in: float = 0.0
    #: the chain (or our own request budget) asked us to wait: back-pressure, not a fault
    busy: bool = False
    #: the follower already logged the error (at most once a minute): do not repeat it
    logged: bool = False

    @property
    def idle(self) -> bool:
        """Nothing new this poll: the listener may wait longer before the next one."""
        return (
            self.error is None
            and self.caught_up
            and not (self.blocks or self.new_intents or self.new_events or self.decided)
        )


_SETTLEMENT_KINDS = frozenset(
    {
        EntryKind.PROPOSAL,
        EntryKind.RESPONSE,
        EntryKind.CHALLENGE,
        EntryKind.CHALLENGE_RESOLUTION,
        EntryKind.PAYOUT,
        EntryKind.FLAG,
    }
)


def skip_reason(entry: ChainEntry) -> str:
    """Why an entry of no protocol kind is not taken (for ``/api/v1/stats``)."""
    metadata = entry.metadata
    contract_type = metadata.get("contract_type")
    if contract_type in ("offer", "seek"):
        return "offer_or_seek_without_is_contract"
    if contract_type is not None:
        return "unknown_contract_type"
    return "no_intent_metadata"


def prepare_entry(entry: ChainEntry, max_flags: int, plain_prose: bool = False) -> Any:
    """CPU part of ingesting one entry: ("intent", Intent, reason) / ("event", kind, raw) /
    ("skip", reason). With ``plain_prose``, an entry without intent metadata whose prose
    clearly is an offer or a seek becomes an intent (:mod:`mediator_actors.chain.prose`)."""
    kind = codec.classify(entry)
    if kind is EntryKind.INTENT:
        intent = codec.to_intent(entry)
        assert intent is not None
        # Declined for a prompt-injection attempt: archived, and flagged by this node.
        declined = flags.decline_reason(intent)
        return ("intent", intent, codec.unalignable_reason(intent, 0, max_flags) or declined)
    if kind is EntryKind.OTHER:
        reason = skip_reason(entry)
        if plain_prose and reason == "no_intent_metadata":
            reading = read_prose(entry.content)
            if reading.type is None:
                return ("skip", reading.reason)
            intent = codec.to_intent(entry, as_type=reading.type)
            assert intent is not None
            return ("intent", intent, codec.unalignable_reason(intent, 0, max_flags))
        return ("skip", reason)
    protocol = entry.metadata.get("protocol")
    if kind in _SETTLEMENT_KINDS and protocol is not None and protocol != PROTOCOL:
        return ("skip", "other_protocol")  # protocol.md: entries of other versions are ignored
    raw = {
        "author": entry.author,
        "content": entry.content,
        "intent": entry.intent,
        "timestamp": entry.timestamp,
        "metadata": entry.metadata,
    }
    return ("event", kind, canonical_json(raw).decode("utf-8"))


def prepare_entries(
    entries: Sequence[ChainEntry], max_flags: int, plain_prose: bool = False
) -> list[tuple[ChainEntry, Any]]:
    out: list[tuple[ChainEntry, Any]] = []
    for entry in entries:
        try:
            out.append((entry, prepare_entry(entry, max_flags, plain_prose)))
        except Exception as exc:  # noqa: BLE001 - one bad entry must not stop the page
            out.append((entry, exc))
    return out


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


def intent_to_json(intent: Intent) -> dict[str, Any]:
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


#: (table, column) pairs that hold protocol ids. A v1 store has 64-hex values there.
_ID_COLUMNS = (
    ("intents", "ref"),
    ("chain_events", "ref"),
    ("settlements", "settlement_id"),
)


def v1_store_problem(conn: sqlite3.Connection) -> str | None:
    """Why this store cannot be used by a v2 node (it holds protocol v1 ids), or None.

    v1 had no deployments (protocol.md), so there is nothing to convert: a v1 store's
    settlements were signed over 64-hex ids no default chain ever returned intact, and
    its intents are found again under v2 refs by reading the chain from genesis. The
    node refuses to start on one rather than mix the two; the operator moves DATA_DIR
    aside (keeping it as a record) and starts with an empty one.
    """
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for table, column in _ID_COLUMNS:
        if table not in tables:
            continue
        row = conn.execute(
            f"SELECT COUNT(*) FROM {table} WHERE {column} NOT LIKE '%\\_%' ESCAPE '\\'"  # noqa: S608 - fixed names
        ).fetchone()
        if row[0]:
            return (
                f"the store holds {row[0]} protocol v1 {table} rows (64-hex ids, which the "
                "chain's secret scanner redacts); this node speaks nlc-mediator/2 and v1 "
                "had no deployments to convert: move DATA_DIR aside (keep it as a record) "
                "and start again with an empty one; the chain is re-read under v2"
            )
    return None


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


def record_lost(conn: sqlite3.Connection, lost: dict[str, int], reason: str, *, now: float) -> None:
    """Note what a fork's replaced blocks carried (ref -> its lost block), until the new
    branch says whether each is on the chain again. A ref lost again restarts as lost."""
    conn.executemany(
        "INSERT INTO chain_lost (ref, block_index, reason, state, lost_at) VALUES (?, ?, ?, 'lost', ?)"
        " ON CONFLICT (ref) DO UPDATE SET block_index = excluded.block_index,"
        " reason = excluded.reason, state = 'lost', lost_at = excluded.lost_at, settled_at = NULL",
        [(ref, index, reason, now) for ref, index in lost.items()],
    )


def events_mined_after(conn: sqlite3.Connection, block_index: int) -> dict[str, int]:
    """Protocol events mined in a block after ``block_index``: ref -> block."""
    return {
        str(r[0]): int(r[1])
        for r in conn.execute(
            "SELECT ref, block_index FROM chain_events WHERE block_index > ?", (block_index,)
        )
    }


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
    return (
        conn.execute("SELECT 1 FROM chain_lost WHERE state = 'lost' LIMIT 1").fetchone() is not None
    )


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
