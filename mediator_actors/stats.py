"""Figures the actors publish for the health reporter, read without waiting on any actor.

Each actor owns the fields it sets; the reporter only reads. Attribute writes and reads are
atomic for the single hub thread, so no lock is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mediator_actors.runtime.resilience import BreakerSnapshot


@dataclass
class NodeStats:
    # index keeper
    index_loaded: bool = False
    index_size: int = 0
    index_max: int = 0
    embedder_id: str | None = None
    embedder_degraded: str | None = None
    #: why the index is not ready yet ("index loading"), None once loaded
    index_status: str | None = None
    #: seconds the last alignment cycle (sync + candidate pass + enqueue) took
    alignment_cycle_s: float | None = None
    vector_latency_ms: float | None = None
    # chain
    chain_breaker: Callable[[], BreakerSnapshot] | None = None
    #: the problem while the chain refuses our API key (401/403), else None
    chain_auth_problem: Callable[[], str | None] | None = None
    #: the latest block index the chain reported (the chain listener's follower)
    chain_head: Callable[[], int | None] | None = None
    # negotiators: the Negotiator's health() (breaker, latency percentiles, budget, usage)
    llm_health: Callable[[], dict[str, Any]] | None = None
    llm_offline: bool = True
