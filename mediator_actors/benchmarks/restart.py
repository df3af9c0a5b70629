"""``--suite restart``: what a restart's readiness waits for in the index, with a fresh
snapshot against without one, at ``--intents`` (default 10,000) corpus intents.

The store holds the intents and their stored (hash) vectors, as after a kill -9 of a node
that had embedded them; then ``IndexCore.start`` runs as the keeper's loader does
(``max_embed=0``): once with no snapshot (a rebuild from stored vectors), once with a
snapshot written after the last change (what :class:`SnapshotCadence` now keeps), and once
with a snapshot that misses the last 10% (a kill -9 between snapshots). Process start-up
and the rest of readiness are the startup suite's (``--suite startup``).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from mediator_actors.benchmarks.corpus import extended_corpus
from mediator_actors.benchmarks.machine import machine
from mediator_actors.embedding.hashing import HashEmbedder
from mediator_actors.index.hnsw import IndexParams
from mediator_actors.index.keeper import IndexCore
from mediator_actors.store import Store
from mediator_actors.store.intents import save_intent

RUNS = 3


def run(*, intents: int | None = None, quick: bool = False) -> dict[str, Any]:
    from mediator_actors.wiring import ALL_MIGRATIONS

    count = intents or (1_000 if quick else 10_000)
    corpus = extended_corpus(count)
    stale_from = int(count * 0.9)
    embedder = HashEmbedder(dimensions=384)
    params = IndexParams(dimensions=384, max_items=max(count, 10))
    timings: dict[str, list[float]] = {"rebuild": [], "fresh_snapshot": [], "stale_snapshot": []}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        store = Store.open(folder / "data", migrations=ALL_MIGRATIONS)
        try:

            def add(first: int, last: int) -> None:
                def write(conn: Any) -> None:
                    for n, intent in enumerate(corpus[first:last], start=first):
                        save_intent(conn, intent, now=float(n))

                store.write(write)

            def core(vectors: Path) -> IndexCore:
                return IndexCore(store=store, embedder=embedder, folder=vectors, params=params)

            def timed_start(vectors: Path) -> float:
                began = time.perf_counter()
                core(vectors).start(max_embed=0)
                return time.perf_counter() - began

            # every intent embedded and stored once; a stale snapshot taken at 90%
            add(0, stale_from)
            stale = folder / "stale"
            first = core(stale)
            first.start(max_embed=count)
            first.snapshot()
            add(stale_from, count)
            fresh = folder / "fresh"
            second = core(fresh)
            second.start(max_embed=count)
            second.snapshot()
            for _ in range(RUNS):
                empty = folder / "empty"
                shutil.rmtree(empty, ignore_errors=True)
                timings["rebuild"].append(timed_start(empty))
                timings["fresh_snapshot"].append(timed_start(fresh))
                work = folder / "stale-copy"
                shutil.rmtree(work, ignore_errors=True)
                shutil.copytree(stale, work)
                timings["stale_snapshot"].append(timed_start(work))
        finally:
            store.close()
    medians = {k: round(statistics.median(v), 3) for k, v in timings.items()}
    return {
        "suite": "restart",
        "machine": machine(("numpy", "hnswlib")),
        "intents": count,
        "runs": RUNS,
        **{f"index_start_{k}_s_median": v for k, v in medians.items()},
        **{f"index_start_{k}_s_all": [round(t, 3) for t in v] for k, v in timings.items()},
        "rebuild_over_fresh_snapshot": round(
            medians["rebuild"] / max(medians["fresh_snapshot"], 1e-9), 1
        ),
        "load_average_1m_end": round(os.getloadavg()[0], 2),
    }
