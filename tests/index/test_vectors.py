import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mediator_actors.index.vectors import (
    decode_vector,
    delete_vectors,
    encode_vector,
    load_vectors,
    open_intent_vectors,
    refs_without_vectors,
    save_vectors,
)
from mediator_actors.model import Intent, IntentStatus, IntentType
from mediator_actors.store import Store
from mediator_actors.store.intents import save_intent, set_intent_status

from .conftest import EMBEDDER


@settings(max_examples=50, deadline=None)
@given(arrays(np.float32, st.integers(1, 64), elements=st.floats(-1e6, 1e6, width=32)))
def test_a_vector_survives_its_byte_encoding(vector: np.ndarray) -> None:
    assert np.array_equal(decode_vector(encode_vector(vector), vector.shape[0]), vector)


def test_a_blob_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError, match="needs 16 bytes"):
        decode_vector(b"\x00" * 12, 4)


def test_stored_vectors_come_back_per_embedder_and_never_mix(
    full_store: Store, intents: list[Intent], vectors: np.ndarray
) -> None:
    refs = [i.ref for i in intents[:10]]
    full_store.write(lambda c: save_vectors(c, EMBEDDER.id, refs, vectors[:10], now=1.0))
    full_store.write(lambda c: save_vectors(c, "other", refs[:3], np.ones((3, 8)), now=1.0))
    got_refs, got = full_store.read(lambda c: load_vectors(c, EMBEDDER.id, refs[::-1]))
    assert got_refs == refs[::-1]
    assert np.array_equal(got, vectors[:10][::-1])
    other_refs, other = full_store.read(lambda c: load_vectors(c, "other"))
    assert sorted(other_refs) == sorted(refs[:3])
    assert other.shape == (3, 8)


def test_nan_vectors_are_never_stored(full_store: Store) -> None:
    with pytest.raises(ValueError, match="finite"):
        full_store.write(lambda c: save_vectors(c, "e", ["r"], np.full((1, 4), np.nan), now=1.0))


def test_a_rebuild_reads_only_open_intents_oldest_first_with_their_types(
    full_store: Store, intents: list[Intent], vectors: np.ndarray
) -> None:
    chosen = intents[:6]

    def fill(c):
        for n, intent in enumerate(chosen):
            save_intent(c, intent, now=float(n))
        save_vectors(c, EMBEDDER.id, [i.ref for i in chosen[:5]], vectors[:5], now=1.0)
        set_intent_status(c, chosen[1].ref, IntentStatus.CLOSED, reason="settled", now=9.0)

    full_store.write(fill)
    refs, types, got = full_store.read(lambda c: open_intent_vectors(c, EMBEDDER.id))
    assert refs == [chosen[i].ref for i in (0, 2, 3, 4)]
    assert types == [chosen[i].type for i in (0, 2, 3, 4)]
    assert all(isinstance(t, IntentType) for t in types)
    assert np.array_equal(got, vectors[[0, 2, 3, 4]])
    missing = full_store.read(lambda c: refs_without_vectors(c, EMBEDDER.id))
    assert missing == [chosen[5].ref]
    full_store.write(lambda c: delete_vectors(c, [chosen[0].ref]))
    assert full_store.read(lambda c: refs_without_vectors(c, EMBEDDER.id)) == [
        chosen[0].ref,
        chosen[5].ref,
    ]
