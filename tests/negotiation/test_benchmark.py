"""The negotiation benchmark runs, bounded, and reports its figures beside the ideal."""

from __future__ import annotations

from mediator_actors.benchmarks.negotiation import POOL_SIZES, run


def test_the_benchmark_reports_every_pool_size_with_its_ideal_and_memory() -> None:
    figures = run(quick=True)
    pools = figures["pools"]
    assert isinstance(pools, list)
    assert [p["pool_size"] for p in pools] == list(POOL_SIZES)
    for pool in pools:
        assert pool["failed_answers"] == 0
        assert pool["ideal_per_second"] == pool["pool_size"] / 0.5
        assert pool["rss_mb_after"] is not None
    assert "anthropic" in figures["machine"]["versions"]  # type: ignore[index]
