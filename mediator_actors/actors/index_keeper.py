"""The index keeper: sole owner of the HNSW index; turns open intents into negotiation jobs."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from mediator_actors.actors.messages import (
    IntentsIngested,
    IntentsLeftMediation,
    NegotiationsQueued,
    Roles,
)
from mediator_actors.actors.periodic import PeriodicActor
from mediator_actors.index.keeper import IndexCore
from mediator_actors.stats import NodeStats
from supervisors import Link, RoleRegistry

logger = logging.getLogger(__name__)

#: The readiness reason while the first round loads or rebuilds the index.
INDEX_LOADING = "index loading"


class IndexKeeper(PeriodicActor):
    """Starts at once; its first round loads (or rebuilds) the index, so a 10k-intent
    rebuild never holds up the tree, and readiness says "index loading" meanwhile. Each
    later round syncs the index with the store, runs the candidate pass and snapshots on
    a schedule."""

    def __init__(
        self,
        link: Link | None,
        *,
        make_core: Callable[[], IndexCore],
        registry: RoleRegistry,
        stats: NodeStats,
        interval: float,
        snapshot_every: float = 300.0,
        paused: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__(link, interval=interval, paused=paused)
        self._make_core = make_core
        self.registry = registry
        self.stats = stats
        self.snapshot_every = snapshot_every
        self.core: IndexCore | None = None
        self._last_snapshot = time.monotonic()

    def prepare(self) -> None:
        self.stats.index_loaded = False
        self.stats.index_status = INDEX_LOADING

    def _load(self) -> IndexCore:
        began = time.monotonic()
        core = self._make_core()
        # Embedding the backlog is left to the rounds: readiness waits for the index only.
        report = core.start(max_embed=0)
        self.core = core
        self.stats.embedder_id = core.embedder.id
        self.stats.embedder_degraded = core.degraded
        self._publish_size()
        self.stats.index_loaded = True
        self.stats.index_status = None
        logger.info(
            "index: loaded from %s (%d intents, %d to embed) in %.2fs",
            report.source,
            len(core.index),
            report.sync.pending,
            time.monotonic() - began,
        )
        return core

    def round(self) -> float | None:
        if self.core is None:
            self._load()
            return 0.0
        core = self.core
        began = time.monotonic()
        sync = core.sync()
        # The runbook's vectorDb latency: how long the last index maintenance call took.
        self.stats.vector_latency_ms = (time.monotonic() - began) * 1000
        queued = core.candidates()
        self.stats.alignment_cycle_s = time.monotonic() - began
        self._publish_size()
        if queued:
            logger.info("index: %d new candidate pairs queued for negotiation", len(queued))
            self.registry.tell(Roles.NEGOTIATORS, NegotiationsQueued(len(queued)))
        if time.monotonic() - self._last_snapshot >= self.snapshot_every:
            self._snapshot()
        return 0.0 if sync.pending else None

    def receive(self, message: Any) -> Any:
        if isinstance(message, IntentsIngested | IntentsLeftMediation):
            self.wake()
            return None
        return super().receive(message)

    def stopping(self) -> None:
        super().stopping()
        if self.core is not None and self.core.ready:
            self._snapshot()
        self.stats.index_loaded = False
        self.stats.index_status = None

    def _snapshot(self) -> None:
        assert self.core is not None
        self.core.snapshot()
        self._last_snapshot = time.monotonic()

    def _publish_size(self) -> None:
        assert self.core is not None
        self.stats.index_size = len(self.core.index)
