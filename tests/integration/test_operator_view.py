"""What an operator sees of a whole node on the seeded dev chain: the log's stage lines and
access lines, /metrics' business counters, watch's first frames, the dashboard link, and a
restart that does not warn about what is expected."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gevent
import gevent.event
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from gevent.monkey import get_original

from mediator_actors import cli
from mediator_actors.chain.demo import DEMO_INTENTS
from mediator_actors.config import load_settings
from mediator_actors.demo import _finished
from mediator_actors.edge.keys import KEY_FILE, KeyFile, public_hex, write_key_file
from mediator_actors.edge.wsclient import WsClient
from mediator_actors.wiring import build_node
from tests.chainlimits import FAST_WINDOW

pytestmark = pytest.mark.timeout(240)


def _closures(conn: sqlite3.Connection) -> int:
    return int(
        conn.execute(
            "SELECT COUNT(*) FROM settlements WHERE own = 1 AND state = 'closed'"
        ).fetchone()[0]
    )


def _settings(tmp_path: Path) -> Any:
    return load_settings(
        {
            "DATA_DIR": str(tmp_path / "data"),
            "POLL_INTERVAL_SECONDS": "0.2",
            "HEALTH_PORT": "0",
            "WS_PORT": "0",
            "ENV_FILE": str(tmp_path / "absent.env"),
        },
        cwd=tmp_path,
    )


#: The OS thread's id (patched ``threading.get_ident`` names the greenlet instead).
_thread_ident = get_original("_thread", "get_ident")


class LogWaiter(logging.Handler):
    """Wakes a waiter when a record whose message matches arrives: no polling of the log."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.messages: list[str] = []
        self.changed = gevent.event.Event()
        self.hub_thread = _thread_ident()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        # A gevent Event may only be set from the hub's thread; the lines waited for here
        # are logged by greenlets there (records from offload threads are kept, not woken on).
        if _thread_ident() == self.hub_thread:
            self.changed.set()

    def wait_until(self, ready: Callable[[list[str]], bool], timeout: float) -> None:
        """Wait up to ``timeout`` for ``ready(messages so far)``, woken by each new record."""
        with gevent.Timeout(timeout, AssertionError("the log never showed it")):
            while True:
                self.changed.clear()  # before looking, so no record slips in between
                if ready(list(self.messages)):
                    return
                self.changed.wait()

    def wait_for(self, pattern: str, timeout: float) -> str:
        """The first message matching ``pattern`` (a full match), waiting up to ``timeout``."""
        with gevent.Timeout(timeout, AssertionError(f"no log line matching {pattern!r}")):
            seen = 0
            while True:
                self.changed.clear()  # before looking, so no record slips in between
                for message in self.messages[seen:]:
                    if re.fullmatch(pattern, message):
                        return message
                    seen += 1
                self.changed.wait()


@pytest.fixture
def log_waiter() -> Iterator[LogWaiter]:
    waiter = LogWaiter()
    root = logging.getLogger()
    root.addHandler(waiter)
    try:
        yield waiter
    finally:
        root.removeHandler(waiter)


def _messages(caplog: pytest.LogCaptureFixture, level: int = logging.INFO) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= level]


