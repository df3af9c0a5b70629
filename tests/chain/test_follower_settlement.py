"""The follower hands each mined block to the settlement lifecycle inside the cursor's
transaction: what the lifecycle decides commits with the cursor, or not at all."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from mediator_actors.chain.client import ChainClient
from mediator_actors.chain.devchain import DevChain
from mediator_actors.model import ChainEntry, MediatorId, entry_ref
from mediator_actors.settlement.interface import Transition, TransitionKind
from mediator_actors.settlement.records import SettlementState
from mediator_actors.store import Store
from mediator_actors.store.intents import count_intents

from .conftest import FakeClock
from .test_follower import follower_for, intent, open_store


@pytest.fixture
def chain_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path / "data")
    yield store
    store.close()


class Recording:
    """A lifecycle that records what it was handed and writes one marker row per block."""

    def __init__(self) -> None:
        self.blocks: list[tuple[float, list[str]]] = []
        self.fail = False

    def apply_mined_block(
        self, conn: sqlite3.Connection, entries: Sequence[ChainEntry], block_timestamp: float
    ) -> list[Transition]:
        conn.execute("CREATE TABLE IF NOT EXISTS marker (at REAL)")
        conn.execute("INSERT INTO marker VALUES (?)", (block_timestamp,))
        if self.fail:
            raise RuntimeError("the lifecycle failed mid-block")
        self.blocks.append((block_timestamp, [e.ref for e in entries]))
        return [
            Transition(
                TransitionKind.STATE,
                f"s{len(self.blocks)}",
                MediatorId("m"),
                True,
                SettlementState.PROPOSED,
                SettlementState.CLOSED,
                "both parties accepted before the deadline",
                entries[0].block_index if entries else None,
                block_timestamp,
            )
        ]


def _cursor_and_markers(store: Store) -> tuple[int, int]:
    def read(conn: sqlite3.Connection) -> tuple[int, int]:
        row = conn.execute("SELECT next_index FROM chain_cursor").fetchone()
        has = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'marker'").fetchone()
        markers = conn.execute("SELECT COUNT(*) FROM marker").fetchone()[0] if has else 0
        return (0 if row is None else row[0], markers)

    return store.read(read)


def test_each_mined_block_reaches_the_lifecycle_in_chain_order_with_its_timestamp(
    devchain: DevChain, client: ChainClient, chain_store: Store, clock: FakeClock
) -> None:
    lifecycle = Recording()
    follower = follower_for(chain_store, client, clock, settlement=lifecycle)
    mined: list[dict[str, object]] = []
    for n in range(3):
        devchain.submit(**intent("alice", n))  # type: ignore[arg-type]
        clock.advance(60)
        block = devchain.mine()
        assert block is not None
        mined.append(block)
    result = follower.poll_once()
    assert result.error is None
    # every block from genesis on, in chain order; the last three are the ones mined here
    handed = lifecycle.blocks[-3:]
    assert [at for at, _ in handed] == [float(b["timestamp"]) for b in mined]  # type: ignore[arg-type]
    assert [refs for _, refs in handed] == [
        [entry_ref(e["author"], e["content"], e["timestamp"]) for e in b["entries"]]  # type: ignore[attr-defined]
        for b in mined
    ]
    assert [t.settlement_id for t in result.decided] == [
        f"s{i}" for i in range(1, len(lifecycle.blocks) + 1)
    ]
    assert _cursor_and_markers(chain_store) == (result.next_index, len(lifecycle.blocks))


def test_a_lifecycle_failure_rolls_back_the_blocks_and_the_cursor_with_it(
    devchain: DevChain, client: ChainClient, chain_store: Store, clock: FakeClock
) -> None:
    lifecycle = Recording()
    follower = follower_for(chain_store, client, clock, settlement=lifecycle, read_pending=False)
    devchain.submit(**intent("alice", 1))  # type: ignore[arg-type]
    assert devchain.mine() is not None
    lifecycle.fail = True
    with pytest.raises(RuntimeError, match="mid-block"):
        follower.poll_once()
    # Nothing of the batch committed: not the intent, the marker row or the cursor.
    assert _cursor_and_markers(chain_store) == (0, 0)
    assert chain_store.read(count_intents)["open"] == 0
    lifecycle.fail = False
    result = follower.poll_once()
    assert result.error is None
    assert chain_store.read(count_intents)["open"] == 1
    assert _cursor_and_markers(chain_store) == (result.next_index, len(lifecycle.blocks))
