import json
import sys
import types

import pytest

from mediator_actors import cli
from mediator_actors.benchmarks import commands
from mediator_actors.benchmarks.corpus import generate_intents, load_corpus
from mediator_actors.model import IntentType


@pytest.fixture
def fake_suite(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    calls: list[dict[str, object]] = []
    module = types.ModuleType("fake_suite")

    def run(*, intents: int | None = None, quick: bool = False) -> dict[str, object]:
        calls.append({"intents": intents, "quick": quick})
        return {
            "machine": {"cpu": "Test CPU", "cores": 2, "versions": {"python": "3.11"}},
            "build_s": 1.5,
            "reference_384": {"build_s": 6.0},
            "targets": {"build_s": 3.0},
            "query_sweep": [{"ef": 10, "recall_at_10": 0.9}],
        }

    module.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_suite", module)
    monkeypatch.setattr(commands, "SUITES", {"fake": "fake_suite"})
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("mediator_actors.benchmarks.commands",))
    return calls


def test_the_benchmark_verb_prints_figures_beside_reference_and_target(
    fake_suite: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["benchmark", "--intents", "500", "--suite", "fake"]) == 0
    out = capsys.readouterr().out
    assert "machine: Test CPU, 2 cores" in out
    assert "build_s: 1.5   (reference 6.0; target 3.0)" in out
    assert fake_suite == [{"intents": 500, "quick": False}]


def test_the_benchmark_verb_prints_json_when_asked(
    fake_suite: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["benchmark", "--json", "--quick"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["fake"]["build_s"] == 1.5
    assert fake_suite == [{"intents": None, "quick": True}]


def test_an_unknown_suite_is_refused(fake_suite: list[dict[str, object]]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["benchmark", "--suite", "nope"])


def test_generated_intents_are_deterministic_and_mixed() -> None:
    first, second = generate_intents(200), generate_intents(200)
    assert first == second
    offers = sum(i.type is IntentType.OFFER for i in first)
    assert 60 < offers < 140
    assert len({i.ref for i in first}) == 200


def test_the_shared_corpus_is_found_and_checked_when_present() -> None:
    corpus = load_corpus(50)
    assert len(corpus.intents) == 50
    assert len(corpus.queries) == 1000
    if corpus.source != "generated":
        assert corpus.verified is True


def test_the_service_named_by_an_intent_is_read_from_both_phrasings() -> None:
    from mediator_actors.benchmarks.index import _service

    assert _service("We need video editing for a language project. Budget") == "video editing"
    assert (
        _service("I am offering embedded firmware for sensors for e-commerce projects. More")
        == "embedded firmware for sensors"
    )
    assert _service("Something else entirely.") is None


def test_service_match_counts_intents_whose_best_counterpart_names_their_service() -> None:
    import numpy as np

    from mediator_actors.benchmarks.index import _service, service_match_at_1

    intents = generate_intents(80, seed=11)
    names = [_service(i.content) for i in intents]
    services = sorted({n for n in names if n is not None})
    # one dimension per service: every best counterpart names the same service when one exists
    vectors = np.zeros((len(intents), len(services)), dtype=np.float32)
    for row, name in enumerate(names):
        vectors[row, services.index(name)] = 1.0
    exact = service_match_at_1(intents, vectors)
    scrambled = service_match_at_1(intents, vectors[::-1].copy())
    assert exact is not None
    assert scrambled is not None
    assert exact > scrambled


@pytest.mark.slow
def test_the_real_index_suite_runs_end_to_end_on_a_small_corpus(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("mediator_actors.benchmarks.commands",))
    assert cli.main(["benchmark", "--suite", "index", "--quick", "--intents", "120", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)["index"]
    assert figures["intents"] == 120
    assert 0.0 <= figures["recall_at_10"] <= 1.0
    assert figures["candidate_pairs"] > 0
    for key in ("build_s", "query_p99_ms", "candidate_pass_s", "rss_mb", "hash_embed_per_s"):
        assert figures[key] >= 0
    assert figures["machine"]["cores"] >= 1
