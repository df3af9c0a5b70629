"""What the node achieved, counted from the store: the figures ``/metrics``, the minute
summary in the log, ``watch``'s first frames and the dashboard's pipeline share.

Counted from the store rather than from events, so they survive restarts (a Prometheus
counter that never resets across restarts is still a counter) and every view agrees.
One read transaction, a handful of indexed ``COUNT`` queries, each a typed function of
the module that owns the table.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

from mediator_actors.chain import tables as chain_tables
from mediator_actors.disputes.records import dispute_outcomes
from mediator_actors.negotiation import records as negotiation_records
from mediator_actors.settlement import events as settlement_events
from mediator_actors.settlement import records as settlement_records
from mediator_actors.settlement.lifecycle import PAYOUT_JOB_PREFIX, PROPOSAL_JOB_PREFIX
from mediator_actors.store import intents as intent_table
from mediator_actors.store.jobs import CHAIN_OUTBOX, NEGOTIATIONS, JobState

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
    #: {currency: facilitation fees of the posted payout claims}; never summed across.
    fees_claimed: dict[str, float] = field(default_factory=dict)
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


def fees_text(fees: Mapping[str, float]) -> str:
    """``"0.25 NLC, 12 EUR"``: each currency's total, NLC first then by code; ``"0 NLC"``
    for none."""
    if not fees:
        return "0 NLC"
    ordered = sorted(fees.items(), key=lambda kv: (kv[0] != "NLC", kv[0]))
    return ", ".join(f"{amount:.6g} {currency}" for currency, amount in ordered)


def read_business(conn: sqlite3.Connection) -> Business:
    # Each figure from the owner of its table (tests/unit/test_table_owners.py).
    declined: dict[str, int] = {}
    for reason, n in negotiation_records.declined_reasons(conn):
        cls = reason_class(reason)
        declined[cls] = declined.get(cls, 0) + n
    # Only the states present, as a GROUP BY gives them.
    states = {k: n for k, n in settlement_records.count_by_state(conn, own=True).items() if n}
    done = (JobState.DONE,)
    paid = CHAIN_OUTBOX.dedupe_keys(conn, prefix=PAYOUT_JOB_PREFIX, states=done)
    quarantined: dict[str, int] = {}
    for reason, n in chain_tables.quarantined_by_reason(conn).items():
        # Codes like ``processing_failed:KeyError``: the part before ':' bounds the labels.
        key = reason.split(":", 1)[0][:40] or "other"
        quarantined[key] = quarantined.get(key, 0) + n
    for kind, n in settlement_events.quarantine_by_kind(conn).items():
        key = f"settlement_{kind}"
        quarantined[key] = quarantined.get(key, 0) + n
    latency = negotiation_records.latency_histogram(conn, LATENCY_BUCKETS_S)
    return Business(
        latency_buckets=latency.buckets,
        latency_sum_s=latency.sum_s,
        latency_count=latency.count,
        intents=intent_table.count_by_type(conn),
        candidates=NEGOTIATIONS.count(conn),
        negotiations=negotiation_records.outcome_counts(conn),
        declined_by_reason=declined,
        proposals=sum(states.values()),
        proposals_posted=CHAIN_OUTBOX.count(conn, prefix=PROPOSAL_JOB_PREFIX, states=done),
        acceptances=settlement_records.own_acceptances(conn),
        settlements=states,
        closures=states.get("closed", 0),
        payouts=len(paid),
        fees_claimed=settlement_records.own_fees(
            conn, [key.removeprefix(PAYOUT_JOB_PREFIX) for key in paid]
        ),
        challenges=settlement_records.challenge_outcomes(conn),
        disputes=dispute_outcomes(conn),
        quarantined=quarantined,
    )


def _limit(limit: int) -> int:
    return max(1, min(limit, 500))


def recent_negotiations(conn: sqlite3.Connection, limit: int = 50) -> list[dict[str, Any]]:
    """The newest negotiations with their reasoning (the dashboard's table)."""
    return [
        {
            "pair": r.pair_key,
            "offer_ref": r.offer_ref,
            "seek_ref": r.seek_ref,
            "outcome": "aligned" if r.success else "declined",
            "confidence": r.confidence,
            "reasoning": r.reasoning,
            "reason": r.failure_reason,
            "reason_class": None if r.success else reason_class(r.failure_reason),
            "model": r.model_id,
            "at": r.created_at,
        }
        for r in negotiation_records.recent_negotiations(conn, limit=_limit(limit))
    ]


def open_settlements(conn: sqlite3.Connection, limit: int = 100) -> list[dict[str, Any]]:
    """This node's settlements still waiting on their parties, soonest deadline first."""
    return [
        {
            "settlement_id": r.settlement_id,
            "state": r.state,
            "reason": r.state_reason,
            "acceptance_deadline": r.acceptance_deadline,
            "parties": [r.offer_party, r.seek_party],
            "facilitation_fee": r.facilitation_fee,
        }
        for r in settlement_records.open_own_settlements(conn, limit=_limit(limit))
    ]


def recent_settlements(conn: sqlite3.Connection, limit: int = 100) -> list[dict[str, Any]]:
    """This node's settlements, the most recently changed first (the dashboard's table)."""
    return [
        {
            "settlement_id": r.settlement_id,
            "state": r.state,
            "state_reason": r.state_reason,
            "acceptance_deadline": r.acceptance_deadline,
            "parties": [r.offer_party, r.seek_party],
            "facilitation_fee": r.facilitation_fee,
            "updated_at": r.updated_at,
        }
        for r in settlement_records.recent_own_settlements(conn, limit=_limit(limit))
    ]


@runtime_checkable
class OperatorModel(Protocol):
    """What the operator's views read beyond the JSON API (a :class:`StoreReadModel`)."""

    def business(self) -> Business: ...

    def recent_negotiations(self, limit: int) -> list[dict[str, Any]]: ...

    def open_settlements(self, limit: int) -> list[dict[str, Any]]: ...

    def recent_settlements(self, limit: int) -> list[dict[str, Any]]: ...
