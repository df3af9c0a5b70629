"""``rotate-key`` and ``retired-keys`` on an initialised folder with a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mediator_actors import cli
from mediator_actors.config import load_settings
from mediator_actors.keyfiles import parse_retired_keys
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.signing import MediatorKey
from mediator_actors.store.intents import save_intent
from tests.settlement import factories as f
from tests.settlement.chainsim import Chain, open_store, response
from tests.settlement.test_rotation import draft

PROD = {"CHAIN_ENDPOINT": "https://chain.example", "CHAIN_ID": "main"}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (*PROD, "MEDIATOR_PRIVATE_KEY", "MEDIATOR_PRIVATE_KEY_FILE", "DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in PROD.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["init", "--dir", str(tmp_path)]) == 0
    monkeypatch.chdir(tmp_path)
    return tmp_path


def current_key() -> MediatorKey:
    seed = load_settings().mediator_private_key
    assert seed is not None
    return MediatorKey.from_seed_hex(seed)


def report(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    capsys.readouterr()
    assert cli.main(["retired-keys", "--json", *extra]) == 0
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return result


def test_rotate_then_report_then_drop_once_nothing_needs_the_old_key(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = current_key()
    assert cli.main(["rotate-key"]) == 0
    out = capsys.readouterr().out
    b = current_key()
    assert b.mediator_id != a.mediator_id
    assert f"retired {a.mediator_id}" in out
    assert f"mediator {b.mediator_id}" in out
    retired_file = folder / "secrets" / "mediator_private_key.retired"
    settings = load_settings()
    assert settings.retired_keys_file == retired_file
    assert [MediatorKey.from_seed_hex(s).mediator_id for s in settings.retired_keys] == [
        a.mediator_id
    ]
    for secret in (*settings.retired_keys, settings.mediator_private_key):
        assert secret is not None
        assert secret.reveal() not in out
    # Without a store nothing says what is still open: refused, nothing dropped.
    assert cli.main(["retired-keys", "--drop"]) == 1
    assert "cannot tell" in capsys.readouterr().err
    # A's proposal, mined before the rotation took effect, in the node's store.
    store = open_store(folder / "data")
    store.write(lambda conn: [save_intent(conn, i, now=f.NOW) for i in (f.offer(), f.seek())])
    chain = Chain(store, SettlementBook(key=b, retired_keys=(a,), clock=lambda: f.NOW))
    proposal = draft(a)
    chain.mine(proposal.entry.payload(), at=f.NOW + 60)
    got = report(capsys, "--drop")
    assert got["droppable"] == []
    assert got["dropped"] == 0
    assert got["retired"] == [
        {
            "mediator_id": a.mediator_id,
            "open_settlements": 1,
            "disputable_settlements": 1,
            "disputable_until": "2027-02-17T08:00:00Z",
            "needed": True,
        }
    ]
    chain.mine(response("alice", proposal.settlement_id, True), at=f.NOW + 3600)
    chain.mine(response("bob", proposal.settlement_id, True), at=f.NOW + 7200)
    chain.mine(at=proposal.deadline_ts + 30 * 86_400 + 1)
    store.close()
    got = report(capsys, "--drop")
    assert got["droppable"] == [a.mediator_id]
    assert got["dropped"] == 1
    assert parse_retired_keys(retired_file.read_text()) == ([], [])
    assert load_settings().retired_keys == ()


def test_rotate_key_needs_the_key_in_a_file(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / ".env").write_text("")
    monkeypatch.setenv("MEDIATOR_PRIVATE_KEY", "ab" * 32)
    assert cli.main(["rotate-key"]) == 2
    err = capsys.readouterr().err
    assert "MEDIATOR_PRIVATE_KEY_FILE" in err
    assert "ab" * 32 not in err
