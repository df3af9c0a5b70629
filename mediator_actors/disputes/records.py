"""The dispute tables, ``disputes`` and ``dispute_entries``: their one owner.

Every statement on them is here, as a typed function over the caller's connection; the
dispute book (:mod:`mediator_actors.disputes.book`) calls them inside the chain follower's
transaction, the package writer and the API after it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mediator_actors.store.database import Migration

__all__ = [
    "MIGRATIONS",
    "DisputeRecord",
    "DisputeState",
    "dispute_entries",
    "dispute_outcomes",
    "entry_seen",
    "escalate",
    "escalated_entries",
    "escalated_ids",
    "escalated_without_package",
    "get_dispute",
    "has_unresolved",
    "list_disputes",
    "open_dispute",
    "orphan_unresolved",
    "orphan_unresolved_of",
    "own_clarification_seen",
    "record_entry",
    "resolve",
    "set_package_digest",
    "settlements_with_unresolved",
]

MIGRATIONS = (
    Migration(
        "disputes",
        1,
        (
            """CREATE TABLE disputes (
                dispute_id TEXT PRIMARY KEY,
                settlement_id TEXT NOT NULL,
                claimant TEXT NOT NULL,
                respondent TEXT NOT NULL,
                issue TEXT NOT NULL,
                desired_escalation TEXT,
                state TEXT NOT NULL CHECK (state IN ('open', 'escalated', 'resolved', 'orphaned')),
                authority TEXT,
                scope TEXT,
                outcome TEXT,
                resolved_by TEXT,
                opened_entry_ref TEXT NOT NULL,
                opened_block INTEGER NOT NULL,
                opened_chain_time REAL NOT NULL,
                escalated_seq INTEGER,
                resolved_block INTEGER,
                package_digest TEXT,
                updated_at REAL NOT NULL
            )""",
            "CREATE INDEX disputes_settlement ON disputes (settlement_id, state)",
            """CREATE TABLE dispute_entries (
                seq INTEGER PRIMARY KEY,
                entry_ref TEXT NOT NULL UNIQUE,
                dispute_id TEXT,
                kind TEXT NOT NULL,
                author TEXT NOT NULL,
                block_index INTEGER NOT NULL,
                chain_time REAL NOT NULL,
                entry_hash TEXT NOT NULL,
                content_hash TEXT,
                raw TEXT NOT NULL,
                effect TEXT NOT NULL
            )""",
            "CREATE INDEX dispute_entries_dispute ON dispute_entries (dispute_id, seq)",
        ),
    ),
)


class DisputeState(StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    ORPHANED = "orphaned"  # the chain was reset under it: retired, never reused


@dataclass(frozen=True, slots=True)
class DisputeRecord:
    dispute_id: str
    settlement_id: str
    claimant: str
    respondent: str
    issue: str
    desired_escalation: str | None
    state: DisputeState
    authority: str | None
    scope: tuple[str, ...]
    outcome: str | None
    resolved_by: str | None
    opened_entry_ref: str
    opened_block: int
    opened_chain_time: float
    escalated_seq: int | None
    resolved_block: int | None
    package_digest: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> DisputeRecord:
        return cls(
            dispute_id=row["dispute_id"],
            settlement_id=row["settlement_id"],
            claimant=row["claimant"],
            respondent=row["respondent"],
            issue=row["issue"],
            desired_escalation=row["desired_escalation"],
            state=DisputeState(row["state"]),
            authority=row["authority"],
            scope=tuple(json.loads(row["scope"] or "[]")),
            outcome=row["outcome"],
            resolved_by=row["resolved_by"],
            opened_entry_ref=row["opened_entry_ref"],
            opened_block=row["opened_block"],
            opened_chain_time=row["opened_chain_time"],
            escalated_seq=row["escalated_seq"],
            resolved_block=row["resolved_block"],
            package_digest=row["package_digest"],
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "dispute_id": self.dispute_id,
            "settlement_id": self.settlement_id,
            "claimant": self.claimant,
            "respondent": self.respondent,
            "issue": self.issue,
            "desired_escalation": self.desired_escalation,
            "state": self.state.value,
            "authority": self.authority,
            "scope": list(self.scope),
            "outcome": self.outcome,
            "resolved_by": self.resolved_by,
            "opened_entry_ref": self.opened_entry_ref,
            "opened_block": self.opened_block,
            "opened_chain_time": self.opened_chain_time,
            "resolved_block": self.resolved_block,
            "package_digest": self.package_digest,
        }


def get_dispute(conn: sqlite3.Connection, dispute_id: str) -> DisputeRecord | None:
    row = conn.execute("SELECT * FROM disputes WHERE dispute_id = ?", (dispute_id,)).fetchone()
    return None if row is None else DisputeRecord.from_row(row)


def list_disputes(
    conn: sqlite3.Connection,
    *,
    state: DisputeState | None = None,
    limit: int = 100,
    after: str | None = None,
) -> list[DisputeRecord]:
    """Disputes in id order after the cursor ``after``, optionally of one state."""
    params: list[object] = [after or ""]
    where = "dispute_id > ?"
    if state is not None:
        where += " AND state = ?"
        params.append(DisputeState(state).value)
    params.append(max(1, min(limit, 1000)))
    rows = conn.execute(
        f"SELECT * FROM disputes WHERE {where} ORDER BY dispute_id LIMIT ?",  # noqa: S608
        params,
    )
    return [DisputeRecord.from_row(r) for r in rows]


def dispute_outcomes(conn: sqlite3.Connection) -> dict[str, int]:
    """Disputes by outcome (``/metrics``, the dashboard): a resolved one by how it was
    resolved (``book.OUTCOMES``), any other by its state (open, escalated, orphaned)."""
    rows = conn.execute(
        "SELECT CASE WHEN state = 'resolved' THEN COALESCE(outcome, 'resolved') ELSE state END,"
        " COUNT(*) FROM disputes GROUP BY 1"
    )
    return {str(k): int(n) for k, n in rows}


def dispute_entries(conn: sqlite3.Connection, dispute_id: str) -> list[dict[str, Any]]:
    """Every recorded entry of a dispute in chain order, with its effect."""
    rows = conn.execute(
        "SELECT * FROM dispute_entries WHERE dispute_id = ? ORDER BY seq", (dispute_id,)
    )
    return [_entry_json(r) for r in rows]


def _entry_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "seq": row["seq"],
        "entry_ref": row["entry_ref"],
        "kind": row["kind"],
        "author": row["author"],
        "block_index": row["block_index"],
        "chain_time": row["chain_time"],
        "entry_hash": row["entry_hash"],
        "content_hash": row["content_hash"],
        "entry": json.loads(row["raw"]),
        "effect": row["effect"],
    }


def escalated_entries(conn: sqlite3.Connection, record: DisputeRecord) -> list[dict[str, Any]]:
    """The dispute's entries up to and including its escalation, in chain order: the same
    list on every rebuild from the chain, so the package's digest is reproducible."""
    if record.escalated_seq is None:
        return []
    rows = conn.execute(
        "SELECT * FROM dispute_entries WHERE dispute_id = ? AND seq <= ? ORDER BY seq",
        (record.dispute_id, record.escalated_seq),
    )
    return [_entry_json(r) for r in rows]


