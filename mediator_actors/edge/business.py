"""What the node achieved, counted from the store: the figures ``/metrics``, the minute
summary in the log, ``watch``'s first frames and the dashboard's pipeline share.

Counted from the store rather than from events, so they survive restarts (a Prometheus
counter that never resets across restarts is still a counter) and every view agrees.
One read transaction, a handful of indexed ``COUNT`` queries.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

from mediator_actors.disputes.book import dispute_outcomes

#: Negotiation failure reasons, by the label they lead with (the offline negotiator's
#: ``price: ...``, ``timeline: ...``, ``different services: ...``) or, for an LLM's free text,
#: the first pattern its opening words match: a handful of classes a graph can stack, never
#: free text as a label (unbounded cardinality). Only the opening is read, because the rest
#: quotes the intents' own prose.
REASON_CLASSES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("confidence", re.compile(r"^confidence\b|\bbelow the minimum", re.I)),
    ("price", re.compile(r"^(price|budget|cost|rate)\b", re.I)),
    ("timeline", re.compile(r"^(timeline|deadline|dates?|schedule|delivery)\b", re.I)),
    ("service", re.compile(r"^(different services|scope|service)\b", re.I)),
    ("conditions", re.compile(r"^conditions? clash", re.I)),
    ("pairing", re.compile(r"^(not complementary|both intents have the same author)", re.I)),
    ("unsafe", re.compile(r"instruction to a model|injection|secret", re.I)),
    (
        "provider",
        re.compile(r"\b(llm|provider|budget exhausted|breaker|timed? ?out|invalid)\b", re.I),
    ),
)
_PREFIX = re.compile(r"^\s*(not compatible|not aligned)\s*:\s*", re.I)


def reason_class(reason: str | None) -> str:
    """One of :data:`REASON_CLASSES`' names, or ``other``."""
    if not reason:
        return "other"
    opening = _PREFIX.sub("", reason)[:60]
    for name, pattern in REASON_CLASSES:
        if pattern.search(opening):
            return name
    return "other"


@dataclass(frozen=True, slots=True)
class Business:
    """Totals since the store was created. Maps are ``{label value: count}``."""

    intents: dict[str, int] = field(default_factory=dict)  # by type (offer, seek)
    candidates: int = 0
    negotiations: dict[str, int] = field(default_factory=dict)  # aligned, declined
    declined_by_reason: dict[str, int] = field(default_factory=dict)
    proposals: int = 0
    proposals_posted: int = 0
    acceptances: int = 0
    settlements: dict[str, int] = field(default_factory=dict)  # own, by state
    closures: int = 0
    payouts: int = 0
    fees_claimed: float = 0.0
    challenges: dict[str, int] = field(default_factory=dict)  # upheld, rejected, open
    #: open, escalated, orphaned, or a resolved one's outcome (claimant_favored, withdrawn ...)
    disputes: dict[str, int] = field(default_factory=dict)
    quarantined: dict[str, int] = field(default_factory=dict)  # by reason
    #: Negotiation latency as a cumulative histogram: ((upper bound s, count), ...), the
    #: sum of the latencies in seconds and how many were measured.
    latency_buckets: tuple[tuple[float, int], ...] = ()
    latency_sum_s: float = 0.0
    latency_count: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def is_empty(self) -> bool:
        """Nothing achieved yet: every pipeline stage at zero (a fresh store's histogram
        buckets are zeros, not absent, so ``== Business()`` does not say this)."""
        return not any(self.pipeline().values())

    def pipeline(self) -> dict[str, int]:
        """The stages from intents to payouts, in order."""
        return {
            "intents": sum(self.intents.values()),
            "candidates": self.candidates,
            "negotiations": sum(self.negotiations.values()),
            "aligned": self.negotiations.get("aligned", 0),
            "proposals": self.proposals,
            "acceptances": self.acceptances,
            "closures": self.closures,
            "payouts": self.payouts,
        }


