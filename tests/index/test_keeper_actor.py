"""The index keeper actor starts at once and loads the index in its first round."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gevent
import gevent.event
import pykka

from mediator_actors.actors.index_keeper import INDEX_LOADING, IndexKeeper
from mediator_actors.actors.messages import ReadinessChanged, Roles
from mediator_actors.embedding import HashEmbedder
from mediator_actors.index.hnsw import IndexParams
from mediator_actors.index.keeper import IndexCore
from mediator_actors.stats import NodeStats
from mediator_actors.store import Store
from supervisors import Ping, RoleRegistry

from .conftest import DIM


def test_the_keeper_answers_at_once_and_reports_index_loading_until_loaded(
    full_store: Store, tmp_path: Path
) -> None:
    release = gevent.event.Event()
    stats = NodeStats()

    def make_core() -> IndexCore:
        assert release.wait(timeout=10), "never released"
        return IndexCore(
            store=full_store,
            embedder=HashEmbedder(dimensions=DIM),
            folder=tmp_path / "vectors",
            params=IndexParams(dimensions=DIM, m=8, ef_construction=64, ef=64, threads=1),
        )

    registry = RoleRegistry()
    told = gevent.event.Event()
    reporter = _Inbox.start(told)
    registry.register(Roles.HEALTH_REPORTER, reporter)
    ref = IndexKeeper.start(
        None, make_core=make_core, registry=registry, stats=stats, interval=60.0
    )
    # on_start returned although the core cannot be built yet: the tree is not held up.
    assert ref.ask(Ping(), timeout=5) is True
    assert (stats.index_loaded, stats.index_status) == (False, INDEX_LOADING)
    release.set()
    with gevent.Timeout(10, AssertionError("the index never loaded")):
        while not stats.index_loaded:
            gevent.sleep(0.01)
    assert stats.index_status is None
    # the reporter hears of it at once, so readiness does not wait for its next round
    assert told.wait(timeout=10), "the health reporter was not told the index loaded"
    ref.stop(timeout=10)
    reporter.stop()


class _Inbox(pykka.ThreadingActor):
    """Stands in for the health reporter: sets ``told`` on ReadinessChanged."""

    def __init__(self, told: gevent.event.Event) -> None:
        super().__init__()
        self.told = told

    def on_receive(self, message: Any) -> Any:
        if isinstance(message, ReadinessChanged):
            self.told.set()
        return None
