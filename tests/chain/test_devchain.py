"""The dev chain reproduces the real node's routes, shapes and rules (natlangchain-api.md)."""

from __future__ import annotations

import re

import pytest
import requests

from mediator_actors.chain.client import ChainClient, ChainProtocolError, PostOutcome
from mediator_actors.chain.demo import seed_demo
from mediator_actors.chain.devchain import DevChain
from mediator_actors.safety.secrets import Secret

from .conftest import FAST, FakeClock

OFFER = {"is_contract": True, "contract_type": "offer", "status": "open"}
TEXT = "Offering a Rust fluid-dynamics library; asking 500 NLC; delivery within 60 days."


def post(client: ChainClient, content: str = TEXT, author: str = "alice", **meta: object):
    return client.post_entry(
        content=content, author=author, intent="offer", metadata={**OFFER, **meta}
    )


def test_an_entry_stays_pending_until_mined_and_mined_only_reads_ignore_it(
    devchain: DevChain, client: ChainClient
) -> None:
    result = post(client)
    assert result.outcome is PostOutcome.CREATED
    assert result.entry is not None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?", result.entry.timestamp)
    assert [e.ref for e in client.pending().entries] == [result.entry.ref]
    base = devchain.url
    assert (
        requests.get(f"{base}/entries/search", params={"q": "rust"}, timeout=2).json()["count"] == 0
    )
    assert requests.get(f"{base}/contract/list", timeout=2).json()["count"] == 0
    mined = client.mine()
    assert mined is not None
    assert (mined.index, mined.entries_count) == (1, 1)
    latest = client.latest_block()
    assert (latest.chain_length, latest.pending_entries) == (2, 0)
    assert isinstance(latest.block.timestamp, float)
    assert [e.ref for e in latest.block.entries] == [result.entry.ref]  # same ref once mined
    assert client.mine() is None  # nothing pending: 400 "No pending entries to mine"
    found = requests.get(f"{base}/entries/search", params={"q": "RUST"}, timeout=2).json()
    assert found["count"] == 1
    listed = requests.get(
        f"{base}/contract/list", params={"type": "offer", "status": "open"}, timeout=2
    ).json()
    assert set(listed["contracts"][0]) == {"block_index", "block_hash", "entry"}
    by_author = client.entries_by_author("alice")
    assert by_author.entries[0].block_index == 1