def test_an_operator_can_tell_what_the_node_did(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    log_waiter: LogWaiter,
) -> None:
    caplog.set_level(logging.INFO)
    watch_key = Ed25519PrivateKey.generate()
    write_key_file(
        tmp_path / "data" / KEY_FILE, KeyFile({"ops": public_hex(watch_key)}, frozenset())
    )
    settings = _settings(tmp_path)
    node = build_node(settings, dev_auto_mine=1.0, dev_rate_window=FAST_WINDOW)
    context = node.start()
    try:
        edge = context.edge
        urls = edge.urls()
        logged = _messages(caplog)
        assert f"health: {urls['health']}   metrics: {urls['metrics']}" in logged
        how = "(`mediator-node dashboard` prints the link with its token)"
        assert f"dashboard: {urls['dashboard']}   {how}" in logged
        assert any(m.startswith(f"watch: mediator-node watch --url {urls['ws']}") for m in logged)

        with gevent.Timeout(120, AssertionError("the demo cycle did not finish")):
            while not context.store.read(_finished):
                gevent.sleep(0.2)
        closures = context.store.read(_closures)
        assert closures >= 1
        # The stage lines are flushed each second: wait for the closures' line.
        log_waiter.wait_for(r"settlements: \d+ closed.*", 10)
        stages = _messages(caplog)
        ingested = sum(
            int(m.split()[1]) for m in stages if re.fullmatch(r"intents: \d+ ingested", m)
        )
        assert ingested == len(DEMO_INTENTS)
        assert any(m.startswith("negotiations: ") and " aligned, " in m for m in stages)
        assert any(
            m.startswith("settlements: ") and m.endswith(" proposed, queued for the chain")
            for m in stages
        )

        # Payout claims posted are read from the store every 5 s, and posted at the chain's
        # pace: wait until their lines add up to the closures.
        def paid(messages: list[str]) -> int:
            return sum(
                int(m.split()[1])
                for m in messages
                if re.fullmatch(r"payouts: \d+ claims posted, fees .* NLC", m)
            )

        log_waiter.wait_until(lambda messages: paid(messages) >= closures, 60)
        assert paid(log_waiter.messages) == closures

        metrics = requests.get(urls["metrics"], timeout=5).text
        assert f"mediator_closures_total {closures}" in metrics
        declared = [line.split()[2] for line in metrics.splitlines() if line.startswith("# TYPE")]
        assert len(declared) == len(set(declared))  # each family declared once
        by_type = re.findall(
            r'^mediator_intents_ingested_total\{type="\w+"\} (\d+)$', metrics, re.M
        )
        assert sum(map(int, by_type)) == len(DEMO_INTENTS)
        assert re.search(r"^mediator_payouts_total \d+$", metrics, re.M)
        negotiated = context.store.read(
            lambda c: c.execute("SELECT COUNT(*) FROM negotiations").fetchone()[0]
        )
        assert f'mediator_negotiation_latency_seconds_bucket{{le="+Inf"}} {negotiated}' in metrics
        for line in metrics.splitlines():
            if line.startswith("mediator_") and "_bytes" in line.split(" ")[0]:
                assert re.fullmatch(r"\S+ \d+", line), line  # whole bytes, never 1.7e+10

        client = WsClient.connect(urls["ws"], timeout=10)
        try:
            client.authenticate(watch_key)
            client.subscribe("settlements")
            assert client.recv()["type"] == "subscribed"
            snapshot = client.recv()
            assert snapshot["type"] == "snapshot"
            assert snapshot["data"]["settlements"]["closed"] == closures
            assert snapshot["data"]["open"] == []
            client.subscribe("health")
            assert client.recv()["type"] == "subscribed"
            assert client.recv()["data"]["status"] in ("healthy", "degraded")
        finally:
            client.close()

        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("HEALTH_PORT", str(edge.bound["health"][1]))
        monkeypatch.setattr(cli, "COMMAND_MODULES", ("mediator_actors.edge.commands",))
        for name in ("DATA_DIR", "ENV_FILE"):
            monkeypatch.setenv(name, str(tmp_path / ("data" if name == "DATA_DIR" else "a.env")))
        assert cli.main(["dashboard"]) == 0
        link = capsys.readouterr().out.strip()
        token = (tmp_path / ".dashboard-token").read_text().strip()
        assert link == f"{urls['dashboard']}#token={token}"
        ticket = requests.post(
            urls["dashboard"].replace("/dashboard/", "/api/v1/ws-ticket"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert ticket.status_code == 200
    finally:
        node.request_stop()
        node.stop()

    # A restart: the simulated parties read the chain from its start again and find their
    # answers there already. Expected, so info, never a warning.
    caplog.clear()
    node = build_node(_settings(tmp_path), dev_auto_mine=1.0, dev_rate_window=FAST_WINDOW)
    node.start()
    try:
        log_waiter.wait_for(r"demo: the parties had already answered \d+ proposals.*", 30)
        # The node says what it achieved before the restart, once.
        log_waiter.wait_for(r"so far: 20 intents.*", 10)
        warnings = _messages(caplog, logging.WARNING)
        assert not [w for w in warnings if "could not answer" in w or "duplicate" in w], warnings
    finally:
        node.request_stop()
        node.stop()
