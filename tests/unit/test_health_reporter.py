import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gevent
import gevent.event
import pykka
import pytest

from mediator_actors.actors.health_reporter import HealthReporter
from mediator_actors.actors.messages import ReadinessChanged
from mediator_actors.health.report import Resources, SnapshotBox
from mediator_actors.monitoring import MonitoringEvent, encode_event
from mediator_actors.stats import NodeStats
from mediator_actors.store import Store
from mediator_actors.wiring import ALL_MIGRATIONS
from supervisors import StatusBoard

#: A calm machine: the reporter's test must not depend on the load of the host it runs on.
CALM = Resources(5.0, 100.0, 1000.0, 1.0, 100.0, 50.0)


class FixedSampler:
    """Returns ``value``; counts calls so a test can tell the reporter sampled."""

    def __init__(self, value: Resources) -> None:
        self.value = value
        self.calls = 0

    def __call__(self) -> Resources:
        self.calls += 1
        return self.value


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.arrived = gevent.event.Event()

    def publish(self, event: MonitoringEvent) -> int:
        self.events.append((event.channel.value, encode_event(event)))
        self.arrived.set()
        return 1

    def wait_for(self, channel: str, count: int = 1) -> list[dict[str, Any]]:
        with gevent.Timeout(10, AssertionError(f"no {channel} event")):
            while len(self.on(channel)) < count:
                self.arrived.clear()
                self.arrived.wait(0.5)
        return self.on(channel)

    def on(self, channel: str) -> list[dict[str, Any]]:
        return [event for name, event in self.events if name == channel]


@dataclass(frozen=True)
class Running:
    reporter: pykka.ActorRef[HealthReporter]
    recorder: Recorder
    box: SnapshotBox


StartReporter = Callable[..., Running]


@pytest.fixture
def start_reporter(tmp_path: Path) -> Iterator[StartReporter]:
    """Starts a reporter on a fresh store with a recorder for its events; stops both after."""
    started: list[tuple[pykka.ActorRef[HealthReporter], Store]] = []

    def start(
        *,
        sampler: Callable[[], Resources],
        readiness: Callable[[], tuple[bool, bool, bool]] = lambda: (True, False, False),
        data: Path = tmp_path,
        **options: Any,
    ) -> Running:
        store = Store.open(data, migrations=ALL_MIGRATIONS)
        recorder, box = Recorder(), SnapshotBox()
        reporter = HealthReporter.start(
            None,
            box=box,
            board=StatusBoard(),
            store=store,
            stats=NodeStats(index_loaded=True),
            readiness=readiness,
            started_at=0.0,
            events=recorder,
            sampler=sampler,
            **{"interval": 0.05, **options},
        )
        started.append((reporter, store))
        return Running(reporter, recorder, box)

    yield start
    for reporter, store in started:
        reporter.stop()
        store.close()


def test_the_reporter_fills_the_box_and_announces_health_changes_and_metrics(
    start_reporter: StartReporter,
) -> None:
    facts = {"started": False, "draining": False}
    run = start_reporter(
        sampler=FixedSampler(CALM),
        readiness=lambda: (facts["started"], facts["draining"], False),
        metrics_every=2,
    )
    recorder, box = run.recorder, run.box
    first = recorder.wait_for("health")[0]
    assert first["ready"] is False
    facts["started"] = True
    changed = recorder.wait_for("health", 2)[1]
    assert changed["ready"] is True
    metrics = recorder.wait_for("metrics")[0]
    assert {"queues", "quarantine", "index_size", "index_max", "resources"} <= set(metrics)
    assert box.get().store_open is True
    assert box.get().resources == CALM
    count = len(recorder.on("health"))
    seen = len(recorder.on("metrics"))
    # Several more rounds (a metrics event every 2), nothing changed: no new health event.
    recorder.wait_for("metrics", seen + 3)
    assert len(recorder.on("health")) == count


