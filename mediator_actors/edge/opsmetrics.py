"""``/metrics`` lines the alert rules in ``ops/prometheus/alerts.yml`` need beyond the health
snapshot: errors logged by component, the chain head and how far the node lags it, chain
requests by status, settlements by outcome, and the LLM call budget left.

Each scrape reads one store snapshot (two small queries on a reader connection, offloaded by
the store) and in-memory figures; it never asks an actor.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from mediator_actors.chain.tables import read_cursor
from mediator_actors.edge.health_app import Metrics
from mediator_actors.settlement.records import SettlementState, count_by_state
from mediator_actors.stats import NodeStats
from mediator_actors.store import Store

#: Components pre-declared at 0, so a first error is an increase Prometheus can see.
KNOWN_COMPONENTS = (
    "actors",
    "chain",
    "edge",
    "embedding",
    "index",
    "negotiation",
    "runtime",
    "settlement",
    "store",
    "supervisors",
)
#: Final states: their counts only grow, so they are exported as counters.
ENDED = (
    SettlementState.CLOSED,
    SettlementState.REJECTED,
    SettlementState.EXPIRED,
    SettlementState.FORFEITED,
)
_OURS = ("mediator_actors", "mediator")


def component_of(logger_name: str) -> str:
    """``mediator_actors.chain.follower`` -> ``chain``; ``mediator.edge.http`` -> ``edge``;
    ``supervisors.supervisor`` -> ``supervisors``; a library's logger -> its top package."""
    parts = logger_name.split(".")
    if parts[0] in _OURS and len(parts) > 1:
        return parts[1]
    return parts[0] or "root"


class ErrorCounter(logging.Handler):
    """Counts log records at ERROR or above by component (``mediator_errors_total``).

    Add it to the root logger; it formats nothing and keeps no record, only counts.
    """

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self._counts: dict[str, int] = dict.fromkeys(KNOWN_COMPONENTS, 0)

    def emit(self, record: logging.LogRecord) -> None:
        # Handler.handle holds this handler's lock around emit: the update is not lost.
        component = component_of(record.name)
        self._counts[component] = self._counts.get(component, 0) + 1

    def counts(self) -> dict[str, int]:
        return dict(self._counts)


@dataclass(frozen=True, slots=True)
class StoreFigures:
    next_block: int | None
    settlements: dict[str, int]


def read_store_figures(conn: sqlite3.Connection) -> StoreFigures:
    cursor = read_cursor(conn)
    return StoreFigures(
        next_block=cursor.next_index if cursor.stored else None,
        settlements=count_by_state(conn, own=True),
    )


def node_metrics(
    *,
    store: Store,
    stats: NodeStats,
    errors: ErrorCounter,
    llm_limits: tuple[int, int],
) -> Callable[[Metrics], None]:
    """The contributor to pass to :meth:`HealthApp.add_metrics`.

    ``llm_limits`` is (LLM_MAX_CALLS_PER_HOUR, LLM_MAX_CALLS_PER_DAY).
    """

    def add(m: Metrics) -> None:
        for component, count in sorted(errors.counts().items()):
            m.add(
                "errors_total",
                count,
                "log records at ERROR or above",
                "counter",
                {"component": component},
            )
        figures = store.read(read_store_figures)
        head = stats.chain_head() if stats.chain_head is not None else None
        m.add("chain_head_block", head, "latest block index the chain reported")
        if figures.next_block is not None:
            m.add("chain_next_block", figures.next_block, "next block index the node will read")
            if head is not None:
                m.add(
                    "chain_lag_blocks",
                    max(0, head - (figures.next_block - 1)),
                    "mined blocks the node has not read yet",
                )
        for state in SettlementState:
            count = figures.settlements.get(state.value, 0)
            if state in ENDED:
                m.add(
                    "settlements_total",
                    count,
                    "own settlements that ended, by outcome",
                    "counter",
                    {"outcome": state.value},
                )
            else:
                m.add(
                    "settlements_open",
                    count,
                    "own settlements still open, by state",
                    labels={"state": state.value},
                )
        for (method, status), count in sorted(stats.chain_requests.counts().items()):
            m.add(
                "chain_requests_total",
                count,
                "HTTP attempts to the chain by method and status (or timeout, unreachable,"
                " oversize; paced and breaker_open were not sent)",
                "counter",
                {"method": method, "status": status},
            )
        llm_calls: dict[str, int] = {}
        for (_method, status), count in stats.llm_requests.counts().items():
            llm_calls[status] = llm_calls.get(status, 0) + count
        for status, count in sorted(llm_calls.items()):
            m.add(
                "llm_requests_total",
                count,
                "metered LLM provider calls by status (or timeout, unreachable, error)",
                "counter",
                {"status": status},
            )
        llm = stats.llm_health() if stats.llm_health is not None else {}
        remaining = llm.get("budget_remaining")
        if isinstance(remaining, dict):
            for window, limit in zip(("hour", "day"), llm_limits, strict=True):
                m.add(
                    "llm_budget_remaining",
                    remaining.get(window),
                    "metered LLM calls left in the window",
                    labels={"window": window},
                )
                m.add(
                    "llm_budget_limit",
                    limit,
                    "LLM_MAX_CALLS_PER_HOUR / _PER_DAY",
                    labels={"window": window},
                )
        failures = llm.get("failures")
        if isinstance(failures, int):
            m.add("llm_failures_total", failures, "failed LLM provider calls", "counter")

    return add
