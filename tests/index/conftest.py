from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from mediator_actors.benchmarks.corpus import generate_intents
from mediator_actors.embedding import HashEmbedder
from mediator_actors.index.hnsw import IndexParams, VectorIndex
from mediator_actors.index.vectors import MIGRATIONS as VECTOR_MIGRATIONS
from mediator_actors.model import Intent
from mediator_actors.store import Store
from mediator_actors.store.intents import MIGRATIONS as INTENT_MIGRATIONS
from mediator_actors.store.jobs import MIGRATIONS as JOB_MIGRATIONS

DIM = 64
EMBEDDER = HashEmbedder(dimensions=DIM)


@pytest.fixture(scope="session")
def intents() -> list[Intent]:
    """300 generated realistic intents."""
    return generate_intents(300, seed=3)


@pytest.fixture(scope="session")
def vectors(intents: list[Intent]) -> np.ndarray:
    return EMBEDDER.embed([i.content for i in intents])


@pytest.fixture
def params() -> IndexParams:
    return IndexParams(
        dimensions=DIM, m=8, ef_construction=64, ef=64, initial_capacity=16, threads=1
    )


@pytest.fixture
def built(intents: list[Intent], vectors: np.ndarray, params: IndexParams) -> VectorIndex:
    return VectorIndex.build(
        [i.ref for i in intents], vectors, embedder_id=EMBEDDER.id, params=params
    )


@pytest.fixture
def full_store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(
        tmp_path / "data", migrations=[*JOB_MIGRATIONS, *INTENT_MIGRATIONS, *VECTOR_MIGRATIONS]
    )
    yield opened
    opened.close()
