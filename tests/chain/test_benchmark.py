"""The chain benchmark runs end to end and stores every intent (no timing asserts)."""

from __future__ import annotations

from mediator_actors.benchmarks import chain as bench


def test_quick_benchmark_ingests_every_intent_and_reports_figures() -> None:
    figures = bench.run(intents=200, quick=True)
    assert figures["intents"] == figures["stored_intents"] == 200
    assert isinstance(figures["intents_per_second"], float)
    assert "machine" in figures
