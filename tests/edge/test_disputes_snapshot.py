"""The disputes channel's first frame: the counts by state, not "not followed yet"."""

from __future__ import annotations

from mediator_actors.edge.overview import Overview
from mediator_actors.edge.watchlines import describe
from mediator_actors.health.report import SnapshotBox
from tests.edge.fakes import MemoryReadModel


def test_the_disputes_snapshot_counts_disputes_by_state_and_watch_prints_them() -> None:
    model = MemoryReadModel()
    model.dispute_list = [
        {"dispute_id": "dsp_a", "state": "open"},
        {"dispute_id": "dsp_b", "state": "open"},
        {"dispute_id": "dsp_c", "state": "resolved"},
    ]
    snapshot = Overview(SnapshotBox(), model).channel("disputes")
    assert snapshot == {"disputes": {"open": 2, "escalated": 0, "resolved": 1, "orphaned": 0}}
    line = describe({"type": "snapshot", "channel": "disputes", "data": snapshot})
    assert line is not None
    assert line.endswith("now: open 2, escalated 0, resolved 1, orphaned 0")
    assert Overview(SnapshotBox(), None).channel("disputes") is None
