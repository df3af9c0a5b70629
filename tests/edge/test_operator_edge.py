"""The operator's additions to the edge: lossless metric samples, business counters,
dashboard files and tickets, WebSocket snapshots and ticket sessions. Real servers on
127.0.0.1:0."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.edge.business import Business
from mediator_actors.edge.health_app import HealthApp, Metrics, business_metrics, format_sample
from mediator_actors.edge.server import EdgeServer
from mediator_actors.edge.tickets import TicketBook
from mediator_actors.edge.wsclient import WsClosed
from mediator_actors.safety.secrets import Secret
from tests.edge import canary

TOKEN = "dashboard-token-for-tests-0123456789"


# metric samples


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (17179869184, "17179869184"),
        (17179869184.0, "17179869184"),
        (2**62, str(2**62)),
        (True, "1"),
        (False, "0"),
        (0.1, "0.1"),
        (1e-9, "1e-09"),
        (math.inf, "+Inf"),
        (-math.inf, "-Inf"),
        (math.nan, "NaN"),
    ],
)
def test_samples_are_written_without_loss(value: float, text: str) -> None:
    assert format_sample(value) == text


@given(st.integers(min_value=-(2**63), max_value=2**63))
def test_every_integer_reads_back_exactly(n: int) -> None:
    assert int(format_sample(n)) == n


@given(st.floats(allow_nan=False))
def test_every_float_reads_back_exactly(x: float) -> None:
    text = format_sample(x)
    assert float(text.replace("Inf", "inf")) == x


def test_business_counters_follow_prometheus_naming() -> None:
    m = Metrics()
    business_metrics(
        Business(
            intents={"offer": 10, "seek": 10},
            candidates=9,
            negotiations={"aligned": 4, "declined": 5},
            declined_by_reason={"service": 4, "confidence": 1},
            proposals=4,
            proposals_posted=4,
            acceptances=8,
            settlements={"closed": 4},
            closures=4,
            payouts=4,
            fees_claimed={"NLC": 0.253},
            challenges={"upheld": 1},
            disputes={"open": 2, "withdrawn": 1, "claimant_favored": 3},
            quarantined={"processing_failed": 2},
            latency_buckets=((0.005, 3), (0.025, 7), (0.1, 9)),
            latency_sum_s=0.25,
            latency_count=9,
        ),
        m,
    )
    text = m.text()
    assert text.count("# TYPE mediator_negotiation_latency_seconds histogram") == 1
    assert 'mediator_negotiation_latency_seconds_bucket{le="0.005"} 3' in text
    assert 'mediator_negotiation_latency_seconds_bucket{le="+Inf"} 9' in text
    assert "mediator_negotiation_latency_seconds_sum 0.25" in text
    assert "mediator_negotiation_latency_seconds_count 9" in text
    assert 'mediator_intents_ingested_total{type="offer"} 10' in text
    assert 'mediator_negotiations_total{outcome="declined"} 5' in text
    assert 'mediator_negotiations_declined_total{reason="service"} 4' in text
    assert "mediator_closures_total 4" in text
    assert 'mediator_fees_claimed_nlc_total{currency="NLC"} 0.253' in text
    assert 'mediator_challenges_total{outcome="open"} 0' in text
    assert 'mediator_disputes_open{state="open"} 2' in text
    assert 'mediator_disputes_open{state="escalated"} 0' in text
    assert "# TYPE mediator_disputes_open gauge" in text
    assert 'mediator_disputes_total{outcome="withdrawn"} 1' in text
    assert 'mediator_disputes_total{outcome="claimant_favored"} 3' in text
    assert 'mediator_disputes_total{outcome="dismissed"} 0' in text  # declared before any
    assert 'mediator_disputes_total{outcome="orphaned"} 0' in text
    assert 'mediator_quarantined_entries_total{reason="processing_failed"} 2' in text
    for line in text.splitlines():
        if line.startswith("# TYPE") and line.endswith(" counter"):  # histograms aside
            assert line.split()[2].endswith("_total"), line


# tickets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_ticket_is_good_once_and_not_after_it_expires() -> None:
    clock = Clock()
    book = TicketBook(ttl_s=30, clock=clock)
    first = book.issue("dashboard")
    assert book.redeem(first) == "dashboard"
    assert book.redeem(first) is None
    late = book.issue("dashboard")
    clock.now += 31
    assert book.redeem(late) is None
    assert book.redeem("0" * 64) is None
    assert book.redeem(None) is None
    assert book.redeem(12) is None


def test_outstanding_tickets_are_bounded() -> None:
    book = TicketBook(max_outstanding=3)
    tickets = [book.issue("d") for _ in range(5)]
    assert book.outstanding() == 3
    assert book.redeem(tickets[0]) is None  # the oldest went first
    assert book.redeem(tickets[-1]) == "d"


# dashboard routes


@pytest.fixture
def dash(box: Any, read_model: Any, limits: Any) -> Iterator[tuple[str, HealthApp]]:
    app = HealthApp(box, read_model=read_model, tickets=TicketBook(), dashboard_token=Secret(TOKEN))
    app.ws_port = 9123
    server = EdgeServer(app, "127.0.0.1", 0, limits=limits)
    host, port = server.start()
    yield f"http://{host}:{port}", app
    server.stop(timeout=1)


def test_the_dashboard_is_served_from_the_package_under_a_strict_csp(dash: Any) -> None:
    base, _ = dash
    page = requests.get(base + "/dashboard/", timeout=5)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert '<script src="app.js"' in page.text
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "connect-src 'self' ws://127.0.0.1:9123" in csp
    assert "unsafe-inline" not in csp
    assert "http" not in page.text.split("<body")[0]  # nothing from elsewhere
    js = requests.get(base + "/dashboard/app.js", timeout=5)
    assert js.headers["Content-Type"].startswith("text/javascript")
    assert "innerHTML" not in js.text
    redirect = requests.get(base + "/dashboard", timeout=5, allow_redirects=False)
    assert redirect.status_code == 301


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/..%2fhealth_app.py",
        "/dashboard/../health",
        "/dashboard/x.py",
        "/dashboard/.hidden.js",
        "/dashboard/missing.js",
    ],
)
def test_nothing_outside_the_dashboard_folder_can_be_named(dash: Any, path: str) -> None:
    base, _ = dash
    resp = requests.get(base + path, timeout=5)
    assert resp.status_code == 404 or "import" not in resp.text


def test_a_ws_ticket_needs_the_dashboard_token(dash: Any) -> None:
    base, app = dash
    url = base + "/api/v1/ws-ticket"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic " + TOKEN}):
        refused = requests.post(url, headers=headers, timeout=5)
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert requests.get(url, timeout=5).status_code == 405
    granted = requests.post(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    assert granted.status_code == 200
    body = granted.json()
    assert body["ws_port"] == 9123
    assert app.tickets is not None
    assert app.tickets.redeem(body["ticket"]) == "dashboard"


def test_the_overview_carries_health_metrics_and_actors(dash: Any) -> None:
    base, _ = dash
    overview = requests.get(base + "/api/v1/overview", timeout=5).json()
    assert {"health", "metrics", "actors", "breakers"} <= set(overview)
    assert overview["health"]["status"] in ("healthy", "degraded", "unhealthy")


# the WebSocket: snapshots and ticket sessions


def test_a_new_subscription_gets_the_channel_state_first(ws_env: Any) -> None:
    ws_env.app.snapshot = lambda channel: {"channel_was": channel, "ready": True}
    client = ws_env.authed()
    client.subscribe("health")
    assert client.recv()["type"] == "subscribed"
    snapshot = client.recv()
    assert snapshot == {
        "type": "snapshot",
        "channel": "health",
        "data": {"channel_was": "health", "ready": True},
    }
    client.subscribe("health", {"party": "alice"})  # same channel: no second snapshot
    assert client.recv()["type"] == "subscribed"
    client.send_json({"type": "ping"})
    assert client.recv()["type"] == "pong"


def test_a_failing_snapshot_costs_the_snapshot_not_the_client(ws_env: Any) -> None:
    def broken(channel: str) -> dict[str, Any]:
        raise RuntimeError(canary.CANARIES[2])

    ws_env.app.snapshot = broken
    client = ws_env.authed()
    client.subscribe("intents")
    assert client.recv()["type"] == "subscribed"
    client.send_json({"type": "ping"})
    assert client.recv()["type"] == "pong"


def test_a_ticket_authenticates_once(ws_env: Any) -> None:
    book = TicketBook()
    ws_env.app.tickets = book
    ticket = book.issue("dashboard")
    client = ws_env.connect()
    assert client.recv()["type"] == "challenge"
    client.send_json({"type": "ticket", "ticket": ticket})
    assert client.recv()["type"] == "welcome"
    # A ticket session has no key to revoke: the key watch leaves it open.
    ws_env.keys.clear()
    assert ws_env.app.close_revoked() == 0
    again = ws_env.connect()
    assert again.recv()["type"] == "challenge"
    again.send_json({"type": "ticket", "ticket": ticket})
    with pytest.raises(WsClosed) as closed:
        again.recv()
    assert (closed.value.code, closed.value.reason) == (1008, "refused")


def test_without_a_ticket_book_a_ticket_is_refused(ws_env: Any) -> None:
    client = ws_env.connect()
    client.recv()
    client.send_json({"type": "ticket", "ticket": "ab" * 32})
    with pytest.raises(WsClosed) as closed:
        client.recv()
    assert closed.value.code == 1008


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        ("http://10.0.0.5:8081", "10.0.0.5:9000", True),
        ("http://node.internal:8081", "node.internal:9000", True),
        ("http://[fd00::1]:8081", "[fd00::1]:9000", True),
        ("http://evil.example:8081", "10.0.0.5:9000", False),
        ("http://10.0.0.5:8082", "10.0.0.5:9000", False),
        ("https://10.0.0.5:8081", "10.0.0.5:9000", False),
        ("http://10.0.0.5:8081", None, False),
        ("http://listed.example", "x:1", True),
    ],
)
def test_the_dashboards_own_page_may_open_the_socket_and_no_other(
    ws_env: Any, origin: str, host: str | None, allowed: bool
) -> None:
    ws_env.app.allowed_origins = frozenset({"http://listed.example"})
    ws_env.app.dashboard_port = 8081
    assert ws_env.app.origin_allowed(origin, host) is allowed


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.text(), st.binary()))
def test_redeeming_anything_a_peer_sends_is_none_and_never_raises(value: Any) -> None:
    book = TicketBook()
    book.issue("dashboard")
    assert book.redeem(value) is None
    assert book.outstanding() == 1


@given(st.text(max_size=80))
def test_only_the_dashboards_own_files_can_be_named(name: str) -> None:
    from mediator_actors.edge.health_app import DASHBOARD_DIR, dashboard_asset

    found = dashboard_asset(name)
    if found is not None:
        assert (DASHBOARD_DIR / name).resolve().parent == DASHBOARD_DIR.resolve()
        assert name in {p.name for p in DASHBOARD_DIR.iterdir()}


def test_with_an_api_token_the_dashboard_uses_it_and_makes_no_token_of_its_own(
    tmp_path: Any,
) -> None:
    from mediator_actors.config import load_settings
    from mediator_actors.edge.hub import EventHub
    from mediator_actors.edge.servers import build_edge
    from mediator_actors.health.report import SnapshotBox
    from tests.edge.fakes import MemoryReadModel

    api = "api-token-for-the-dashboard-test-0123456789"
    (tmp_path / "token").write_text(api + "\n")
    settings = load_settings(
        {
            "API_TOKEN_FILE": "token",
            "HEALTH_PORT": "0",
            "WS_PORT": "0",
            "DATA_DIR": str(tmp_path / "data"),
            "ENV_FILE": str(tmp_path / "absent.env"),
        },
        cwd=tmp_path,
    )
    edge = build_edge(
        settings,
        box=SnapshotBox(),
        hub=EventHub(),
        server_id="a" * 64,
        read_model=MemoryReadModel(),
        dashboard_token_file=tmp_path / ".dashboard-token",
    )
    edge.start()
    try:
        assert not (tmp_path / ".dashboard-token").exists()
        assert edge.dashboard_token_file is None
        assert any("sign in with the API token" in line for line in edge.access_lines())
        base = edge.urls()["dashboard"].removesuffix("/dashboard/")
        assert requests.get(base + "/api/v1/overview", timeout=5).status_code == 401
        bearer = {"Authorization": f"Bearer {api}"}
        assert requests.get(base + "/api/v1/overview", headers=bearer, timeout=5).ok
        assert requests.post(base + "/api/v1/ws-ticket", timeout=5).status_code == 401
        granted = requests.post(base + "/api/v1/ws-ticket", headers=bearer, timeout=5)
        assert granted.status_code == 200
        assert len(granted.json()["ticket"]) == 64
        assert requests.get(base + "/dashboard/", timeout=5).status_code == 200  # no data in it
    finally:
        edge.stop(timeout=1)
