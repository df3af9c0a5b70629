"""The chain client tells its ``on_request`` hook what each attempt ended in (the status the
node answered, or timeout, unreachable, oversize; paced and breaker_open when nothing was
sent), against a hostile server on 127.0.0.1:0. ``/metrics`` exports the counts as
``mediator_chain_requests_total{method,status}``."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import gevent.event
import pytest
import requests

from mediator_actors.chain.client import (
    ChainBusyError,
    ChainClient,
    ChainProtocolError,
    ChainTimeoutError,
    ChainUnavailableError,
    ClientLimits,
    RequestPacer,
)
from mediator_actors.edge.health_app import HealthApp
from mediator_actors.edge.opsmetrics import ErrorCounter, node_metrics
from mediator_actors.edge.server import EdgeServer, Limits
from mediator_actors.errors import ChainError
from mediator_actors.health.report import SnapshotBox
from mediator_actors.runtime.resilience import Backoff, CircuitBreaker
from mediator_actors.stats import NodeStats, RequestCounts
from mediator_actors.store import Store
from mediator_actors.wiring import ALL_MIGRATIONS

from .conftest import FakeClock
from .hostile import HostileServer, response, send, send_json

EMPTY_PAGE = {"count": 0, "entries": []}


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.stop()


def _client(url: str, counts: RequestCounts, **kw: object) -> ChainClient:
    limits = ClientLimits(
        deadline=1.0, connect_timeout=0.5, attempts=1, backoff=Backoff(0.01, 0.01)
    )
    return ChainClient(
        url,
        limits=limits,
        sleep=lambda _s: None,
        on_request=counts.record,
        **kw,  # type: ignore[arg-type]
    )


def test_each_answer_counts_under_its_status(hostile: HostileServer) -> None:
    counts = RequestCounts()
    client = _client(hostile.url, counts)
    hostile.routes["/pending"] = send_json(EMPTY_PAGE)
    client.pending()
    client.pending()
    hostile.routes["/block/9"] = send_json({"error": "Block not found"}, status="404 NOT FOUND")
    with pytest.raises(ChainProtocolError):
        client.block(9)
    hostile.routes["/health"] = send_json({}, status="429 TOO MANY REQUESTS")
    with pytest.raises(ChainBusyError):
        client.health()
    hostile.routes["/block/latest"] = send_json({}, status="507 INSUFFICIENT STORAGE")
    with pytest.raises(ChainProtocolError):  # not transient: one attempt
        client.latest_block()
    assert counts.counts() == {
        ("GET", "200"): 2,
        ("GET", "404"): 1,
        ("GET", "429"): 1,
        ("GET", "5xx"): 1,  # an uncommon code counts by its class
    }


def test_every_retry_is_an_attempt_of_its_own(hostile: HostileServer) -> None:
    counts = RequestCounts()
    client = ChainClient(
        hostile.url,
        limits=ClientLimits(deadline=1.0, attempts=3, backoff=Backoff(0.01, 0.01)),
        sleep=lambda _s: None,
        on_request=counts.record,
    )
    hostile.routes["/entry"] = send_json({"error": "busy"}, status="503 SERVICE UNAVAILABLE")
    with pytest.raises(ChainUnavailableError):
        client.post_entry(content="x", author="a", intent="offer", metadata={})
    assert counts.counts() == {("POST", "503"): 3}


def test_no_answer_counts_as_timeout_unreachable_or_oversize(hostile: HostileServer) -> None:
    counts = RequestCounts()
    never = gevent.event.Event()
    hostile.routes["/pending"] = lambda _sock: never.wait(10)  # headers never come
    hostile.routes["/block/0"] = send(
        response(b"", length=False, headers={"Content-Length": str(50 * 2**20)})
    )
    try:
        with pytest.raises(ChainTimeoutError):
            _client(hostile.url, counts).pending()
    finally:
        never.set()
    with pytest.raises(ChainProtocolError, match="refused"):
        _client(hostile.url, counts).block(0)
    with socket.socket() as free:  # a port nothing listens on: connection refused
        free.bind(("127.0.0.1", 0))
        closed = free.getsockname()[1]
    with pytest.raises(ChainUnavailableError) as refused:
        _client(f"http://127.0.0.1:{closed}", counts).pending()
    assert not isinstance(refused.value, ChainTimeoutError)
    assert counts.counts() == {
        ("GET", "timeout"): 1,
        ("GET", "oversize"): 1,
        ("GET", "unreachable"): 1,
    }


def test_requests_never_sent_are_counted_apart(hostile: HostileServer) -> None:
    counts = RequestCounts()
    clock = FakeClock()
    breaker = CircuitBreaker("chain", failure_threshold=1, reset_timeout=60, clock=clock)
    hostile.routes["/pending"] = send_json({"error": "down"}, status="502 BAD GATEWAY")
    client = _client(hostile.url, counts, breaker=breaker)
    with pytest.raises(ChainUnavailableError):
        client.pending()
    with pytest.raises(ChainUnavailableError, match="not sent"):
        client.pending()  # the breaker is open now
    paced = _client(hostile.url, counts, pacer=RequestPacer(per_minute=1, headroom=0, clock=clock))
    hostile.routes["/entry"] = send_json({"entry": {}}, status="201 CREATED")
    paced.post_entry(content="x", author="a", intent="offer", metadata={})
    with pytest.raises(ChainBusyError, match="not sent"):
        paced.post_entry(content="x", author="a", intent="offer", metadata={})
    assert counts.counts() == {
        ("GET", "502"): 1,
        ("GET", "breaker_open"): 1,
        ("POST", "201"): 1,
        ("POST", "paced"): 1,
    }
    assert len(hostile.hits) == 2  # the two refusals never reached the node


def test_metrics_export_the_chain_requests(tmp_path: Path, hostile: HostileServer) -> None:
    store = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)
    stats = NodeStats()
    hostile.routes["/pending"] = send_json(EMPTY_PAGE)
    client = _client(hostile.url, stats.chain_requests)
    client.pending()
    with pytest.raises(ChainError):
        client.block(3)  # the hostile server's 404
    app = HealthApp(SnapshotBox())
    app.add_metrics(
        node_metrics(store=store, stats=stats, errors=ErrorCounter(), llm_limits=(1, 2))
    )
    server = EdgeServer(app, "127.0.0.1", 0, limits=Limits())
    server.start()
    try:
        host, port = server.address
        text = requests.get(f"http://{host}:{port}/metrics", timeout=10).text
    finally:
        server.stop(1)
        store.close()
    assert "# TYPE mediator_chain_requests_total counter" in text
    assert 'mediator_chain_requests_total{method="GET",status="200"} 1' in text
    assert 'mediator_chain_requests_total{method="GET",status="404"} 1' in text
