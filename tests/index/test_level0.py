"""Reading an index's vectors from hnswlib's level-0 memory (``hnsw.stored_vectors``): the
same bits as ``get_items``, the same refusal of labels held only as deleted, and a
fall-back to ``get_items`` for any layout it does not know."""

from __future__ import annotations

from typing import Any

import hnswlib
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediator_actors.errors import VectorIndexError
from mediator_actors.index import hnsw
from mediator_actors.index.hnsw import IndexParams, VectorIndex, read_level0, stored_vectors

# An operation: ("add", label, seed), ("update", label, seed), ("delete", label)
_ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 60), st.integers(0, 2**16)),
        st.tuples(st.just("update"), st.integers(0, 60), st.integers(0, 2**16)),
        st.tuples(st.just("delete"), st.integers(0, 60)),
    ),
    min_size=1,
    max_size=80,
)


def _apply(native: Any, ops: list[tuple[Any, ...]], dim: int) -> tuple[set[int], set[int]]:
    """Run ``ops`` as the index keeper does (new labels replace deleted slots, updates do
    not); returns (live labels, deleted labels still in hnswlib's lookup)."""
    live: set[int] = set()
    for op in ops:
        if op[0] == "delete":
            if op[1] in live:
                native.mark_deleted(op[1])
                live.discard(op[1])
            continue
        _, label, seed = op
        vector = np.random.default_rng(seed).normal(size=(1, dim)).astype(np.float32)
        if label in live:
            native.add_items(vector, [label], replace_deleted=False)
        elif label not in set(native.get_ids_list()):
            if native.get_current_count() >= native.get_max_elements():
                native.resize_index(2 * native.get_max_elements())
            native.add_items(vector, [label], replace_deleted=True)
            live.add(label)
    held = {int(label) for label in native.get_ids_list()}
    return live, held - live


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ops=_ops,
    last_deletes=st.lists(st.integers(0, 60), max_size=5),
    dim=st.sampled_from([1, 3, 8, 17]),
)
def test_stored_vectors_are_get_items_bit_for_bit_and_refuse_deleted_labels(
    ops: list[tuple[Any, ...]], last_deletes: list[int], dim: int
) -> None:
    native = hnswlib.Index(space="cosine", dim=dim)
    native.init_index(max_elements=8, M=4, ef_construction=16, allow_replace_deleted=True)
    # deletes last too: a later add reuses a deleted slot, and its label leaves the lookup
    live, deleted = _apply(native, [*ops, *(("delete", label) for label in last_deletes)], dim)
    labels = np.asarray(sorted(live), dtype=np.int64)
    if labels.size:
        rows = stored_vectors(native, labels[::-1].copy())
        expected = np.asarray(native.get_items(labels[::-1], return_type="numpy"), np.float32)
        assert rows is not None
        assert rows.dtype == np.float32
        assert np.array_equal(rows, expected)
    for label in deleted:
        with pytest.raises(VectorIndexError, match="deleted"):
            stored_vectors(native, np.asarray([*labels, label], dtype=np.int64))
    with pytest.raises(VectorIndexError, match="Label not found"):
        stored_vectors(native, np.asarray([*labels, 10_000], dtype=np.int64))


def test_a_label_held_only_as_deleted_is_refused_as_get_items_refuses_it() -> None:
    native = _small_index()
    native.mark_deleted(6)
    assert 6 in native.get_ids_list()
    with pytest.raises(VectorIndexError, match="deleted"):
        stored_vectors(native, np.asarray([5, 6, 7], dtype=np.int64))
    rows = stored_vectors(native, np.asarray([8, 5], dtype=np.int64))
    assert rows is not None
    assert np.array_equal(rows, np.asarray(native.get_items([8, 5], return_type="numpy")))


def _small_index() -> Any:
    native = hnswlib.Index(space="cosine", dim=4)
    native.init_index(max_elements=16, allow_replace_deleted=True)
    native.add_items(np.eye(4, dtype=np.float32), [5, 6, 7, 8])
    return native


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ser_version", 2),
        ("dim", 5),
        ("label_offset", 0),
        ("size_data_per_element", 1),
        ("offset_data", 1),
        ("cur_element_count", 3),
    ],
)
def test_a_layout_it_does_not_know_is_no_answer_not_a_guess(field: str, value: int) -> None:
    state = dict(_small_index().__getstate__()[0])
    state[field] = value
    assert read_level0(state, 4) is None


def test_vectors_that_disagree_with_get_items_send_it_to_get_items(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    native = _small_index()
    real = read_level0

    def shifted(state: dict[str, Any], dimensions: int) -> Any:
        found = real(state, dimensions)
        assert found is not None
        internal, ids, vectors, deleted = found
        return internal, ids, vectors + np.float32(1), deleted

    monkeypatch.setattr(hnsw, "read_level0", shifted)
    assert stored_vectors(native, np.asarray([5, 6, 7, 8], dtype=np.int64)) is None


def test_a_snapshot_restored_without_the_fast_read_holds_the_same_vectors(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mediator_actors.index.snapshots import SnapshotStore

    params = IndexParams(dimensions=8, initial_capacity=16)
    vectors = np.random.default_rng(3).normal(size=(40, 8)).astype(np.float32)
    index = VectorIndex.build([f"r{i}" for i in range(40)], vectors, embedder_id="e", params=params)
    index.remove(["r3", "r9"])
    SnapshotStore(tmp_path).save(index)
    fast = SnapshotStore(tmp_path).load(embedder_id="e", params=params).index
    assert fast is not None
    refs = [f"r{i}" for i in range(40) if i not in (3, 9)]
    from_level0 = fast.vectors_of(refs)
    monkeypatch.setattr(hnsw, "read_level0", lambda state, dimensions: None)
    slow = SnapshotStore(tmp_path).load(embedder_id="e", params=params).index
    assert slow is not None
    assert np.array_equal(from_level0, slow.vectors_of(refs))  # through get_items
    # the same copy hnswlib keeps: a restored index gives the built one's vectors exactly
    assert np.array_equal(from_level0, index.vectors_of(refs))
