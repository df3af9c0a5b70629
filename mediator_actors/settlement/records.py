"""The settlement tables (component ``settlements``) and every query on two of them.

``settlements``: one row per settlement followed (ours from the moment it is proposed,
others' from the moment their proposal is mined), with its current state and why.
``challenges``: every mined challenge and its resolution. The same migration creates the
event log's tables, which :mod:`mediator_actors.settlement.events` owns:
``settlement_events`` (every mined settlement entry applied, in chain order, with its
effect), ``settlement_quarantine`` (malformed settlement entries and the reason) and
``settlement_clock`` (the chain-time high-water mark).

Every function takes the caller's connection (``Store.read`` or the lifecycle's write
transaction); each is one indexed statement.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mediator_actors.model import EntryRef, MediatorId, SettlementId, is_digest_id, pair_key
from mediator_actors.settlement import events
from mediator_actors.store.database import Migration, has_table


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


_STATES = ", ".join(f"'{s.value}'" for s in SettlementState)


#: The settlements table's columns, written once: v1 creates it, v2 rebuilds a copy.
_SETTLEMENTS_COLUMNS = f"""(
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
    )"""

_SETTLEMENTS_INDEXES = (
    # A pair is proposed at most once by this node, whatever its key or state.
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
            "CREATE TABLE settlements " + _SETTLEMENTS_COLUMNS,
            *_SETTLEMENTS_INDEXES,
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
            *events.TABLES,
        ),
    ),
    # v2 adds the ``orphaned`` state: SQLite cannot change a CHECK, so the table is rebuilt
    # (its indexes go with the dropped table and are made again).
    Migration(
        "settlements",
        2,
        (
            "CREATE TABLE settlements_v2 " + _SETTLEMENTS_COLUMNS,
            "INSERT INTO settlements_v2 SELECT * FROM settlements",
            "DROP TABLE settlements",
            "ALTER TABLE settlements_v2 RENAME TO settlements",
            *_SETTLEMENTS_INDEXES,
        ),
    ),
)


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
) -> tuple[list[SettlementRecord], str | None]:
    """One page for ``/api/v1/settlements``: the settlements and the next cursor (the
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
    return page, (page[-1].settlement_id if more else None)


def own_acceptances(conn: sqlite3.Connection) -> int:
    """Parties' acceptances over this node's settlements (each settlement counts up to two)."""
    row = conn.execute(
        "SELECT COALESCE(SUM((offer_response = 'accept') + (seek_response = 'accept')), 0)"
        " FROM settlements WHERE own = 1"
    ).fetchone()
    return int(row[0])


def own_fees(conn: sqlite3.Connection, settlement_ids: Collection[str]) -> dict[str, float]:
    """The facilitation fees of this node's settlements among ``settlement_ids``, summed
    per currency (a fee is in its terms' currency; amounts in two are never added)."""
    wanted = set(settlement_ids)
    if not wanted:
        return {}
    fees: dict[str, float] = {}
    rows = conn.execute(
        "SELECT settlement_id, facilitation_fee, terms FROM settlements WHERE own = 1"
    )
    for sid, fee, terms in rows:
        if sid in wanted:
            # As the payout claim names it (settlement/lifecycle.py).
            currency = str(json.loads(terms).get("currency") or "NLC")
            fees[currency] = fees.get(currency, 0.0) + float(fee)
    return fees


@dataclass(frozen=True, slots=True)
class OwnSettlementRow:
    """One of this node's settlements as the dashboard's tables show it."""

    settlement_id: str
    state: str
    state_reason: str
    acceptance_deadline: str
    offer_party: str
    seek_party: str
    facilitation_fee: float
    updated_at: float


_OWN_ROW = (
    "SELECT settlement_id, state, state_reason, acceptance_deadline, offer_party,"
    " seek_party, facilitation_fee, updated_at FROM settlements WHERE own = 1"
)


def open_own_settlements(conn: sqlite3.Connection, *, limit: int) -> list[OwnSettlementRow]:
    """This node's settlements still waiting on their parties, soonest deadline first."""
    rows = conn.execute(
        _OWN_ROW + " AND state IN ('proposed', 'accepted') ORDER BY deadline_ts LIMIT ?",
        (limit,),
    ).fetchall()
    return [OwnSettlementRow(*row) for row in rows]


def recent_own_settlements(conn: sqlite3.Connection, *, limit: int) -> list[OwnSettlementRow]:
    """This node's settlements, the most recently changed first."""
    rows = conn.execute(
        _OWN_ROW + " ORDER BY updated_at DESC, settlement_id LIMIT ?", (limit,)
    ).fetchall()
    return [OwnSettlementRow(*row) for row in rows]


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


def list_events(conn: sqlite3.Connection, settlement_id: str) -> list[events.LoggedEvent]:
    """The entries applied to one settlement and its challenges, in chain order."""
    return events.settlement_log(conn, settlement_id, challenge_ids_of(conn, settlement_id))


# --------------------------------------------------------------------------- writes


@dataclass(frozen=True, slots=True)
class SettlementFields:
    """What a proposal states, as stored: from this node's draft or from a mined entry."""

    offer_ref: str
    seek_ref: str
    offer_party: str
    seek_party: str
    terms: Mapping[str, Any]
    facilitation_fee: float
    facilitation_fee_percent: float
    acceptance_deadline: str
    deadline_ts: float
    consensus_mode: str

    def _values(self) -> tuple[object, ...]:
        return (
            self.offer_ref,
            self.seek_ref,
            self.offer_party,
            self.seek_party,
            json.dumps(dict(self.terms), sort_keys=True),
            self.facilitation_fee,
            self.facilitation_fee_percent,
            self.acceptance_deadline,
            self.deadline_ts,
            self.consensus_mode,
        )


def own_pair_proposed(conn: sqlite3.Connection, key: str) -> bool:
    """True when this node proposed the pair with this pair key, in any state."""
    row = conn.execute("SELECT 1 FROM settlements WHERE own = 1 AND pair_key = ?", (key,))
    return row.fetchone() is not None


def insert_settlement(
    conn: sqlite3.Connection,
    fields: SettlementFields,
    *,
    settlement_id: str,
    mediator_id: str,
    own: bool,
    state_reason: str,
    now: float,
    proposal_entry_ref: str | None = None,
    proposal_block: int | None = None,
) -> None:
    """A new settlement in state ``proposed`` (ours when drafted, others' once mined)."""
    conn.execute(
        "INSERT INTO settlements (offer_ref, seek_ref, offer_party, seek_party, terms,"
        " facilitation_fee, facilitation_fee_percent, acceptance_deadline, deadline_ts,"
        " consensus_mode, settlement_id, mediator_id, own, pair_key, state, state_reason,"
        " proposal_entry_ref, proposal_block, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?, ?, ?, ?, ?)",
        (
            *fields._values(),
            settlement_id,
            mediator_id,
            int(own),
            pair_key(fields.offer_ref, fields.seek_ref),
            state_reason,
            proposal_entry_ref,
            proposal_block,
            now,
            now,
        ),
    )


def record_mined_proposal(
    conn: sqlite3.Connection,
    settlement_id: str,
    fields: SettlementFields,
    *,
    proposal_entry_ref: str,
    proposal_block: int | None,
    now: float,
) -> None:
    """Our drafted proposal was mined: the mined entry's fields win over the draft's."""
    conn.execute(
        "UPDATE settlements SET offer_ref = ?, seek_ref = ?, offer_party = ?,"
        " seek_party = ?, terms = ?, facilitation_fee = ?, facilitation_fee_percent = ?,"
        " acceptance_deadline = ?, deadline_ts = ?, consensus_mode = ?,"
        " proposal_entry_ref = ?, proposal_block = ?, updated_at = ?"
        " WHERE settlement_id = ?",
        (*fields._values(), proposal_entry_ref, proposal_block, now, settlement_id),
    )


def set_responses(
    conn: sqlite3.Connection,
    settlement_id: str,
    *,
    offer: str | None,
    seek: str | None,
    now: float,
) -> None:
    """Each party's current response (``accept``, ``reject`` or None)."""
    conn.execute(
        "UPDATE settlements SET offer_response = ?, seek_response = ?, updated_at = ?"
        " WHERE settlement_id = ?",
        (offer, seek, now, settlement_id),
    )


def set_state(
    conn: sqlite3.Connection,
    settlement_id: str,
    state: SettlementState,
    reason: str,
    *,
    decided_block: int | None,
    decided_chain_time: float | None,
    now: float,
) -> None:
    conn.execute(
        "UPDATE settlements SET state = ?, state_reason = ?, updated_at = ?,"
        " decided_block = ?, decided_chain_time = ? WHERE settlement_id = ?",
        (state.value, reason, now, decided_block, decided_chain_time, settlement_id),
    )


def record_payout(
    conn: sqlite3.Connection, settlement_id: str, mediator_id: str, entry_ref: str, *, now: float
) -> bool:
    """A mined payout claim by the settlement's mediator; True if it was the first."""
    cursor = conn.execute(
        "UPDATE settlements SET payout_entry_ref = ?, updated_at = ? WHERE settlement_id = ?"
        " AND mediator_id = ? AND payout_entry_ref IS NULL",
        (entry_ref, now, settlement_id, mediator_id),
    )
    return cursor.rowcount > 0


# --------------------------------------------------------------------------- open settlements


_OPEN = (SettlementState.PROPOSED.value, SettlementState.ACCEPTED.value)


def due_for_expiry(conn: sqlite3.Connection, chain_time: float) -> list[SettlementRecord]:
    """Open settlements whose deadline ``chain_time`` has reached, soonest first."""
    rows = conn.execute(
        "SELECT * FROM settlements WHERE state IN (?, ?) AND deadline_ts <= ?"
        " ORDER BY deadline_ts, settlement_id",
        (*_OPEN, chain_time),
    ).fetchall()
    return [SettlementRecord.from_row(row) for row in rows]


def open_own_settlement_ids(conn: sqlite3.Connection) -> list[SettlementId]:
    """This node's settlements still waiting for their parties."""
    rows = conn.execute(
        "SELECT settlement_id FROM settlements WHERE own = 1 AND state IN (?, ?)"
        " ORDER BY settlement_id",
        _OPEN,
    ).fetchall()
    return [SettlementId(row[0]) for row in rows]


def open_own_pairs(conn: sqlite3.Connection) -> list[tuple[EntryRef, EntryRef]]:
    """(offer, seek) of this node's proposals that await their parties. Empty when the
    settlement tables are not there (an index keeper tested on its own)."""
    if not has_table(conn, "settlements"):
        return []
    rows = conn.execute(
        "SELECT offer_ref, seek_ref FROM settlements WHERE own = 1 AND state IN (?, ?)", _OPEN
    ).fetchall()
    return [(EntryRef(offer), EntryRef(seek)) for offer, seek in rows]


# --------------------------------------------------------------------------- challenges


@dataclass(frozen=True, slots=True)
class ChallengeRecord:
    challenge_id: str
    settlement_id: str
    challenger: str
    entry_ref: str
    block_index: int
    chain_time: float
    outcome: str | None
    resolved_by: str | None
    resolved_block: int | None
    resolved_chain_time: float | None


def insert_challenge(
    conn: sqlite3.Connection,
    *,
    challenge_id: str,
    settlement_id: str,
    challenger: str,
    entry_ref: str,
    block_index: int,
    chain_time: float,
) -> bool:
    """Record a mined challenge; False when this challenge was mined before."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO challenges (challenge_id, settlement_id, challenger,"
        " entry_ref, block_index, chain_time) VALUES (?, ?, ?, ?, ?, ?)",
        (challenge_id, settlement_id, challenger, entry_ref, block_index, chain_time),
    )
    return cursor.rowcount == 1


def get_challenge(conn: sqlite3.Connection, challenge_id: str | None) -> ChallengeRecord | None:
    row = conn.execute(
        "SELECT challenge_id, settlement_id, challenger, entry_ref, block_index, chain_time,"
        " outcome, resolved_by, resolved_block, resolved_chain_time FROM challenges"
        " WHERE challenge_id = ?",
        (challenge_id,),
    ).fetchone()
    return None if row is None else ChallengeRecord(*row)


def resolve_challenge(
    conn: sqlite3.Connection,
    challenge_id: str,
    *,
    outcome: str | None,
    resolved_by: str,
    block_index: int,
    chain_time: float,
) -> None:
    conn.execute(
        "UPDATE challenges SET outcome = ?, resolved_by = ?, resolved_block = ?,"
        " resolved_chain_time = ? WHERE challenge_id = ?",
        (outcome, resolved_by, block_index, chain_time, challenge_id),
    )


def challenge_ids_of(conn: sqlite3.Connection, settlement_id: str) -> list[str]:
    rows = conn.execute(
        "SELECT challenge_id FROM challenges WHERE settlement_id = ? ORDER BY challenge_id",
        (settlement_id,),
    ).fetchall()
    return [str(row[0]) for row in rows]


# --------------------------------------------------------------------------- reputation inputs


def mined_outcomes(conn: sqlite3.Connection) -> list[tuple[MediatorId, SettlementState, int]]:
    """(mediator, state, how many) over every mined settlement: what MP-01 counts."""
    rows = conn.execute(
        "SELECT mediator_id, state, COUNT(*) FROM settlements"
        " WHERE proposal_block IS NOT NULL GROUP BY mediator_id, state"
    ).fetchall()
    return [(MediatorId(m), SettlementState(state), int(n)) for m, state, n in rows]


def challenge_outcomes(conn: sqlite3.Connection) -> dict[str, int]:
    """Challenges by outcome (``upheld``, ``rejected``; ``open`` while unresolved)."""
    rows = conn.execute("SELECT COALESCE(outcome, 'open'), COUNT(*) FROM challenges GROUP BY 1")
    return {str(outcome): int(n) for outcome, n in rows}


def challengers(conn: sqlite3.Connection) -> list[MediatorId]:
    """Every mediator that has a challenge on the chain."""
    rows = conn.execute("SELECT DISTINCT challenger FROM challenges").fetchall()
    return [MediatorId(row[0]) for row in rows]


def upheld_challenges(conn: sqlite3.Connection) -> list[tuple[MediatorId, MediatorId]]:
    """(challenger, mediator of the challenged mined settlement) per upheld challenge, not
    counting settlements orphaned by a chain reset."""
    rows = conn.execute(
        "SELECT c.challenger, s.mediator_id FROM challenges c"
        " JOIN settlements s ON s.settlement_id = c.settlement_id"
        " WHERE c.outcome = 'upheld' AND s.proposal_block IS NOT NULL"
        " AND s.state != 'orphaned'"  # retired with the lost chain (lifecycle rule 5)
    ).fetchall()
    return [(MediatorId(c), MediatorId(m)) for c, m in rows]


# --------------------------------------------------------------------------- chain resets


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


def count_v1_ids(conn: sqlite3.Connection) -> int:
    """Settlements stored under protocol v1 ids (64-hex, no underscore)."""
    row = conn.execute(
        "SELECT COUNT(*) FROM settlements WHERE settlement_id NOT LIKE '%\\_%' ESCAPE '\\'"
    ).fetchone()
    return int(row[0])


@dataclass(frozen=True, slots=True)
class KeyUse:
    """What one of this node's mediator ids still has to sign for (protocol.md, "Key
    rotation"): ``open`` settlements can still close (their payout claim is signed then), and
    mined ones within the dispute window (until ``disputable_until``, chain time) can still get
    a dispute whose clarification it signs."""

    mediator_id: str
    open: int
    disputable: int
    disputable_until: float | None

    @property
    def needed(self) -> bool:
        return self.open > 0 or self.disputable > 0


def key_uses(
    conn: sqlite3.Connection, mediator_ids: Iterable[str], *, chain_time: float, window: float
) -> dict[str, KeyUse]:
    """:class:`KeyUse` of each of ``mediator_ids`` among this node's own settlements."""
    uses: dict[str, KeyUse] = {}
    for ident in mediator_ids:
        row = conn.execute(
            "SELECT"
            " COALESCE(SUM(state IN ('proposed', 'accepted')), 0),"
            " COALESCE(SUM(proposal_block IS NOT NULL AND state != 'orphaned'"
            "     AND deadline_ts + ? > ?), 0),"
            " MAX(CASE WHEN proposal_block IS NOT NULL AND state != 'orphaned'"
            "     THEN deadline_ts + ? END)"
            " FROM settlements WHERE own = 1 AND mediator_id = ?",
            (window, chain_time, window, ident),
        ).fetchone()
        until = None if row[2] is None or int(row[1]) == 0 else float(row[2])
        uses[ident] = KeyUse(ident, int(row[0]), int(row[1]), until)
    return uses


def own_mediator_ids(conn: sqlite3.Connection) -> list[str]:
    """Every mediator id this node's own settlements were proposed under."""
    return [
        str(row[0])
        for row in conn.execute(
            "SELECT DISTINCT mediator_id FROM settlements WHERE own = 1 ORDER BY mediator_id"
        )
    ]
