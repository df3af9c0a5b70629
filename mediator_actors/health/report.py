"""The health snapshot (a plain value the health reporter builds) and the pure judgement that
turns it into the runbook's ``/health`` report.

The reporter actor builds a :class:`HealthSnapshot` every few seconds from the supervisors'
states, breakers and queue depths, and hands it to :class:`SnapshotBox`; HTTP handlers read the
box and call :func:`judge` / :func:`readiness`, so a probe never waits on an actor.

Thresholds are the runbook's "Monitoring Metrics" table. Outages of things outside the node
(chain, LLM) make it *degraded*, never unready or unhealthy: restarting the node would not fix
them. High CPU only degrades it too: a busy node is slow, not broken. Local failures (store
closed, a permanent actor failed, root supervisor gave up, disk or memory critical) make it
*unhealthy*: 503 means the node cannot do its job.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ActorState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    BACKOFF = "backoff"
    STOPPED = "stopped"
    FAILED = "failed"


class Status(StrEnum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"


_RANK = {Status.HEALTHY: 0, Status.DEGRADED: 1, Status.UNHEALTHY: 2}


@dataclass(frozen=True, slots=True)
class ActorStatus:
    name: str
    state: ActorState
    restarts: int = 0
    last_error_class: str | None = None
    #: Permanent actors must be running for the node to be ready.
    permanent: bool = True


#: supervisors.ChildState values -> ours ("stopping" is on its way to stopped; "fatal" failed).
_CHILD_STATES = {
    "starting": ActorState.STARTING,
    "running": ActorState.RUNNING,
    "backoff": ActorState.BACKOFF,
    "stopping": ActorState.STOPPED,
    "stopped": ActorState.STOPPED,
    "fatal": ActorState.FAILED,
}


def actor_status(child: Any) -> ActorStatus:
    """An :class:`ActorStatus` from a ``supervisors.ChildStatus`` (duck-typed: path, state,
    restarts, last_error, required_for_readiness). An unknown state reads as failed."""
    state = _CHILD_STATES.get(str(getattr(child.state, "value", child.state)), ActorState.FAILED)
    return ActorStatus(
        name=str(child.path),
        state=state,
        restarts=int(child.restarts),
        last_error_class=child.last_error,
        permanent=bool(getattr(child, "required_for_readiness", True)),
    )


@dataclass(frozen=True, slots=True)
class BreakerStatus:
    name: str
    state: str  # "closed" | "open" | "half_open" (resilience.CircuitBreaker's names)
    latency_ms: float | None = None

    @classmethod
    def of(cls, name: str, snapshot: Any) -> BreakerStatus:
        """From a ``resilience.BreakerSnapshot``."""
        return cls(
            name, str(getattr(snapshot.state, "value", snapshot.state)), snapshot.last_latency_ms
        )


@dataclass(frozen=True, slots=True)
class ComponentStatus:
    """One of the runbook's components: ``vectorDb``, ``chainClient``, ``llmProvider``."""

    status: Status
    latency_ms: float | None = None
    detail: str | None = None


class Basis(StrEnum):
    """What a resource was judged against: the cgroup's limit, or the host's capacity."""

    CGROUP_V2 = "cgroup-v2"
    CGROUP_V1 = "cgroup-v1"
    HOST = "host"


@dataclass(frozen=True, slots=True)
class Resources:
    """The node's resources (``health.resources.ResourceSampler`` measures them).

    ``cpu_percent`` is the node process's share of the ``cpu_cores`` it may use (0..100);
    memory is used/total of the cgroup limit or of the host, as ``memory_basis`` says.
    """

    cpu_percent: float
    memory_used_mb: float
    memory_total_mb: float
    disk_used_gb: float
    disk_total_gb: float
    process_rss_mb: float = 0.0
    cpu_cores: float = 0.0
    cpu_basis: Basis = Basis.HOST
    memory_basis: Basis = Basis.HOST

    @property
    def basis(self) -> Basis:
        """The cgroup version when a cgroup limit bound CPU or memory, else ``host``."""
        return next(
            (b for b in (self.memory_basis, self.cpu_basis) if b is not Basis.HOST), Basis.HOST
        )