def escalated_without_package(conn: sqlite3.Connection, limit: int = 100) -> list[str]:
    """Escalated disputes whose package digest is not recorded yet."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT dispute_id FROM disputes WHERE escalated_seq IS NOT NULL"
            " AND package_digest IS NULL ORDER BY dispute_id LIMIT ?",
            (limit,),
        )
    ]


def escalated_ids(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT dispute_id FROM disputes WHERE escalated_seq IS NOT NULL ORDER BY dispute_id"
        )
    ]


def set_package_digest(conn: sqlite3.Connection, dispute_id: str, digest: str) -> None:
    conn.execute(
        "UPDATE disputes SET package_digest = ?, updated_at = ? WHERE dispute_id = ?",
        (digest, time.time(), dispute_id),
    )


def open_dispute(
    conn: sqlite3.Connection,
    *,
    dispute_id: str,
    settlement_id: str,
    claimant: str,
    respondent: str,
    issue: str,
    desired_escalation: str | None,
    entry_ref: str,
    block_index: int,
    chain_time: float,
    now: float,
) -> None:
    conn.execute(
        "INSERT INTO disputes (dispute_id, settlement_id, claimant, respondent, issue,"
        " desired_escalation, state, opened_entry_ref, opened_block, opened_chain_time,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)",
        (
            dispute_id,
            settlement_id,
            claimant,
            respondent,
            issue,
            desired_escalation,
            entry_ref,
            block_index,
            chain_time,
            now,
        ),
    )


def escalate(
    conn: sqlite3.Connection,
    dispute_id: str,
    *,
    authority: str,
    scope: Sequence[str],
    seq: int,
    now: float,
) -> None:
    conn.execute(
        "UPDATE disputes SET state = 'escalated', authority = ?, scope = ?, escalated_seq = ?,"
        " updated_at = ? WHERE dispute_id = ?",
        (authority, json.dumps(list(scope)), seq, now, dispute_id),
    )


def resolve(
    conn: sqlite3.Connection,
    dispute_id: str,
    *,
    outcome: str,
    resolved_by: str,
    block_index: int | None,
    now: float,
) -> None:
    conn.execute(
        "UPDATE disputes SET state = 'resolved', outcome = ?, resolved_by = ?,"
        " resolved_block = ?, updated_at = ? WHERE dispute_id = ?",
        (outcome, resolved_by, block_index, now, dispute_id),
    )


def orphan_unresolved(conn: sqlite3.Connection, reason: str, *, now: float) -> int:
    """Retire every open or escalated dispute as ``orphaned`` with ``reason``; how many."""
    cursor = conn.execute(
        "UPDATE disputes SET state = 'orphaned', resolved_by = ?, updated_at = ?"
        " WHERE state IN ('open', 'escalated')",
        (reason, now),
    )
    return cursor.rowcount


def orphan_unresolved_of(
    conn: sqlite3.Connection, settlement_ids: Sequence[str], reason: str, *, now: float
) -> list[str]:
    """Retire the open or escalated disputes about ``settlement_ids`` as ``orphaned`` with
    ``reason``; their dispute ids, in order."""
    retired: list[str] = []
    for settlement_id in settlement_ids:
        rows = conn.execute(
            "UPDATE disputes SET state = 'orphaned', resolved_by = ?, updated_at = ?"
            " WHERE settlement_id = ? AND state IN ('open', 'escalated') RETURNING dispute_id",
            (reason, now, settlement_id),
        ).fetchall()
        retired.extend(sorted(str(row[0]) for row in rows))
    return retired


def settlements_with_unresolved(conn: sqlite3.Connection, *, limit: int) -> list[str]:
    """Settlements with an open or escalated dispute."""
    rows = conn.execute(
        "SELECT DISTINCT settlement_id FROM disputes WHERE state IN ('open', 'escalated') LIMIT ?",
        (limit,),
    ).fetchall()
    return [str(row[0]) for row in rows]


def has_unresolved(conn: sqlite3.Connection, settlement_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM disputes WHERE settlement_id = ? AND state IN ('open', 'escalated') LIMIT 1",
        (settlement_id,),
    ).fetchone()
    return row is not None


def entry_seen(conn: sqlite3.Connection, ref: str) -> bool:
    """Whether the dispute entry ``ref`` was recorded (with whatever effect)."""
    row = conn.execute("SELECT 1 FROM dispute_entries WHERE entry_ref = ?", (ref,)).fetchone()
    return row is not None


def own_clarification_seen(conn: sqlite3.Connection, dispute_id: str) -> bool:
    """True once our signed clarification of ``dispute_id`` was read from the chain (the
    book counts a clarification only when our signature verifies)."""
    row = conn.execute(
        "SELECT 1 FROM dispute_entries WHERE dispute_id = ? AND kind = 'clarification'"
        " AND effect = 'counted' LIMIT 1",
        (dispute_id,),
    ).fetchone()
    return row is not None


def record_entry(
    conn: sqlite3.Connection,
    *,
    entry_ref: str,
    dispute_id: str | None,
    kind: str,
    author: str,
    block_index: int,
    chain_time: float,
    entry_hash: str,
    content_hash: str | None,
    raw: str,
    effect: str,
) -> int:
    """Record a dispute entry and its effect; its sequence number."""
    cursor = conn.execute(
        "INSERT INTO dispute_entries (entry_ref, dispute_id, kind, author, block_index,"
        " chain_time, entry_hash, content_hash, raw, effect)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            entry_ref,
            dispute_id,
            kind,
            author,
            block_index,
            chain_time,
            entry_hash,
            content_hash,
            raw,
            effect,
        ),
    )
    return int(cursor.lastrowid or 0)
