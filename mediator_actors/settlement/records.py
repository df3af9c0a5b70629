"""The settlement tables (component ``settlements``) and read access to them.

``settlements``: one row per settlement followed (ours from the moment it is proposed,
others' from the moment their proposal is mined), with its current state and why.
``settlement_events``: every mined settlement entry applied, in chain order, with its
effect (``counted``, ``pending`` until what it refers to is mined, or ``ignored: why``).
``challenges``: every mined challenge and its resolution. ``settlement_quarantine``:
malformed settlement entries and the reason. ``settlement_clock``: the chain-time
high-water mark.

Readers take a connection (use ``Store.read``); each is one indexed query.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mediator_actors.model import EntryRef, MediatorId, SettlementId, is_digest_id
from mediator_actors.store.database import Migration


class SettlementState(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"  # by one party; the other has not answered yet
    CLOSED = "closed"
    REJECTED = "rejected"
    EXPIRED = "expired"
    FORFEITED = "forfeited"
    #: the chain was reset or forked below what it rests on (protocol.md lifecycle rule 5)
    ORPHANED = "orphaned"

    @classmethod
    def terminal(cls) -> frozenset[SettlementState]:
        return frozenset({cls.CLOSED, cls.REJECTED, cls.EXPIRED, cls.FORFEITED, cls.ORPHANED})


class TransitionKind(StrEnum):
    PROPOSAL_MINED = "proposal_mined"  # a proposal is on the chain (state: proposed or expired)
    STATE = "state"  # the settlement moved to ``state``
    CHALLENGE_RESOLVED = "challenge_resolved"  # ``upheld`` says how


@dataclass(frozen=True, slots=True)
class Transition:
    """Something to announce once the transaction that produced it has committed."""

    kind: TransitionKind
    settlement_id: str
    mediator_id: MediatorId
    own: bool
    previous: SettlementState | None
    state: SettlementState
    reason: str
    block_index: int | None
    chain_time: float
    challenge_id: str | None = None
    upheld: bool | None = None
    payout_enqueued: bool = False
    reputation_changed: tuple[str, ...] = ()
    #: The settlement's (offer, seek) refs and their authors, for monitoring filters.
    intents: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "settlement_id": self.settlement_id,
            "mediator_id": self.mediator_id,
            "own": self.own,
            "previous": None if self.previous is None else self.previous.value,
            "state": self.state.value,
            "reason": self.reason,
            "block_index": self.block_index,
            "chain_time": self.chain_time,
            "challenge_id": self.challenge_id,
            "upheld": self.upheld,
            "payout_enqueued": self.payout_enqueued,
            "reputation_changed": list(self.reputation_changed),
            "intents": list(self.intents),
            "parties": list(self.parties),
        }


_STATES = ", ".join(f"'{s.value}'" for s in SettlementState)

#: v2 adds the ``orphaned`` state: SQLite cannot change a CHECK, so the table is rebuilt.
_SETTLEMENTS_V2 = (
    f"""CREATE TABLE settlements_v2 (
        settlement_id TEXT PRIMARY KEY,
        mediator_id TEXT NOT NULL,
        own INTEGER NOT NULL CHECK (own IN (0, 1)),
        pair_key TEXT NOT NULL,
        offer_ref TEXT NOT NULL,
        seek_ref TEXT NOT NULL,
        offer_party TEXT NOT NULL,
        seek_party TEXT NOT NULL,
        terms TEXT NOT NULL,
        facilitation_fee REAL NOT NULL,
        facilitation_fee_percent REAL NOT NULL,
        acceptance_deadline TEXT NOT NULL,
        deadline_ts REAL NOT NULL,
        consensus_mode TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ({_STATES})),
        state_reason TEXT NOT NULL,
        offer_response TEXT CHECK (offer_response IN ('accept', 'reject')),
        seek_response TEXT CHECK (seek_response IN ('accept', 'reject')),
        proposal_entry_ref TEXT,
        proposal_block INTEGER,
        decided_block INTEGER,
        decided_chain_time REAL,
        payout_entry_ref TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    )""",
    "INSERT INTO settlements_v2 SELECT * FROM settlements",
    "DROP TABLE settlements",
    "ALTER TABLE settlements_v2 RENAME TO settlements",
    "CREATE UNIQUE INDEX settlements_own_pair ON settlements (pair_key) WHERE own = 1",
    "CREATE INDEX settlements_open ON settlements (state, deadline_ts)",
    "CREATE INDEX settlements_mediator ON settlements (mediator_id, state)",
    "CREATE INDEX settlements_offer ON settlements (offer_ref)",
    "CREATE INDEX settlements_seek ON settlements (seek_ref)",
)

MIGRATIONS = (
    Migration(
        "settlements",
        1,
        (
            f"""CREATE TABLE settlements (
                settlement_id TEXT PRIMARY KEY,
                mediator_id TEXT NOT NULL,
                own INTEGER NOT NULL CHECK (own IN (0, 1)),
                pair_key TEXT NOT NULL,
                offer_ref TEXT NOT NULL,
                seek_ref TEXT NOT NULL,
                offer_party TEXT NOT NULL,
                seek_party TEXT NOT NULL,
                terms TEXT NOT NULL,
                facilitation_fee REAL NOT NULL,
                facilitation_fee_percent REAL NOT NULL,
                acceptance_deadline TEXT NOT NULL,
                deadline_ts REAL NOT NULL,
                consensus_mode TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ({_STATES})),
                state_reason TEXT NOT NULL,
                offer_response TEXT CHECK (offer_response IN ('accept', 'reject')),
                seek_response TEXT CHECK (seek_response IN ('accept', 'reject')),
                proposal_entry_ref TEXT,
                proposal_block INTEGER,
                decided_block INTEGER,
                decided_chain_time REAL,
                payout_entry_ref TEXT,
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL
            )""",
            # A pair is proposed at most once by this node, whatever its key or state.
            "CREATE UNIQUE INDEX settlements_own_pair ON settlements (pair_key) WHERE own = 1",
            "CREATE INDEX settlements_open ON settlements (state, deadline_ts)",
            "CREATE INDEX settlements_mediator ON settlements (mediator_id, state)",
            "CREATE INDEX settlements_offer ON settlements (offer_ref)",
            "CREATE INDEX settlements_seek ON settlements (seek_ref)",
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
            """CREATE TABLE challenges (
                challenge_id TEXT PRIMARY KEY,
                settlement_id TEXT NOT NULL,
                challenger TEXT NOT NULL,
                entry_ref TEXT NOT NULL,
                block_index INTEGER NOT NULL,
                chain_time REAL NOT NULL,
                outcome TEXT CHECK (outcome IN ('upheld', 'rejected')),
                resolved_by TEXT,
                resolved_block INTEGER,
                resolved_chain_time REAL
            )""",
            "CREATE INDEX challenges_settlement ON challenges (settlement_id)",
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
        ),
    ),
    Migration("settlements", 2, _SETTLEMENTS_V2),
)


def pair_key(ref_a: str, ref_b: str) -> str:
    """Order-free identity of a pair (the same as ``CandidatePair.key``)."""
    low, high = sorted((ref_a, ref_b))
    return f"{low}:{high}"


@dataclass(frozen=True, slots=True)
class SettlementRecord:
    settlement_id: SettlementId
    mediator_id: MediatorId
    own: bool
    offer_ref: EntryRef
    seek_ref: EntryRef
    offer_party: str
    seek_party: str
    terms: dict[str, Any]
    facilitation_fee: float
    facilitation_fee_percent: float
    acceptance_deadline: str
    deadline_ts: float
    consensus_mode: str
    state: SettlementState
    state_reason: str
    offer_response: str | None
    seek_response: str | None
    proposal_entry_ref: str | None
    proposal_block: int | None
    decided_block: int | None
    payout_entry_ref: str | None
    created_at: float
    updated_at: float

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> SettlementRecord:
        return cls(
            settlement_id=SettlementId(row["settlement_id"]),
            mediator_id=MediatorId(row["mediator_id"]),
            own=bool(row["own"]),
            offer_ref=EntryRef(row["offer_ref"]),
            seek_ref=EntryRef(row["seek_ref"]),
            offer_party=row["offer_party"],
            seek_party=row["seek_party"],
            terms=json.loads(row["terms"]),
            facilitation_fee=row["facilitation_fee"],
            facilitation_fee_percent=row["facilitation_fee_percent"],
            acceptance_deadline=row["acceptance_deadline"],
            deadline_ts=row["deadline_ts"],
            consensus_mode=row["consensus_mode"],
            state=SettlementState(row["state"]),
            state_reason=row["state_reason"],
            offer_response=row["offer_response"],
            seek_response=row["seek_response"],
            proposal_entry_ref=row["proposal_entry_ref"],
            proposal_block=row["proposal_block"],
            decided_block=row["decided_block"],
            payout_entry_ref=row["payout_entry_ref"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    @property
    def mined(self) -> bool:
        return self.proposal_block is not None

    def to_json(self) -> dict[str, Any]:
        """For ``/api/v1/settlements``: chain text stays text (the caller escapes it)."""
        return {
            "settlement_id": self.settlement_id,
            "mediator_id": self.mediator_id,
            "own": self.own,
            "intent_refs": [self.offer_ref, self.seek_ref],
            "parties": [self.offer_party, self.seek_party],
            "terms": self.terms,
            "facilitation_fee": self.facilitation_fee,
            "facilitation_fee_percent": self.facilitation_fee_percent,
            "acceptance_deadline": self.acceptance_deadline,
            "consensus_mode": self.consensus_mode,
            "state": self.state.value,
            "state_reason": self.state_reason,
            "responses": {"offer": self.offer_response, "seek": self.seek_response},
            "proposal_entry_ref": self.proposal_entry_ref,
            "proposal_block": self.proposal_block,
            "decided_block": self.decided_block,
            "payout_entry_ref": self.payout_entry_ref,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def get_settlement(conn: sqlite3.Connection, settlement_id: str) -> SettlementRecord | None:
    row = conn.execute(
        "SELECT * FROM settlements WHERE settlement_id = ?", (settlement_id,)
    ).fetchone()
    return None if row is None else SettlementRecord.from_row(row)


def list_settlements(
    conn: sqlite3.Connection,
    *,
    state: SettlementState | None = None,
    own: bool | None = None,
    limit: int = 100,
    after: str | None = None,
) -> list[SettlementRecord]:
    """Settlements in id order after the cursor ``after`` (a settlement_id), filtered."""
    clauses: list[str] = ["settlement_id > ?"]
    params: list[object] = [after or ""]
    if state is not None:
        clauses.append("state = ?")
        params.append(SettlementState(state).value)
    if own is not None:
        clauses.append("own = ?")
        params.append(int(own))
    rows = conn.execute(
        f"SELECT * FROM settlements WHERE {' AND '.join(clauses)}"  # noqa: S608 - fixed clauses
        " ORDER BY settlement_id LIMIT ?",
        (*params, max(1, min(limit, 1001))),
    )
    return [SettlementRecord.from_row(row) for row in rows]


def settlements_page(
    conn: sqlite3.Connection, *, state: str | None, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page for ``/api/v1/settlements``: the items as JSON and the next cursor (the
    last settlement_id, or None at the end). An unknown state or a cursor that is not an
    id gives an empty page: the API never raises for what it cannot find."""
    if state is not None and state not in {s.value for s in SettlementState}:
        return [], None
    if cursor is not None and not is_digest_id(cursor, "stl"):
        return [], None
    limit = max(1, min(limit, 1000))
    rows = list_settlements(
        conn,
        state=None if state is None else SettlementState(state),
        limit=limit + 1,
        after=cursor,
    )
    page = rows[:limit]
    more = len(rows) > limit
    return [r.to_json() for r in page], (page[-1].settlement_id if more else None)


