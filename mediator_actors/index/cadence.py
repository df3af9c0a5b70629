"""When the index keeper writes a snapshot: fresh enough that a restart loads it instead of
rebuilding, rarely enough that writing it costs little.

A restart loads the newest snapshot and then syncs what changed since from stored vectors
(an hnswlib add each), or, with no usable snapshot, rebuilds all of it (about 1-2 s at 10k
intents on a quiet 2-core machine, several times that under load). A snapshot written only
every 300 s left up to 300 s of ingestion, e.g. a whole 10k backlog, to be rebuilt.

So a snapshot is due when anything changed, at least ``min_interval`` has passed since the
last one, and one of: ``changes`` intents were added or removed since it; a backlog of
embeddings has just been worked off; ``every`` seconds have passed. Writing one at 10k
intents takes about 0.1-0.3 s of offloaded I/O.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mediator_actors.index.keeper import SyncReport


class SnapshotCadence:
    """Counts index changes from sync reports and says when a snapshot is due. Plain and
    single-threaded: the keeper actor owns one."""

    def __init__(
        self,
        *,
        every: float = 300.0,
        min_interval: float = 10.0,
        changes: int = 256,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if min_interval < 0 or every < min_interval or changes < 1:
            raise ValueError("needs 0 <= min_interval <= every and changes >= 1")
        self.every = every
        self.min_interval = min_interval
        self.changes = changes
        self._clock = clock
        self._last = clock()
        self._changed = 0
        self._backlog = False
        self._backlog_done = False

    @property
    def changed(self) -> int:
        """Intents added or removed since the last snapshot."""
        return self._changed

    def record(self, report: SyncReport) -> None:
        """Count one sync round's changes and note whether it left a backlog."""
        self._changed += report.added + report.removed + len(report.evicted)
        if report.pending:
            self._backlog = True
        elif self._backlog:
            self._backlog, self._backlog_done = False, True

    def due(self) -> bool:
        if self._changed == 0:
            return False
        elapsed = self._clock() - self._last
        if elapsed < self.min_interval:
            return False
        return self._changed >= self.changes or self._backlog_done or elapsed >= self.every

    def written(self) -> None:
        """A snapshot was written: start counting again."""
        self._last = self._clock()
        self._changed = 0
        self._backlog_done = False
