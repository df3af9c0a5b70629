"""The pair key: one function builds it, one reads it back."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.model import CandidatePair, EntryRef, pair_key, pair_refs

refs = st.text(alphabet="0123456789abcdef", min_size=1, max_size=64)


@given(refs, refs)
def test_the_pair_key_does_not_depend_on_the_order_of_the_refs(a, b):
    assert pair_key(a, b) == pair_key(b, a)


@given(refs, refs)
def test_pair_refs_reads_back_both_refs_in_sorted_order(a, b):
    assert pair_refs(pair_key(a, b)) == tuple(sorted((a, b)))


@given(refs, refs, st.floats(allow_nan=False), st.floats(allow_nan=False))
def test_a_candidate_pairs_key_is_the_pair_key(a, b, similarity, priority):
    pair = CandidatePair(EntryRef(a), EntryRef(b), similarity, priority)
    assert pair.key == pair_key(a, b)


@pytest.mark.parametrize("bad", ["", "abc", ":abc", "abc:", "a:b:c"])
def test_pair_refs_refuses_what_is_not_a_pair_key(bad):
    with pytest.raises(ValueError, match="not a pair key"):
        pair_refs(bad)
