"""The dispute handler's plain class: follows protocol.md section 7 from mined entries.

:meth:`DisputeBook.apply_mined_block` runs in the chain follower's transaction, after the
settlement lifecycle has applied the same block, so a dispute's effects commit with the
cursor like every other lifecycle decision:

* ``[DISPUTE]`` by a party of one of **our** settlements (``claimant`` = author, the
  ``dispute_id`` its digest, within :data:`DISPUTE_WINDOW` after the acceptance deadline,
  at most one open dispute per claimant and settlement) opens a dispute. The payout claim
  of that settlement is held in the chain outbox while any dispute on it is open, and the
  node enqueues one signed ``[CLARIFICATION]`` (dedupe key ``clarification:<dispute_id>``).
* ``[EVIDENCE]`` by the claimant or the respondent is frozen: its entry ref, the hash of
  the entry as mined and the document's ``content_hash`` are kept.
* ``[ESCALATION]`` by the claimant or respondent to a configured authority
  (``DISPUTE_AUTHORITIES``) marks the dispute escalated; the package under
  ``data/disputes/<dispute_id>/`` is written after the commit by :mod:`package`.
* ``[DISPUTE RESOLUTION]`` by that authority, or ``withdrawn`` by the claimant, closes it.
  MP-01 has no dispute term, so outcomes move no reputation.

Everything else of these kinds is recorded with ``ignored: <reason>`` or
``quarantined: <reason>`` and never raises. At most :data:`MAX_ENTRIES_PER_BLOCK` dispute
entries are considered per block; the rest are quarantined (``over_block_budget``), so a
flood cannot stall the follower. The node never decides a dispute.

This module owns the ``disputes`` and ``dispute_entries`` tables.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mediator_actors.model import (
    PROTOCOL,
    ChainEntry,
    canonical_json,
    digest_id,
    is_digest_id,
    joined_digest_id,
)
from mediator_actors.settlement.entries import clean_text
from mediator_actors.settlement.lifecycle import OUTBOX
from mediator_actors.settlement.records import SettlementRecord, get_settlement
from mediator_actors.signing import MediatorKey, verify_metadata
from mediator_actors.store.database import Migration
from mediator_actors.store.jobs import JobState

__all__ = [
    "DISPUTE_WINDOW",
    "MIGRATIONS",
    "DisputeBook",
    "DisputeChange",
    "DisputeRecord",
    "DisputeState",
    "dispute_entries",
    "dispute_id_for",
    "dispute_outcomes",
    "get_dispute",
    "list_disputes",
    "parse_authorities",
]

logger = logging.getLogger(__name__)

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

#: A dispute may be opened up to this long (chain time) after the acceptance deadline.
DISPUTE_WINDOW = 30 * 86_400.0
MAX_ENTRIES_PER_BLOCK = 100
MAX_ISSUE_CHARS = 2_000
MAX_DESCRIPTION_CHARS = 2_000
MAX_SCOPE_ITEMS = 20
MAX_AUTHOR_CHARS = 256
KINDS = ("dispute", "evidence", "clarification", "escalation", "dispute_resolution")
EVIDENCE_TYPES = frozenset({"document", "statement", "witness", "artifact", "other"})
OUTCOMES = frozenset(
    {"claimant_favored", "respondent_favored", "compromise", "dismissed", "withdrawn"}
)
COUNTED = "counted"
INTENT_CLARIFICATION = "dispute_clarification"


class DisputeState(StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    ORPHANED = "orphaned"  # the chain was reset under it: retired, never reused


def dispute_id_for(settlement_id: str, claimant: str) -> str:
    """``"dsp_" + b32(sha256("dispute/v2" \x00 settlement_id \x00 claimant))`` (section 7)."""
    return joined_digest_id("dsp", "dispute/v2", settlement_id, claimant)


def _valid_id(value: object, tag: str) -> bool:
    return is_digest_id(value, tag)


def _valid_content_hash(value: object) -> bool:
    return is_digest_id(value, "doc")


def parse_authorities(items: Iterable[str]) -> dict[str, str]:
    """``DISPUTE_AUTHORITIES`` entries (``id`` or ``id=Display Name``) as {id: name}.
    Raises ValueError naming a bad entry."""
    out: dict[str, str] = {}
    for item in items:
        ident, _, name = item.partition("=")
        ident, name = ident.strip(), name.strip()
        if not ident or len(ident) > MAX_AUTHOR_CHARS or any(c.isspace() for c in ident):
            raise ValueError(f"DISPUTE_AUTHORITIES entry {item!r} has no usable author id")
        out[ident] = name or ident
    return out


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


class DisputeChangeKind(StrEnum):
    OPENED = "opened"
    EVIDENCE = "evidence"
    ESCALATED = "escalated"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class DisputeChange:
    """What one mined entry changed, announced after the commit (monitoring, packages)."""

    kind: DisputeChangeKind
    dispute_id: str
    settlement_id: str
    parties: tuple[str, str]
    detail: str
    block_index: int
    intents: tuple[str, ...] = ()


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
    resolved (:data:`OUTCOMES`), any other by its state (open, escalated, orphaned)."""
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


