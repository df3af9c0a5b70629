"""The chain's secret scanner in ``block`` mode refuses every answer that carries a
stranger's credential-looking entry: the follower steps past such a block (recorded with
its reason), never retries it in a loop, and keeps reading what it can."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mediator_actors.chain.client import ChainBlockedError, ChainClient
from mediator_actors.chain.devchain import DevChain
from mediator_actors.chain.follower import BLOCKED_BY_SCANNER
from mediator_actors.model import ChainEntry, EntryKind
from mediator_actors.runtime.resilience import BreakerState
from mediator_actors.store import Store

from .conftest import FAST, FakeClock
from .test_follower import follower_for, intent, open_store, refs_in

HEX = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
LEAK = {"author": "mallory", "content": f"My deploy key is {HEX}, do not tell anyone."}


@pytest.fixture
def blocking(clock: FakeClock) -> Iterator[DevChain]:
    chain = DevChain(clock=clock, secret_scan="block")
    chain.start()
    yield chain
    chain.stop()


@pytest.fixture
def chain_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path / "data")
    yield store
    store.close()


@pytest.fixture
def reader(blocking: DevChain) -> Iterator[ChainClient]:
    c = ChainClient(blocking.url, limits=FAST, sleep=lambda _s: None)
    yield c
    c.close()


def skipped(store: Store) -> list[tuple[str, str, int | None]]:
    """The refused blocks recorded (the genesis entry is skipped too, for its own reason)."""

    def read(conn: sqlite3.Connection) -> list[tuple[str, str, int | None]]:
        return [
            (r[0], r[1], r[2])
            for r in conn.execute(
                "SELECT ref, reason, block_index FROM chain_skipped WHERE ref LIKE 'block:%'"
                " ORDER BY 1"
            )
        ]

    return store.read(read)


def cursor_hashes(store: Store) -> dict[int, str]:
    return store.read(lambda c: dict(c.execute("SELECT idx, hash FROM chain_blocks")))


def test_the_dev_chain_refuses_like_the_real_node_and_the_client_says_so(
    blocking: DevChain, reader: ChainClient
) -> None:
    blocking.add_block([LEAK])
    answer = requests.get(f"{blocking.url}/block/1", timeout=2)
    assert answer.status_code == 500
    assert answer.json()["error"] == "Response blocked by secret scanner"
    assert HEX not in answer.text
    with pytest.raises(ChainBlockedError):
        reader.block(1)
    # The node answered: no retries spent, no breaker opened for the next caller.
    assert blocking.requests_served == 2
    assert reader.breaker.snapshot().state is BreakerState.CLOSED
    # A refused tip: the length comes from /stats, the tip's hash is unknown.
    latest = reader.latest_block()
    assert (latest.index, latest.hash, latest.block) == (1, None, None)


def test_a_block_with_a_strangers_flagged_entry_is_stepped_past_once_with_its_reason(
    blocking: DevChain, reader: ChainClient, chain_store: Store, clock: FakeClock
) -> None:
    blocking.add_block([intent("alice", 1)])  # type: ignore[list-item]
    blocking.add_block([intent("bob", 2, "seek"), LEAK])  # type: ignore[list-item]
    third = blocking.add_block([intent("carol", 3)])  # type: ignore[list-item]
    follower = follower_for(chain_store, reader, clock)
    result = follower.poll_once()
    assert result.error is None
    assert result.caught_up
    assert result.next_index == 4
    # What could be read was read: blocks 1 and 3; block 2 (bob's seek too) was not.
    assert len(refs_in(chain_store)) == 2
    assert skipped(chain_store) == [("block:2", BLOCKED_BY_SCANNER, 2)]
    # The refused block's hash is known from the next block's link, so a later fork
    # under it is still found.
    assert cursor_hashes(chain_store)[2] == third["previous_hash"] == blocking.blocks[2]["hash"]
    served = blocking.requests_served
    again = follower.poll_once()
    assert (again.error, again.blocks) == (None, 0)
    assert blocking.requests_served - served <= 2  # latest (+ pending): block 2 is not retried
    assert skipped(chain_store) == [("block:2", BLOCKED_BY_SCANNER, 2)]  # counted once


def test_a_refused_tip_and_a_refused_pool_stall_nothing(
    blocking: DevChain, reader: ChainClient, chain_store: Store, clock: FakeClock
) -> None:
    blocking.add_block([intent("alice", 1)])  # type: ignore[list-item]
    blocking.add_block([LEAK])
    follower = follower_for(chain_store, reader, clock)
    for _ in range(3):  # the tip stays refused: every poll succeeds, nothing loops
        result = follower.poll_once()
        assert result.error is None
        assert result.caught_up
        assert result.next_index == 3
    assert skipped(chain_store) == [("block:2", BLOCKED_BY_SCANNER, 2)]
    assert follower.chain_head == 2
    # A flagged entry in the pool: the pool is refused, the rest goes on.
    assert blocking.submit(LEAK["content"] + " Again.", LEAK["author"], "note")[0] == 201
    assert blocking.submit(**intent("dave", 4))[0] == 201  # type: ignore[arg-type]
    refused = blocking.responses_blocked
    assert follower.poll_once().error is None
    assert blocking.responses_blocked > refused  # the pool was asked for, and refused
    # Once mined apart from the leak, dave's intent is read from its block.
    with blocking.lock:
        leak, good = blocking.pending[0], blocking.pending[1]
        blocking.pending[:] = [good]
    blocking.mine()
    with blocking.lock:
        blocking.pending.append(leak)
    result = follower.poll_once()
    assert result.error is None
    assert len(result.mined_intents) == 1
    assert len(refs_in(chain_store)) == 2
    # The refused tip's hash was learnt from block 3's link.
    assert cursor_hashes(chain_store)[2] == blocking.blocks[2]["hash"]


def test_stats_count_the_refused_blocks(
    blocking: DevChain, reader: ChainClient, chain_store: Store, clock: FakeClock
) -> None:
    # What /api/v1/stats serves as entries_not_taken.
    from mediator_actors.edge.store_readmodel import entries_not_taken

    blocking.add_block([LEAK])
    blocking.add_block([{**LEAK, "content": LEAK["content"] + " Twice."}])
    blocking.add_block([intent("alice", 1)])  # type: ignore[list-item]
    follower_for(chain_store, reader, clock).poll_once()
    counts = chain_store.read(entries_not_taken)
    assert counts[BLOCKED_BY_SCANNER] == 2


def test_our_own_entries_in_a_refused_block_are_still_read(
    blocking: DevChain, reader: ChainClient, chain_store: Store, clock: FakeClock
) -> None:
    ours = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    proposal = {
        "author": ours,
        "content": "[PROPOSED SETTLEMENT] stl_x between alice and bob, terms attached.",
        "intent": "settlement_proposal",
        "metadata": {
            "is_contract": True,
            "contract_type": "proposal",
            "protocol": "nlc-mediator/2",
        },
    }
    blocking.add_block([intent("alice", 1)])  # type: ignore[list-item]
    block = blocking.add_block([proposal, LEAK, intent("bob", 2, "seek")])  # type: ignore[list-item]
    seen: list[tuple[int | None, float]] = []

    class Lifecycle:  # what the settlement lifecycle is handed, block by block
        def apply_mined_block(
            self, _conn: object, entries: list[ChainEntry], timestamp: float
        ) -> list[object]:
            seen.extend((e.block_index, timestamp) for e in entries)
            return []

    follower = follower_for(chain_store, reader, clock, own_authors=(ours,), settlement=Lifecycle())
    result = follower.poll_once()
    assert result.error is None
    assert skipped(chain_store) == [("block:2", BLOCKED_BY_SCANNER, 2)]  # still not all read
    # Our proposal is known mined in block 2, applied at no later than the block's time.
    assert list(result.mined_events) == [EntryKind.PROPOSAL]
    when = next(t for i, t in seen if i == 2)
    assert when <= block["timestamp"]
    assert len(refs_in(chain_store)) == 1  # bob's seek, a stranger's entry, is not read
