"""The term reader reads every fixed text exactly as it did when the golden file was
written (issue 15: speed-ups must not change a reading). On a failure, regenerate a dump
at the golden commit and at HEAD with ``python -m mediator_actors.benchmarks.reading
golden --out /tmp/g.json --dump /tmp/d.tsv`` and diff the two dumps."""

from __future__ import annotations

import json

import pytest

from mediator_actors.benchmarks import reading


def test_golden_texts_read_as_before() -> None:
    golden = json.loads(reading.GOLDEN.read_text(encoding="utf-8"))
    texts = reading.golden_texts()
    if not any(name.startswith("corpus:") for name, _, _ in texts):
        pytest.skip("the shared corpus is absent")  # its digests cannot be checked
    changed = [name for name, got, _ in reading.digests(texts) if golden.get(name) != got]
    assert len(texts) == len(golden)
    assert changed == [], f"{len(changed)} texts read differently: {changed[:20]}"


def test_serialisation_ignores_hash_order() -> None:
    a = reading._plain(frozenset({"b", "a", "c"}))
    b = reading._plain(frozenset({"c", "a", "b"}))
    assert a == b == ["a", "b", "c"]