def test_entry_rules_duplicate_length_and_stripped_metadata(client: ChainClient) -> None:
    first = post(client, trust_score=99, __admin=True, _system_x=1, verified=True, desires=["x"])
    assert first.entry is not None
    assert set(first.entry.metadata) == {"is_contract", "contract_type", "status", "desires"}
    assert post(client).outcome is PostOutcome.DUPLICATE
    short = post(client, content="too short")
    assert (short.outcome, short.reason) == (PostOutcome.REJECTED, "quality_check_failed")
    long = post(client, content="x" * 10_001)
    assert long.outcome is PostOutcome.REJECTED
    deep = post(client, deep={"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}})
    assert deep.outcome is PostOutcome.REJECTED


def test_rate_limit_is_a_422_with_retry_after_per_author(
    client: ChainClient, clock: FakeClock
) -> None:
    for i in range(10):
        assert post(client, content=f"{TEXT} lot {i}").outcome is PostOutcome.CREATED
    limited = post(client, content=f"{TEXT} lot 10")
    assert limited.outcome is PostOutcome.RATE_LIMIT
    assert limited.retry_after == 60
    assert post(client, content=f"{TEXT} lot 10", author="bob").outcome is PostOutcome.CREATED
    clock.advance(61)
    assert post(client, content=f"{TEXT} lot 10").outcome is PostOutcome.CREATED


def test_mine_needs_json_and_routes_answer_like_the_real_node(
    devchain: DevChain, client: ChainClient
) -> None:
    post(client)
    base = devchain.url
    bare = requests.post(f"{base}/mine", timeout=2)
    assert bare.status_code == 415
    assert bare.headers["Content-Type"].startswith("text/html")
    chain = requests.get(f"{base}/chain", timeout=2).json()
    assert "blocks" not in chain["chain"]
    assert len(chain["chain"]["pending_entries"]) == 1
    assert chain["chain"]["chain"][0]["index"] == 0
    semantic = requests.post(f"{base}/search/semantic", json={}, timeout=2)
    assert (semantic.status_code, semantic.headers["Retry-After"]) == (503, "30")
    assert requests.post(f"{base}/contract/parse", json={}, timeout=2).status_code == 503
    for path in ("/contract/propose", "/reputation/abc", "/api/v1/stats"):
        missing = requests.get(f"{base}{path}", timeout=2)
        assert missing.status_code == 404
        assert missing.json() == {"error": "Not found"}
    assert requests.get(f"{base}/entries/author/a/b", timeout=2).status_code == 404
    assert requests.get(f"{base}/entries/search", timeout=2).status_code == 400
    assert client.health()["checks"]["llm"]["available"] is False
    stats = requests.get(f"{base}/stats", timeout=2).json()
    assert (stats["blocks"], stats["pending_entries"]) == (1, 1)


def test_api_key_is_required_except_on_health() -> None:
    chain = DevChain(api_key="s3cret")
    url = chain.start()
    try:
        assert requests.get(f"{url}/pending", timeout=2).status_code == 401
        assert (
            requests.get(f"{url}/pending", headers={"X-API-Key": "nope"}, timeout=2).status_code
            == 403
        )
        assert requests.get(f"{url}/health", timeout=2).status_code == 200
        good = ChainClient(url, api_key=Secret("s3cret"), limits=FAST)
        assert good.pending().entries == ()
        bad = ChainClient(url, api_key=Secret("wrong"), limits=FAST)
        with pytest.raises(ChainProtocolError) as info:
            bad.pending()
        assert info.value.status == 403
        assert "wrong" not in repr(bad)
    finally:
        chain.stop()


def test_reset_starts_a_new_chain_and_seed_demo_gives_twenty_intents() -> None:
    chain = DevChain()
    seed_demo(chain)
    assert (chain.length, len(chain.pending_entries())) == (3, 6)
    genesis = chain.app  # the app survives a reset
    old_hash = chain._blocks[0]["hash"]
    chain.reset()
    assert chain.length == 1
    assert chain._blocks[0]["hash"] != old_hash
    assert chain.app is genesis


def test_state_file_survives_a_restart(tmp_path) -> None:
    path = tmp_path / "chain.json"
    first = DevChain(state_file=path)
    first.add_block([{"author": "a", "content": TEXT, "metadata": OFFER}])
    second = DevChain(state_file=path)
    assert second.length == 2
    assert second.submit(TEXT, "a", "intent", OFFER)[1]["reason"] == "duplicate"


def test_auto_mine_mines_pending_entries_on_its_interval() -> None:
    import gevent.event

    mined = gevent.event.AsyncResult()

    class Observed(DevChain):
        def mine(self):  # type: ignore[no-untyped-def]
            block = super().mine()
            if block is not None:
                mined.set(block)
            return block

    chain = Observed(auto_mine=0.05)
    chain.start()
    try:
        assert chain.submit(TEXT, "alice", "offer", OFFER)[0] == 201
        block = mined.get(timeout=5)
        assert (block["index"], len(block["entries"])) == (1, 1)
        assert chain.pending_entries() == []
    finally:
        chain.stop()


def test_the_overall_limit_is_a_hundred_entries_a_minute(clock: FakeClock) -> None:
    chain = DevChain(clock=clock)
    for n in range(100):
        assert chain.submit(f"{TEXT} item {n}", f"author{n}", "offer", OFFER)[0] == 201
    status, body = chain.submit(f"{TEXT} one more", "newcomer", "offer", OFFER)
    assert (status, body["reason"], body["retry_after"]) == (422, "rate_limit", 60)
    clock.advance(60.5)
    assert chain.submit(f"{TEXT} one more", "newcomer", "offer", OFFER)[0] == 201


def test_the_node_sets_the_timestamp_and_ignores_the_clients(
    devchain: DevChain, clock: FakeClock
) -> None:
    body = {
        "content": TEXT,
        "author": "alice",
        "intent": "offer",
        "metadata": OFFER,
        "timestamp": "1999-01-01T00:00:00",
    }
    answer = requests.post(f"{devchain.url}/entry", json=body, timeout=2).json()
    assert answer["entry"]["entry"]["timestamp"] == "2025-11-27T08:56:46"
    assert not answer["entry"]["entry"]["timestamp"].endswith("Z")
    bad_flag = requests.post(f"{devchain.url}/entry", json={**body, "validate": "yes"}, timeout=2)
    assert bad_flag.status_code == 400
