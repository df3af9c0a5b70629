"""Figures the actors publish for the health reporter, read without waiting on any actor.

Each actor owns the fields it sets; the reporter only reads. Attribute writes and reads are
atomic for the single hub thread, so no lock is needed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mediator_actors.runtime.resilience import BreakerSnapshot

#: HTTP statuses counted by their own code; any other answer counts by its class (``3xx``).
COMMON_STATUSES = frozenset(
    {200, 201, 204, 400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504, 529}
)
#: What an attempt can end in without an HTTP status of its own.
NO_STATUS_OUTCOMES = frozenset(
    {"timeout", "unreachable", "oversize", "paced", "breaker_open", "error"}
)


def request_status_label(outcome: str) -> str:
    """A bounded Prometheus label for one request's outcome: a common HTTP code as itself,
    another code as its class (``5xx``), a known word as itself, anything else ``other``.
    A hostile peer choosing its status codes cannot make the series grow without bound."""
    if outcome.isascii() and outcome.isdigit() and len(outcome) == 3:
        code = int(outcome)
        if code in COMMON_STATUSES:
            return outcome
        if 100 <= code <= 599:
            return f"{outcome[0]}xx"
    return outcome if outcome in NO_STATUS_OUTCOMES else "other"


class RequestCounts:
    """Requests to an outside service by method and outcome (``mediator_chain_requests_total``).

    :meth:`record` is the hook a client calls once per attempt; it never blocks for long (a
    lock around a dict update) and never raises on any label."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], int] = {}

    def record(self, method: str, outcome: str) -> None:
        key = (method if method in ("GET", "POST") else "other", request_status_label(outcome))
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1

    def counts(self) -> dict[tuple[str, str], int]:
        """``{(method, status label): count}`` since the process started."""
        with self._lock:
            return dict(self._counts)


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
    #: every HTTP attempt of both chain clients, by method and status (``/metrics``)
    chain_requests: RequestCounts = field(default_factory=RequestCounts)
    # negotiators: the Negotiator's health() (breaker, latency percentiles, budget, usage)
    llm_health: Callable[[], dict[str, Any]] | None = None
    llm_offline: bool = True
    #: every call of the metered LLM providers, by status (``/metrics``)
    llm_requests: RequestCounts = field(default_factory=RequestCounts)