def test_the_reporter_judges_what_its_sampler_reports(start_reporter: StartReporter) -> None:
    sampler = FixedSampler(CALM)
    recorder = start_reporter(sampler=sampler).recorder
    assert recorder.wait_for("health")[0]["status"] == "healthy"
    sampler.value = Resources(5.0, 960.0, 1000.0, 1.0, 100.0, 50.0)  # memory 96 %
    changed = recorder.wait_for("health", 2)[1]
    assert changed["status"] == "unhealthy"
    assert "memory critical" in changed["problems"]


def test_a_node_at_its_cgroup_cpu_quota_is_announced_degraded_never_unhealthy(
    tmp_path: Path, start_reporter: StartReporter
) -> None:
    from mediator_actors.health.resources import CgroupTree, ResourceSampler
    from tests.unit.test_resources import FakeHost, FakeProcess, v2_tree

    tree: CgroupTree = v2_tree(tmp_path, {"cpu.max": "50000 100000\n"})
    process = FakeProcess(10.0)  # 20 % of its half core
    run = start_reporter(
        sampler=ResourceSampler(
            disk_path=str(tmp_path), cgroups=tree, process=process, host=FakeHost()
        ),
        data=tmp_path / "data",
    )
    assert run.recorder.wait_for("health")[0]["status"] == "healthy"
    process.percent = 49.0  # 98 % of the quota
    changed = run.recorder.wait_for("health", 2)[1]
    assert changed["status"] == "degraded"
    assert "cpu critical" in changed["problems"]
    resources = run.box.get().resources
    assert resources is not None
    assert (resources.cpu_basis, resources.cpu_cores) == ("cgroup-v2", 0.5)


class FailingSampler:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> Resources:
        self.calls += 1
        raise FileNotFoundError("/data gone")


def test_a_failing_sampler_leaves_resources_unmeasured_and_the_reporter_running(
    start_reporter: StartReporter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="mediator_actors.actors.health_reporter")
    sampler = FailingSampler()
    run = start_reporter(sampler=sampler, metrics_every=1)
    recorder = run.recorder
    recorder.wait_for("metrics", 3)  # three rounds, each one sampled and failed
    assert run.reporter.is_alive()
    assert run.box.get().resources is None
    assert recorder.on("health")[0]["status"] == "healthy"
    assert recorder.on("metrics")[-1]["resources"]["cpu"] is None
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings == ["health: resources not measured: FileNotFoundError: /data gone"]
    assert sampler.calls >= 3


def test_a_readiness_change_is_snapshotted_at_once_not_at_the_next_round(
    start_reporter: StartReporter,
) -> None:
    """The node tells the reporter when the tree has started or the index has loaded: the
    probes must not wait for a round an hour away (a second, in the node)."""
    facts = {"started": False}
    run = start_reporter(
        sampler=FixedSampler(CALM),
        readiness=lambda: (facts["started"], False, False),
        interval=3600.0,
    )
    assert run.recorder.wait_for("health")[0]["ready"] is False
    facts["started"] = True
    run.reporter.tell(ReadinessChanged())
    assert run.recorder.wait_for("health", 2)[1]["ready"] is True
    assert run.box.get().starting is False


def test_the_node_wakes_the_reporter_when_its_readiness_changes(
    start_reporter: StartReporter,
) -> None:
    from mediator_actors.actors.messages import Roles
    from mediator_actors.node import Readiness
    from mediator_actors.wiring import _wake_reporter
    from supervisors import RoleRegistry

    readiness, registry = Readiness(), RoleRegistry()
    run = start_reporter(
        sampler=FixedSampler(CALM),
        readiness=lambda: (readiness.started, readiness.draining, False),
        interval=3600.0,
    )
    registry.register(Roles.HEALTH_REPORTER, run.reporter)
    readiness.watch(_wake_reporter(registry))
    assert run.recorder.wait_for("health")[0]["ready"] is False
    readiness.mark_started()
    assert run.recorder.wait_for("health", 2)[1]["ready"] is True
