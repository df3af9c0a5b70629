"""The /metrics lines the alert rules need: errors by component, chain head and lag,
settlements by outcome, LLM budget left. A real store and a real server on 127.0.0.1:0."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.edge.health_app import HealthApp, Metrics
from mediator_actors.edge.opsmetrics import (
    KNOWN_COMPONENTS,
    ErrorCounter,
    component_of,
    node_metrics,
)
from mediator_actors.edge.server import EdgeServer, Limits
from mediator_actors.health.report import SnapshotBox
from mediator_actors.stats import NodeStats
from mediator_actors.store import Store
from mediator_actors.wiring import ALL_MIGRATIONS


def _settlement(conn: sqlite3.Connection, n: int, state: str, *, own: bool = True) -> None:
    conn.execute(
        "INSERT INTO settlements (settlement_id, mediator_id, own, pair_key, offer_ref, seek_ref,"
        " offer_party, seek_party, terms, facilitation_fee, facilitation_fee_percent,"
        " acceptance_deadline, deadline_ts, consensus_mode, state, state_reason, created_at,"
        " updated_at) VALUES (?, 'm', ?, ?, 'o', 's', 'a', 'b', '{}', 0, 0, '', 0,"
        " 'permissionless', ?, '', 0, 0)",
        (f"s{n}", int(own), f"p{n}", state),
    )


@pytest.fixture
def full_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)
    yield store
    store.close()


def _lines(fn: Any) -> list[str]:
    m = Metrics()
    fn(m)
    return m.text().splitlines()


def test_every_figure_the_alerts_read_is_exported(full_store: Store) -> None:
    def seed(conn: sqlite3.Connection) -> None:
        for n, state in enumerate(["closed", "closed", "rejected", "expired", "proposed"]):
            _settlement(conn, n, state)
        _settlement(conn, 99, "forfeited", own=False)  # another mediator's: not counted
        conn.execute("INSERT INTO chain_cursor (id, next_index, updated_at) VALUES (1, 8, 0)")

    full_store.write(seed)
    stats = NodeStats(chain_head=lambda: 12)
    stats.llm_health = lambda: {"budget_remaining": {"hour": 150, "day": 1900}, "failures": 3}
    errors = ErrorCounter()
    lines = _lines(
        node_metrics(store=full_store, stats=stats, errors=errors, llm_limits=(200, 2000))
    )
    for expected in (
        'mediator_errors_total{component="chain"} 0',
        "mediator_chain_head_block 12",
        "mediator_chain_next_block 8",
        "mediator_chain_lag_blocks 5",  # blocks 8..12 are mined and unread
        'mediator_settlements_total{outcome="closed"} 2',
        'mediator_settlements_total{outcome="rejected"} 1',
        'mediator_settlements_total{outcome="expired"} 1',
        'mediator_settlements_total{outcome="forfeited"} 0',
        'mediator_settlements_open{state="proposed"} 1',
        'mediator_settlements_open{state="accepted"} 0',
        'mediator_llm_budget_remaining{window="hour"} 150',
        'mediator_llm_budget_remaining{window="day"} 1900',
        'mediator_llm_budget_limit{window="hour"} 200',
        "mediator_llm_failures_total 3",
        "# TYPE mediator_settlements_total counter",
        "# TYPE mediator_errors_total counter",
    ):
        assert expected in lines, expected


def test_without_a_chain_head_or_a_budget_those_lines_are_absent(full_store: Store) -> None:
    stats = NodeStats()  # offline negotiator: no budget; listener not started: no head
    stats.llm_health = lambda: {"budget_remaining": None}
    text = "\n".join(
        _lines(
            node_metrics(store=full_store, stats=stats, errors=ErrorCounter(), llm_limits=(1, 1))
        )
    )
    assert "chain_head_block" not in text
    assert "chain_lag_blocks" not in text
    assert "llm_budget_remaining" not in text


def test_errors_are_counted_by_component_from_the_log() -> None:
    errors = ErrorCounter()
    root = logging.getLogger()
    root.addHandler(errors)
    try:
        logging.getLogger("mediator_actors.chain.follower").error("boom")
        logging.getLogger("mediator_actors.chain.writer").critical("boom")
        logging.getLogger("mediator.edge.http").error("boom")
        logging.getLogger("mediator_actors.index.keeper").warning("not an error")
        logging.getLogger("urllib3.connectionpool").error("boom")
    finally:
        root.removeHandler(errors)
    counts = errors.counts()
    assert counts["chain"] == 2
    assert counts["edge"] == 1
    assert counts["index"] == 0
    assert counts["urllib3"] == 1
    assert set(KNOWN_COMPONENTS) <= set(counts)


@given(st.lists(st.text(alphabet="abcdefghij_", min_size=1, max_size=8), min_size=1, max_size=5))
def test_component_of_is_the_part_after_our_package(parts: list[str]) -> None:
    assert component_of(".".join(["mediator_actors", *parts])) == (parts[0] if parts else "")
    assert component_of(".".join(parts)) == parts[0]


def test_the_node_metrics_are_served_on_metrics(full_store: Store) -> None:
    app = HealthApp(SnapshotBox())
    stats = NodeStats(chain_head=lambda: 3)
    app.add_metrics(
        node_metrics(store=full_store, stats=stats, errors=ErrorCounter(), llm_limits=(1, 1))
    )
    server = EdgeServer(app, "127.0.0.1", 0, limits=Limits(header_timeout_s=1.0))
    host, port = server.start()
    try:
        text = requests.get(f"http://{host}:{port}/metrics", timeout=5).text
    finally:
        server.stop(timeout=1)
    assert "mediator_chain_head_block 3" in text.splitlines()
    assert "mediator_start_time_seconds" in text
