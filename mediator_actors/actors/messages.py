"""Messages between actors: small frozen values with past-tense names (what happened).

They wake the receiver; the durable rows they point at are the truth, so a lost message
costs latency, never data.
"""

from __future__ import annotations

from dataclasses import dataclass

from mediator_actors.model import EntryRef


class Roles:
    """Role names in the RoleRegistry (and paths on the status board)."""

    CHAIN_LISTENER = "chain_listener"
    CHAIN_WRITER = "chain_writer"
    INDEX_KEEPER = "index_keeper"
    NEGOTIATORS = "negotiators"
    SETTLEMENT_AGENT = "settlement_agent"
    HEALTH_REPORTER = "health_reporter"
    DISPUTE_HANDLER = "dispute_handler"


@dataclass(frozen=True, slots=True)
class Tick:
    """Time for a periodic actor's next round (from its own timer, or a wake-up)."""


@dataclass(frozen=True, slots=True)
class ReadinessChanged:
    """A fact readiness depends on changed (the tree started, the index loaded): to the
    health reporter, which takes its snapshot now rather than at its next round (up to a
    second later, which a kill -9 to ready measured as half a second on average)."""


@dataclass(frozen=True, slots=True)
class IntentsIngested:
    """New intents were committed to the store (to the index keeper)."""

    refs: tuple[EntryRef, ...]


@dataclass(frozen=True, slots=True)
class IntentsLeftMediation:
    """Intents closed or were archived: they leave the index (to the index keeper)."""

    refs: tuple[EntryRef, ...]


@dataclass(frozen=True, slots=True)
class NegotiationsQueued:
    """Durable negotiation jobs were added (to the negotiator pool)."""

    count: int


@dataclass(frozen=True, slots=True)
class NegotiationSucceeded:
    """A negotiation succeeded and its result is stored (to the settlement agent)."""

    pair_key: str


@dataclass(frozen=True, slots=True)
class OutboxQueued:
    """Entries wait in the chain outbox (to the chain writer)."""


@dataclass(frozen=True, slots=True)
class DisputesChanged:
    """Dispute entries were applied and committed (to the dispute handler)."""

    dispute_ids: tuple[str, ...]