@dataclass(frozen=True, slots=True)
class HealthSnapshot:
    """Everything ``/health``, ``/health/ready`` and ``/metrics`` need, taken at one moment.

    Times are milliseconds since the epoch; durations are in the unit their name says.
    ``None`` means "not measured yet" and is never judged as a failure.
    """

    taken_at_ms: int
    started_at_ms: int
    #: The tree is still coming up: not ready, but a closed store is expected, not a fault.
    starting: bool = False
    store_open: bool = False
    index_loaded: bool = False
    draining: bool = False
    root_gave_up: bool = False
    #: Extra reasons the reporter knows the node is not ready (e.g. "replaying backlog").
    not_ready_reasons: tuple[str, ...] = ()
    actors: tuple[ActorStatus, ...] = ()
    breakers: tuple[BreakerStatus, ...] = ()
    components: tuple[tuple[str, ComponentStatus], ...] = ()
    queue_depths: tuple[tuple[str, int], ...] = ()
    quarantine_size: int = 0
    index_size: int = 0
    index_max: int = 0
    alignment_cycle_s: float | None = None
    llm_latency_p99_s: float | None = None
    settlement_success_rate: float | None = None  # 0..1
    embedder_degraded_reason: str | None = None
    resources: Resources | None = None

    @classmethod
    def at_start(cls, now_ms: int | None = None) -> HealthSnapshot:
        """The value before the reporter's first snapshot: alive, not ready."""
        now = now_ms if now_ms is not None else now_millis()
        return cls(taken_at_ms=now, started_at_ms=now, starting=True)


def now_millis() -> int:
    return int(time.time() * 1000)


class SnapshotBox:
    """Holds the latest snapshot. ``set`` from the reporter, ``get`` from handlers.

    A plain attribute swap under a lock: never blocks for longer than a pointer copy.
    """

    def __init__(self, initial: HealthSnapshot | None = None) -> None:
        self._lock = threading.Lock()
        self._value = initial if initial is not None else HealthSnapshot.at_start()

    def set(self, snapshot: HealthSnapshot) -> None:
        with self._lock:
            self._value = snapshot

    def get(self) -> HealthSnapshot:
        with self._lock:
            return self._value


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The runbook's warning / critical thresholds (Monitoring Metrics)."""

    cpu_percent: tuple[float, float] = (70.0, 90.0)
    memory_percent: tuple[float, float] = (80.0, 95.0)
    disk_percent: tuple[float, float] = (90.0, 97.0)  # not in the runbook; a full disk kills SQLite
    index_fill_percent: tuple[float, float] = (80.0, 95.0)
    alignment_cycle_s: tuple[float, float] = (60.0, 120.0)
    llm_latency_p99_s: tuple[float, float] = (5.0, 10.0)
    settlement_success_rate: tuple[float, float] = (0.80, 0.60)  # below these
    #: A snapshot older than this means the reporter is stuck: not ready.
    stale_after_ms: int = 30_000


DEFAULT_THRESHOLDS = Thresholds()
COMPONENT_NAMES = ("vectorDb", "chainClient", "llmProvider")
#: Components whose outage is outside the node: they can degrade it, never make it unhealthy.
_EXTERNAL = frozenset({"chainClient", "llmProvider"})


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    level: str  # "ok" | "warning" | "critical"
    value: float | None
    #: Critical makes the node unhealthy (it cannot do its job: memory, disk, index full);
    #: otherwise it only degrades it (external slowness, high CPU).
    fatal: bool = True


