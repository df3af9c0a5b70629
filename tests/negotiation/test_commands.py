"""``mediator-node negotiate`` and ``negotiate-eval`` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mediator_actors import cli
from mediator_actors.negotiation.commands import _terminal
from tests.negotiation.fakes import Script, fake_provider
from tests.negotiation.helpers import OFFER_TEXT, SEEK_TEXT, answer_json

KEY = "sk-ant-api03-" + "c" * 40 + "-fakeAA"
ENV = (
    "LLM_PROVIDER",
    "LLM_API_KEY",
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "LLM_MODEL",
    "CHAIN_ENDPOINT",
    "DEV_MODE",
)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("mediator_actors.negotiation.commands",))
    monkeypatch.chdir(tmp_path)
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def _files(tmp_path: Path, offer: str = OFFER_TEXT, seek: str = SEEK_TEXT) -> list[str]:
    (tmp_path / "offer.txt").write_text(offer)
    (tmp_path / "seek.txt").write_text(seek)
    return [str(tmp_path / "offer.txt"), str(tmp_path / "seek.txt")]


def test_negotiate_prose_files_with_the_offline_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["negotiate", *_files(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Decision: ALIGNED" in out
    assert "price: 1240 NLC" in out
    assert "deliver by 2027-09-25" in out


def test_negotiate_json_entries_and_print_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = {
        "author": "alice",
        "content": OFFER_TEXT,
        "intent": "offer",
        "timestamp": "2026-11-20T09:00:00",
        "metadata": {"is_contract": True, "contract_type": "offer", "status": "open"},
    }
    (tmp_path / "offer.json").write_text(json.dumps({"block_index": 3, "entry": entry}))
    (tmp_path / "seek.txt").write_text(SEEK_TEXT)
    assert (
        cli.main(["negotiate", str(tmp_path / "offer.json"), str(tmp_path / "seek.txt"), "--json"])
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["aligned"] is True
    assert result["terms"]["price"] == 1240
    assert result["model_id"] == "offline-negotiator/1"


def test_an_offer_given_as_the_seek_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = {"author": "a", "content": OFFER_TEXT, "metadata": {"contract_type": "offer"}}
    (tmp_path / "seek.json").write_text(json.dumps(entry))
    (tmp_path / "offer.txt").write_text(OFFER_TEXT)
    assert cli.main(["negotiate", str(tmp_path / "offer.txt"), str(tmp_path / "seek.json")]) == 2
    assert "is a offer, expected a seek" in capsys.readouterr().err


def test_negotiate_exits_1_when_the_intents_do_not_align(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files(tmp_path, offer="I offer hand knitting lessons.", seek="We need a rocket.")
    assert cli.main(["negotiate", *files]) == 1
    assert "Decision: NOT ALIGNED" in capsys.readouterr().out


def test_negotiate_exits_2_when_an_intent_file_cannot_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    offer, _ = _files(tmp_path)
    assert cli.main(["negotiate", offer, str(tmp_path / "missing.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_negotiate_exits_2_when_the_provider_refuses_and_never_prints_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with fake_provider() as server:
        server.script(
            Script(
                status=401,
                body='{"type":"error","error":{"type":"authentication_error","message":"bad key"}}',
            )
        )
        monkeypatch.setenv("LLM_PROVIDER", "anthropic")
        monkeypatch.setenv("LLM_API_KEY", KEY)
        monkeypatch.setenv("LLM_MODEL", "claude-sonnet-4-6")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.anthropic_url)
        assert cli.main(["negotiate", *_files(tmp_path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "negotiate:" in captured.err
    assert KEY not in captured.err


def test_terminal_escapes_in_prose_are_printed_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seek = SEEK_TEXT + " Weekly calls\x1b[2J\x1b[31m required on Mondays."
    cli.main(["negotiate", *_files(tmp_path, seek=seek)])
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert _terminal("a\x1b[31mb\u202ec\r\n") == "a\\u001b[31mb\\u202ec\\u000d\n"


def test_negotiate_with_anthropic_refuses_an_answer_that_echoes_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with fake_provider() as server:
        server.script(Script(text=answer_json(reasoning=f"the key is {KEY}")))
        monkeypatch.setenv("LLM_PROVIDER", "anthropic")
        monkeypatch.setenv("LLM_API_KEY", KEY)
        monkeypatch.setenv("LLM_MODEL", "claude-sonnet-4-6")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.anthropic_url)
        assert cli.main(["negotiate", *_files(tmp_path), "--json"]) == 1
    out = capsys.readouterr().out
    assert KEY not in out
    assert "echoed a secret" in json.loads(out)["failure_reason"]
    assert len(server.requests) == 1


def test_negotiate_eval_reports_precision_and_recall(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["negotiate-eval", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["targets_met"] is True
    assert report["recall"] >= 0.8
    assert report["constraint_violations"] == []
    assert report["pairs"] >= 40


def test_negotiate_eval_fails_when_a_target_is_missed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = {
        "id": "x",
        "offer": {
            "type": "offer",
            "author": "a",
            "timestamp": "2026-11-20T09:00:00",
            "content": "I offer knitting.",
        },
        "seek": {
            "type": "seek",
            "author": "b",
            "timestamp": "2026-11-20T09:00:00",
            "content": "We need a rocket.",
        },
        "compatible": True,
        "reason": "mislabelled on purpose",
    }
    (tmp_path / "set.jsonl").write_text(json.dumps(row) + "\n")
    assert cli.main(["negotiate-eval", "--file", str(tmp_path / "set.jsonl")]) == 1
    assert "TARGETS NOT MET" in capsys.readouterr().out


def test_negotiate_prints_the_price_in_the_terms_currency(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files(
        tmp_path,
        offer="Bicycle repair, 30 USD per hour.",
        seek="My bicycle needs repair, about 2 hours of work, budget 80 USD.",
    )
    assert cli.main(["negotiate", *files]) == 0
    out = capsys.readouterr().out
    assert "price: 60 USD" in out
    assert "NLC" not in out.split("price:")[1].splitlines()[0]