def _entry_hash(entry: ChainEntry) -> str:
    """The hash of the entry exactly as mined: evidence frozen at that moment."""
    doc = {
        "author": entry.author,
        "content": entry.content,
        "intent": entry.intent,
        "timestamp": entry.timestamp,
        "metadata": entry.metadata,
    }
    try:
        return digest_id("doc", canonical_json(doc))
    except (TypeError, ValueError):  # pragma: no cover - the codec admits JSON values only
        return digest_id("doc", repr(doc).encode("utf-8", "replace"))


class _Skip(Exception):  # noqa: N818 - control flow, never escapes this module
    """The entry does not count; ``effect`` says why."""

    def __init__(self, effect: str) -> None:
        super().__init__(effect)
        self.effect = effect


def _ignored(why: str) -> _Skip:
    return _Skip(f"ignored: {why}")


def _quarantined(why: str) -> _Skip:
    return _Skip(f"quarantined: {why}")


def _text(metadata: Mapping[str, Any], key: str, limit: int, *, required: bool = True) -> str:
    value = metadata.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise _quarantined(f"{key} is not text")
    if len(value) > limit:
        raise _quarantined(f"{key} is over {limit} characters")
    return value


class DisputeBook:
    """Follows disputes about this node's settlements; writes only its clarifications."""

    def __init__(
        self,
        *,
        key: MediatorKey,
        authorities: Mapping[str, str] | Iterable[str] = (),
        window: float = DISPUTE_WINDOW,
        clock: Callable[[], float] = time.time,
        summarize: Callable[[DisputeRecord, SettlementRecord], tuple[list[str], list[str]]]
        | None = None,
    ) -> None:
        self.key = key
        self.authorities: dict[str, str] = (
            dict(authorities)
            if isinstance(authorities, Mapping)
            else parse_authorities(authorities)
        )
        self.window = window
        self.clock = clock
        self.summarize = summarize or offline_summary

    # ------------------------------------------------------------ the block hook

    def apply_mined_block(
        self, conn: sqlite3.Connection, entries: Sequence[ChainEntry], block_timestamp: float
    ) -> list[DisputeChange]:
        """Apply one mined block's dispute entries in order; call it in the follower's
        transaction after the settlement lifecycle has applied the same block."""
        changes: list[DisputeChange] = []
        considered = 0
        for entry in entries:
            kind = entry.metadata.get("contract_type")
            if kind not in KINDS or entry.block_index is None:
                continue
            if self._seen(conn, entry.ref):
                continue
            considered += 1
            if considered > MAX_ENTRIES_PER_BLOCK:
                self._record(
                    conn,
                    entry,
                    str(kind),
                    None,
                    block_timestamp,
                    effect="quarantined: over_block_budget",
                )
                continue
            try:
                change = self._apply(conn, entry, str(kind), block_timestamp)
            except _Skip as skip:
                dispute_id = entry.metadata.get("dispute_id")
                known = isinstance(dispute_id, str) and get_dispute(conn, dispute_id) is not None
                self._record(
                    conn,
                    entry,
                    str(kind),
                    str(dispute_id) if known else None,
                    block_timestamp,
                    effect=skip.effect,
                )
                logger.info("disputes: entry %s %s", entry.ref, skip.effect)
                continue
            if change is not None:
                changes.append(change)
        self._hold_payouts(conn)
        return changes

    def retire_after_reset(self, conn: sqlite3.Connection, reason: str) -> list[DisputeChange]:
        """The chain was reset (a new genesis): every dispute not yet resolved is retired
        as ``orphaned`` with the reason (protocol.md lifecycle rule 5), nothing deleted.
        Queued clarifications are given up with the rest of the outbox by the settlement
        lifecycle's reset. Call it in the follower's transaction."""
        conn.execute(
            "UPDATE disputes SET state = 'orphaned', resolved_by = ?, updated_at = ?"
            " WHERE state IN ('open', 'escalated')",
            (f"chain reset: {reason}"[:300], self.clock()),
        )
        return []

    # ------------------------------------------------------------ handlers

    def _apply(
        self, conn: sqlite3.Connection, entry: ChainEntry, kind: str, chain_time: float
    ) -> DisputeChange | None:
        metadata = entry.metadata
        if metadata.get("protocol") != PROTOCOL:
            raise _ignored("not protocol " + PROTOCOL)
        if kind == "dispute":
            return self._on_dispute(conn, entry, chain_time)
        dispute_id = metadata.get("dispute_id")
        if not _valid_id(dispute_id, "dsp"):
            raise _quarantined("dispute_id is malformed")
        record = get_dispute(conn, str(dispute_id))
        if record is None:
            raise _ignored("no open dispute of ours with this dispute_id")
        if kind == "clarification":
            # Anyone can write our name as author: only our signature proves it is ours.
            if entry.author != self.key.mediator_id or not (
                entry.metadata.get("mediator_id") == self.key.mediator_id
                and verify_metadata(entry.metadata)
            ):
                raise _ignored("a clarification is written and signed by our mediator only")
            self._record(conn, entry, kind, record.dispute_id, chain_time, effect=COUNTED)
            # Ours is on the chain (a rebuild reads it before the writer ran): never again.
            job = OUTBOX.get(conn, f"clarification:{record.dispute_id}")
            if job is not None and job.state is JobState.PENDING:
                OUTBOX.complete(conn, job.id, now=self.clock(), result={"seen": entry.ref})
            return None
        if record.state in (DisputeState.RESOLVED, DisputeState.ORPHANED):
            raise _ignored(f"the dispute was already {record.state.value}")
        if kind == "evidence":
            return self._on_evidence(conn, entry, record, chain_time)
        if kind == "escalation":
            return self._on_escalation(conn, entry, record, chain_time)
        return self._on_resolution(conn, entry, record, chain_time)

    def _on_dispute(
        self, conn: sqlite3.Connection, entry: ChainEntry, chain_time: float
    ) -> DisputeChange:
        m = entry.metadata
        settlement_id, dispute_id, claimant = (
            m.get("settlement_id"),
            m.get("dispute_id"),
            m.get("claimant"),
        )
        if not _valid_id(settlement_id, "stl") or not _valid_id(dispute_id, "dsp"):
            raise _quarantined("settlement_id or dispute_id is malformed")
        if not isinstance(claimant, str) or claimant != entry.author:
            raise _quarantined("claimant must be the entry's author")
        if dispute_id != dispute_id_for(str(settlement_id), claimant):
            raise _quarantined("dispute_id is not the digest of settlement_id and claimant")
        issue = _text(m, "issue", MAX_ISSUE_CHARS)
        desired = _text(m, "desired_escalation", MAX_AUTHOR_CHARS, required=False) or None
        settlement = get_settlement(conn, str(settlement_id))
        if settlement is None or not settlement.own or settlement.proposal_block is None:
            raise _ignored("not a mined settlement of this node")
        parties = (settlement.offer_party, settlement.seek_party)
        if claimant not in parties:
            raise _ignored("the claimant is not a party of the settlement")
        # Measured from the acceptance deadline: chain time every node reads alike.
        if chain_time > settlement.deadline_ts + self.window:
            raise _ignored("mined after the dispute window")
        if get_dispute(conn, str(dispute_id)) is not None:
            raise _ignored("this dispute was opened before")
        respondent = parties[1] if claimant == parties[0] else parties[0]
        now = self.clock()
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
                desired,
                entry.ref,
                entry.block_index,
                chain_time,
                now,
            ),
        )
        self._record(conn, entry, "dispute", str(dispute_id), chain_time, effect=COUNTED)
        record = get_dispute(conn, str(dispute_id))
        assert record is not None  # inserted just above
        factual, interpretive = self.summarize(record, settlement)
        clarification = build_clarification(
            record, settlement, key=self.key, factual=factual, interpretive=interpretive
        )
        OUTBOX.enqueue(
            conn,
            f"clarification:{record.dispute_id}",
            clarification,
            now=now,
            max_attempts=20,
        )
        return self._change(
            DisputeChangeKind.OPENED,
            record,
            entry,
            f"opened by {clean_text(claimant, 80, single_line=True)}",
            conn=conn,
        )

    def _party_only(self, entry: ChainEntry, record: DisputeRecord, what: str) -> None:
        if entry.author not in (record.claimant, record.respondent):
            raise _ignored(f"{what} must be authored by the claimant or the respondent")

    def _on_evidence(
        self, conn: sqlite3.Connection, entry: ChainEntry, record: DisputeRecord, chain_time: float
    ) -> DisputeChange:
        self._party_only(entry, record, "evidence")
        m = entry.metadata
        if m.get("evidence_type") not in EVIDENCE_TYPES:
            raise _quarantined("evidence_type is not one of " + ", ".join(sorted(EVIDENCE_TYPES)))
        _text(m, "description", MAX_DESCRIPTION_CHARS)
        content_hash = m.get("content_hash")
        if content_hash is not None and not _valid_content_hash(content_hash):
            raise _quarantined("content_hash is malformed")
        self._record(
            conn,
            entry,
            "evidence",
            record.dispute_id,
            chain_time,
            effect=COUNTED,
            content_hash=None if content_hash is None else str(content_hash),
        )
        return self._change(DisputeChangeKind.EVIDENCE, record, entry, "evidence frozen", conn=conn)

    def _on_escalation(
        self, conn: sqlite3.Connection, entry: ChainEntry, record: DisputeRecord, chain_time: float
    ) -> DisputeChange:
        self._party_only(entry, record, "an escalation")
        if record.state is DisputeState.ESCALATED:
            raise _ignored("the dispute was already escalated")
        m = entry.metadata
        authority = m.get("authority")
        if not isinstance(authority, str) or authority not in self.authorities:
            raise _ignored("the authority is not one of DISPUTE_AUTHORITIES")
        scope = m.get("scope", [])
        if (
            not isinstance(scope, list)
            or len(scope) > MAX_SCOPE_ITEMS
            or not all(isinstance(s, str) and 0 < len(s) <= MAX_ISSUE_CHARS for s in scope)
        ):
            raise _quarantined(f"scope must be a list of at most {MAX_SCOPE_ITEMS} texts")
        seq = self._record(conn, entry, "escalation", record.dispute_id, chain_time, effect=COUNTED)
        conn.execute(
            "UPDATE disputes SET state = 'escalated', authority = ?, scope = ?, escalated_seq = ?,"
            " updated_at = ? WHERE dispute_id = ?",
            (authority, json.dumps(scope), seq, self.clock(), record.dispute_id),
        )
        return self._change(
            DisputeChangeKind.ESCALATED,
            record,
            entry,
            f"escalated to {self.authorities[authority]}",
            conn=conn,
        )

    def _on_resolution(
        self, conn: sqlite3.Connection, entry: ChainEntry, record: DisputeRecord, chain_time: float
    ) -> DisputeChange:
        outcome = entry.metadata.get("outcome")
        if outcome not in OUTCOMES:
            raise _quarantined("outcome is not one of " + ", ".join(sorted(OUTCOMES)))
        withdrawn = outcome == "withdrawn" and entry.author == record.claimant
        by_authority = record.authority is not None and entry.author == record.authority
        if not (withdrawn or by_authority):
            raise _ignored("only the named authority, or the claimant withdrawing, resolves it")
        self._record(
            conn, entry, "dispute_resolution", record.dispute_id, chain_time, effect=COUNTED
        )
        now = self.clock()
        conn.execute(
            "UPDATE disputes SET state = 'resolved', outcome = ?, resolved_by = ?,"
            " resolved_block = ?, updated_at = ? WHERE dispute_id = ?",
            (outcome, entry.author, entry.block_index, now, record.dispute_id),
        )
        if not self._open_on(conn, record.settlement_id):
            OUTBOX.release(conn, f"payout:{record.settlement_id}", now=now)
        return self._change(
            DisputeChangeKind.RESOLVED, record, entry, f"resolved: {outcome}", conn=conn
        )

    # ------------------------------------------------------------ helpers

    def _hold_payouts(self, conn: sqlite3.Connection) -> None:
        """Hold the payout claim of every settlement with an open dispute (a claim enqueued
        after the dispute opened, by a closure in this block, included)."""
        rows = conn.execute(
            "SELECT DISTINCT settlement_id FROM disputes WHERE state IN ('open', 'escalated')"
            " LIMIT 1000"
        ).fetchall()
        now = self.clock()
        for (settlement_id,) in rows:
            OUTBOX.hold(conn, f"payout:{settlement_id}", "withheld: a dispute is open", now=now)

    def _open_on(self, conn: sqlite3.Connection, settlement_id: str) -> bool:
        row = conn.execute(
            "SELECT 1 FROM disputes WHERE settlement_id = ? AND state IN ('open', 'escalated')"
            " LIMIT 1",
            (settlement_id,),
        ).fetchone()
        return row is not None

    def _seen(self, conn: sqlite3.Connection, ref: str) -> bool:
        return (
            conn.execute("SELECT 1 FROM dispute_entries WHERE entry_ref = ?", (ref,)).fetchone()
            is not None
        )

    def _record(
        self,
        conn: sqlite3.Connection,
        entry: ChainEntry,
        kind: str,
        dispute_id: str | None,
        chain_time: float,
        *,
        effect: str,
        content_hash: str | None = None,
    ) -> int:
        raw = {
            "author": entry.author,
            "content": entry.content,
            "intent": entry.intent,
            "timestamp": entry.timestamp,
            "metadata": entry.metadata,
        }
        cursor = conn.execute(
            "INSERT INTO dispute_entries (entry_ref, dispute_id, kind, author, block_index,"
            " chain_time, entry_hash, content_hash, raw, effect)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.ref,
                dispute_id,
                kind,
                entry.author,
                entry.block_index,
                chain_time,
                _entry_hash(entry),
                content_hash,
                json.dumps(raw, sort_keys=True, ensure_ascii=False),
                effect[:500],
            ),
        )
        return int(cursor.lastrowid or 0)

    def _change(
        self,
        kind: DisputeChangeKind,
        record: DisputeRecord,
        entry: ChainEntry,
        detail: str,
        *,
        conn: sqlite3.Connection,
    ) -> DisputeChange:
        settlement = get_settlement(conn, record.settlement_id)
        return DisputeChange(
            kind,
            record.dispute_id,
            record.settlement_id,
            (record.claimant, record.respondent),
            detail,
            entry.block_index or 0,
            intents=() if settlement is None else (settlement.offer_ref, settlement.seek_ref),
        )


