from mediator_actors.benchmarks.settlement import run


def test_the_quick_benchmark_reports_each_figure_next_to_its_baseline():
    figures = run(quick=True, intents=20)
    for name in (
        "build_proposal",
        "baseline_ed25519_sign",
        "verify_metadata",
        "baseline_ed25519_verify",
    ):
        assert figures[name]["median_us"] > 0
    block = figures["apply_block"]
    assert block["closed"] == 10
    assert block["responses_applied"] == 20
    assert block["baseline_insert_us"] > 0
