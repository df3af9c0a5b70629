"""The follower's tables, result values and pure helpers (split from ``follower``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mediator_actors.chain import codec
from mediator_actors.model import (
    ChainEntry,
    EntryKind,
    EntryRef,
    Intent,
    IntentType,
    canonical_json,
)
from mediator_actors.settlement.interface import Transition
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
)


class ChainReader(Protocol):
    def latest_block(self) -> codec.LatestBlock: ...
    def block(self, index: int) -> codec.Block: ...
    def pending(self) -> codec.EntryPage: ...


@dataclass(frozen=True, slots=True)
class IntakeLimit:
    """At most ``per_author`` new intents per author per ``window`` seconds; the rest wait."""

    per_author: int = 30
    window: float = 60.0


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll changed, for the actor to announce after the commit."""

    new_intents: tuple[EntryRef, ...] = ()
    new_events: dict[EntryKind, tuple[EntryRef, ...]] = field(default_factory=dict)
    #: Entries that are now known to be mined (first seen mined, or pending before):
    #: closure and challenge outcomes are decided from mined entries only.
    mined_intents: tuple[EntryRef, ...] = ()
    mined_events: dict[EntryKind, tuple[EntryRef, ...]] = field(default_factory=dict)
    archived: tuple[EntryRef, ...] = ()
    quarantined: tuple[str, ...] = ()
    #: what the settlement lifecycle decided from the mined blocks, committed with the cursor
    decided: tuple[Transition, ...] = ()
    deferred: int = 0
    blocks: int = 0
    next_index: int = 0
    caught_up: bool = True
    reset: bool = False
    error: str | None = None
    retry_in: float = 0.0


def prepare_entry(entry: ChainEntry, max_flags: int) -> Any:
    """CPU part of ingesting one entry: ("intent", Intent, reason) / ("event", kind, raw) / None."""
    kind = codec.classify(entry)
    if kind is EntryKind.INTENT:
        intent = codec.to_intent(entry)
        assert intent is not None
        return ("intent", intent, codec.unalignable_reason(intent, 0, max_flags))
    if kind is EntryKind.OTHER:
        return None
    raw = {
        "author": entry.author,
        "content": entry.content,
        "intent": entry.intent,
        "timestamp": entry.timestamp,
        "metadata": entry.metadata,
    }
    return ("event", kind, canonical_json(raw).decode("utf-8"))


def prepare_entries(entries: Sequence[ChainEntry], max_flags: int) -> list[tuple[ChainEntry, Any]]:
    out: list[tuple[ChainEntry, Any]] = []
    for entry in entries:
        try:
            out.append((entry, prepare_entry(entry, max_flags)))
        except Exception as exc:  # noqa: BLE001 - one bad entry must not stop the page
            out.append((entry, exc))
    return out


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
