from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.health.report import (
    ActorState,
    ActorStatus,
    Basis,
    ComponentStatus,
    HealthSnapshot,
    Resources,
    SnapshotBox,
    Status,
    http_status,
    judge,
    readiness,
)
from tests.edge import states
from tests.edge.states import NOW


def test_a_ready_node_reports_the_runbook_fields_and_is_healthy():
    report = judge(states.ready(), now_ms=NOW)
    assert report["status"] == "healthy"
    assert report["timestamp"] == NOW
    assert report["uptime"] == 86_400_000
    assert report["resources"]["cpu"] == 15.2
    assert report["resources"]["memory"] == {"used": 256, "total": 1024}
    assert report["resources"]["disk"] == {"used": 10.0, "total": 100.0}
    assert report["components"]["vectorDb"] == {"status": "healthy", "latency": 5.0}
    assert report["components"]["chainClient"] == {"status": "healthy", "latency": 120.0}
    assert report["components"]["llmProvider"] == {"status": "healthy", "latency": 250.0}


def test_the_report_is_extended_with_actors_breakers_queues_and_the_runbook_metrics():
    report = judge(states.actor_backoff(), now_ms=NOW)
    neg = next(a for a in report["actors"] if a["name"] == "negotiator")
    assert neg == {
        "name": "negotiator",
        "state": "backoff",
        "restarts": 3,
        "lastErrorClass": "LLMError",
        "permanent": True,
    }
    assert report["breakers"][0] == {"name": "chain", "state": "closed", "latency": 120.0}
    assert report["queues"] == {"negotiations": 3, "settlements": 0}
    assert report["quarantine"] == 2
    assert report["index"] == {"size": 1000, "max": 10_000}
    assert report["alignmentCycleTime"] == 4.0
    assert report["llmLatencyP99"] == 1.5
    assert report["settlementSuccessRate"] == 0.95
    assert set(report["checks"]) >= {"cpu", "memory", "vectorDbSize", "llmLatencyP99"}


@pytest.mark.parametrize(
    ("state", "ready", "status"),
    [
        ("ready", True, "healthy"),
        ("chain_down", True, "degraded"),
        ("llm_down", True, "degraded"),
        ("actor_backoff", False, "degraded"),
        ("actor_failed", False, "unhealthy"),
        ("root_gave_up", False, "unhealthy"),
        ("draining", False, "degraded"),
    ],
)
def test_each_state_judges_to_its_readiness_and_status(state, ready, status):
    snap = getattr(states, state)()
    assert readiness(snap, now_ms=NOW)[0] is ready
    assert judge(snap, now_ms=NOW)["status"] == status


def test_starting_is_not_ready_but_not_unhealthy():
    snap = HealthSnapshot.at_start(NOW)
    ok, reasons = readiness(snap, now_ms=NOW)
    assert not ok
    assert "starting" in reasons
    assert judge(snap, now_ms=NOW)["status"] == "degraded"


def test_a_chain_outage_never_makes_the_node_unready():
    ok, reasons = readiness(states.chain_down(), now_ms=NOW)
    assert ok, reasons


def test_a_stale_snapshot_means_the_reporter_is_stuck_and_the_node_unready():
    snap = replace(states.ready(), taken_at_ms=NOW - 60_000)
    ok, reasons = readiness(snap, now_ms=NOW)
    assert not ok
    assert reasons == ["health snapshot stale"]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"resources": Resources(75.0, 100, 1000, 1, 100)}, "degraded"),
        ({"resources": Resources(95.0, 100, 1000, 1, 100)}, "degraded"),  # CPU never 503
        ({"resources": Resources(10.0, 850, 1000, 1, 100)}, "degraded"),
        ({"resources": Resources(10.0, 960, 1000, 1, 100)}, "unhealthy"),
        ({"index_size": 8_500}, "degraded"),
        ({"index_size": 9_600}, "unhealthy"),
        ({"alignment_cycle_s": 61.0}, "degraded"),
        ({"alignment_cycle_s": 121.0}, "degraded"),
        ({"llm_latency_p99_s": 5.5}, "degraded"),
        ({"llm_latency_p99_s": 11.0}, "degraded"),
        ({"settlement_success_rate": 0.79}, "degraded"),
        ({"settlement_success_rate": 0.5}, "degraded"),
        ({"settlement_success_rate": 0.8}, "healthy"),
        ({"embedder_degraded_reason": "hash fallback"}, "degraded"),
    ],
)
def test_the_runbook_thresholds_judge_local_criticals_unhealthy_and_external_ones_degraded(
    change, status
):
    report = judge(replace(states.ready(), **change), now_ms=NOW)
    assert report["status"] == status


def test_a_non_permanent_actor_in_trouble_does_not_block_readiness():
    snap = replace(
        states.ready(),
        actors=(
            *states.ready().actors,
            ActorStatus("challenge-42", ActorState.FAILED, permanent=False),
        ),
    )
    assert readiness(snap, now_ms=NOW)[0]
    assert judge(snap, now_ms=NOW)["status"] == "healthy"


