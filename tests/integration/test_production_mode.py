"""The node outside dev mode: a chain it did not start, reached over HTTP at CHAIN_ENDPOINT,
with a real key and chain id. No simulated parties run: the test answers as the parties."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import gevent
import pytest

from mediator_actors.chain.demo import seed_demo
from mediator_actors.chain.devchain import DevChain
from mediator_actors.config import load_settings
from mediator_actors.signing import generate_seed_hex
from mediator_actors.store import Store
from mediator_actors.wiring import build_node
from tests.settlement.chainsim import response


def wait_until(
    store: Store, predicate: Callable[[sqlite3.Connection], bool], what: str, timeout: float = 60
) -> None:
    with gevent.Timeout(timeout, AssertionError(f"{what} not reached in {timeout}s")):
        while not store.read(predicate):
            gevent.sleep(0.1)


@pytest.fixture
def chain():
    devchain = DevChain(auto_mine=0.3)
    devchain.start()
    seed_demo(devchain)
    yield devchain
    devchain.stop()


def test_a_production_node_proposes_on_a_chain_it_does_not_own_and_claims_its_fee(
    tmp_path: Path, chain: DevChain
) -> None:
    settings = load_settings(
        {
            "CHAIN_ENDPOINT": chain.url,
            "CHAIN_ID": "nlc-test",
            "MEDIATOR_PRIVATE_KEY": generate_seed_hex(),
            "DATA_DIR": str(tmp_path / "data"),
            "HEALTH_PORT": "0",
            "WS_PORT": "0",
            "POLL_INTERVAL_SECONDS": "0.1",
        },
        cwd=tmp_path,
    )
    assert settings.dev_mode is False
    node = build_node(settings)
    context = node.start()
    store = context.store
    try:
        assert context.dev_chain is None  # nothing embedded, nobody simulated

        def proposals_mined(conn: sqlite3.Connection) -> bool:
            return bool(
                conn.execute(
                    "SELECT COUNT(*) FROM settlements WHERE own = 1 AND proposal_block IS NOT NULL"
                ).fetchone()[0]
            )

        wait_until(store, proposals_mined, "a proposal mined")
        settlement_id, offer_party, seek_party = store.read(
            lambda c: c.execute(
                "SELECT settlement_id, offer_party, seek_party FROM settlements WHERE own = 1"
                " AND proposal_block IS NOT NULL ORDER BY settlement_id LIMIT 1"
            ).fetchone()
        )
        # No answer while the node follows later blocks: nothing closes on its own. A block
        # mined after the proposal, and the node's cursor past it, show it has looked.
        later = chain.add_block(
            [{"author": "zed-bystander", "content": "A note about nothing.", "intent": "note"}]
        )
        wait_until(
            store,
            lambda c: (
                c.execute("SELECT next_index FROM chain_cursor").fetchone()[0] > later["index"]
            ),
            "the node following the chain past a later block",
        )
        assert (
            store.read(
                lambda c: c.execute(
                    "SELECT state FROM settlements WHERE settlement_id = ?", (settlement_id,)
                ).fetchone()[0]
            )
            == "proposed"
        )
        for party in (offer_party, seek_party):
            raw = response(party, settlement_id, True)
            status, _ = chain.submit(raw["content"], raw["author"], raw["intent"], raw["metadata"])
            assert status == 201
        wait_until(
            store,
            lambda c: (
                c.execute(
                    "SELECT COUNT(*) FROM jobs WHERE kind = 'chain_outbox' AND state = 'done'"
                    " AND dedupe_key = ?",
                    (f"payout:{settlement_id}",),
                ).fetchone()[0]
                == 1
            ),
            "the payout claim delivered",
        )
    finally:
        node.request_stop()
        node.stop()
    payouts = [
        e
        for b in [*chain.blocks, {"entries": chain.pending}]
        for e in b["entries"]
        if (e.get("metadata") or {}).get("contract_type") == "payout"
    ]
    assert [p["metadata"]["settlement_id"] for p in payouts] == [settlement_id]