def readiness(
    snapshot: HealthSnapshot, *, now_ms: int, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> tuple[bool, list[str]]:
    """Whether the node should receive work, and every reason it should not.

    Local prerequisites only: the chain or the LLM being down never makes the node unready.
    """
    reasons = ["starting"] if snapshot.starting else []
    reasons += [r for r in snapshot.not_ready_reasons if r not in reasons]
    if snapshot.root_gave_up:
        reasons.append("root supervisor gave up")
    if snapshot.draining:
        reasons.append("draining")
    if not snapshot.store_open:
        reasons.append("store not open")
    if not snapshot.index_loaded:
        reasons.append("vector index not loaded")
    for actor in snapshot.actors:
        if actor.permanent and actor.state is not ActorState.RUNNING:
            reasons.append(f"actor {actor.name} {actor.state.value}")
    if now_ms - snapshot.taken_at_ms > thresholds.stale_after_ms:
        reasons.append("health snapshot stale")
    return (not reasons, reasons)


def _above(name: str, value: float | None, limits: tuple[float, float], *, fatal: bool) -> Check:
    if value is None:
        return Check(name, "ok", None, fatal)
    level = "critical" if value > limits[1] else "warning" if value > limits[0] else "ok"
    return Check(name, level, value, fatal)


def _checks(s: HealthSnapshot, t: Thresholds) -> list[Check]:
    checks: list[Check] = []
    r = s.resources
    if r is not None:
        # A node at full CPU still does its job, slower: degraded, never 503.
        checks.append(_above("cpu", r.cpu_percent, t.cpu_percent, fatal=False))
        mem = 100.0 * r.memory_used_mb / r.memory_total_mb if r.memory_total_mb > 0 else None
        checks.append(_above("memory", mem, t.memory_percent, fatal=True))
        disk = 100.0 * r.disk_used_gb / r.disk_total_gb if r.disk_total_gb > 0 else None
        checks.append(_above("disk", disk, t.disk_percent, fatal=True))
    fill = 100.0 * s.index_size / s.index_max if s.index_max > 0 else None
    checks.append(_above("vectorDbSize", fill, t.index_fill_percent, fatal=True))
    # A slow cycle or LLM is usually the provider's doing: it degrades, it does not fail us.
    checks.append(
        _above("alignmentCycleTime", s.alignment_cycle_s, t.alignment_cycle_s, fatal=False)
    )
    checks.append(_above("llmLatencyP99", s.llm_latency_p99_s, t.llm_latency_p99_s, fatal=False))
    rate = s.settlement_success_rate
    if rate is None:
        checks.append(Check("settlementSuccessRate", "ok", None, False))
    else:
        warn, crit = t.settlement_success_rate
        level = "critical" if rate < crit else "warning" if rate < warn else "ok"
        checks.append(Check("settlementSuccessRate", level, rate, False))
    return checks


def _worst(a: Status, b: Status) -> Status:
    return a if _RANK[a] >= _RANK[b] else b


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def judge(  # noqa: PLR0912 - one straight pass over the runbook's rules
    snapshot: HealthSnapshot,
    *,
    now_ms: int | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> dict[str, Any]:
    """The runbook's ``/health`` report for ``snapshot``, extended with the node's internals.

    Pure: the same snapshot and ``now_ms`` give the same report. ``status`` is

    - ``unhealthy`` (HTTP 503): root supervisor gave up, store closed, a permanent actor
      ``failed``/``stopped``, or memory, disk or index fill past its critical threshold;
    - ``degraded``: not ready for any other reason (starting, draining, back-off), any warning,
      CPU or an external component (chain, LLM) past critical or down, the embedder degraded;
    - ``healthy`` otherwise.
    """
    now = now_ms if now_ms is not None else now_millis()
    s = snapshot
    ready, reasons = readiness(s, now_ms=now, thresholds=thresholds)
    status = Status.HEALTHY
    problems: list[str] = []

    def flag(level: Status, why: str) -> None:
        nonlocal status
        status = _worst(status, level)
        problems.append(why)

    if s.root_gave_up:
        flag(Status.UNHEALTHY, "root supervisor gave up")
    if not s.store_open and not s.starting:
        flag(Status.UNHEALTHY, "store not open")
    for actor in s.actors:
        dead = actor.state in (ActorState.FAILED, ActorState.STOPPED)
        if actor.permanent and dead and not s.draining:
            flag(Status.UNHEALTHY, f"actor {actor.name} {actor.state.value}")
    if not ready:
        flag(Status.DEGRADED, "not ready")

    components: dict[str, dict[str, Any]] = {}
    given = dict(s.components)
    for name in COMPONENT_NAMES:
        comp = given.get(name)
        if comp is None:
            components[name] = {"status": "unknown", "latency": None}
            continue
        components[name] = {"status": comp.status.value, "latency": _ms(comp.latency_ms)}
        if comp.detail:
            components[name]["detail"] = comp.detail
        if comp.status is not Status.HEALTHY:
            external = name in _EXTERNAL
            why = f"{name} {comp.status.value}"
            if comp.status is Status.UNHEALTHY and comp.detail:
                why += f": {comp.detail}"  # e.g. the chain refuses our API key
            flag(Status.DEGRADED if external else comp.status, why)
    if s.embedder_degraded_reason:
        flag(Status.DEGRADED, "embedder degraded")

    checks = _checks(s, thresholds)
    for c in checks:
        if c.level == "critical":
            flag(Status.UNHEALTHY if c.fatal else Status.DEGRADED, f"{c.name} critical")
        elif c.level == "warning":
            flag(Status.DEGRADED, f"{c.name} warning")

    r = s.resources
    resources: dict[str, Any] = (
        {
            "cpu": round(r.cpu_percent, 1),
            "memory": {"used": round(r.memory_used_mb), "total": round(r.memory_total_mb)},
            "disk": {"used": round(r.disk_used_gb, 1), "total": round(r.disk_total_gb, 1)},
            "processRssMb": round(r.process_rss_mb, 1),
            # What cpu and memory are percentages of: a cgroup's limits or the host's.
            "basis": r.basis.value,
            "cpuBasis": r.cpu_basis.value,
            "cpuCores": round(r.cpu_cores, 2),
            "memoryBasis": r.memory_basis.value,
        }
        if r is not None
        else {"cpu": None, "memory": None, "disk": None, "basis": None}
    )
    return {
        "status": status.value,
        "timestamp": now,
        "uptime": max(0, now - s.started_at_ms),
        "resources": resources,
        "components": components,
        "ready": ready,
        "notReadyReasons": reasons,
        "problems": problems,
        "draining": s.draining,
        "rootGaveUp": s.root_gave_up,
        "snapshotAgeMs": max(0, now - s.taken_at_ms),
        "actors": [
            {
                "name": a.name,
                "state": a.state.value,
                "restarts": a.restarts,
                "lastErrorClass": a.last_error_class,
                "permanent": a.permanent,
            }
            for a in s.actors
        ],
        "breakers": [
            {"name": b.name, "state": b.state, "latency": _ms(b.latency_ms)} for b in s.breakers
        ],
        "queues": dict(s.queue_depths),
        "quarantine": s.quarantine_size,
        "index": {"size": s.index_size, "max": s.index_max},
        "alignmentCycleTime": s.alignment_cycle_s,
        "llmLatencyP99": s.llm_latency_p99_s,
        "settlementSuccessRate": s.settlement_success_rate,
        "embedderDegraded": s.embedder_degraded_reason,
        "checks": {c.name: {"level": c.level, "value": c.value} for c in checks},
    }


def http_status(report: dict[str, Any]) -> int:
    """200 for healthy/degraded, 503 for unhealthy (runbook)."""
    return 503 if report.get("status") == Status.UNHEALTHY.value else 200
