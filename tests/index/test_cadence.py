"""When the index keeper snapshots: soon after change, never in a tight loop."""

from __future__ import annotations

from pathlib import Path

import gevent
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.actors.index_keeper import IndexKeeper
from mediator_actors.benchmarks.corpus import generate_intents
from mediator_actors.embedding import HashEmbedder
from mediator_actors.index.cadence import SnapshotCadence
from mediator_actors.index.hnsw import IndexParams
from mediator_actors.index.intents import IntentIndex
from mediator_actors.index.keeper import IndexCore, SyncReport
from mediator_actors.stats import NodeStats
from mediator_actors.store import Store
from mediator_actors.store.intents import save_intent
from supervisors import RoleRegistry

from .conftest import DIM


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_nothing_changed_means_no_snapshot_however_long_it_has_been() -> None:
    clock = Clock()
    cadence = SnapshotCadence(every=300, min_interval=10, changes=256, clock=clock)
    clock.now = 10_000
    cadence.record(SyncReport())
    assert not cadence.due()


def test_many_changes_are_due_after_the_minimum_interval_only() -> None:
    clock = Clock()
    cadence = SnapshotCadence(every=300, min_interval=10, changes=256, clock=clock)
    cadence.record(SyncReport(added=300, pending=5000))
    clock.now = 9.9
    assert not cadence.due()
    clock.now = 10
    assert cadence.due()
    cadence.written()
    assert cadence.changed == 0
    assert not cadence.due()


def test_a_finished_backlog_is_due_even_below_the_change_threshold() -> None:
    clock = Clock()
    cadence = SnapshotCadence(every=300, min_interval=10, changes=256, clock=clock)
    cadence.record(SyncReport(added=100, pending=40))
    clock.now = 20
    assert not cadence.due()  # 100 changes, backlog still running
    cadence.record(SyncReport(added=40))
    assert cadence.due()


def test_a_trickle_is_snapshotted_every_period() -> None:
    clock = Clock()
    cadence = SnapshotCadence(every=300, min_interval=10, changes=256, clock=clock)
    cadence.record(SyncReport(added=1, removed=1))
    clock.now = 299
    assert not cadence.due()
    clock.now = 300
    assert cadence.due()


def test_inconsistent_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="min_interval"):
        SnapshotCadence(every=5, min_interval=10)
    with pytest.raises(ValueError, match="changes"):
        SnapshotCadence(changes=0)


@given(
    st.lists(
        st.tuples(
            st.floats(0, 100), st.integers(0, 600), st.integers(0, 600), st.integers(0, 1000)
        ),
        max_size=40,
    )
)
@settings(max_examples=200, deadline=None)
def test_snapshots_are_never_closer_than_the_minimum_and_change_is_never_held_past_the_period(
    rounds: list[tuple[float, int, int, int]],
) -> None:
    clock = Clock()
    cadence = SnapshotCadence(every=300, min_interval=10, changes=256, clock=clock)
    last = 0.0
    for step, added, removed, pending in rounds:
        clock.now += step
        cadence.record(SyncReport(added=added, removed=removed, pending=pending))
        if cadence.due():
            assert clock.now - last >= 10
            cadence.written()
            last = clock.now
        else:
            assert cadence.changed == 0 or clock.now - last < 300


def test_the_keeper_snapshots_a_rebuilt_index_without_waiting_for_the_period(
    full_store: Store, tmp_path: Path
) -> None:
    intents = generate_intents(60, seed=5)

    def write(conn):  # type: ignore[no-untyped-def]
        for n, intent in enumerate(intents):
            save_intent(conn, intent, now=float(n))

    full_store.write(write)
    folder = tmp_path / "vectors"
    params = IndexParams(dimensions=DIM, m=8, ef_construction=64, ef=64, threads=1)
    embedder = HashEmbedder(dimensions=DIM)

    def make_core() -> IndexCore:
        return IndexCore(store=full_store, embedder=embedder, folder=folder, params=params)

    stats = NodeStats()
    ref = IndexKeeper.start(
        None,
        make_core=make_core,
        registry=RoleRegistry(),
        stats=stats,
        interval=0.05,
        cadence=SnapshotCadence(every=3600, min_interval=0, changes=10),
    )
    try:
        with gevent.Timeout(20, AssertionError("no snapshot was written")):
            while IntentIndex.load(folder, embedder_id=embedder.id, params=params).index is None:
                gevent.sleep(0.02)
        loaded = IntentIndex.load(folder, embedder_id=embedder.id, params=params).index
        assert loaded is not None
        assert len(loaded) == len(intents)
    finally:
        ref.stop(timeout=10)
