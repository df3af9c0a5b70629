"""The follower against the dev chain on port 0: ingestion, durability, backlog, resets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mediator_actors.chain import codec
from mediator_actors.chain.client import ChainClient
from mediator_actors.chain.devchain import DevChain
from mediator_actors.chain.follower import MIGRATIONS, ChainFollower, IntakeLimit
from mediator_actors.errors import CodecError
from mediator_actors.model import EntryKind
from mediator_actors.store import Store
from mediator_actors.store.intents import MIGRATIONS as INTENT_MIGRATIONS
from mediator_actors.store.intents import count_intents, get_intent
from mediator_actors.store.jobs import MIGRATIONS as JOB_MIGRATIONS

from .conftest import FAST, FakeClock

ALL = [*JOB_MIGRATIONS, *INTENT_MIGRATIONS, *MIGRATIONS]


def intent(author: str, n: int, kind: str = "offer") -> dict[str, object]:
    return {
        "author": author,
        "content": f"Offering lot {n}: hand-built oak bookshelves, 120 NLC each, delivery within 14 days.",
        "intent": kind,
        "metadata": {"is_contract": True, "contract_type": kind, "status": "open"},
    }


def open_store(path: Path) -> Store:
    return Store.open(path, migrations=ALL)


@pytest.fixture
def chain_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path / "data")
    yield store
    store.close()


def follower_for(
    store: Store, client: ChainClient, clock: FakeClock, **kw: object
) -> ChainFollower:
    return ChainFollower(store=store, client=client, clock=clock, **kw)  # type: ignore[arg-type]


def refs_in(store: Store) -> list[str]:
    return store.read(lambda c: [r[0] for r in c.execute("SELECT ref FROM intents")])


def test_pending_then_mined_intents_and_events_are_ingested_once(
    devchain: DevChain, client: ChainClient, chain_store: Store, clock: FakeClock
) -> None:
    devchain.submit(**intent("alice", 1))  # type: ignore[arg-type]
    devchain.submit(
        "[PROPOSED SETTLEMENT] abcdef0123456789 between alice and bob, terms attached.",
        "f" * 64,
        "settlement_proposal",
        {"is_contract": True, "contract_type": "proposal", "settlement_id": "ab" * 32},
    )
    devchain.submit("Just a note on the chain, nothing to mediate here.", "carol", "note", {})
    follower = follower_for(chain_store, client, clock)
    first = follower.poll_once()
    assert first.error is None
    assert len(first.new_intents) == 1
    assert list(first.new_events) == [EntryKind.PROPOSAL]
    stored = chain_store.read(lambda c: get_intent(c, first.new_intents[0]))
    assert stored is not None
    assert stored.block_index is None
    devchain.mine()
    second = follower.poll_once()
    assert (second.new_intents, second.new_events, second.blocks) == ((), {}, 1)
    assert second.mined_intents == first.new_intents
    assert list(second.mined_events) == [EntryKind.PROPOSAL]
    stored = chain_store.read(lambda c: get_intent(c, first.new_intents[0]))
    assert stored is not None
    assert stored.block_index == 1
    mined_events = chain_store.read(
        lambda c: c.execute("SELECT block_index FROM chain_events").fetchall()
    )
    assert [r[0] for r in mined_events] == [1]


def test_cursor_survives_a_new_follower_and_a_reopened_store(
    devchain: DevChain, client: ChainClient, tmp_path: Path, clock: FakeClock
) -> None:
    devchain.add_block([intent("alice", 1), intent("bob", 2)])
    store = open_store(tmp_path / "data")
    assert len(follower_for(store, client, clock).poll_once().new_intents) == 2
    store.close()
    devchain.add_block([intent("carol", 3)])
    store = open_store(tmp_path / "data")
    follower = follower_for(store, client, clock)
    assert follower.cursor()[0] == 2
    again = follower.poll_once()
    assert len(again.new_intents) == 1
    assert again.blocks == 1
    assert len(refs_in(store)) == 3
    store.close()


def test_backlog_after_an_outage_is_caught_up_in_bounded_batches_with_nothing_lost(
    devchain: DevChain, client: ChainClient, chain_store: Store, clock: FakeClock
) -> None:
    follower = follower_for(chain_store, client, clock, blocks_per_poll=8, blocks_per_commit=3)
    follower.poll_once()
    devchain.stop()
    down = follower.poll_once()
    assert down.error is not None
    assert down.retry_in > 0
    expected = []
    for b in range(30):
        block = devchain.add_block([intent(f"party{i}", b * 10 + i) for i in range(10)])
        expected += block["entries"]
    devchain.start()
    polls = 0
    result = follower.poll_once()
    while not result.caught_up:
        assert result.blocks <= 8
        polls += 1
        result = follower.poll_once()
    assert polls >= 3
    refs = refs_in(chain_store)
    assert len(refs) == len(set(refs)) == 300
    want = {codec.parse_entry(e, block_index=None).ref for e in expected}
    assert set(refs) == want
    assert (
        chain_store.read(lambda c: c.execute("SELECT COUNT(*) FROM chain_quarantine").fetchone()[0])
        == 0
    )


def test_a_chain_reset_under_the_cursor_is_detected_and_resynced(
    devchain: DevChain, client: ChainClient, chain_store: Store, clock: FakeClock
) -> None:
    devchain.add_block([intent("alice", 1)])
    devchain.add_block([intent("bob", 2)])
    follower = follower_for(chain_store, client, clock)
    follower.poll_once()
    assert follower.cursor()[0] == 3
    devchain.reset()
    devchain.add_block([intent("carol", 3)])
    reset = follower.poll_once()
    assert reset.reset
    assert reset.next_index == 0
    follower.poll_once()
    assert follower.cursor()[0] == 2
    assert follower.cursor()[2] == 1
    rows = chain_store.read(
        lambda c: [tuple(r) for r in c.execute("SELECT author, block_index FROM intents")]
    )
    assert ("carol", 1) in rows
    assert ("alice", None) in rows  # no longer on the chain: unmined


def test_a_fork_rewinds_only_to_the_common_prefix(
    devchain: DevChain, client: ChainClient, chain_store: Store, clock: FakeClock
) -> None:
    for n in range(3):
        devchain.add_block([intent("alice", n)])
    follower = follower_for(chain_store, client, clock)
    follower.poll_once()
    devchain.truncate(2)  # blocks 2 and 3 replaced
    devchain.add_block([intent("bob", 10)])
    devchain.add_block([intent("bob", 11)])
    devchain.add_block([intent("bob", 12)])
    assert follower.poll_once().next_index == 2
    follower.poll_once()
    assert follower.cursor()[0] == 5
    assert count_intents_total(chain_store) == 6


def count_intents_total(store: Store) -> int:
    return sum(store.read(count_intents).values())


def test_per_author_intake_excess_waits_and_is_not_dropped(
    devchain: DevChain, client: ChainClient, chain_store: Store, clock: FakeClock
) -> None:
    devchain.add_block([intent("flooder", n) for n in range(25)] + [intent("quiet", 99)])
    follower = follower_for(
        chain_store, client, clock, intake=IntakeLimit(per_author=10, window=60)
    )
    first = follower.poll_once()
    assert len(first.new_intents) == 11
    assert first.deferred == 15
    assert len(follower.poll_once().new_intents) == 0  # budget spent, nothing lost
    clock.advance(61)
    assert len(follower.poll_once().new_intents) == 10
    clock.advance(61)
    last = follower.poll_once()
    assert (len(last.new_intents), last.deferred) == (5, 0)
    assert count_intents_total(chain_store) == 26


def test_unalignable_intents_are_archived_with_their_reason(
    devchain: DevChain, client: ChainClient, chain_store: Store, clock: FakeClock
) -> None:
    bad = dict(intent("spam", 1), content="$$$ 1234567890 !!!! ###### 99999999")
    devchain.add_block([bad, intent("alice", 2)])
    result = follower_for(chain_store, client, clock).poll_once()
    assert len(result.archived) == 1
    reason = chain_store.read(
        lambda c: c.execute("SELECT status_reason FROM intents WHERE author='spam'").fetchone()[0]
    )
    assert reason == "no_real_sentence"


class PoisonReader:
    """Serves the dev chain but block 1 fails to parse until told otherwise."""

    def __init__(self, inner: ChainClient) -> None:
        self.inner = inner
        self.block_calls = 0

    def latest_block(self) -> codec.LatestBlock:
        return self.inner.latest_block()

    def pending(self) -> codec.EntryPage:
        return self.inner.pending()

    def block(self, index: int) -> codec.Block:
        if index == 1:
            self.block_calls += 1
            raise CodecError("response is not JSON: Expecting value")
        return self.inner.block(index)


def test_a_poison_block_is_quarantined_after_repeated_failures_and_the_rest_proceeds(
    devchain: DevChain, client: ChainClient, chain_store: Store, clock: FakeClock
) -> None:
    devchain.add_block([intent("alice", 1)])
    devchain.add_block([intent("bob", 2)])
    reader = PoisonReader(client)
    follower = ChainFollower(store=chain_store, client=reader, clock=clock, max_attempts=3)
    assert follower.poll_once().quarantined == ()
    assert follower.poll_once().quarantined == ()
    third = follower.poll_once()
    assert third.quarantined == ("block:1",)
    assert reader.block_calls == 3  # once per poll: no tight loop
    assert [
        a for (a,) in chain_store.read(lambda c: list(c.execute("SELECT author FROM intents")))
    ] == ["bob"]
    row = chain_store.read(
        lambda c: c.execute("SELECT reason, attempts, state FROM chain_quarantine").fetchone()
    )
    assert tuple(row) == ("bad_block", 3, "quarantined")
    assert follower.poll_once().blocks == 0


def test_clients_fast_limits_are_used(client: ChainClient) -> None:
    assert client.limits is FAST
