"""401/403: /health shows the chain client unhealthy with the problem, logged once a minute."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from mediator_actors.actors.health_reporter import HealthReporter
from mediator_actors.chain.client import ChainClient, ClientLimits
from mediator_actors.chain.follower import ChainFollower
from mediator_actors.health.report import Resources, SnapshotBox, judge
from mediator_actors.stats import NodeStats
from mediator_actors.store import Store
from mediator_actors.wiring import ALL_MIGRATIONS
from supervisors import StatusBoard

from .conftest import FakeClock
from .hostile import HostileServer, send_json

PROBLEM = "the chain refuses our API key (CHAIN_API_KEY)"


@pytest.mark.parametrize(
    ("status", "error"),
    [("401 UNAUTHORIZED", "API key required"), ("403 FORBIDDEN", "Invalid API key")],
)
def test_a_refused_key_is_unhealthy_on_health_and_logged_once_a_minute(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, status: str, error: str
) -> None:
    server = HostileServer()
    store = Store.open(tmp_path, migrations=ALL_MIGRATIONS)
    clock = FakeClock()
    try:
        server.routes["/block/latest"] = send_json({"error": error}, status=status)
        client = ChainClient(server.url, limits=ClientLimits(deadline=2, attempts=1))
        follower = ChainFollower(store=store, client=client, clock=clock)
        with caplog.at_level(logging.ERROR, logger="mediator_actors.chain.follower"):
            results = []
            for _ in range(10):  # ten polls within the minute: one log line
                results.append(follower.poll_once())
                clock.advance(5)
            first = [r for r in caplog.records if PROBLEM in r.getMessage()]
            assert len(first) == 1
            clock.advance(60)
            follower.poll_once()
            assert len([r for r in caplog.records if PROBLEM in r.getMessage()]) == 2
        assert all(r.error is not None and r.logged for r in results)
        assert client.auth_problem() == PROBLEM

        stats = NodeStats(index_loaded=True)
        stats.chain_breaker = client.health_snapshot
        stats.chain_auth_problem = client.auth_problem
        reporter = HealthReporter(
            None,
            box=SnapshotBox(),
            board=StatusBoard(),
            store=store,
            stats=stats,
            readiness=lambda: (True, False, False),
            started_at=0.0,
            events=None,
            interval=60,
            sampler=lambda: Resources(5.0, 100.0, 1000.0, 1.0, 100.0, 50.0),
        )
        report = judge(reporter.snapshot())
        chain = report["components"]["chainClient"]
        assert chain["status"] == "unhealthy"
        assert chain["detail"] == PROBLEM
        assert f"chainClient unhealthy: {PROBLEM}" in report["problems"]

        # The key is fixed: the next answer clears it.
        server.routes["/block/latest"] = send_json(
            {
                "block": {
                    "index": 0,
                    "timestamp": 1.0,
                    "entries": [],
                    "previous_hash": "0",
                    "nonce": 0,
                    "hash": "h0",
                },
                "chain_length": 1,
                "pending_entries": 0,
            }
        )
        server.routes["/block/0"] = send_json(
            {
                "index": 0,
                "timestamp": 1.0,
                "entries": [],
                "previous_hash": "0",
                "nonce": 0,
                "hash": "h0",
            }
        )
        assert follower.poll_once().error is None
        assert client.auth_problem() is None
    finally:
        store.close()
        server.stop()