def _terms_line(settlement: SettlementRecord) -> str:
    t = settlement.terms
    parts = []
    if t.get("price") is not None:
        parts.append(f"price {t['price']} {t.get('currency', 'NLC')}")
    if t.get("deliverables"):
        parts.append("deliverables: " + "; ".join(str(d) for d in t["deliverables"]))
    if t.get("timeline"):
        parts.append(f"timeline: {t['timeline']}")
    if t.get("conditions"):
        parts.append("conditions: " + "; ".join(str(c) for c in t["conditions"]))
    return ", ".join(parts) or "no terms were stated"


def offline_summary(
    record: DisputeRecord, settlement: SettlementRecord
) -> tuple[list[str], list[str]]:
    """Factual and interpretive disagreements without a model: the claim quoted against
    the terms both parties accepted. It states what each side says; it decides nothing."""
    claim = clean_text(record.issue, 600, single_line=True)
    terms = clean_text(_terms_line(settlement), 1_200, single_line=True)
    factual = [
        f'The claimant {clean_text(record.claimant, 80, single_line=True)} states: "{claim}"',
        f"The settlement's stated terms were: {terms}.",
    ]
    interpretive = [
        "Whether what was delivered meets the stated terms quoted above, as the claimant"
        " reads them, against the respondent"
        f" {clean_text(record.respondent, 80, single_line=True)}'s reading; the mediator"
        " does not decide it.",
    ]
    return factual, interpretive