def count_by_state(conn: sqlite3.Connection, *, own: bool | None = None) -> dict[str, int]:
    counts = {state.value: 0 for state in SettlementState}
    sql = "SELECT state, COUNT(*) FROM settlements"
    params: tuple[int, ...] = ()
    if own is not None:
        sql += " WHERE own = ?"
        params = (int(own),)
    for state, n in conn.execute(sql + " GROUP BY state", params):
        counts[state] = n
    return counts


def list_quarantine(conn: sqlite3.Connection, *, limit: int = 100) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT entry_ref, kind, author, block_index, reason FROM settlement_quarantine"
        " ORDER BY recorded_at DESC LIMIT ?",
        (max(1, min(limit, 1000)),),
    )
    return [dict(row) for row in rows]


def list_events(conn: sqlite3.Connection, settlement_id: str) -> list[dict[str, Any]]:
    """The entries applied to one settlement, in chain order, with their effect."""
    rows = conn.execute(
        "SELECT seq, entry_ref, kind, author, value, block_index, chain_time, effect"
        " FROM settlement_events WHERE settlement_id = ? OR challenge_id IN"
        " (SELECT challenge_id FROM challenges WHERE settlement_id = ?) ORDER BY seq",
        (settlement_id, settlement_id),
    )
    return [dict(row) for row in rows]


