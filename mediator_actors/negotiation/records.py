"""The negotiations table (what every negotiation decided, one row per negotiation job)
and the proposal_decisions table (what became of each successful one).

``negotiations`` is written by the negotiator pool in the transaction that completes the
job (:mod:`mediator_actors.negotiation.jobs`); read by the budget at start (metered calls
of the last day), the stats API and the demo. ``proposal_decisions`` is written by the
settlement agent (:mod:`mediator_actors.settlement.proposals`): one row per successful
negotiation it decided on, proposed or skipped with why. Both live here so that "which
successes are still undecided" stays one indexed query. Every function takes the caller's
connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mediator_actors.model import EntryRef, Intent, NegotiationResult, Terms, pair_key
from mediator_actors.store.database import Migration

if TYPE_CHECKING:  # the service imports the provider SDKs: not for every reader of the table
    from mediator_actors.negotiation.service import Outcome

MIGRATIONS = (
    Migration(
        "negotiations",
        1,
        (
            """CREATE TABLE negotiations (
                id INTEGER PRIMARY KEY,
                job_id INTEGER UNIQUE,
                pair_key TEXT NOT NULL,
                offer_ref TEXT NOT NULL,
                seek_ref TEXT NOT NULL,
                success INTEGER NOT NULL CHECK (success IN (0, 1)),
                confidence INTEGER NOT NULL,
                terms TEXT,
                reasoning TEXT NOT NULL,
                model_id TEXT NOT NULL,
                integrity_hash TEXT NOT NULL,
                failure_reason TEXT,
                injection_findings TEXT NOT NULL,
                checks TEXT NOT NULL,
                metered INTEGER NOT NULL DEFAULT 0,
                input_tokens INTEGER NOT NULL DEFAULT 0,
                output_tokens INTEGER NOT NULL DEFAULT 0,
                latency_ms REAL,
                created_at REAL NOT NULL
            )""",
            "CREATE INDEX negotiations_pair ON negotiations (pair_key, created_at)",
            "CREATE INDEX negotiations_metered ON negotiations (metered, created_at)",
        ),
    ),
    # v2: the prompt's nonce, so the integrity hash can be recomputed from the intents.
    Migration(
        "negotiations",
        2,
        ("ALTER TABLE negotiations ADD COLUMN prompt_nonce TEXT NOT NULL DEFAULT ''",),
    ),
    # v3: whether the settlement agent decided on the pair, so its round reads only the
    # undecided successes through a partial index instead of every negotiation ever held
    # (a scan and a sort that cost 24 ms a round at 300,000 negotiations). The settlement
    # agent's v2 below fills it in for negotiations decided before.
    Migration(
        "negotiations",
        3,
        (
            "ALTER TABLE negotiations ADD COLUMN decided INTEGER NOT NULL DEFAULT 0",
            "CREATE INDEX negotiations_undecided ON negotiations (created_at)"
            " WHERE success = 1 AND decided = 0",
        ),
    ),
)


#: Named after the actor that first declared it; the name stays so existing stores keep
#: their recorded version.
DECISION_MIGRATIONS = (
    Migration(
        "settlement_agent",
        1,
        (
            """CREATE TABLE proposal_decisions (
                pair_key TEXT PRIMARY KEY,
                settlement_id TEXT,
                skipped_reason TEXT,
                decided_at REAL NOT NULL
            )""",
        ),
    ),
    # v2 (after the negotiations' v3: components migrate in name order): mark what was
    # decided before the flag existed.
    Migration(
        "settlement_agent",
        2,
        (
            "UPDATE negotiations SET decided = 1 WHERE success = 1"
            " AND pair_key IN (SELECT pair_key FROM proposal_decisions)",
        ),
    ),
)


def record_outcome(
    conn: sqlite3.Connection,
    *,
    job_id: int,
    offer: Intent,
    seek: Intent,
    outcome: Outcome,
    now: float,
) -> None:
    """Store what the negotiation of one job decided (in the transaction that completes it)."""
    r = outcome.result
    conn.execute(
        "INSERT OR REPLACE INTO negotiations (job_id, pair_key, offer_ref, seek_ref, success,"
        " confidence, terms, reasoning, model_id, integrity_hash, prompt_nonce, failure_reason,"
        " injection_findings, checks, metered, input_tokens, output_tokens, latency_ms,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            job_id,
            pair_key(offer.ref, seek.ref),
            offer.ref,
            seek.ref,
            int(r.success),
            r.confidence,
            None if r.terms is None else json.dumps(r.terms.to_json(), sort_keys=True),
            r.reasoning,
            r.model_id,
            r.model_integrity_hash,
            outcome.prompt_nonce,
            r.failure_reason,
            json.dumps(list(r.injection_findings)),
            json.dumps(list(r.checks)),
            int(outcome.metered),
            outcome.usage.input_tokens,
            outcome.usage.output_tokens,
            outcome.latency_ms,
            now,
        ),
    )


def recent_metered_calls(conn: sqlite3.Connection, *, now: float) -> list[float]:
    """Times of metered calls in the last day, to :meth:`CallBudget.seed` at start."""
    from mediator_actors.negotiation.service import DAY

    rows = conn.execute(
        "SELECT created_at FROM negotiations WHERE metered = 1 AND created_at > ?", (now - DAY,)
    )
    return [float(row[0]) for row in rows]


@dataclass(frozen=True, slots=True)
class NegotiationRecord:
    """One stored negotiation, as the settlement agent turns it into a proposal."""

    id: int
    pair_key: str
    offer_ref: EntryRef
    seek_ref: EntryRef
    result: NegotiationResult
    created_at: float


def _record_from_row(row: sqlite3.Row) -> NegotiationRecord:
    terms = json.loads(row["terms"]) if row["terms"] else None
    result = NegotiationResult(
        success=bool(row["success"]),
        confidence=int(row["confidence"]),
        reasoning=row["reasoning"] or "",
        model_id=row["model_id"],
        model_integrity_hash=row["integrity_hash"],
        terms=None
        if terms is None
        else Terms(
            price=terms.get("price"),
            deliverables=tuple(terms.get("deliverables") or ()),
            timeline=terms.get("timeline"),
            conditions=tuple(terms.get("conditions") or ()),
            currency=terms.get("currency") or "NLC",
        ),
        injection_findings=tuple(json.loads(row["injection_findings"] or "[]")),
    )
    return NegotiationRecord(
        id=int(row["id"]),
        pair_key=row["pair_key"],
        offer_ref=EntryRef(row["offer_ref"]),
        seek_ref=EntryRef(row["seek_ref"]),
        result=result,
        created_at=float(row["created_at"]),
    )


#: The settlement agent's round: the flag picks the rows through the partial index
#: ``negotiations_undecided``; the decisions table stays the truth, so a flag left unset
#: costs one look-up a round, never a second decision.
UNDECIDED_QUERY = (
    "SELECT * FROM negotiations n"
    " WHERE n.success = 1 AND n.decided = 0 AND NOT EXISTS"
    " (SELECT 1 FROM proposal_decisions d WHERE d.pair_key = n.pair_key)"
    " ORDER BY n.created_at LIMIT ?"
)


def undecided_successes(conn: sqlite3.Connection, *, limit: int) -> list[NegotiationRecord]:
    """Successful negotiations this node has not decided on yet (no proposal, no recorded
    skip), oldest first."""
    rows = conn.execute(UNDECIDED_QUERY, (limit,)).fetchall()
    return [_record_from_row(row) for row in rows]


def record_decision(
    conn: sqlite3.Connection,
    key: str,
    *,
    settlement_id: str | None,
    skipped: str | None,
    now: float,
) -> None:
    """What became of the pair's successful negotiation: a proposal, or why not."""
    conn.execute(
        "INSERT OR IGNORE INTO proposal_decisions VALUES (?, ?, ?, ?)",
        (key, settlement_id, skipped, now),
    )
    conn.execute("UPDATE negotiations SET decided = 1 WHERE pair_key = ? AND decided = 0", (key,))


