"""Issue 15 targets 1 and 5: the follower's intake costs the same per intent however many
intents the store holds. Its statements are searches on an index, and it runs three for
each new intent (is it known, is it waiting its turn, the insert) plus a few per block
and per commit: no scan per intent, and every block's intents commit in one transaction."""

from __future__ import annotations

from pathlib import Path

from mediator_actors.chain.client import ChainClient
from mediator_actors.chain.devchain import DevChain
from mediator_actors.chain.follower import ChainFollower, IntakeLimit
from mediator_actors.store import Store
from mediator_actors.wiring import ALL_MIGRATIONS
from tests.store.plans import plan_problems, tracing

from .conftest import FakeClock


def _mine(chain: DevChain, blocks: int, per_block: int, start: int = 0) -> None:
    for b in range(blocks):
        for n in range(per_block):
            i = start + b * per_block + n
            kind = "offer" if i % 2 else "seek"
            chain.submit(
                f"{'Offering' if i % 2 else 'Looking for'} lot {i}: hand-built oak shelves, "
                f"{100 + i} NLC, delivery within 14 days.",
                f"author-{i}",
                kind,
                {"is_contract": True, "contract_type": kind, "status": "open"},
            )
        chain.mine()


def _ingest(store: Store, client: ChainClient, clock: FakeClock) -> None:
    follower = ChainFollower(
        store=store, client=client, clock=clock, intake=IntakeLimit(per_author=10**6)
    )
    while not (result := follower.poll_once()).caught_up:
        assert result.error is None


def test_intake_statements_are_index_searches_and_fixed_per_intent(
    devchain: DevChain, client: ChainClient, clock: FakeClock, tmp_path: Path
) -> None:
    counts = []
    for round_, (blocks, per_block) in enumerate(((2, 5), (2, 40))):
        store = Store.open(tmp_path / f"data{round_}", migrations=ALL_MIGRATIONS)
        try:
            _ingest(store, client, clock)  # what earlier rounds mined
            _mine(devchain, blocks, per_block, start=1000 * (round_ + 1))
            with tracing(store) as trace:
                _ingest(store, client, clock)
            assert plan_problems(store, trace, small=frozenset({"chain_cursor"})) == []
            per = {
                shape.split("(")[0].split(" WHERE")[0]: n
                for shape, n in trace.counts.items()
                if "intents" in shape or "chain_deferred" in shape
            }
            counts.append((per, sum(trace.counts.values())))
        finally:
            store.close()
    (small, small_total), (large, large_total) = counts
    # The insert fires the intents' version trigger, and SQLite's trace reports a statement
    # with a trigger program three times (under the statement's text): one insert each.
    assert small == {
        "SELECT block_index FROM intents": 10,
        "SELECT ? FROM chain_deferred": 10,
        "INSERT OR IGNORE INTO intents ": 3 * 10,
    }
    assert large == {key: n * 8 for key, n in small.items()}
    # Beyond those per intent, the same statements per block and per commit.
    assert large_total - 5 * 80 == small_total - 5 * 10
