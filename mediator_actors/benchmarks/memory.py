"""``--suite memory``: the node's peak resident memory with the local model.

A fresh child process (so the high-water mark is this work's alone) ingests ``--intents``
corpus intents from the embedded dev chain into a store, then runs the index keeper's core
as the node does: the index loads (empty), the backlog is embedded 512 at a time through
the local model in batches of 64, each batch stored, and one candidate pass runs. After each
stage the child reads ``VmHWM`` (the kernel's high-water mark of resident memory, not a
sample) and ``VmRSS`` from ``/proc/self/status``.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mediator_actors.benchmarks.machine import machine

TARGET_PEAK_MB = 250.0
REFERENCE_MB = {"measured_today_hwm": 700, "measured_today_after_10k": 456, "reference": 178}


def status_mb() -> dict[str, float]:
    """``VmHWM`` and ``VmRSS`` of this process in MB (empty off Linux)."""
    figures: dict[str, float] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key in {"VmHWM", "VmRSS"}:
                    figures[key] = round(int(value.split()[0]) / 1024, 1)
    except OSError:
        pass
    return figures


def child(count: int) -> dict[str, Any]:
    """The measured work, in this process."""
    from mediator_actors.benchmarks.cycle import ingest
    from mediator_actors.config import load_settings
    from mediator_actors.embedding.factory import model_cache_dir
    from mediator_actors.embedding.local import LocalEmbedder
    from mediator_actors.index.keeper import make_index_core
    from mediator_actors.store import Store
    from mediator_actors.wiring import ALL_MIGRATIONS

    stages: dict[str, dict[str, float]] = {"imports": status_mb()}
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings({"DATA_DIR": str(Path(folder) / "data")}, cwd=Path(folder))
        store = Store.open(settings.data_dir, migrations=ALL_MIGRATIONS)
        try:
            ingest(store, count)
            # The dev chain is the benchmark's, not the node's (a node follows a chain in
            # another process), and it outlives ingest(): its web app's routes hold the
            # chain, a cycle that keeps all 10,000 entries (20k dicts and lists, ~8 MB
            # resident) until a full collection, which may or may not come before the
            # embedding peak. Collected here so the figures are the node's alone.
            gc.collect()
            stages["ingested"] = status_mb()
            loading = time.perf_counter()
            # as the node loads it: converted into its (here fresh) cache on first use
            embedder = LocalEmbedder(cache_dir=model_cache_dir(settings))
            load_s = time.perf_counter() - loading
            stages["model_loaded"] = status_mb()
            core = make_index_core(settings, store=store, embedder=embedder)
            core.start(max_embed=0)
            embedding = time.perf_counter()
            while core.sync(max_embed=512).pending:
                pass
            embed_s = time.perf_counter() - embedding
            stages["embedded"] = status_mb()
            pairs = core.candidates()
            stages["candidate_pass"] = status_mb()
            indexed = len(core.index)
        finally:
            store.close()
    return {
        "intents": count,
        "indexed": indexed,
        "candidate_pairs": len(pairs),
        "model": "converted int8 (MatMulNBits)" if embedder.converted else "as shipped",
        "model_load_s": round(load_s, 1),
        "embedding_s": round(embed_s, 1),
        "cpu_s": round(time.process_time(), 1),
        "embedding_per_s": round(indexed / embed_s, 1) if embed_s else None,
        "total_s": round(time.perf_counter() - began, 1),
        "stages_mb": stages,
        "peak_mb": stages["candidate_pass"].get("VmHWM"),
    }


# gevent patches the standard library first, as the node's entry point does: the dev
# chain's server and the follower's client share the process.
_CHILD = (
    "import json, sys\n"
    "from mediator_actors.runtime.patching import ensure_patched\n"
    "ensure_patched()\n"
    "from mediator_actors.runtime.memory import limit_malloc_arenas\n"
    "limit_malloc_arenas()\n"  # as the node's entry point does
    "from mediator_actors.benchmarks.memory import child\n"
    "print(json.dumps(child(int(sys.argv[1]))))\n"
)


def measure(count: int, *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run :func:`child` in a fresh interpreter and return its figures."""
    done = subprocess.run(  # noqa: S603 - this module, fixed arguments
        [sys.executable, "-c", _CHILD, str(count)],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(*, intents: int | None = None, quick: bool = False) -> dict[str, Any]:
    count = intents or (1_000 if quick else 10_000)
    return {
        "suite": "memory",
        "machine": machine(("numpy", "hnswlib", "onnxruntime", "tokenizers")),
        "malloc_arena_max": os.environ.get("MALLOC_ARENA_MAX", "unset"),
        "target_peak_mb": TARGET_PEAK_MB,
        "measured_today_mb": REFERENCE_MB,
        **measure(count),
        "load_average_1m_end": round(os.getloadavg()[0], 2),
    }
