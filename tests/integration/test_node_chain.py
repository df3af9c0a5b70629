"""The whole tree on the embedded dev chain: what the chain holds reaches the store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import gevent
import requests

from mediator_actors.chain.demo import DEMO_INTENTS
from mediator_actors.config import DEV_KEY_FILE, load_settings
from mediator_actors.wiring import build_node


def _count_intents(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM intents").fetchone()[0])


CANARY = "canary-chain-api-key-7f3a9c2e51b04d68"


def test_the_node_ingests_the_seeded_dev_chain_and_stops_cleanly(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "DATA_DIR": str(tmp_path / "data"),
            "POLL_INTERVAL_SECONDS": "0.1",
            "HEALTH_PORT": "0",
            "WS_PORT": "0",
            "CHAIN_API_KEY": CANARY,
        },
        cwd=tmp_path,
    )
    node = build_node(settings)
    context = node.start()
    try:
        with gevent.Timeout(30, AssertionError("intents were not ingested")):
            while context.store.read(_count_intents) < len(DEMO_INTENTS):
                gevent.sleep(0.1)
        host, port = context.edge.health.address
        base = f"http://{host}:{port}"
        with gevent.Timeout(15, AssertionError("the reporter never said ready")):
            while requests.get(f"{base}/health/ready", timeout=5).status_code != 200:
                gevent.sleep(0.2)
        report = requests.get(f"{base}/health", timeout=5).json()
        assert set(report["components"]) == {"vectorDb", "chainClient", "llmProvider"}
        names = {actor["name"] for actor in report["actors"]}
        assert {
            "root/chain_listener",
            "root/index_keeper",
            "root/negotiators/negotiator-1",
            "root/settlement_agent",
            "root/health_reporter",
        } <= names
        assert requests.get(f"{base}/health/live", timeout=5).status_code == 200
        metrics = requests.get(f"{base}/metrics", timeout=5).text
        assert "# TYPE" in metrics
    finally:
        node.request_stop()
        node.stop()
    assert all(status.state.value == "stopped" for status in node.board.snapshot())
    # No secret under data/ (threats.md H): neither a configured one nor the dev signing key.
    dev_key = (tmp_path / DEV_KEY_FILE).read_bytes().strip()
    assert len(dev_key) == 64
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert dev_key not in content, path
            assert CANARY.encode() not in content, path