def test_http_status_is_503_only_for_unhealthy():
    assert http_status({"status": "healthy"}) == 200
    assert http_status({"status": "degraded"}) == 200
    assert http_status({"status": "unhealthy"}) == 503


def test_the_box_returns_the_latest_snapshot_and_starts_as_starting():
    box = SnapshotBox()
    assert box.get().starting
    snap = states.ready()
    box.set(snap)
    assert box.get() is snap


_states = st.sampled_from(list(ActorState))
_status = st.sampled_from(list(Status))
_floats = st.floats(min_value=0, max_value=1e6, allow_nan=False)


@st.composite
def snapshots(draw):
    return HealthSnapshot(
        taken_at_ms=draw(st.integers(NOW - 10**6, NOW)),
        started_at_ms=draw(st.integers(0, NOW)),
        store_open=draw(st.booleans()),
        index_loaded=draw(st.booleans()),
        draining=draw(st.booleans()),
        root_gave_up=draw(st.booleans()),
        actors=tuple(
            ActorStatus(
                n, draw(_states), draw(st.integers(0, 100)), draw(st.none() | st.text(max_size=20))
            )
            for n in draw(st.lists(st.text(max_size=10), max_size=4))
        ),
        components=tuple(
            (n, ComponentStatus(draw(_status), draw(st.none() | _floats)))
            for n in draw(
                st.lists(
                    st.sampled_from(["vectorDb", "chainClient", "llmProvider", "x"]), max_size=4
                )
            )
        ),
        index_size=draw(st.integers(0, 10**6)),
        index_max=draw(st.integers(0, 10**6)),
        alignment_cycle_s=draw(st.none() | _floats),
        llm_latency_p99_s=draw(st.none() | _floats),
        settlement_success_rate=draw(st.none() | st.floats(0, 1)),
        resources=draw(
            st.none()
            | st.builds(
                Resources,
                _floats,
                _floats,
                _floats,
                _floats,
                _floats,
                cpu_cores=_floats,
                cpu_basis=st.sampled_from(list(Basis)),
                memory_basis=st.sampled_from(list(Basis)),
            )
        ),
    )


@settings(max_examples=150, deadline=None)
@given(snapshots())
def test_judge_is_total_and_consistent_with_readiness(snap):
    report = judge(snap, now_ms=NOW)
    assert report["status"] in {"healthy", "degraded", "unhealthy"}
    assert report["ready"] == readiness(snap, now_ms=NOW)[0]
    if not report["ready"]:
        assert report["status"] != "healthy"
    if snap.root_gave_up:
        assert report["status"] == "unhealthy"
    if snap.resources is not None:
        bases = {snap.resources.cpu_basis, snap.resources.memory_basis} - {Basis.HOST}
        assert report["resources"]["basis"] in {b.value for b in bases} | (
            set() if bases else {"host"}
        )
    assert report == judge(snap, now_ms=NOW)


def test_supervisor_child_statuses_map_onto_actor_states():
    from mediator_actors.health.report import actor_status
    from supervisors.states import ChildState, ChildStatus

    mapped = {
        s: actor_status(
            ChildStatus("root/x", s, 2, "LLMError", 0.0, required_for_readiness=False)
        ).state
        for s in ChildState
    }
    assert mapped[ChildState.RUNNING] is ActorState.RUNNING
    assert mapped[ChildState.BACKOFF] is ActorState.BACKOFF
    assert mapped[ChildState.FATAL] is ActorState.FAILED
    assert mapped[ChildState.STOPPING] is ActorState.STOPPED
    status = actor_status(ChildStatus("root/x", ChildState.BACKOFF, 2, "LLMError", 0.0))
    assert (status.name, status.restarts, status.last_error_class, status.permanent) == (
        "root/x",
        2,
        "LLMError",
        True,
    )


def test_breaker_snapshots_map_onto_breaker_statuses():
    from mediator_actors.health.report import BreakerStatus
    from mediator_actors.runtime.resilience import CircuitBreaker

    breaker = CircuitBreaker("chain", failure_threshold=1)
    breaker.record_failure("ChainError", latency_ms=12.5)
    assert BreakerStatus.of("chain", breaker.snapshot()) == BreakerStatus("chain", "open", 12.5)


@settings(max_examples=150, deadline=None)
@given(snapshots(), st.floats(min_value=0, max_value=100))
def test_cpu_alone_never_decides_whether_the_node_is_unhealthy(snap, cpu):
    base = snap.resources if snap.resources is not None else Resources(0.0, 100, 1000, 1, 100)
    idle = judge(replace(snap, resources=replace(base, cpu_percent=0.0)), now_ms=NOW)
    busy = judge(replace(snap, resources=replace(base, cpu_percent=cpu)), now_ms=NOW)
    assert (idle["status"] == "unhealthy") == (busy["status"] == "unhealthy")
    assert http_status(idle) == http_status(busy)
