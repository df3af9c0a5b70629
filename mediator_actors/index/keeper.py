"""``IndexCore``: everything the index keeper does, without the actor.

The lead's ``IndexKeeper`` actor owns one ``IndexCore`` and calls its methods from its own
greenlet, one at a time (hnswlib needs a single owner). Every method here cooperates with
the hub: store access goes through :class:`Store` (already offloaded), and embedding,
hnswlib and numpy work go through :func:`run_blocking`. None of them may be called from a
pool thread.

Life cycle: :meth:`start` (load a verified snapshot or rebuild from stored vectors, then
reconcile with the store; ``ready`` is False until it returns), then :meth:`sync` whenever
intents arrive or close, :meth:`candidates` on the alignment cycle, and :meth:`snapshot`
periodically and on shutdown.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mediator_actors.embedding.base import Embedder, Vectors
from mediator_actors.index.candidates import enqueue_negotiations, find_candidates
from mediator_actors.index.hnsw import IndexParams
from mediator_actors.index.intents import IntentIndex
from mediator_actors.index.vectors import load_vectors, open_intent_vectors, save_vectors
from mediator_actors.model import CandidatePair, EntryRef, IntentType
from mediator_actors.runtime.offload import run_blocking
from mediator_actors.settlement.records import open_own_pairs
from mediator_actors.store import NEGOTIATIONS, JobState, Store
from mediator_actors.store.intents import (
    intent_contents,
    intents_version,
    open_intent_heads,
    open_refs_and_types,
)

if TYPE_CHECKING:
    from mediator_actors.config import Settings

logger = logging.getLogger(__name__)


#: Embedded rows stored and indexed together, at most (or what ``_FLUSH_S`` seconds of
#: embedding gave, whichever comes first).
_FLUSH_ROWS = 1024
_FLUSH_S = 1.0


@dataclass(frozen=True, slots=True)
class CandidateSettings:
    k: int = 10
    threshold: float = 0.5
    fee_weight: float = 0.1
    #: most new negotiation jobs per pass: each costs LLM calls
    max_jobs: int = 200
    #: most negotiations open at once for one intent (pending proposals fill the cap): an
    #: intent settles once, so its other candidates wait for these to end
    per_intent: int = 2
    #: hnswlib ef for the pass: 50 costs 30% less CPU than the query default of 100 and
    #: found 99.6% of the same pairs on the bench corpus (hash vectors; more with the model)
    ef: int = 50


@dataclass(slots=True)
class SyncReport:
    added: int = 0
    embedded: int = 0
    removed: int = 0
    evicted: list[EntryRef] = field(default_factory=list)
    pending: int = 0  # open intents still waiting to be embedded (over the batch limit)


@dataclass(slots=True)
class StartReport:
    source: str
    generation: dict[str, int | None]
    cursor: Any
    problems: list[str]
    sync: SyncReport


def _occupied(conn: sqlite3.Connection, cap: int) -> dict[str, int]:
    """Open negotiations per intent, and a full cap for intents in an own proposal that
    awaits its parties (they must not be promised twice)."""
    load: dict[str, int] = {}
    for refs in NEGOTIATIONS.payload_values(
        conn, ("offer_ref", "seek_ref"), states=(JobState.PENDING, JobState.RUNNING)
    ):
        for ref in refs:
            load[ref] = load.get(ref, 0) + 1
    for offer_ref, seek_ref in open_own_pairs(conn):
        load[offer_ref] = load[seek_ref] = cap
    return load


class IndexCore:
    """The index keeper's logic. Needs the ``jobs``, ``intents`` and ``vectors`` tables."""

    def __init__(
        self,
        *,
        store: Store,
        embedder: Embedder,
        folder: Path,
        params: IndexParams,
        candidates: CandidateSettings | None = None,
        degraded: str | None = None,
        clock: Callable[[], float] = time.time,
        embed_batch: int = 64,
        interrupted: Callable[[], bool] = lambda: False,
    ) -> None:
        if params.dimensions != embedder.dimensions:
            raise ValueError("index dimensions must equal the embedder's")
        self.store = store
        self.embedder = embedder
        self.folder = folder
        self.params = params
        self.settings = candidates or CandidateSettings()
        self.degraded = degraded
        self._clock = clock
        self._embed_batch = max(1, embed_batch)
        #: Checked between embedding batches: a drain does not wait for a whole backlog.
        self._interrupted = interrupted
        self._index: IntentIndex | None = None
        self.cursor: Any = None
        # A pass costs up to a second of CPU at 10k intents: skip it when the index has not
        # changed and the previous pass already queued every pair it found.
        self._changed = True
        self._exhausted = False
        # The intents table's change counter at the last sync that left nothing to do: an
        # idle round then reads one row instead of every open intent (0.2 s of CPU at 10k).
        self._settled_version: int | None = None

    @property
    def ready(self) -> bool:
        return self._index is not None

    @property
    def index(self) -> IntentIndex:
        if self._index is None:
            raise RuntimeError("the index is not loaded yet: call start()")
        return self._index

    def health(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "embedder": self.embedder.id,
            "degraded": self.degraded,
            "intents": len(self._index) if self._index is not None else 0,
        }

    def start(self, *, max_embed: int = 512) -> StartReport:
        """Load the newest verified snapshot, else rebuild from stored vectors; then
        :meth:`sync`. Blocks the caller's greenlet (never the hub) for the load or rebuild
        (about 1-2 s at 10k intents) plus at most ``max_embed`` embeddings (about 6 s at
        80 intents/s): a larger backlog is left to :meth:`sync` (``report.sync.pending``),
        so readiness waits for the index, not for embedding every intent."""
        loaded = run_blocking(
            IntentIndex.load, self.folder, embedder_id=self.embedder.id, params=self.params
        )
        index = loaded.index
        source = "snapshot"
        if index is None:
            source = "rebuild"
            refs, types, vectors = self.store.read(
                lambda c: open_intent_vectors(
                    c, self.embedder.id, dimensions=self.params.dimensions
                )
            )
            index = run_blocking(
                IntentIndex.build,
                refs,
                types,
                vectors,
                embedder_id=self.embedder.id,
                params=self.params,
            )
        for problem in loaded.problems:
            logger.warning("index: snapshot problem: %s", problem)
        self._index = index
        self.cursor = loaded.cursor
        report = self.sync(max_embed=max_embed)
        return StartReport(
            source=source,
            generation={kind.value: g for kind, g in loaded.generations.items()},
            cursor=loaded.cursor,
            problems=loaded.problems,
            sync=report,
        )

    def sync(self, *, max_embed: int = 512, force: bool = False) -> SyncReport:
        """Bring the index in line with the store's open intents: mark closed and archived
        ones deleted, add open ones, embedding (and storing) at most ``max_embed`` new ones.

        Returns an empty report after reading only the intents table's change counter when
        the table has not changed since a sync that left nothing pending or evicted (there
        is nothing to do); ``force`` reads the intents anyway."""
        index = self.index
        report = SyncReport()
        settled = self._settled_version
        if not force and settled is not None and self.store.read(intents_version) == settled:
            return report
        self._settled_version = None

        def read(c: sqlite3.Connection) -> tuple[int, list[tuple[EntryRef, IntentType]]]:
            # the counter first: a write between the two reads makes the next round re-read
            return intents_version(c), open_refs_and_types(c)

        # Refs and types only: decoding every open intent cost 0.15-0.24 s of CPU at 10k
        # on each start and each round after a change; contents are read for what is
        # embedded.
        version, open_intents = self.store.read(read)
        open_refs = {ref for ref, _ in open_intents}
        stale = [ref for ref in index.refs() if ref not in open_refs]
        if stale:
            report.removed = run_blocking(index.remove, stale)
        missing = [(ref, kind) for ref, kind in open_intents if ref not in index]
        if missing:
            stored_refs, stored = self.store.read(
                lambda c: load_vectors(
                    c,
                    self.embedder.id,
                    [ref for ref, _ in missing],
                    dimensions=self.params.dimensions,
                )
            )
            type_of = dict(missing)
            if stored_refs:
                report.evicted += run_blocking(
                    index.add, stored_refs, [type_of[r] for r in stored_refs], stored
                )
                report.added += len(stored_refs)
            have = set(stored_refs)
            to_embed = [(ref, kind) for ref, kind in missing if ref not in have]
            self._embed(index, to_embed, max_embed, report)
        index.reorder([ref for ref, _ in open_intents])
        if report.added or report.removed or report.evicted:
            self._changed = True
        if not report.pending and not report.evicted:
            # Over the size limit each sync rotates evicted intents back in: keep doing so.
            self._settled_version = version
        return report

    def _embed(
        self,
        index: IntentIndex,
        to_embed: list[tuple[EntryRef, IntentType]],
        max_embed: int,
        report: SyncReport,
    ) -> None:
        """Embed, store and index at most ``max_embed`` of ``to_embed``, in ``embed_batch``
        batches, stopping between batches when interrupted."""
        report.pending = max(0, len(to_embed) - max_embed)
        held: list[tuple[list[EntryRef], list[IntentType], Vectors]] = []
        held_rows = 0
        held_since = time.monotonic()

        def flush() -> None:
            # stored before indexed: a crash after this never pays for the vector twice
            if not held:
                return
            refs = [ref for part, _, _ in held for ref in part]
            kinds = [kind for _, part, _ in held for kind in part]
            vectors = np.concatenate([part for _, _, part in held])
            held.clear()
            now = self._clock()
            self.store.write(
                partial(
                    save_vectors,
                    embedder_id=self.embedder.id,
                    refs=refs,
                    vectors=vectors,
                    now=now,
                )
            )
            report.evicted += run_blocking(index.add, refs, kinds, vectors)
            report.embedded += len(refs)
            report.added += len(refs)

        try:
            for start in range(0, min(len(to_embed), max_embed), self._embed_batch):
                if self._interrupted():
                    report.pending = len(to_embed) - start
                    break
                wanted = to_embed[start : min(start + self._embed_batch, max_embed)]
                contents = self.store.read(
                    partial(intent_contents, refs=[ref for ref, _ in wanted])
                )
                batch = [(ref, kind) for ref, kind in wanted if ref in contents]
                if not batch:
                    continue
                vectors = run_blocking(self.embedder.embed, [contents[ref] for ref, _ in batch])
                held.append(([ref for ref, _ in batch], [kind for _, kind in batch], vectors))
                held_rows += len(batch)
                # A fast embedder's batches are stored and indexed together: one commit
                # and one hnswlib call per ~1,000 rows, not per 64 (157 commits and 314
                # threaded add_items calls of ~32 rows at 10k); a slow one's each second.
                if held_rows >= _FLUSH_ROWS or time.monotonic() - held_since >= _FLUSH_S:
                    flush()
                    held_rows, held_since = 0, time.monotonic()
        finally:
            flush()

    def candidates(
        self,
        *,
        is_excluded: Callable[[str], bool] | Collection[str] | None = None,
        force: bool = False,
    ) -> list[CandidatePair]:
        """One candidate pass, and the best ``max_jobs`` new pairs enqueued as durable
        negotiation jobs. Pairs that ever had a negotiation job, and those ``is_excluded``
        names (proposed, rejected, expired), are skipped. Returns the pairs enqueued.

        Skipped (returns ``[]`` at no cost) when nothing was added or removed since a pass
        without ``is_excluded`` that queued fewer than ``max_jobs``: it would find nothing
        new. ``force`` runs it anyway."""
        index = self.index
        if not force and not self._changed and self._exhausted:
            return []
        self._changed = False
        cap = self.settings.per_intent
        open_intents, queued, occupied = self.store.read(
            lambda c: (open_intent_heads(c), NEGOTIATIONS.dedupe_keys(c), _occupied(c, cap))
        )
        extra = is_excluded
        if extra is None:
            excluded: Callable[[str], bool] = queued.__contains__
        elif callable(extra):
            excluded = lambda key: key in queued or extra(key)  # noqa: E731
        else:
            others = frozenset(extra)
            excluded = lambda key: key in queued or key in others  # noqa: E731
        pairs = run_blocking(
            find_candidates,
            index,
            open_intents,
            k=self.settings.k,
            threshold=self.settings.threshold,
            fee_weight=self.settings.fee_weight,
            is_excluded=excluded,
            limit=self.settings.max_jobs,
            ef=self.settings.ef,
            per_intent=cap,
            occupied=occupied,
        )
        now = self._clock()
        added = self.store.write(lambda c: enqueue_negotiations(c, pairs, now=now))
        # A pass that found nothing finds nothing again until intents change; one that found
        # pairs may have left capped ones for when their intents' negotiations end. A
        # caller's exclusions may change between passes: only judge passes without them.
        self._exhausted = is_excluded is None and not pairs
        return added

    def snapshot(self, *, cursor: Any = None) -> dict[str, int]:
        """Write a snapshot generation of both parts (blocking I/O, offloaded)."""
        if cursor is not None:
            self.cursor = cursor
        generations = run_blocking(self.index.save, self.folder, cursor=self.cursor)
        return {kind.value: g for kind, g in generations.items()}


def make_index_core(
    settings: Settings,
    *,
    store: Store,
    embedder: Embedder,
    degraded: str | None = None,
    interrupted: Callable[[], bool] = lambda: False,
) -> IndexCore:
    """The node's ``IndexCore`` from its settings: the index lives in ``VECTOR_DB_PATH``
    and holds at most ``MAX_INTENTS_CACHE`` intents; hnswlib parameters are the measured
    defaults (M=16, ef_construction=200, ef=100: recall@10 0.9999 on the bench corpus)."""
    params = IndexParams(dimensions=embedder.dimensions, max_items=settings.max_intents_cache)
    return IndexCore(
        store=store,
        embedder=embedder,
        folder=settings.vector_db_path,
        params=params,
        degraded=degraded,
        interrupted=interrupted,
    )
