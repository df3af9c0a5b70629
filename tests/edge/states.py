"""Snapshots for each state the node can be in, as the health reporter would build them."""

from __future__ import annotations

from dataclasses import replace

from mediator_actors.health.report import (
    ActorState,
    ActorStatus,
    BreakerStatus,
    ComponentStatus,
    HealthSnapshot,
    Resources,
    Status,
)

NOW = 1_795_000_000_000
ACTORS = ("listener", "aligner", "negotiator", "settler", "store")


def ready() -> HealthSnapshot:
    return HealthSnapshot(
        taken_at_ms=NOW - 1000,
        started_at_ms=NOW - 86_400_000,
        store_open=True,
        index_loaded=True,
        actors=tuple(ActorStatus(a, ActorState.RUNNING) for a in ACTORS),
        breakers=(BreakerStatus("chain", "closed", 120.0), BreakerStatus("llm", "closed", 250.0)),
        components=(
            ("vectorDb", ComponentStatus(Status.HEALTHY, 5.0)),
            ("chainClient", ComponentStatus(Status.HEALTHY, 120.0)),
            ("llmProvider", ComponentStatus(Status.HEALTHY, 250.0)),
        ),
        queue_depths=(("negotiations", 3), ("settlements", 0)),
        quarantine_size=2,
        index_size=1000,
        index_max=10_000,
        alignment_cycle_s=4.0,
        llm_latency_p99_s=1.5,
        settlement_success_rate=0.95,
        resources=Resources(15.2, 256.0, 1024.0, 10.0, 100.0, 120.0),
    )


def chain_down() -> HealthSnapshot:
    s = ready()
    comps = dict(s.components)
    comps["chainClient"] = ComponentStatus(Status.UNHEALTHY, None, "connection refused")
    return replace(
        s,
        components=tuple(comps.items()),
        breakers=(BreakerStatus("chain", "open", None), s.breakers[1]),
    )


def llm_down() -> HealthSnapshot:
    s = ready()
    comps = dict(s.components)
    comps["llmProvider"] = ComponentStatus(Status.UNHEALTHY, None)
    return replace(s, components=tuple(comps.items()), llm_latency_p99_s=30.0)


def actor_backoff() -> HealthSnapshot:
    s = ready()
    actors = list(s.actors)
    actors[2] = ActorStatus(
        "negotiator", ActorState.BACKOFF, restarts=3, last_error_class="LLMError"
    )
    return replace(s, actors=tuple(actors))


def actor_failed() -> HealthSnapshot:
    s = ready()
    actors = list(s.actors)
    actors[1] = ActorStatus(
        "aligner", ActorState.FAILED, restarts=10, last_error_class="VectorIndexError"
    )
    return replace(s, actors=tuple(actors))


def root_gave_up() -> HealthSnapshot:
    s = actor_failed()
    return replace(s, root_gave_up=True)


def draining() -> HealthSnapshot:
    s = ready()
    actors = tuple(
        replace(a, state=ActorState.STOPPED) if a.name == "listener" else a for a in s.actors
    )
    return replace(s, draining=True, actors=actors)