def orphan_all(conn: sqlite3.Connection, reason: str, *, now: float) -> list[SettlementRecord]:
    """End every settlement not already orphaned as ``orphaned`` with ``reason`` (a chain
    reset: lifecycle rule 5); the records as they were before. Nothing is deleted."""
    rows = conn.execute(
        "SELECT * FROM settlements WHERE state != 'orphaned' ORDER BY settlement_id"
    ).fetchall()
    conn.execute(
        "UPDATE settlements SET state = 'orphaned', state_reason = ?, updated_at = ?"
        " WHERE state != 'orphaned'",
        (reason, now),
    )
    return [SettlementRecord.from_row(row) for row in rows]


def settlements_relying_on(conn: sqlite3.Connection, refs: Iterable[str]) -> set[str]:
    """Settlements not yet orphaned whose proposal entry or either intent is among ``refs``."""
    found: set[str] = set()
    for ref in refs:
        found.update(
            str(r[0])
            for r in conn.execute(
                "SELECT settlement_id FROM settlements WHERE state != 'orphaned'"
                " AND (offer_ref = ? OR seek_ref = ? OR proposal_entry_ref = ?)",
                (ref, ref, ref),
            )
        )
    return found


def orphan(
    conn: sqlite3.Connection, settlement_ids: Iterable[str], reason: str, *, now: float
) -> list[SettlementRecord]:
    """End these settlements (those not already orphaned) as ``orphaned`` with ``reason``
    (what they relied on left the chain: lifecycle rule 5); the records as they were
    before. Nothing is deleted."""
    before = []
    for settlement_id in sorted(set(settlement_ids)):
        row = conn.execute(
            "SELECT * FROM settlements WHERE settlement_id = ? AND state != 'orphaned'",
            (settlement_id,),
        ).fetchone()
        if row is None:
            continue
        conn.execute(
            "UPDATE settlements SET state = 'orphaned', state_reason = ?, updated_at = ?"
            " WHERE settlement_id = ?",
            (reason, now, settlement_id),
        )
        before.append(SettlementRecord.from_row(row))
    return before