#: Upper bounds (seconds) of the negotiation latency histogram: the offline negotiator
#: answers in milliseconds, an LLM in seconds.
LATENCY_BUCKETS_S = (0.005, 0.025, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def _pairs(conn: sqlite3.Connection, sql: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in conn.execute(sql)}


def read_business(conn: sqlite3.Connection) -> Business:
    declined: dict[str, int] = {}
    for reason, n in conn.execute(
        "SELECT failure_reason, COUNT(*) FROM negotiations WHERE success = 0"
        " GROUP BY failure_reason"
    ):
        cls = reason_class(reason)
        declined[cls] = declined.get(cls, 0) + int(n)
    outcomes = _pairs(
        conn,
        "SELECT CASE WHEN success = 1 THEN 'aligned' ELSE 'declined' END, COUNT(*)"
        " FROM negotiations GROUP BY success",
    )
    states = _pairs(conn, "SELECT state, COUNT(*) FROM settlements WHERE own = 1 GROUP BY state")
    acceptances = conn.execute(
        "SELECT COALESCE(SUM((offer_response = 'accept') + (seek_response = 'accept')), 0)"
        " FROM settlements WHERE own = 1"
    ).fetchone()[0]
    outbox = _pairs(
        conn,
        "SELECT CASE WHEN dedupe_key LIKE 'payout:%' THEN 'payout' ELSE 'proposal' END,"
        " COUNT(*) FROM jobs WHERE kind = 'chain_outbox' AND state = 'done'"
        " AND (dedupe_key LIKE 'payout:%' OR dedupe_key LIKE 'proposal:%') GROUP BY 1",
    )
    fees = conn.execute(
        "SELECT COALESCE(SUM(s.facilitation_fee), 0) FROM settlements s JOIN jobs j"
        " ON j.kind = 'chain_outbox' AND j.dedupe_key = 'payout:' || s.settlement_id"
        " WHERE s.own = 1 AND j.state = 'done'"
    ).fetchone()[0]
    quarantined: dict[str, int] = {}
    for reason, n in conn.execute(
        "SELECT reason, COUNT(*) FROM chain_quarantine WHERE state = 'quarantined' GROUP BY reason"
    ):
        # Codes like ``processing_failed:KeyError``: the part before ':' bounds the labels.
        key = str(reason).split(":", 1)[0][:40] or "other"
        quarantined[key] = quarantined.get(key, 0) + int(n)
    for reason, n in conn.execute("SELECT kind, COUNT(*) FROM settlement_quarantine GROUP BY kind"):
        key = f"settlement_{reason}"
        quarantined[key] = quarantined.get(key, 0) + int(n)
    bounds = ", ".join(f"SUM(latency_ms <= {bound * 1000:.0f})" for bound in LATENCY_BUCKETS_S)
    row = conn.execute(
        f"SELECT {bounds}, COALESCE(SUM(latency_ms), 0), COUNT(latency_ms) FROM negotiations"  # noqa: S608 - constants
        " WHERE latency_ms IS NOT NULL"
    ).fetchone()
    latency = tuple((bound, int(n or 0)) for bound, n in zip(LATENCY_BUCKETS_S, row, strict=False))
    return Business(
        latency_buckets=latency,
        latency_sum_s=float(row[-2]) / 1000.0,
        latency_count=int(row[-1]),
        intents=_pairs(conn, "SELECT type, COUNT(*) FROM intents GROUP BY type"),
        candidates=int(
            conn.execute("SELECT COUNT(*) FROM jobs WHERE kind = 'negotiation'").fetchone()[0]
        ),
        negotiations=outcomes,
        declined_by_reason=declined,
        proposals=sum(states.values()),
        proposals_posted=outbox.get("proposal", 0),
        acceptances=int(acceptances),
        settlements=states,
        closures=states.get("closed", 0),
        payouts=outbox.get("payout", 0),
        fees_claimed=float(fees),
        challenges=_pairs(
            conn, "SELECT COALESCE(outcome, 'open'), COUNT(*) FROM challenges GROUP BY 1"
        ),
        disputes=dispute_outcomes(conn),
        quarantined=quarantined,
    )


def recent_negotiations(conn: sqlite3.Connection, limit: int = 50) -> list[dict[str, Any]]:
    """The newest negotiations with their reasoning (the dashboard's table)."""
    rows = conn.execute(
        "SELECT pair_key, offer_ref, seek_ref, success, confidence, reasoning, failure_reason,"
        " model_id, created_at FROM negotiations ORDER BY id DESC LIMIT ?",
        (max(1, min(limit, 500)),),
    )
    return [
        {
            "pair": r[0],
            "offer_ref": r[1],
            "seek_ref": r[2],
            "outcome": "aligned" if r[3] else "declined",
            "confidence": r[4],
            "reasoning": r[5],
            "reason": r[6],
            "reason_class": None if r[3] else reason_class(r[6]),
            "model": r[7],
            "at": r[8],
        }
        for r in rows
    ]


def open_settlements(conn: sqlite3.Connection, limit: int = 100) -> list[dict[str, Any]]:
    """This node's settlements still waiting on their parties, soonest deadline first."""
    rows = conn.execute(
        "SELECT settlement_id, state, state_reason, acceptance_deadline, offer_party,"
        " seek_party, facilitation_fee FROM settlements WHERE own = 1"
        " AND state IN ('proposed', 'accepted') ORDER BY deadline_ts LIMIT ?",
        (max(1, min(limit, 500)),),
    )
    return [
        {
            "settlement_id": r[0],
            "state": r[1],
            "reason": r[2],
            "acceptance_deadline": r[3],
            "parties": [r[4], r[5]],
            "facilitation_fee": r[6],
        }
        for r in rows
    ]


def recent_settlements(conn: sqlite3.Connection, limit: int = 100) -> list[dict[str, Any]]:
    """This node's settlements, the most recently changed first (the dashboard's table)."""
    rows = conn.execute(
        "SELECT settlement_id, state, state_reason, acceptance_deadline, offer_party,"
        " seek_party, facilitation_fee, updated_at FROM settlements WHERE own = 1"
        " ORDER BY updated_at DESC, settlement_id LIMIT ?",
        (max(1, min(limit, 500)),),
    )
    return [
        {
            "settlement_id": r[0],
            "state": r[1],
            "state_reason": r[2],
            "acceptance_deadline": r[3],
            "parties": [r[4], r[5]],
            "facilitation_fee": r[6],
            "updated_at": r[7],
        }
        for r in rows
    ]


@runtime_checkable
class OperatorModel(Protocol):
    """What the operator's views read beyond the JSON API (a :class:`StoreReadModel`)."""

    def business(self) -> Business: ...

    def recent_negotiations(self, limit: int) -> list[dict[str, Any]]: ...

    def open_settlements(self, limit: int) -> list[dict[str, Any]]: ...

    def recent_settlements(self, limit: int) -> list[dict[str, Any]]: ...
