"""The local embedder's memory bounds: token-budget batches, no CPU arena, trimming."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.embedding import local
from mediator_actors.embedding.local import LocalEmbedder, batches


@given(
    st.lists(st.integers(min_value=0, max_value=300), max_size=200).map(sorted),
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=1, max_value=2000),
)
def test_batches_cover_every_position_once_in_order_within_both_limits(
    lengths: list[int], max_rows: int, budget: int
) -> None:
    runs = batches(lengths, max_rows, budget)
    assert [i for run in runs for i in run] == list(range(len(lengths)))
    for run in runs:
        assert 1 <= len(run) <= max_rows
        width = max(1, *(lengths[i] for i in run))
        # only a text longer than the budget by itself may exceed it
        assert len(run) * width <= budget or len(run) == 1


@given(st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=200).map(sorted))
def test_a_batch_is_never_cut_while_the_next_text_still_fits(lengths: list[int]) -> None:
    runs = batches(lengths, 16, 512)
    for run, following in pairwise(runs):
        grown = len(run) + 1
        assert grown > 16 or grown * max(1, lengths[following[0]]) > 512


def test_the_corpus_widths_make_batches_of_at_most_512_padded_tokens() -> None:
    # 74 tokens is the bench corpus's longest text: 6 rows, not 16
    assert [len(r) for r in batches([74] * 20, 16, 512)] == [6, 6, 6, 2]
    assert [len(r) for r in batches([10] * 20, 16, 512)] == [16, 4]
    assert [len(r) for r in batches([300, 300], 16, 512)] == [1, 1]


class _Recorder:
    """Wraps the onnxruntime session: records each run's input shape."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.shapes: list[tuple[int, ...]] = []

    def run(self, names: object, feeds: dict[str, np.ndarray]) -> object:
        self.shapes.append(feeds["input_ids"].shape)
        return self.inner.run(names, feeds)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> LocalEmbedder:
    """The node's configuration: the int8 copy, converted into a cache."""
    embedder = LocalEmbedder(threads=1, cache_dir=Path(tmp_path_factory.mktemp("models")))
    assert embedder.converted
    return embedder


def test_each_run_stays_within_the_token_budget(
    converted: LocalEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = _Recorder(converted._session)
    monkeypatch.setattr(converted, "_session", recorder)
    texts = ["design a logo for a small bakery in Lyon " * 6] * 20 + ["short"] * 5
    converted.embed(texts)
    assert len(recorder.shapes) >= 3  # 16 rows of ~57 tokens would be one run, over budget
    assert sum(rows for rows, _ in recorder.shapes) == len(texts)
    for rows, width in recorder.shapes:
        assert rows * width <= local.TOKEN_BUDGET


def test_the_session_runs_without_the_cpu_arena(converted: LocalEmbedder) -> None:
    shipped = LocalEmbedder(threads=1)
    assert not shipped.converted
    for embedder in (converted, shipped):
        assert embedder._session.get_session_options().enable_cpu_mem_arena is False


def test_an_embed_call_trims_mallocs_free_memory_once(
    converted: LocalEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(local, "release_free_memory", lambda: calls.append(1) or True)
    converted.embed(["one text", "another text"] * 40)
    assert calls == [1]


def test_budgeted_batches_give_the_vectors_of_one_text_at_a_time(
    converted: LocalEmbedder,
) -> None:
    texts = [
        f"offering {n} hours of bookkeeping for cafes, invoices and payroll " * (n % 4 + 1)
        for n in range(40)
    ]
    tight = LocalEmbedder(threads=1, cache_dir=None, token_budget=64)
    wide = LocalEmbedder(threads=1, cache_dir=None, token_budget=10**6)
    a, b = tight.embed(texts), wide.embed(texts)
    assert float(np.min(np.sum(a * b, axis=1))) >= 0.99999
    batched = converted.embed(texts)
    alone = np.vstack([converted.embed([t]) for t in texts])
    assert float(np.min(np.sum(batched * alone, axis=1))) >= 0.99999
