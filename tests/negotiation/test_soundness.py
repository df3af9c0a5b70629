"""The evaluation's sound measure: a proposal counts as right only when the pair is
compatible and its terms keep within the pair's hand-written limits, in their currency."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mediator_actors import cli
from mediator_actors.model import Terms
from mediator_actors.negotiation.evaluation import (
    EvalPair,
    evaluate,
    intent_from_json,
    limit_violations,
    load_eval,
    unsound_reasons,
)

TS = "2027-03-15T10:00:00"
PINS_OFFER = "Custom enamel pins, 4.5 GBP per unit, UK shipping included."
PINS_SEEK = "Need 60 enamel pins for our club, budget 300 GBP."


def _row(pid: str, limits: dict[str, Any], *, compatible: bool = True) -> dict[str, Any]:
    return {
        "id": pid,
        "offer": {"type": "offer", "author": "a", "timestamp": TS, "content": PINS_OFFER},
        "seek": {"type": "seek", "author": "b", "timestamp": TS, "content": PINS_SEEK},
        "compatible": compatible,
        "reason": "60 x 4.5 = 270 <= 300",
        "limits": limits,
    }


def _pair(limits: dict[str, Any], *, compatible: bool = True) -> EvalPair:
    row = _row("p", limits, compatible=compatible)
    return EvalPair(
        id="p",
        offer=intent_from_json(row["offer"]),
        seek=intent_from_json(row["seek"]),
        compatible=compatible,
        reason=row["reason"],
        limits=limits,
    )


def test_a_price_in_another_currency_breaks_the_limits_whatever_its_amount() -> None:
    pair = _pair({"price_min": 270, "price_max": 300, "currency": "GBP"})
    assert limit_violations(pair, 280.0, None, (), "GBP") == []
    assert limit_violations(pair, 280.0, None, (), "gbp") == []
    (found,) = limit_violations(pair, 280.0, None, (), "EUR")
    assert "EUR" in found
    assert "GBP" in found
    assert limit_violations(pair, 280.0, None, (), None) != []


def test_a_rate_proposed_as_the_total_is_below_the_ask() -> None:
    pair = _pair({"price_min": 270, "price_max": 300, "currency": "GBP"})
    (found,) = limit_violations(pair, 4.5, None, (), "GBP")
    assert "below the ask 270" in found


def test_unsound_reasons() -> None:
    terms = Terms(price=270.0, currency="GBP")
    assert unsound_reasons(_pair({"price_min": 270}), terms, []) == []
    assert unsound_reasons(_pair({"price_min": 270}), terms, ["p: x"]) == ["p: x"]
    wrong = unsound_reasons(_pair({}, compatible=False), terms, [])
    assert "labelled incompatible" in wrong[0]
    unpriced = unsound_reasons(_pair({"price_max": 300}), Terms(price=None), [])
    assert "no price" in unpriced[0]
    # No price bound stated: a proposal without a price breaks nothing.
    assert unsound_reasons(_pair({}), Terms(price=None), []) == []


def _write(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_evaluate_counts_only_sound_proposals_in_sound_precision(tmp_path: Path) -> None:
    rows = [
        _row("ok", {"price_min": 270, "price_max": 300, "currency": "GBP"}),
        _row("eur", {"price_min": 270, "price_max": 300, "currency": "EUR"}),
        _row("cheap", {"price_min": 280, "price_max": 300}),
    ]
    report = evaluate(load_eval(_write(tmp_path, rows)))
    assert report.true_positive == 3
    assert report.precision == 1.0
    assert report.sound_true_positive == 1
    assert report.sound_precision == pytest.approx(1 / 3)
    assert report.sound_recall == pytest.approx(1 / 3)
    assert [u.split(":")[0] for u in report.unsound] == ["eur", "cheap"]
    assert report.to_json()["sound_precision"] == pytest.approx(0.3333)


def test_negotiate_eval_prints_sound_figures_and_each_unsound_pair(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        _row("ok", {"price_min": 270, "price_max": 300, "currency": "GBP"}),
        _row("cheap", {"price_min": 280, "price_max": 300, "currency": "GBP"}),
    ]
    assert cli.main(["negotiate-eval", "--set", str(_write(tmp_path, rows))]) == 1
    out = capsys.readouterr().out
    assert "sound precision 0.500   sound recall 0.500" in out
    assert "unsound cheap: price 270 below the ask 280" in out
