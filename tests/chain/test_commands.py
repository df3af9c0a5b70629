"""``mediator-node devchain`` serves the dev chain until SIGTERM."""

from __future__ import annotations

import os
import signal

import gevent
import gevent.event
import pytest
import requests

from mediator_actors import cli
from mediator_actors.chain import commands
from mediator_actors.chain.devchain import DevChain


def test_devchain_verb_serves_seeded_intents_until_sigterm(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started = gevent.event.AsyncResult()

    class Observed(DevChain):
        def start(self) -> str:
            url = super().start()
            started.set(url)
            return url

    monkeypatch.setattr(cli, "COMMAND_MODULES", ("mediator_actors.chain.commands",))
    monkeypatch.setattr(commands, "DevChain", Observed)
    runner = gevent.spawn(cli.main, ["devchain", "--port", "0", "--seed-demo"])
    url = started.get(timeout=10)
    gevent.sleep(0)  # let the verb install its signal handlers after start() returns
    pending = requests.get(f"{url}/pending", timeout=2).json()
    stats = requests.get(f"{url}/stats", timeout=2).json()
    assert pending["count"] == 6
    assert stats["total_entries"] == 1 + 14  # genesis + two mined blocks of seven
    os.kill(os.getpid(), signal.SIGTERM)
    assert runner.get(timeout=10) == 0
    out = capsys.readouterr().out
    assert "DEVELOPMENT CHAIN" in out
    assert "seeded with 14 mined and 6 pending demo intents" in out
    assert f"CHAIN_ENDPOINT={url} CHAIN_ID=devchain mediator-node start" in out
    assert "stopped" in out


def test_devchain_refuses_a_non_positive_auto_mine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("mediator_actors.chain.commands",))
    assert cli.main(["devchain", "--auto-mine", "0"]) == 2
