from pathlib import Path
from typing import Any

import gevent
import gevent.event

from mediator_actors.actors.health_reporter import HealthReporter
from mediator_actors.health.report import SnapshotBox
from mediator_actors.monitoring import MonitoringEvent, encode_event
from mediator_actors.stats import NodeStats
from mediator_actors.store import Store
from mediator_actors.wiring import ALL_MIGRATIONS
from supervisors import StatusBoard


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


def test_the_reporter_fills_the_box_and_announces_health_changes_and_metrics(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path, migrations=ALL_MIGRATIONS)
    facts = {"started": False, "draining": False}
    recorder = Recorder()
    box = SnapshotBox()
    reporter = HealthReporter.start(
        None,
        box=box,
        board=StatusBoard(),
        store=store,
        stats=NodeStats(index_loaded=True),
        readiness=lambda: (facts["started"], facts["draining"], False),
        started_at=0.0,
        events=recorder,
        interval=0.05,
        metrics_every=2,
    )
    try:
        first = recorder.wait_for("health")[0]
        assert first["ready"] is False
        facts["started"] = True
        changed = recorder.wait_for("health", 2)[1]
        assert changed["ready"] is True
        metrics = recorder.wait_for("metrics")[0]
        assert {"queues", "quarantine", "index_size", "index_max", "resources"} <= set(metrics)
        assert box.get().store_open is True
        count = len(recorder.on("health"))
        gevent.sleep(0.3)  # several more rounds, nothing changed: no new health event
        assert len(recorder.on("health")) == count
    finally:
        reporter.stop()
        store.close()