@dataclass(frozen=True, slots=True)
class ModelUsage:
    """Negotiations, metered calls and tokens of one model, over every recorded negotiation."""

    negotiations: int
    metered_calls: int
    input_tokens: int
    output_tokens: int


def usage_by_model(conn: sqlite3.Connection) -> dict[str, ModelUsage]:
    rows = conn.execute(
        "SELECT model_id, COUNT(*), SUM(metered), SUM(input_tokens), SUM(output_tokens)"
        " FROM negotiations GROUP BY model_id"
    ).fetchall()
    return {str(m): ModelUsage(int(n), int(c), int(i), int(o)) for m, n, c, i, o in rows}


@dataclass(frozen=True, slots=True)
class NegotiationSummary:
    """What the demo narrates of a negotiation."""

    pair_key: str
    success: bool
    confidence: int
    failure_reason: str | None


def negotiation_summaries(conn: sqlite3.Connection) -> list[NegotiationSummary]:
    rows = conn.execute(
        "SELECT pair_key, success, confidence, failure_reason FROM negotiations ORDER BY id"
    ).fetchall()
    return [NegotiationSummary(str(k), bool(s), int(c), r) for k, s, c, r in rows]


def count_successful(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM negotiations WHERE success = 1").fetchone()[0])


def outcome_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Negotiations by outcome, ``aligned`` and ``declined`` (only those present)."""
    rows = conn.execute(
        "SELECT CASE WHEN success = 1 THEN 'aligned' ELSE 'declined' END, COUNT(*)"
        " FROM negotiations GROUP BY success"
    )
    return {str(outcome): int(n) for outcome, n in rows}


def declined_reasons(conn: sqlite3.Connection) -> list[tuple[str | None, int]]:
    """(failure reason, how many) over every declined negotiation."""
    rows = conn.execute(
        "SELECT failure_reason, COUNT(*) FROM negotiations WHERE success = 0"
        " GROUP BY failure_reason"
    ).fetchall()
    return [(reason, int(n)) for reason, n in rows]


@dataclass(frozen=True, slots=True)
class LatencyHistogram:
    """Negotiation latencies as a cumulative histogram over ``bounds_s``."""

    buckets: tuple[tuple[float, int], ...]  # (upper bound s, how many at or below it)
    sum_s: float
    count: int


def latency_histogram(conn: sqlite3.Connection, bounds_s: Sequence[float]) -> LatencyHistogram:
    """The latencies measured so far, counted at or below each bound in ``bounds_s``."""
    sums = ", ".join("SUM(latency_ms <= ?)" for _ in bounds_s)
    row = conn.execute(
        f"SELECT {sums}{', ' if sums else ''}COALESCE(SUM(latency_ms), 0), COUNT(latency_ms)"  # noqa: S608 - only placeholders
        " FROM negotiations WHERE latency_ms IS NOT NULL",
        tuple(bound * 1000 for bound in bounds_s),
    ).fetchone()
    buckets = tuple((bound, int(n or 0)) for bound, n in zip(bounds_s, row, strict=False))
    return LatencyHistogram(buckets, float(row[-2]) / 1000.0, int(row[-1]))


@dataclass(frozen=True, slots=True)
class RecentNegotiation:
    """A negotiation as the dashboard's table shows it."""

    pair_key: str
    offer_ref: str
    seek_ref: str
    success: bool
    confidence: int
    reasoning: str | None
    failure_reason: str | None
    model_id: str | None
    created_at: float


def recent_negotiations(conn: sqlite3.Connection, *, limit: int) -> list[RecentNegotiation]:
    """The newest negotiations first."""
    rows = conn.execute(
        "SELECT pair_key, offer_ref, seek_ref, success, confidence, reasoning, failure_reason,"
        " model_id, created_at FROM negotiations ORDER BY id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [
        RecentNegotiation(str(k), str(o), str(s), bool(ok), c, why, fail, model, at)
        for k, o, s, ok, c, why, fail, model, at in rows
    ]
