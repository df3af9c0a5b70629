import numpy as np
import pytest

from mediator_actors.errors import VectorIndexError
from mediator_actors.index.hnsw import IndexParams, VectorIndex
from mediator_actors.model import Intent

from .conftest import DIM, EMBEDDER


def test_each_intent_finds_itself_first(
    built: VectorIndex, intents: list[Intent], vectors: np.ndarray
) -> None:
    results = built.query(vectors[:20], 3)
    assert [row[0][0] for row in results] == [i.ref for i in intents[:20]]
    assert all(row[0][1] == pytest.approx(1.0, abs=1e-4) for row in results)


def test_capacity_grows_past_the_initial_size(built: VectorIndex, params: IndexParams) -> None:
    assert params.initial_capacity == 16
    assert len(built) == 300
    assert built.capacity >= 300


def test_a_removed_intent_is_never_returned_and_its_slot_is_reused(
    built: VectorIndex, intents: list[Intent], vectors: np.ndarray
) -> None:
    gone = intents[0].ref
    assert built.remove([gone, "unknown-ref"]) == 1
    assert gone not in built
    assert all(ref != gone for ref, _ in built.query(vectors[:1], 10)[0])
    slots = built.element_count
    built.add(["fresh"], vectors[:1])
    assert built.element_count == slots  # the deleted slot was replaced, not appended
    assert built.query(vectors[:1], 1)[0][0][0] == "fresh"


def test_adding_a_known_ref_updates_it_in_place(
    built: VectorIndex, intents: list[Intent], vectors: np.ndarray
) -> None:
    before = (len(built), built.element_count)
    built.add([intents[5].ref], vectors[9:10])
    assert (len(built), built.element_count) == before
    assert built.query(vectors[9:10], 2)[0][0][1] == pytest.approx(1.0, abs=1e-4)
    assert np.allclose(built.vectors_of([intents[5].ref]), built.vectors_of([intents[9].ref]))


def test_the_cache_limit_evicts_the_oldest_intents_first(vectors: np.ndarray) -> None:
    params = IndexParams(dimensions=DIM, max_items=5, initial_capacity=2, threads=1)
    index = VectorIndex(embedder_id=EMBEDDER.id, params=params)
    assert index.add([f"r{i}" for i in range(5)], vectors[:5]) == []
    assert index.add(["r5", "r6"], vectors[5:7]) == ["r0", "r1"]
    assert index.refs() == ["r2", "r3", "r4", "r5", "r6"]
    # a batch larger than the limit keeps only its newest entries
    evicted = index.add([f"s{i}" for i in range(7)], vectors[10:17])
    assert index.refs() == ["s2", "s3", "s4", "s5", "s6"]
    assert set(evicted) == {"r2", "r3", "r4", "r5", "r6", "s0", "s1"}


def test_vectors_of_the_wrong_dimension_are_a_clear_error(built: VectorIndex) -> None:
    with pytest.raises(VectorIndexError, match="do not fit a 64-d index"):
        built.add(["x"], np.ones((1, 32), dtype=np.float32))


def test_non_finite_vectors_are_refused(built: VectorIndex) -> None:
    bad = np.full((1, DIM), np.nan, dtype=np.float32)
    with pytest.raises(VectorIndexError, match="finite"):
        built.add(["x"], bad)


def test_k_larger_than_the_index_is_capped_and_an_empty_index_answers_nothing(
    vectors: np.ndarray,
) -> None:
    index = VectorIndex(embedder_id=EMBEDDER.id, params=IndexParams(dimensions=DIM, threads=1))
    assert index.query(vectors[:2], 5) == [[], []]
    index.add(["a", "b"], vectors[:2])
    assert len(index.query(vectors[:1], 5)[0]) == 2


def test_updating_a_live_intent_after_a_delete_leaves_no_duplicate(
    built: VectorIndex, intents: list[Intent], vectors: np.ndarray
) -> None:
    built.remove([intents[0].ref])
    slots = built.element_count
    built.add([intents[1].ref], vectors[2:3])
    assert built.element_count == slots
    answer = [ref for ref, _ in built.query(vectors[2:3], 10)[0]]
    assert len(answer) == len(set(answer))
    assert intents[1].ref in answer[:2]


def test_churn_at_the_cache_limit_reuses_slots_instead_of_growing(vectors: np.ndarray) -> None:
    params = IndexParams(dimensions=DIM, max_items=50, initial_capacity=50, threads=1)
    index = VectorIndex(embedder_id=EMBEDDER.id, params=params)
    index.add([f"a{i}" for i in range(50)], vectors[:50])
    for round_ in range(5):
        rows = vectors[50 + 10 * round_ : 60 + 10 * round_]
        assert len(index.add([f"b{round_}-{i}" for i in range(10)], rows)) == 10
    assert len(index) == 50
    assert index.capacity == 50
    assert index.element_count == 50
