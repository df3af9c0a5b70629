"""A chain reset (a new genesis) against a hostile loopback server: what the lost chain
carried is retired (intents leave mediation, settlements end orphaned, nothing queued about
them is posted, reputation recomputed), nothing is deleted, and nothing is proposed for an
intent that is not on the chain now."""

from __future__ import annotations

from typing import Any

from mediator_actors.model import IntentStatus
from mediator_actors.settlement.records import SettlementState, get_settlement
from mediator_actors.store import CHAIN_OUTBOX, JobState
from mediator_actors.store.intents import intent_status

from .conftest import propose_pair
from .hostile import chain_block, chain_entry, serve_chain

OFFER = "Offering a Rust fluid-dynamics library, about 400 hours of work; asking 500 NLC."
SEEK = "Looking for a Rust fluid-dynamics library within 60 days; budget 600 NLC."


def test_a_new_genesis_retires_what_the_lost_chain_carried(world: dict[str, Any]) -> None:
    server, store, book, follower = (world[k] for k in ("server", "store", "book", "follower"))
    first = [
        chain_block(0, [], "genesis-a", "0"),
        chain_block(
            1,
            [chain_entry("alice", "offer", OFFER), chain_entry("bob", "seek", SEEK)],
            "a1",
            "genesis-a",
        ),
    ]
    serve_chain(server, first)
    assert len(follower.poll_once().new_intents) == 2
    offer_ref, seek_ref = store.read(
        lambda c: [r[0] for r in c.execute("SELECT ref FROM intents ORDER BY type")]
    )
    outcome = propose_pair(store, book, offer_ref, seek_ref)
    assert outcome.draft is not None, outcome.skipped
    settlement_id = outcome.draft.settlement_id

    # The node behind the endpoint restarts with an empty chain: a new genesis.
    serve_chain(server, [chain_block(0, [], "genesis-b", "0")])
    reset = follower.poll_once()
    assert reset.reset
    assert set(reset.archived) == {offer_ref, seek_ref}

    def facts(c):  # type: ignore[no-untyped-def]
        job = CHAIN_OUTBOX.get(c, f"proposal:{settlement_id}")
        return (
            get_settlement(c, settlement_id),
            intent_status(c, offer_ref),
            intent_status(c, seek_ref),
            job,
            c.execute("SELECT COUNT(*) FROM intents").fetchone()[0],
        )

    settlement, offer_status, seek_status, job, intents = store.read(facts)
    assert settlement is not None
    assert settlement.state is SettlementState.ORPHANED
    assert "reset" in settlement.state_reason
    assert (offer_status, seek_status) == (IntentStatus.ARCHIVED, IntentStatus.ARCHIVED)
    assert intents == 2  # nothing deleted
    assert job is not None
    assert job.state is JobState.FAILED  # the proposal naming lost intents is never posted
    assert (job.last_error or "").startswith("retired: the chain was reset")

    # Nothing is proposed again for an intent that is not on the chain now.
    assert propose_pair(store, book, offer_ref, seek_ref).draft is None
    assert follower.poll_once().error is None  # and the follower goes on on the new chain
