"""threats.md section C against a hostile loopback server: every class answered, no crash loop."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediator_actors.chain.client import (
    ChainClient,
    ChainProtocolError,
    ChainUnavailableError,
    ClientLimits,
    check_endpoint,
)
from mediator_actors.chain.follower import MIGRATIONS, ChainFollower
from mediator_actors.errors import ChainError, CodecError
from mediator_actors.runtime.resilience import Backoff, BreakerState, CircuitBreaker
from mediator_actors.store import Store
from mediator_actors.store.intents import MIGRATIONS as INTENT_MIGRATIONS
from mediator_actors.store.jobs import MIGRATIONS as JOB_MIGRATIONS

from .conftest import FakeClock
from .hostile import HostileServer, drip, endless, response, send, send_json, send_text

TS = "2026-11-27T08:56:46.747623"
OFFER = '{"is_contract": true, "contract_type": "offer", "status": "open"}'
GOOD = "Offering hand-built oak bookshelves, 120 NLC each, delivery within 14 days."


def entry_text(
    author: str = '"alice"', content: str | None = None, ts: str = f'"{TS}"', metadata: str = OFFER
) -> str:
    content = content if content is not None else json.dumps(GOOD)
    return f'{{"author":{author},"content":{content},"intent":"offer","timestamp":{ts},"metadata":{metadata}}}'


def block_text(index: int, entries: list[str], prev: str = "0") -> str:
    return (
        f'{{"index":{index},"timestamp":1764233806.5,"nonce":0,"hash":"h{index}",'
        f'"previous_hash":"{prev}","entries":[{",".join(entries)}]}}'
    )


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.stop()


def quick_client(url: str, **limits: object) -> ChainClient:
    base = {"deadline": 1.0, "connect_timeout": 0.5, "attempts": 1, "backoff": Backoff(0.01, 0.01)}
    return ChainClient(url, limits=ClientLimits(**{**base, **limits}), sleep=lambda _s: None)  # type: ignore[arg-type]


def serve_chain(
    server: HostileServer, blocks: list[str], pending: str = '{"count":0,"entries":[]}'
) -> None:
    latest = f'{{"block":{blocks[-1]},"chain_length":{len(blocks)},"pending_entries":0}}'
    server.routes["/block/latest"] = send_text(latest)
    for i, text in enumerate(blocks):
        server.routes[f"/block/{i}"] = send_text(text)
    server.routes["/pending"] = send_text(pending)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(
        tmp_path / "data", migrations=[*JOB_MIGRATIONS, *INTENT_MIGRATIONS, *MIGRATIONS]
    )
    yield opened
    opened.close()


def quarantine(store: Store) -> dict[str, int]:
    rows = store.read(
        lambda c: c.execute(
            "SELECT reason, COUNT(*) FROM chain_quarantine GROUP BY reason"
        ).fetchall()
    )
    return {r[0]: r[1] for r in rows}


def test_each_hostile_entry_is_quarantined_with_its_reason_and_the_page_proceeds(
    hostile: HostileServer, store: Store
) -> None:
    bad = [
        entry_text(content="123"),
        entry_text(metadata="[]"),
        entry_text(metadata='{"is_contract":true,"contract_type":"offer","offered_fee":NaN}'),
        entry_text(metadata='{"x":1e400}'),
        entry_text(metadata='{"d":' + "[" * 100 + "]" * 100 + "}"),
        entry_text(metadata='{"n":' + "7" * 5000 + "}"),
        entry_text(author='"mallory\\ud800"'),
        entry_text(content=json.dumps("x" * 10_000_000)),  # a 10 MB entry
    ]
    good = [
        entry_text(),
        entry_text(author='"old"', ts='"0000-01-01T00:00:00"'),
        entry_text(author='"future"', ts='"3000-01-01T00:00:00"'),
    ]
    blocks = [block_text(0, []), block_text(1, bad[:4] + good + bad[4:], prev="h0")]
    bad_pending = entry_text(author='"pat"', content="[1, 2]")
    serve_chain(hostile, blocks, pending=f'{{"count":1,"entries":[{bad_pending}]}}')
    follower = ChainFollower(
        store=store, client=quick_client(hostile.url, deadline=5.0), clock=FakeClock()
    )
    result = follower.poll_once()
    assert result.error is None
    assert len(result.new_intents) == 3  # year 0 and year 3000 kept: never filtered by clock
    assert len(result.quarantined) == 9  # eight in the block, one in the pending pool
    assert quarantine(store) == {
        "bad_content": 2,
        "bad_metadata": 1,
        "non_finite_number:NaN": 1,
        "number_overflow": 1,
        "too_deep": 1,
        "integer_too_long": 1,
        "lone_surrogate": 1,
        "content_too_long": 1,
    }
    again = follower.poll_once()  # no crash loop, nothing counted twice
    assert (again.error, again.quarantined, again.new_intents) == (None, (), ())


def test_a_50_mb_pending_pool_is_refused_and_blocks_still_ingest(
    hostile: HostileServer, store: Store
) -> None:
    serve_chain(hostile, [block_text(0, [entry_text()])])
    hostile.routes["/pending"] = send(
        response(b"", length=False, headers={"Content-Length": str(50 * 2**20)})
    )
    client = quick_client(hostile.url)
    with pytest.raises(ChainProtocolError, match="refused"):
        client.pending()
    result = ChainFollower(store=store, client=client, clock=FakeClock()).poll_once()
    assert (result.error, len(result.new_intents)) == (None, 1)


def test_an_endless_body_stops_at_the_byte_cap(hostile: HostileServer) -> None:
    hostile.routes["/pending"] = endless(
        response(b"", length=False) + b'{"entries":[', b'"xxxxxxxx",' * 4096
    )
    with pytest.raises(ChainProtocolError, match="over 1048576 bytes"):
        quick_client(hostile.url, max_response_bytes=2**20, deadline=5.0).pending()


def test_a_gzip_bomb_is_stopped_by_the_cap_after_decompression(hostile: HostileServer) -> None:
    bomb = gzip.compress(b"[" + b" " * (40 * 2**20) + b"]", compresslevel=9)
    assert len(bomb) < 2**20
    hostile.routes["/pending"] = send(response(bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(ChainProtocolError, match="after decompression"):
        quick_client(hostile.url, max_response_bytes=2**20, deadline=5.0).pending()


def test_a_dripping_body_is_abandoned_at_the_total_deadline(hostile: HostileServer) -> None:
    hostile.routes["/pending"] = drip(
        response(b"", length=False, headers={"Content-Length": "5000"}) + b"{", every=0.05
    )
    started = time.monotonic()
    with pytest.raises(ChainUnavailableError, match=r"deadline|reading"):
        quick_client(hostile.url, deadline=0.6).pending()
    assert time.monotonic() - started < 3.0


def test_html_with_a_json_content_type_is_a_codec_error(hostile: HostileServer) -> None:
    hostile.routes["/block/0"] = send_text("<html><body>Oops</body></html>")
    with pytest.raises(CodecError):
        quick_client(hostile.url).block(0)


def test_the_wrong_content_type_is_refused(hostile: HostileServer) -> None:
    hostile.routes["/block/0"] = send_text("{}", ctype="text/html")
    with pytest.raises(ChainProtocolError, match="content type"):
        quick_client(hostile.url).block(0)


def test_a_redirect_to_another_host_is_not_followed(hostile: HostileServer) -> None:
    elsewhere = HostileServer()
    try:
        elsewhere.routes["/pending"] = send_json({"count": 0, "entries": []})
        hostile.routes["/pending"] = send(
            response(b"", status="302 FOUND", headers={"Location": f"{elsewhere.url}/pending"})
        )
        with pytest.raises(ChainProtocolError, match="redirect"):
            quick_client(hostile.url).pending()
        assert elsewhere.hits == []
    finally:
        elsewhere.stop()


def test_only_transient_failures_are_retried(hostile: HostileServer) -> None:
    client = quick_client(hostile.url, attempts=3)
    hostile.routes["/pending"] = send_json({"error": "busy"}, status="503 SERVICE UNAVAILABLE")
    with pytest.raises(ChainUnavailableError):
        client.pending()
    assert hostile.hits.count("/pending") == 3
    hostile.routes["/block/9"] = send_json({"error": "Block not found"}, status="404 NOT FOUND")
    with pytest.raises(ChainProtocolError):
        client.block(9)
    assert hostile.hits.count("/block/9") == 1


def test_the_breaker_opens_refuses_then_half_opens_and_closes(hostile: HostileServer) -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(
        "chain", failure_threshold=3, reset_timeout=10, success_threshold=2, clock=clock
    )
    client = ChainClient(hostile.url, limits=ClientLimits(deadline=1, attempts=1), breaker=breaker)
    hostile.routes["/pending"] = send_json({"error": "down"}, status="502 BAD GATEWAY")
    for _ in range(3):
        with pytest.raises(ChainUnavailableError):
            client.pending()
    assert client.health_snapshot().state is BreakerState.OPEN
    with pytest.raises(ChainUnavailableError, match="circuit is open"):
        client.pending()
    assert hostile.hits.count("/pending") == 3  # refused without touching the node
    clock.advance(10)
    hostile.routes["/pending"] = send_json({"count": 0, "entries": []})
    client.pending()
    assert client.health_snapshot().state is BreakerState.HALF_OPEN
    client.pending()
    snapshot = client.health_snapshot()
    assert snapshot.state is BreakerState.CLOSED
    assert snapshot.last_latency_ms is not None


def test_the_follower_backs_off_while_the_chain_is_down(store: Store) -> None:
    client = quick_client("http://127.0.0.1:9")  # discard port: connection refused
    follower = ChainFollower(store=store, client=client, clock=FakeClock(), backoff=Backoff(1, 8))
    delays = [follower.poll_once().retry_in for _ in range(4)]
    assert all(d > 0 for d in delays)
    assert delays[3] > delays[0]


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest",
        "http://[::ffff:169.254.169.254]/",
        "http://metadata.google.internal/",
        "file:///etc/passwd",
        "http://user:pw@example.com/",
        "http://0.0.0.0:5000",
        "http:///nohost",
    ],
)
def test_ssrf_rules_refuse_dangerous_endpoints(url: str) -> None:
    with pytest.raises(ChainError):
        check_endpoint(url)


def test_ssrf_rules_allow_loopback_and_refuse_private_when_asked() -> None:
    assert check_endpoint("http://127.0.0.1:5000/") == "http://127.0.0.1:5000"
    with pytest.raises(ChainError, match="private"):
        check_endpoint("https://10.0.0.5", allow_private=False)


def test_the_endpoint_is_rechecked_on_what_its_name_resolves_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    client = quick_client("http://chain.test:5000")
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *_a, **_k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 5000))],
    )
    with pytest.raises(ChainError, match="link-local"):
        client.pending()
