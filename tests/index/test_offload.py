"""The hub keeps scheduling other greenlets while the index builds through run_blocking."""

import time

import gevent
import numpy as np

from mediator_actors.index.hnsw import IndexParams, VectorIndex
from mediator_actors.runtime.offload import run_blocking


def _vectors(n: int, d: int) -> np.ndarray:
    # scheduling does not depend on the vectors' meaning; clustered data keeps the build honest
    rng = np.random.default_rng(5)
    centres = rng.normal(size=(40, d))
    return (centres[rng.integers(0, 40, n)] + 0.3 * rng.normal(size=(n, d))).astype(np.float32)


def _build(vectors: np.ndarray) -> VectorIndex:
    params = IndexParams(
        dimensions=vectors.shape[1], ef_construction=100, initial_capacity=len(vectors), threads=1
    )
    return VectorIndex.build(
        [f"r{i}" for i in range(len(vectors))], vectors, embedder_id="t", params=params
    )


def _ticks_during(build) -> tuple[list[float], float]:
    """Run a ticker greenlet (a stand-in for /health/live) while ``build`` runs."""
    ticks: list[float] = []
    running = gevent.event.Event()

    def ticker() -> None:
        running.set()
        while True:
            ticks.append(time.perf_counter())
            gevent.sleep(0.001)

    greenlet = gevent.spawn(ticker)
    running.wait()
    start = time.perf_counter()
    build()
    duration = time.perf_counter() - start
    greenlet.kill()
    inside = [t for t in ticks if start <= t <= start + duration]
    return inside, duration


def test_a_large_build_through_run_blocking_leaves_the_ticker_running() -> None:
    vectors = _vectors(4000, 64)
    inside, duration = _ticks_during(lambda: run_blocking(_build, vectors))
    assert len(inside) >= 20
    gaps = np.diff([*inside]) if len(inside) > 1 else np.array([duration])
    assert gaps.max() < duration / 4


def test_the_same_build_inline_on_the_hub_starves_the_ticker() -> None:
    """The control: without offloading, no other greenlet runs until the build ends."""
    vectors = _vectors(1500, 64)
    inside, _ = _ticks_during(lambda: _build(vectors))
    assert len(inside) <= 1
