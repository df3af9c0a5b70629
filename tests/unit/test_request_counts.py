"""The labels of ``mediator_chain_requests_total``: bounded whatever a peer answers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.stats import (
    COMMON_STATUSES,
    NO_STATUS_OUTCOMES,
    RequestCounts,
    request_status_label,
)


@given(st.text(max_size=8))
def test_any_outcome_maps_to_a_bounded_label(outcome: str) -> None:
    label = request_status_label(outcome)
    classes = {f"{n}xx" for n in range(1, 6)}
    assert label in {str(c) for c in COMMON_STATUSES} | classes | NO_STATUS_OUTCOMES | {"other"}


@given(st.integers(min_value=100, max_value=599))
def test_every_status_keeps_its_code_or_class(code: int) -> None:
    label = request_status_label(str(code))
    assert label == (str(code) if code in COMMON_STATUSES else f"{code // 100}xx")


def test_unknown_methods_and_words_do_not_grow_the_series() -> None:
    counts = RequestCounts()
    for method, outcome in [("GET", "9999"), ("PATCH", "200"), ("GET", "eof\n"), ("GET", "42")]:
        counts.record(method, outcome)
    assert counts.counts() == {("GET", "other"): 3, ("other", "200"): 1}
