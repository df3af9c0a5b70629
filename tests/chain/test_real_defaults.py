"""The chain as the real node runs by default: its scanner (redact, block), its per-client
request limit, 429 back-pressure, and the node's own request budget and catch-up reads."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors import cli
from mediator_actors.chain import commands
from mediator_actors.chain.client import (
    ChainBusyError,
    ChainClient,
    RequestPacer,
    parse_retry_after,
)
from mediator_actors.chain.devchain import DevChain
from mediator_actors.chain.scanner import (
    REDACTED,
    ScanMode,
    chain_scan_findings,
    redact_value,
    would_trigger,
)
from mediator_actors.runtime.resilience import BreakerState

from .conftest import FAST, FakeClock

HEX = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
TEXT = "Offering a Rust fluid-dynamics library; asking 500 NLC; delivery within 60 days."


def _chain(clock: FakeClock, **kw: object) -> DevChain:
    chain = DevChain(clock=clock, **kw)  # type: ignore[arg-type]
    chain.start()
    return chain


@pytest.mark.parametrize("mode", ["redact", "block", "off"])
def test_the_dev_chain_scans_answers_as_the_real_node_does(clock: FakeClock, mode: str) -> None:
    chain = _chain(clock, secret_scan=mode)
    try:
        chain.add_block([{"content": f"Shipping commit {HEX} to the buyer.", "author": "eve"}])
        answer = requests.get(f"{chain.url}/block/1", timeout=2)
        if mode == "block":
            assert answer.status_code == 500
            assert HEX not in answer.text
        elif mode == "redact":
            content = answer.json()["entries"][0]["content"]
            assert content == f"Shipping commit {REDACTED} to the buyer."
            assert answer.json()["hash"] == chain.blocks[1]["hash"]  # spared key
        else:
            assert HEX in answer.json()["entries"][0]["content"]
    finally:
        chain.stop()


def test_the_scanners_detection_skips_low_entropy_runs_but_redaction_does_not() -> None:
    low = "a" * 64
    assert not would_trigger({"x": f"look {low}"})
    both = {"x": f"look {low}", "y": f"and {HEX}"}
    assert would_trigger(both)
    assert redact_value(both) == {"x": f"look {REDACTED}", "y": f"and {REDACTED}"}
    assert chain_scan_findings({"x": f"look {low}"})  # our writer refuses it anyway


def test_the_dev_chain_refuses_the_101st_request_a_minute_with_retry_after(
    clock: FakeClock,
) -> None:
    chain = _chain(clock)
    try:
        for _ in range(100):
            assert requests.get(f"{chain.url}/block/latest", timeout=2).status_code == 200
        refused = requests.get(f"{chain.url}/block/latest", timeout=2)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        clock.advance(61)
        assert requests.get(f"{chain.url}/block/latest", timeout=2).status_code == 200
    finally:
        chain.stop()


def test_a_429_on_a_read_opens_no_breaker_and_carries_retry_after(clock: FakeClock) -> None:
    chain = _chain(clock, requests_per_minute=1)
    client = ChainClient(chain.url, limits=FAST, sleep=lambda _s: None)
    try:
        client.latest_block()
        for _ in range(10):
            with pytest.raises(ChainBusyError) as busy:
                client.latest_block()
        assert busy.value.retry_after is not None
        assert busy.value.retry_after > 0
        assert client.breaker.snapshot().state is BreakerState.CLOSED
    finally:
        client.close()
        chain.stop()


def test_the_pacer_leaves_half_the_budget_to_writes() -> None:
    now = [0.0]
    pacer = RequestPacer(per_minute=100, clock=lambda: now[0])
    reads = sum(pacer.wait_for(write=False) == 0 for _ in range(200))
    writes = sum(pacer.wait_for(write=True) == 0 for _ in range(200))
    assert reads == 45
    assert reads + writes == 95
    assert pacer.wait_for(write=False) > 0
    now[0] = 61.0
    assert pacer.wait_for(write=False) == 0


def test_a_paced_client_refuses_locally_without_sending(clock: FakeClock) -> None:
    chain = _chain(clock)
    pacer = RequestPacer(per_minute=10, headroom=0)
    client = ChainClient(chain.url, limits=FAST, sleep=lambda _s: None, pacer=pacer)
    try:
        served = chain.requests_served
        for _ in range(5):
            client.latest_block()
        with pytest.raises(ChainBusyError, match="not sent"):
            client.latest_block()
        assert chain.requests_served == served + 5
    finally:
        client.close()
        chain.stop()


def test_catching_up_on_many_blocks_reads_the_chain_once(clock: FakeClock) -> None:
    chain = _chain(clock, rate_limits=False)
    for n in range(60):
        chain.add_block([{"content": f"{TEXT} Lot {n}.", "author": f"seller{n}"}])
    client = ChainClient(chain.url, limits=FAST, sleep=lambda _s: None)
    try:
        latest = client.latest_block()
        before = chain.requests_served
        blocks = [client.block(i) for i in range(latest.block.index + 1)]
        assert [b.index for b in blocks] == list(range(61))
        assert [b.hash for b in blocks] == [b["hash"] for b in chain.blocks]
        assert chain.requests_served - before == 1  # one GET /chain served all 61
    finally:
        client.close()
        chain.stop()


def test_a_reset_drops_the_catch_up_cache(clock: FakeClock) -> None:
    chain = _chain(clock, rate_limits=False)
    for n in range(40):
        chain.add_block([{"content": f"{TEXT} Lot {n}.", "author": f"seller{n}"}])
    client = ChainClient(chain.url, limits=FAST, sleep=lambda _s: None)
    try:
        client.latest_block()
        client.block(0)  # fills the cache from /chain
        chain.reset()
        chain.add_block([{"content": f"{TEXT} After the reset.", "author": "new"}])
        client.latest_block()
        assert client.block(1).hash == chain.blocks[1]["hash"]
    finally:
        client.close()
        chain.stop()


@given(st.integers(min_value=0, max_value=10**6))
def test_retry_after_seconds_are_read_and_capped(seconds: int) -> None:
    assert parse_retry_after(str(seconds)) == min(float(seconds), 3600.0)


@given(st.text(max_size=80))
def test_any_retry_after_header_is_a_bounded_wait_or_none(text: str) -> None:
    wait = parse_retry_after(text)
    assert wait is None or 0.0 <= wait <= 3600.0


def test_retry_after_as_an_http_date() -> None:
    now = time.time()
    when = format_datetime(datetime.fromtimestamp(now + 120, UTC), usegmt=True)
    wait = parse_retry_after(when, now=now)
    assert wait is not None
    assert 118 <= wait <= 121


def test_the_devchain_verb_takes_secret_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    class Probe(DevChain):
        def __init__(self, **kw: object) -> None:
            seen.update(kw)
            raise SystemExit(0)

    monkeypatch.setattr(cli, "COMMAND_MODULES", ("mediator_actors.chain.commands",))
    monkeypatch.setattr(commands, "DevChain", Probe)
    with pytest.raises(SystemExit):
        cli.main(["devchain", "--secret-scan", "block"])
    assert seen["secret_scan"] is ScanMode.BLOCK
    assert seen["requests_per_minute"] == 100
    assert seen["rate_window"] == 60.0
    seen.clear()
    with pytest.raises(SystemExit):
        cli.main(["devchain", "--rate-window", "5"])
    assert seen["rate_window"] == 5.0
    assert cli.main(["devchain", "--rate-window", "0"]) == 2
    with pytest.raises(SystemExit):
        cli.main(["devchain", "--secret-scan", "nope"])


def test_the_embedded_dev_chain_defaults_are_the_real_nodes() -> None:
    chain = DevChain()
    assert chain.secret_scan is ScanMode.REDACT
    assert chain.requests_per_minute == 100
    assert chain.rate_window == 60.0  # what the node paces to in dev mode unless told


def test_a_shorter_window_keeps_the_real_counts(clock: FakeClock) -> None:
    # Tests shorten the window; the counts (10 per author, 100 overall, 100 requests per
    # client) stay the real node's, and every wait is bounded by the window.
    chain = _chain(clock, rate_window=5.0)
    try:
        for n in range(10):
            assert chain.submit(f"{TEXT} Lot {n}.", "alice", "offer")[0] == 201
        status, body = chain.submit(f"{TEXT} Lot 10.", "alice", "offer")
        assert (status, body["reason"]) == (422, "rate_limit")
        assert 1 <= body["retry_after"] <= 5
        for n in range(90):
            assert chain.submit(f"{TEXT} Lot {n}.", f"seller{n}", "offer")[0] == 201
        assert chain.submit(f"{TEXT} One more.", "zed", "offer")[1]["reason"] == "rate_limit"
        clock.advance(5.01)
        assert chain.submit(f"{TEXT} Lot 10.", "alice", "offer")[0] == 201
        for _ in range(100):
            assert requests.get(f"{chain.url}/block/latest", timeout=2).status_code == 200
        refused = requests.get(f"{chain.url}/block/latest", timeout=2)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 5
        clock.advance(5.01)
        assert requests.get(f"{chain.url}/block/latest", timeout=2).status_code == 200
    finally:
        chain.stop()
    with pytest.raises(ValueError, match="rate_window"):
        DevChain(rate_window=0)


def test_the_pacer_counts_over_the_chains_window() -> None:
    now = [0.0]
    pacer = RequestPacer(per_minute=100, clock=lambda: now[0], window=5.0)
    assert sum(pacer.wait_for(write=True) == 0 for _ in range(200)) == 95
    wait = pacer.wait_for(write=True)
    assert 0 < wait <= 5.0
    now[0] = 5.01
    assert pacer.wait_for(write=True) == 0
