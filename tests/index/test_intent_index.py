from pathlib import Path

import numpy as np
import pytest

from mediator_actors.index.hnsw import IndexParams
from mediator_actors.index.intents import IntentIndex, load_or_rebuild
from mediator_actors.index.snapshots import LoadSource
from mediator_actors.model import Intent, IntentType

from .conftest import DIM, EMBEDDER


def _build(intents: list[Intent], vectors: np.ndarray, params: IndexParams) -> IntentIndex:
    return IntentIndex.build(
        [i.ref for i in intents],
        [i.type for i in intents],
        vectors,
        embedder_id=EMBEDDER.id,
        params=params,
    )


def test_offers_and_seeks_live_in_separate_indexes(
    intents: list[Intent], vectors: np.ndarray, params: IndexParams
) -> None:
    index = _build(intents, vectors, params)
    offers = [i.ref for i in intents if i.type is IntentType.OFFER]
    assert index.part(IntentType.OFFER).refs() == offers
    assert len(index.part(IntentType.SEEK)) == len(intents) - len(offers)
    assert index.type_of(offers[0]) is IntentType.OFFER
    assert index.remove([offers[0]]) == 1
    assert offers[0] not in index
    assert offers[0] not in index.part(IntentType.OFFER)


def test_the_cache_limit_holds_across_both_types_oldest_first(vectors: np.ndarray) -> None:
    params = IndexParams(dimensions=DIM, max_items=4, initial_capacity=2, threads=1)
    index = IntentIndex(embedder_id=EMBEDDER.id, params=params)
    kinds = [IntentType.OFFER, IntentType.SEEK] * 3
    assert index.add([f"r{i}" for i in range(4)], kinds[:4], vectors[:4]) == []
    assert index.add(["r4", "r5"], kinds[4:], vectors[4:6]) == ["r0", "r1"]
    assert index.refs() == ["r2", "r3", "r4", "r5"]
    assert len(index.part(IntentType.OFFER)) == 2


def test_both_parts_round_trip_through_snapshots(
    tmp_path: Path, intents: list[Intent], vectors: np.ndarray, params: IndexParams
) -> None:
    index = _build(intents, vectors, params)
    assert index.save(tmp_path, cursor=17) == {IntentType.OFFER: 1, IntentType.SEEK: 1}
    loaded = IntentIndex.load(tmp_path, embedder_id=EMBEDDER.id, params=params)
    assert loaded.index is not None
    assert loaded.cursor == 17
    assert set(loaded.sources.values()) == {LoadSource.CURRENT}
    assert sorted(loaded.index.refs()) == sorted(index.refs())


def test_a_part_with_nothing_verifiable_makes_the_whole_index_rebuild(
    tmp_path: Path, intents: list[Intent], vectors: np.ndarray, params: IndexParams
) -> None:
    _build(intents, vectors, params).save(tmp_path, cursor=3)
    (tmp_path / "seek" / "gen-00000001" / "index.bin").write_bytes(b"\x00" * 10)
    result = load_or_rebuild(
        tmp_path,
        embedder_id=EMBEDDER.id,
        params=params,
        stored=lambda: ([i.ref for i in intents], [i.type for i in intents], vectors),
    )
    assert result.sources[IntentType.SEEK] is LoadSource.REBUILD
    assert result.index is not None
    assert len(result.index) == len(intents)
    assert result.cursor is None


def test_the_eviction_order_can_be_restored_after_a_load(vectors: np.ndarray) -> None:
    params = IndexParams(dimensions=DIM, max_items=3, threads=1)
    index = IntentIndex(embedder_id=EMBEDDER.id, params=params)
    index.add(["s0", "o1", "s2"], [IntentType.SEEK, IntentType.OFFER, IntentType.SEEK], vectors[:3])
    index.reorder(["o1", "s2", "unknown", "s0"])
    assert index.refs() == ["o1", "s2", "s0"]
    assert index.add(["o3"], [IntentType.OFFER], vectors[3:4]) == ["o1"]


@pytest.mark.timeout(60)
def test_reorder_of_a_large_index_sets_the_order_in_linear_time() -> None:
    # reorder runs inline on every sync: it once rebuilt a set per element (3.5 s at 10k on
    # the hub); 100,000 refs now take milliseconds, the quadratic version over four minutes.
    count = 100_000
    rng = np.random.default_rng(3)
    refs = [f"{n:064x}" for n in range(count)]
    kinds = [IntentType.OFFER if n % 2 else IntentType.SEEK for n in range(count)]
    params = IndexParams(dimensions=4, m=4, ef_construction=8, ef=8, max_items=count, threads=1)
    index = IntentIndex.build(
        refs, kinds, rng.random((count, 4), dtype=np.float32), embedder_id="test", params=params
    )
    index.reorder(list(reversed(refs)))
    assert len(index) == count
