"""The scaling suite's arithmetic and its corpus extension (no benchmark runs here)."""

from __future__ import annotations

import collections
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.benchmarks.corpus import corpus_path, extended_corpus
from mediator_actors.benchmarks.scaling import fit_exponent, growth_label, summarise


@given(
    st.floats(0.5, 2.5),
    st.floats(1e-3, 1e3),
    st.lists(st.integers(100, 100_000), min_size=2, max_size=6, unique=True),
)
@settings(max_examples=200, deadline=None)
def test_an_exact_power_law_gives_back_its_exponent(
    exponent: float, scale: float, sizes: list[int]
) -> None:
    fitted = fit_exponent(sizes, [scale * n**exponent for n in sizes])
    assert fitted is not None
    assert math.isclose(fitted, exponent, abs_tol=2e-3)


def test_too_few_points_have_no_exponent() -> None:
    assert fit_exponent([1000], [1.0]) is None
    assert fit_exponent([1000, 1000], [1.0, 2.0]) is None
    assert growth_label(None) == "unknown"


def test_growth_labels() -> None:
    assert growth_label(1.0) == "linear"
    assert growth_label(1.15) == "n log n"
    assert growth_label(2.0) == "quadratic or worse"


def test_the_summary_takes_medians_and_skips_failed_runs() -> None:
    def run(n: int, total: float) -> dict[str, object]:
        stages = {f"stage_{s}_s": total / 5 for s in ("ingestion", "embedding_and_index_build",
                  "candidate_pass", "negotiations", "proposals")}  # fmt: skip
        return {"intents": n, "total_s": total, "peak_mb": 100.0 + n / 100,
                "candidate_pairs": n // 2, "machine": {"load_average_1m": 1.0}, **stages}  # fmt: skip

    runs = [
        run(1000, 1.0),
        run(1000, 3.0),
        run(1000, 2.0),
        run(4000, 8.0),
        {"intents": 8000, "error": "x"},
    ]
    summary = summarise(runs)
    assert summary["sizes"] == [1000, 4000]
    assert summary["table"]["1000"]["total"] == 2.0
    assert summary["exponents"]["total"] == pytest.approx(1.0, abs=1e-3)
    assert summary["growth"]["total"] == "linear"


@pytest.mark.skipif(corpus_path() is None, reason="the shared corpus is not on this machine")
def test_the_extension_keeps_the_corpus_head_and_its_proportions() -> None:
    head = extended_corpus(10_000)
    grown = extended_corpus(20_000)
    assert grown[:10_000] == head
    assert grown == extended_corpus(20_000)  # deterministic
    extra = grown[10_000:]
    assert len({i.ref for i in grown}) == 20_000
    assert len({i.content for i in grown}) == 20_000  # the chain refuses duplicates
    share = sum(i.type.value == "offer" for i in extra) / len(extra)
    base_share = sum(i.type.value == "offer" for i in head) / len(head)
    assert abs(share - base_share) < 0.03
    per_author = collections.Counter(i.author for i in extra)
    assert not set(per_author) & {i.author for i in head}
    assert statistics_mean(per_author.values()) == pytest.approx(10_000 / 500, rel=0.1)
    first = {i.content.split(". ", 1)[0] for i in head}
    assert all(i.content.split(". ", 1)[0] in first for i in extra)


def statistics_mean(values: collections.abc.Iterable[int]) -> float:
    items = list(values)
    return sum(items) / len(items)
