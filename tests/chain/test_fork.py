"""A fork that keeps the genesis (the blocks after some height replaced): what only the
replaced blocks carried is retired as after a reset, but only that (protocol.md lifecycle
rule 5); what the new branch carries again (re-mined, or pending again) stays as it was.
Against a hostile loopback server and against the dev chain."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mediator_actors.chain.client import ChainClient
from mediator_actors.chain.devchain import DevChain
from mediator_actors.chain.follower import ChainFollower
from mediator_actors.disputes.book import DisputeBook, dispute_id_for, get_dispute
from mediator_actors.model import PROTOCOL, IntentStatus
from mediator_actors.settlement.records import SettlementState, get_settlement
from mediator_actors.store import JobState, Store
from mediator_actors.store.intents import intent_status
from mediator_actors.store.jobs import CHAIN_OUTBOX as OUTBOX

from .conftest import FAST, FakeClock, propose_pair
from .hostile import chain_block, chain_entry, serve_chain
from .test_follower import follower_for, intent

TS2 = "2027-01-15T08:00:00.000001"


OFFERS = {
    "alice": "Offering a Rust fluid-dynamics library, about 400 hours of work; asking 500 NLC.",
    "carol": "Offering hand-built oak bookshelves, two metres tall; asking 450 NLC, delivered.",
}
SEEKS = {
    "bob": "Looking for a Rust fluid-dynamics library within 60 days; budget 600 NLC.",
    "dave": "Looking for two tall oak bookshelves, delivered, for at most 500 NLC.",
}


def _refs(store: Store) -> dict[str, str]:
    return store.read(lambda c: dict(c.execute("SELECT author, ref FROM intents")))


def _as_entry(store: Store, settlement_id: str) -> dict[str, Any]:
    """Our queued proposal as the chain would return it once mined."""
    job = store.read(lambda c: OUTBOX.get(c, f"proposal:{settlement_id}"))
    assert job is not None
    return {**dict(job.payload), "timestamp": TS2, "validation_status": "accepted"}


def _facts(store: Store, sid: str) -> tuple[Any, ...]:
    def read(c: sqlite3.Connection) -> tuple[Any, ...]:
        settlement = get_settlement(c, sid)
        assert settlement is not None
        job = OUTBOX.get(c, f"proposal:{sid}")
        return settlement.state, settlement.state_reason, job.state if job else None

    return store.read(read)


@pytest.mark.parametrize("dave", ["gone", "pending again"])
def test_a_fork_retires_only_what_left_the_chain(world: dict[str, Any], dave: str) -> None:
    server, store, book, follower = (world[k] for k in ("server", "store", "book", "follower"))
    entries = [
        chain_entry("alice", "offer", OFFERS["alice"]),
        chain_entry("bob", "seek", SEEKS["bob"]),
        chain_entry("carol", "offer", OFFERS["carol"]),
        chain_entry("dave", "seek", SEEKS["dave"]),
    ]
    genesis = chain_block(0, [], "genesis", "0")
    serve_chain(server, [genesis, chain_block(1, entries, "a1", "genesis")])
    assert len(follower.poll_once().new_intents) == 4
    refs = _refs(store)
    s1 = propose_pair(store, book, refs["alice"], refs["bob"]).draft.settlement_id
    s2 = propose_pair(store, book, refs["carol"], refs["dave"]).draft.settlement_id
    p1 = _as_entry(store, s1)
    # S2's proposal is queued, not posted yet; S1's is mined in block 2.
    serve_chain(
        server,
        [genesis, chain_block(1, entries, "a1", "genesis"), chain_block(2, [p1], "a2", "a1")],
    )
    assert follower.poll_once().error is None
    assert _facts(store, s1)[0] is SettlementState.PROPOSED
    mined = store.read(lambda c: get_settlement(c, s1))
    assert mined is not None
    assert mined.proposal_block == 2

    # The fork: blocks 1 and 2 replaced. Alice's, Bob's and Carol's intents and S1's
    # proposal are mined again; Dave's seek is gone (or back in the pool).
    branch = [
        genesis,
        chain_block(1, entries[:3], "b1", "genesis"),
        chain_block(2, [], "b2", "b1"),
        chain_block(3, [p1], "b3", "b2"),
    ]
    serve_chain(server, branch, pending=[entries[3]] if dave == "pending again" else [])
    assert follower.poll_once().reset
    result = follower.poll_once()
    assert result.error is None
    assert result.caught_up

    statuses = {a: store.read(lambda c, r=r: intent_status(c, r)) for a, r in refs.items()}
    assert _facts(store, s1)[0] is SettlementState.PROPOSED  # all it relied on is back
    assert store.read(lambda c: c.execute("SELECT COUNT(*) FROM intents").fetchone()[0]) == 4
    if dave == "gone":
        assert result.archived == (refs["dave"],)
        assert statuses == {
            "alice": IntentStatus.OPEN,
            "bob": IntentStatus.OPEN,
            "carol": IntentStatus.OPEN,
            "dave": IntentStatus.ARCHIVED,
        }
        reason = store.read(
            lambda c: c.execute(
                "SELECT status_reason FROM intents WHERE ref = ?", (refs["dave"],)
            ).fetchone()[0]
        )
        assert reason.startswith("gone: the chain forked")
        state, why, job = _facts(store, s2)
        assert state is SettlementState.ORPHANED
        assert "forked" in why
        assert job is JobState.FAILED  # the proposal naming a gone intent is never posted
        assert [t.settlement_id for t in result.decided] == [s2]
        # Nothing is proposed again for an intent that is not on the chain now.
        assert propose_pair(store, book, refs["carol"], refs["dave"]).draft is None
    else:
        assert result.archived == ()
        assert set(statuses.values()) == {IntentStatus.OPEN}
        assert _facts(store, s2)[:1] == (SettlementState.PROPOSED,)
        assert store.read(lambda c: OUTBOX.get(c, f"proposal:{s2}")).state is JobState.PENDING
    # The follower goes on on the new branch, and settles the fork only once.
    assert follower.poll_once().archived == ()


def _alice_and_bob_proposed(
    server: Any, store: Store, book: Any, follower: ChainFollower
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str], str]:
    """Block 1 holds alice's offer and bob's seek, followed; the node proposes their pair.
    Returns (genesis, block 1, the intents' refs by author, the settlement id)."""
    entries = [
        chain_entry("alice", "offer", OFFERS["alice"]),
        chain_entry("bob", "seek", SEEKS["bob"]),
    ]
    genesis = chain_block(0, [], "genesis", "0")
    one = chain_block(1, entries, "a1", "genesis")
    serve_chain(server, [genesis, one])
    follower.poll_once()
    refs = _refs(store)
    return (
        genesis,
        one,
        refs,
        propose_pair(store, book, refs["alice"], refs["bob"]).draft.settlement_id,
    )


def test_a_settlement_whose_mined_proposal_left_the_chain_ends_orphaned(
    world: dict[str, Any],
) -> None:
    server, store, book, follower = (world[k] for k in ("server", "store", "book", "follower"))
    genesis, one, refs, sid = _alice_and_bob_proposed(server, store, book, follower)
    serve_chain(server, [genesis, one, chain_block(2, [_as_entry(store, sid)], "a2", "a1")])
    follower.poll_once()
    # Block 2 is replaced by one without the proposal: the intents stay (block 1 is common).
    serve_chain(server, [genesis, one, chain_block(2, [], "b2", "a1")])
    assert follower.poll_once().reset
    follower.poll_once()
    state, why, _ = _facts(store, sid)
    assert state is SettlementState.ORPHANED
    assert "forked" in why
    assert {store.read(lambda c, r=r: intent_status(c, r)) for r in refs.values()} == {
        IntentStatus.OPEN
    }


def test_a_fork_retires_the_disputes_about_the_settlements_it_orphans(
    world: dict[str, Any],
) -> None:
    server, store, book = (world[k] for k in ("server", "store", "book"))
    follower = ChainFollower(
        store=store,
        client=world["client"],
        clock=world["clock"],
        settlement=book,
        disputes=DisputeBook(key=book.key, authorities=["guild"], clock=world["clock"]),
    )
    genesis, one, _refs_by_author, sid = _alice_and_bob_proposed(server, store, book, follower)
    dispute_id = dispute_id_for(sid, "alice")
    dispute = {
        "author": "alice",
        "content": f"[DISPUTE] {dispute_id} by alice",
        "intent": "dispute",
        "timestamp": TS2,
        "validation_status": "accepted",
        "metadata": {
            "is_contract": True,
            "contract_type": "dispute",
            "protocol": PROTOCOL,
            "dispute_id": dispute_id,
            "settlement_id": sid,
            "claimant": "alice",
            "issue": "Not what was agreed.",
        },
    }
    two = chain_block(2, [_as_entry(store, sid), dispute], "a2", "a1")
    serve_chain(server, [genesis, one, two])
    assert follower.poll_once().error is None
    opened = store.read(lambda c: get_dispute(c, dispute_id))
    assert opened is not None
    assert opened.state.value == "open"
    assert store.read(lambda c: OUTBOX.get(c, f"clarification:{dispute_id}")).state is (
        JobState.PENDING
    )
    # Block 2 is replaced by one without the proposal or the dispute.
    serve_chain(server, [genesis, one, chain_block(2, [], "b2", "a1")])
    assert follower.poll_once().reset
    follower.poll_once()
    assert _facts(store, sid)[0] is SettlementState.ORPHANED
    retired = store.read(lambda c: get_dispute(c, dispute_id))
    assert retired is not None
    assert retired.state.value == "orphaned"
    assert (retired.resolved_by or "").startswith("the chain forked")
    # Its clarification, about a settlement not on the chain now, is never posted.
    job = store.read(lambda c: OUTBOX.get(c, f"clarification:{dispute_id}"))
    assert job is not None
    assert job.state is JobState.FAILED
    assert (job.last_error or "").startswith("retired: the chain forked")


def test_a_fork_on_the_dev_chain_keeps_what_is_mined_again(
    devchain: DevChain, tmp_path: Path, clock: FakeClock
) -> None:
    from .test_follower import open_store

    store = open_store(tmp_path / "fork")
    client = ChainClient(devchain.url, limits=FAST, sleep=lambda _s: None)
    try:
        devchain.add_block([intent("alice", 1)])  # type: ignore[list-item]
        devchain.add_block([intent("bob", 2), intent("carol", 3)])  # type: ignore[list-item]
        devchain.add_block([intent("dan", 4)])  # type: ignore[list-item]
        follower = follower_for(store, client, clock)
        follower.poll_once()

        def statuses() -> dict[str, str]:
            return store.read(lambda c: dict(c.execute("SELECT author, status FROM intents")))

        # Blocks 2 and 3 replaced: their entries mined again into the new branch.
        devchain.truncate(2, requeue=True)
        devchain.mine()
        assert follower.poll_once().reset
        follower.poll_once()
        assert set(statuses().values()) == {"open"}
        # Block 2 replaced by a branch without bob's, carol's and dan's intents.
        devchain.truncate(2)
        devchain.add_block([intent("erin", 5)])  # type: ignore[list-item]
        assert follower.poll_once().reset
        settled = follower.poll_once()
        assert len(settled.archived) == 3
        assert statuses() == {
            "alice": "open",
            "bob": "archived",
            "carol": "archived",
            "dan": "archived",
            "erin": "open",
        }
    finally:
        client.close()
        store.close()
