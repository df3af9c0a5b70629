"""The index keeper: sole owner of the HNSW index; turns open intents into negotiation jobs."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gevent
import pykka

from mediator_actors.actors.messages import (
    IntentsIngested,
    IntentsLeftMediation,
    NegotiationsQueued,
    ReadinessChanged,
    Roles,
)
from mediator_actors.actors.periodic import PeriodicActor
from mediator_actors.index.cadence import SnapshotCadence
from mediator_actors.index.keeper import IndexCore, StartReport, SyncReport
from mediator_actors.stats import NodeStats
from supervisors import Link, RoleRegistry

logger = logging.getLogger(__name__)

#: The readiness reason while the index loads or rebuilds.
INDEX_LOADING = "index loading"


@dataclass(frozen=True, slots=True)
class _Loaded:
    core: IndexCore
    report: StartReport
    seconds: float


@dataclass(frozen=True, slots=True)
class _LoadFailed:
    error: Exception


class IndexKeeper(PeriodicActor):
    """Starts at once and loads (or rebuilds) the index in the background, so a 10k-intent
    rebuild never holds up the tree; readiness says "index loading" meanwhile, and a load
    that fails fails the actor. Each round then syncs the index with the store, runs the
    candidate pass and snapshots when :class:`SnapshotCadence` says one is due (so a
    restart loads a fresh snapshot instead of rebuilding)."""

    def __init__(
        self,
        link: Link | None,
        *,
        make_core: Callable[[], IndexCore],
        registry: RoleRegistry,
        stats: NodeStats,
        interval: float,
        cadence: SnapshotCadence | None = None,
        paused: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__(link, interval=interval, paused=paused)
        self._make_core = make_core
        self.registry = registry
        self.stats = stats
        self.cadence = cadence or SnapshotCadence()
        self.core: IndexCore | None = None
        self._loader: gevent.Greenlet | None = None

    def prepare(self) -> None:
        self.stats.index_loaded = False
        self.stats.index_status = INDEX_LOADING
        # Its own greenlet, not a round: the first round would run before the supervisor's
        # start ping is answered, and a rebuild must not count against the start timeout.
        self._loader = gevent.spawn(self._load)

    def _load(self) -> None:
        began = time.monotonic()
        try:
            core = self._make_core()
            # Embedding the backlog is left to the rounds: readiness waits for the index only.
            report = core.start(max_embed=0)
        except Exception as exc:  # noqa: BLE001 - handed to the actor, which fails with it
            self._tell(_LoadFailed(exc))
            return
        self._tell(_Loaded(core, report, time.monotonic() - began))

    def _tell(self, message: Any) -> None:
        with contextlib.suppress(pykka.ActorDeadError):
            self.actor_ref.tell(message)

    def _loaded(self, message: _Loaded) -> None:
        core, report = message.core, message.report
        self.core = core  # from here on only this actor's greenlet touches it
        # a rebuilt index is all change: snapshot it soon, or the next restart rebuilds too
        rebuilt = report.source == "rebuild"
        self.cadence.record(SyncReport(added=len(core.index)) if rebuilt else report.sync)
        self.stats.embedder_id = core.embedder.id
        self.stats.embedder_degraded = core.degraded
        self._publish_size()
        self.stats.index_loaded = True
        self.stats.index_status = None
        self.registry.tell(Roles.HEALTH_REPORTER, ReadinessChanged())
        logger.info(
            "index: loaded from %s (%d intents, %d added from stored vectors, %d removed, "
            "%d to embed) in %.2fs",
            report.source,
            len(core.index),
            0 if rebuilt else report.sync.added,  # a stale snapshot costs an add each
            report.sync.removed,
            report.sync.pending,
            message.seconds,
        )
        self.wake()

    def round(self) -> float | None:
        core = self.core
        if core is None:
            return None  # still loading: _Loaded wakes us
        began = time.monotonic()
        sync = core.sync()
        self.cadence.record(sync)
        # The runbook's vectorDb latency: how long the last index maintenance call took.
        self.stats.vector_latency_ms = (time.monotonic() - began) * 1000
        queued = core.candidates()
        self.stats.alignment_cycle_s = time.monotonic() - began
        self._publish_size()
        if queued:
            logger.info("index: %d new candidate pairs queued for negotiation", len(queued))
            self.registry.tell(Roles.NEGOTIATORS, NegotiationsQueued(len(queued)))
        if self.cadence.due():
            self._snapshot()
        return 0.0 if sync.pending else None

    def receive(self, message: Any) -> Any:
        if isinstance(message, _Loaded):
            self._loaded(message)
            return None
        if isinstance(message, _LoadFailed):
            raise message.error
        if isinstance(message, IntentsIngested | IntentsLeftMediation):
            self.wake()
            return None
        return super().receive(message)

    def stopping(self) -> None:
        super().stopping()
        if self._loader is not None:
            self._loader.kill(block=False)
        if self.core is not None and self.core.ready:
            self._snapshot()
        self.stats.index_loaded = False
        self.stats.index_status = None

    def _snapshot(self) -> None:
        assert self.core is not None
        began = time.monotonic()
        self.core.snapshot()
        logger.debug(
            "index: snapshot of %d intents (%d changed) in %.2fs",
            len(self.core.index),
            self.cadence.changed,
            time.monotonic() - began,
        )
        self.cadence.written()

    def _publish_size(self) -> None:
        assert self.core is not None
        self.stats.index_size = len(self.core.index)
