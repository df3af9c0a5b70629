"""The health reporter: gathers what every part publishes into the snapshot the probes serve.

It reads the status board, the node's readiness, breaker snapshots, :class:`NodeStats` and
a few store counts; it never asks another actor. Handlers read the latest snapshot from the
:class:`SnapshotBox`, so a slow or failed reporter makes the snapshot stale, never a probe slow.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from mediator_actors.actors.messages import ReadinessChanged
from mediator_actors.actors.periodic import PeriodicActor
from mediator_actors.chain import tables as chain_tables
from mediator_actors.health.report import (
    BreakerStatus,
    ComponentStatus,
    HealthSnapshot,
    Resources,
    SnapshotBox,
    Status,
    actor_status,
    judge,
)
from mediator_actors.monitoring import EventSink, HealthChanged, MetricsSampled
from mediator_actors.runtime.offload import run_blocking
from mediator_actors.runtime.resilience import BreakerState
from mediator_actors.settlement import events as settlement_events
from mediator_actors.settlement.records import SettlementState, count_by_state
from mediator_actors.stats import NodeStats
from mediator_actors.store import Store
from mediator_actors.store.jobs import active_depths, quarantined_count
from supervisors import Link, StatusBoard

logger = logging.getLogger(__name__)


def store_figures(conn: sqlite3.Connection) -> tuple[dict[str, int], int, float | None]:
    """(queue depths, quarantine size, own settlement success rate) in one snapshot read."""
    depths = {f"{kind}_{state.value}": n for (kind, state), n in active_depths(conn).items()}
    quarantined = (
        quarantined_count(conn)
        + chain_tables.quarantine_size(conn)
        + settlement_events.quarantine_size(conn)
    )
    own = count_by_state(conn, own=True)
    ended = {state: own[state.value] for state in SettlementState.terminal()}
    total = sum(ended.values())
    rate = None if total == 0 else ended[SettlementState.CLOSED] / total
    return depths, quarantined, rate


def _breaker_component(state: BreakerState, latency: float | None, detail: str) -> ComponentStatus:
    status = Status.HEALTHY if state is BreakerState.CLOSED else Status.DEGRADED
    return ComponentStatus(status, latency, detail)


def _llm_component(
    llm: dict[str, Any], state: BreakerState, latency: float | None, stats: NodeStats
) -> ComponentStatus:
    """A refused key is unhealthy whatever the breaker says (no call can succeed until an
    operator fixes it); a spent call budget degrades the provider until the window moves."""
    problem = llm.get("problem")
    if problem:
        return ComponentStatus(Status.UNHEALTHY, latency, str(problem))
    if llm.get("budget_exhausted"):
        return ComponentStatus(Status.DEGRADED, latency, "LLM call budget exhausted")
    return _breaker_component(
        state, latency, "offline negotiator" if stats.llm_offline else "provider"
    )


class HealthReporter(PeriodicActor):
    def __init__(
        self,
        link: Link | None,
        *,
        box: SnapshotBox,
        board: StatusBoard,
        store: Store,
        stats: NodeStats,
        readiness: Callable[[], tuple[bool, bool, bool]],
        started_at: float,
        events: EventSink,
        sampler: Callable[[], Resources],
        interval: float = 1.0,
        metrics_every: int = 10,
    ) -> None:
        super().__init__(link, interval=interval)
        self.events = events
        self._metrics_every = metrics_every
        self._rounds = 0
        self._last_judgement: tuple[str, bool] | None = None
        self.box = box
        self.board = board
        self.store = store
        self.stats = stats
        self._readiness = readiness  # (started, draining, root gave up)
        self._started_at_ms = int(started_at * 1000)
        # Injected: tests must not judge the machine they run on (a busy CI host went red).
        self._sampler = sampler
        self._sampler_failure: str | None = None

    def round(self) -> float | None:
        snapshot = self.snapshot()
        self.box.set(snapshot)
        self._announce(snapshot)
        return None

    def _announce(self, snapshot: HealthSnapshot) -> None:
        """``health`` when the judged status or readiness changes; ``metrics`` every
        ``metrics_every`` rounds (every 10 s by default)."""
        report = judge(snapshot, now_ms=snapshot.taken_at_ms)
        judgement = (str(report["status"]), bool(report["ready"]))
        if judgement != self._last_judgement:
            self._last_judgement = judgement
            self.events.publish(
                HealthChanged(
                    status=judgement[0],
                    ready=judgement[1],
                    problems=tuple(report.get("problems", [])),
                    not_ready_reasons=tuple(report.get("notReadyReasons", [])),
                )
            )
        self._rounds += 1
        if self._rounds % self._metrics_every == 0:
            self.events.publish(
                MetricsSampled(
                    taken_at=snapshot.taken_at_ms / 1000,
                    queues=dict(snapshot.queue_depths),
                    quarantine=snapshot.quarantine_size,
                    index_size=snapshot.index_size,
                    index_max=snapshot.index_max,
                    alignment_cycle_s=snapshot.alignment_cycle_s,
                    llm_latency_p99_s=snapshot.llm_latency_p99_s,
                    settlement_success_rate=snapshot.settlement_success_rate,
                    resources=report.get("resources"),
                )
            )

    def receive(self, message: Any) -> Any:
        if isinstance(message, ReadinessChanged):
            self.wake()  # coalesces with a round already queued
            return None
        return super().receive(message)

    def stopping(self) -> None:
        super().stopping()
        self.box.set(self.snapshot(draining=True))

    def _sample(self) -> Resources | None:
        """The sampler's figures, or None when it fails: resources unmeasured must not stop the
        reporter (a crash per round would be a restart loop and a stale, unready snapshot)."""
        try:
            resources = run_blocking(self._sampler)
        except Exception as exc:  # noqa: BLE001 - any sampler fault is reported the same way
            failure = f"{type(exc).__name__}: {exc}"
            if failure != self._sampler_failure:  # once per distinct failure, not every second
                logger.warning("health: resources not measured: %s", failure)
            self._sampler_failure = failure
            return None
        self._sampler_failure = None
        return resources

    def snapshot(self, *, draining: bool | None = None) -> HealthSnapshot:
        started, is_draining, gave_up = self._readiness()
        depths, quarantined, success_rate = self.store.read(store_figures)
        resources = self._sample()
        stats = self.stats
        actors = tuple(actor_status(status) for status in self.board.snapshot())
        breakers = []
        components = [
            (
                "vectorDb",
                ComponentStatus(
                    Status.HEALTHY if stats.index_loaded else Status.DEGRADED,
                    stats.vector_latency_ms,
                    stats.embedder_degraded or stats.embedder_id,
                ),
            )
        ]
        if stats.chain_breaker is not None:
            chain = stats.chain_breaker()
            breakers.append(BreakerStatus.of("chain", chain))
            refused = stats.chain_auth_problem() if stats.chain_auth_problem else None
            components.append(
                (
                    "chainClient",
                    # Nothing is read while the key is refused, whatever the breaker says.
                    ComponentStatus(Status.UNHEALTHY, chain.last_latency_ms, refused)
                    if refused is not None
                    else _breaker_component(
                        chain.state, chain.last_latency_ms, chain.last_error or "ok"
                    ),
                )
            )
        llm = stats.llm_health() if stats.llm_health is not None else {}
        llm_p99_ms = (llm.get("latency_ms") or {}).get("p99")
        llm_state = BreakerState(llm.get("breaker", "closed"))
        breakers.append(BreakerStatus("llm", llm_state.value, llm_p99_ms))
        components.append(("llmProvider", _llm_component(llm, llm_state, llm_p99_ms, stats)))
        return HealthSnapshot(
            taken_at_ms=int(time.time() * 1000),
            started_at_ms=self._started_at_ms,
            store_open=True,
            index_loaded=stats.index_loaded,
            draining=is_draining if draining is None else draining,
            root_gave_up=gave_up,
            starting=not started,
            not_ready_reasons=(stats.index_status,) if stats.index_status else (),
            actors=actors,
            breakers=tuple(breakers),
            components=tuple(components),
            queue_depths=tuple(sorted(depths.items())),
            quarantine_size=quarantined,
            index_size=stats.index_size,
            index_max=stats.index_max,
            alignment_cycle_s=stats.alignment_cycle_s,
            llm_latency_p99_s=None if llm_p99_ms is None else llm_p99_ms / 1000,
            settlement_success_rate=success_rate,
            embedder_degraded_reason=stats.embedder_degraded,
            resources=resources,
        )
