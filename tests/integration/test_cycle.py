"""The alignment cycle end to end on the embedded dev chain, checked against the
chain's own blocks with the independent protocol implementation in tests/settlement."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import gevent
import pytest

from mediator_actors.chain.devchain import DevChain
from mediator_actors.config import load_settings
from mediator_actors.node import Node
from mediator_actors.safety.secrets import Secret
from mediator_actors.settlement.entries import challenge_id_for
from mediator_actors.signing import MediatorKey, generate_seed_hex
from mediator_actors.store import Store
from mediator_actors.wiring import Runtime, build_node
from tests.chainlimits import FAST_WINDOW
from tests.settlement import independent
from tests.settlement.chainsim import challenge, resolution, response


def wait_until(
    store: Store,
    predicate: Callable[[sqlite3.Connection], bool],
    timeout: float = 60,
    what: str = "condition",
) -> None:
    with gevent.Timeout(timeout, AssertionError(f"{what} not reached in {timeout}s")):
        while not store.read(predicate):
            gevent.sleep(0.1)


@pytest.fixture
def node_factory(tmp_path: Path) -> Iterator[Callable[..., tuple[Node[Runtime], Runtime]]]:
    started: list[Node[Runtime]] = []

    def start(
        *, parties: bool, window_hours: float = 72.0, chain_clock: Callable[[], float] = time.time
    ) -> tuple[Node[Runtime], Runtime]:
        settings = load_settings(
            {
                "DATA_DIR": str(tmp_path / "data"),
                "HEALTH_PORT": "0",
                "WS_PORT": "0",
                "POLL_INTERVAL_SECONDS": "0.1",
                "ACCEPTANCE_WINDOW_HOURS": str(window_hours),
            },
            cwd=tmp_path,
        )
        node = build_node(
            settings,
            dev_auto_mine=0.3,
            simulated_parties=parties,
            dev_clock=chain_clock,
            dev_rate_window=FAST_WINDOW,  # the real counts, over seconds (tests/chainlimits)
        )
        started.append(node)
        return node, node.start()

    yield start
    for node in started:
        node.request_stop()
        node.stop()


def wait_for_chain(condition: Callable[[], bool], what: str) -> None:
    with gevent.Timeout(60, AssertionError(f"{what} not reached in 60s")):
        while not condition():
            gevent.sleep(0.1)


def chain_entries(chain: DevChain) -> list[dict[str, Any]]:
    with chain.lock:
        return [entry for block in chain.blocks for entry in block["entries"]]


def own_states(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT settlement_id, state FROM settlements WHERE own = 1"))


def test_the_whole_cycle_closes_pays_out_once_and_verifies_independently(node_factory) -> None:
    _node, context = node_factory(parties=True)
    store, chain = context.store, context.dev_chain
    mediator_id = context.key.mediator_id

    def done(conn: sqlite3.Connection) -> bool:
        states = own_states(conn)
        payouts = conn.execute(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'chain_outbox' AND"
            " dedupe_key LIKE 'payout:%' AND state = 'done'"
        ).fetchone()[0]
        return bool(states) and set(states.values()) == {"closed"} and payouts == len(states)

    # The seed yields ten settlements: twenty entries at the writer's 10 a window.
    wait_until(store, done, timeout=180, what="every proposal closed and paid out")
    wait_until(
        store,
        lambda c: (
            c.execute(
                "SELECT COUNT(*) FROM jobs WHERE kind='chain_outbox' AND state != 'done'"
            ).fetchone()[0]
            == 0
        ),
    )
    # Every outbox entry is posted; the dev chain mines what it holds on its next tick.
    wait_for_chain(lambda: not chain.pending_entries(), what="the last payout claims mined")
    entries = chain_entries(chain)
    ours = [e for e in entries if e["author"] == mediator_id]
    kinds = Counter(e["metadata"]["contract_type"] for e in ours)
    closed = store.read(own_states)
    assert kinds == {"proposal": len(closed), "payout": len(closed)}
    assert len({e["content"] for e in ours}) == len(ours)  # nothing written twice
    # The real per-author count held over the window: no 11 of ours within FAST_WINDOW.
    times = sorted(datetime.fromisoformat(e["timestamp"]).timestamp() for e in ours)
    assert len(times) > 10
    assert all(
        later - first >= FAST_WINDOW for first, later in zip(times, times[10:], strict=False)
    )
    intent_refs = {
        independent.entry_ref(e["author"], e["content"], e["timestamp"])
        for e in entries
        if e["metadata"].get("contract_type") in ("offer", "seek")
    }
    for entry in ours:
        metadata = entry["metadata"]
        assert independent.signature_ok(metadata)
        assert independent.within_chain_limits(metadata)
        assert metadata["mediator_id"] == mediator_id
        if metadata["contract_type"] == "proposal":
            offer_ref, seek_ref = metadata["intent_refs"]
            assert {offer_ref, seek_ref} <= intent_refs
            assert metadata["settlement_id"] == independent.settlement_id(
                offer_ref, seek_ref, mediator_id
            )
            assert entry["content"].startswith(f"[PROPOSED SETTLEMENT] {metadata['settlement_id']}")
    reputation = context.edge.health_app.read_model.reputation(None)
    assert reputation["closures"] == len(closed)
    usage = context.edge.health_app.read_model.stats()["llm_usage"]
    assert usage["offline-negotiator/1"]["negotiations"] >= len(closed)
    assert usage["offline-negotiator/1"]["metered_calls"] == 0  # offline: nothing billed
    # Closed intents left mediation: none of them is open any more.
    statuses = store.read(lambda c: dict(c.execute("SELECT ref, status FROM intents")))
    for entry in ours:
        if entry["metadata"]["contract_type"] == "proposal":
            assert {statuses[r] for r in entry["metadata"]["intent_refs"]} == {"closed"}


def test_rejection_forfeit_expiry_and_strangers_answers_end_as_the_protocol_says(
    node_factory,
) -> None:
    # Chain time is what expires a settlement: the test moves the dev chain's clock past the
    # deadline instead of waiting for it, so a busy machine cannot make a window too short.
    ahead = [0.0]
    _node, context = node_factory(parties=False, chain_clock=lambda: time.time() + ahead[0])
    store, chain = context.store, context.dev_chain

    def proposals_mined(conn: sqlite3.Connection) -> bool:
        n = conn.execute(
            "SELECT COUNT(*) FROM settlements WHERE own = 1 AND proposal_block IS NOT NULL"
        ).fetchone()[0]
        return n >= 4

    wait_until(store, proposals_mined, what="four proposals mined")
    rows = store.read(
        lambda c: c.execute(
            "SELECT settlement_id, offer_party, seek_party FROM settlements WHERE own = 1"
            " ORDER BY settlement_id"
        ).fetchall()
    )
    (rejected, r_parties), (forfeited, f_parties), (strangers, s_parties), (silent, _) = [
        (sid, (offer_party, seek_party)) for sid, offer_party, seek_party in rows[:4]
    ]
    rival = MediatorKey.from_seed_hex(Secret(generate_seed_hex()))
    cid = challenge_id_for(forfeited, rival.mediator_id)
    posts = [
        response(r_parties[0], rejected, True),
        response(r_parties[1], rejected, False),
        challenge(rival, forfeited, cid),
        resolution(f_parties[1], cid, True),
        response("mallory", strangers, True),
        response("trent", strangers, True),
        response(s_parties[0], strangers, True),
    ]
    for raw in posts:
        status, body = chain.submit(
            raw["content"], raw["author"], raw["intent"], raw["metadata"], check_rate=False
        )
        assert status == 201, body
    wait_until(store, lambda c: own_states(c).get(rejected) == "rejected", what="rejected")
    wait_until(store, lambda c: own_states(c).get(forfeited) == "forfeited", what="forfeited")
    # Strangers' acceptances count for nothing, and one real acceptance is not a closure.
    # Expiry is judged by chain time: the late acceptance below is mined in a block after the
    # deadline, which expires both open settlements, and the acceptance itself is ignored.
    deadline = store.read(
        lambda c: c.execute(
            "SELECT MAX(deadline_ts) FROM settlements WHERE settlement_id IN (?, ?)",
            (strangers, silent),
        ).fetchone()[0]
    )
    assert store.read(own_states)[strangers] in {"proposed", "accepted"}
    assert store.read(own_states)[silent] == "proposed"
    ahead[0] = deadline - time.time() + 60.0
    late = response(s_parties[1], strangers, True)
    status, _ = chain.submit(
        late["content"], late["author"], late["intent"], late["metadata"], check_rate=False
    )
    assert status == 201
    wait_until(store, lambda c: own_states(c).get(silent) == "expired", what="silent expired")
    wait_until(store, lambda c: own_states(c).get(strangers) == "expired", what="expired")
    payouts = [e for e in chain_entries(chain) if e["metadata"].get("contract_type") == "payout"]
    assert payouts == []
    reputation = context.edge.health_app.read_model.reputation(None)
    assert reputation["closures"] == 0
    assert reputation["forfeited"] >= 2  # the rejected and the forfeited settlement