def build_clarification(
    record: DisputeRecord,
    settlement: SettlementRecord,
    *,
    key: MediatorKey,
    factual: list[str],
    interpretive: list[str],
) -> dict[str, Any]:
    """The signed ``[CLARIFICATION]`` entry payload for the chain outbox."""
    metadata = key.sign_metadata(
        {
            "is_contract": True,
            "contract_type": "clarification",
            "protocol": PROTOCOL,
            "dispute_id": record.dispute_id,
            "settlement_id": record.settlement_id,
            "factual_disagreements": [clean_text(f, 1_500) for f in factual[:5]],
            "interpretive_disagreements": [clean_text(i, 1_500) for i in interpretive[:5]],
            "mediator_id": key.mediator_id,
        }
    )
    lines = [f"[CLARIFICATION] dispute {record.dispute_id} on settlement {record.settlement_id}."]
    lines += ["Factual: " + f for f in metadata["factual_disagreements"]]
    lines += ["Interpretive: " + i for i in metadata["interpretive_disagreements"]]
    lines.append("The mediator summarises; it does not decide this dispute.")
    content = "\n".join(lines)[:10_000]
    return {
        "content": content,
        "author": key.mediator_id,
        "intent": INTENT_CLARIFICATION,
        "metadata": metadata,
    }
