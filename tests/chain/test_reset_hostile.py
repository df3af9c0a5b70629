"""A chain reset (a new genesis) against a hostile loopback server: what the lost chain
carried is retired (intents leave mediation, settlements end orphaned, nothing queued about
them is posted, reputation recomputed), nothing is deleted, and nothing is proposed for an
intent that is not on the chain now."""

from __future__ import annotations

import json
from pathlib import Path

from mediator_actors.chain.client import ChainClient, ClientLimits
from mediator_actors.chain.follower import ChainFollower
from mediator_actors.model import IntentStatus
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.settlement.proposals import ProposalPolicy, propose
from mediator_actors.settlement.records import SettlementState, get_settlement
from mediator_actors.store import CHAIN_OUTBOX, JobState, Store
from mediator_actors.store.intents import intent_status
from mediator_actors.wiring import ALL_MIGRATIONS
from tests.settlement import factories as f

from .conftest import FakeClock
from .hostile import HostileServer, send_text

TS = "2027-01-15T07:00:00.000001"


def _entry(author: str, kind: str, text: str) -> dict[str, object]:
    return {
        "author": author,
        "content": text,
        "intent": kind,
        "timestamp": TS,
        "metadata": {"is_contract": True, "contract_type": kind, "status": "open"},
        "validation_status": "accepted",
    }


def _block(
    index: int, entries: list[dict[str, object]], block_hash: str, prev: str
) -> dict[str, object]:
    return {
        "index": index,
        "timestamp": 1_800_000_000.0 + index,
        "entries": entries,
        "previous_hash": prev,
        "nonce": 0,
        "hash": block_hash,
    }


def _serve(server: HostileServer, blocks: list[dict[str, object]]) -> None:
    latest = {"block": blocks[-1], "chain_length": len(blocks), "pending_entries": 0}
    server.routes["/block/latest"] = send_text(json.dumps(latest))
    for i, block in enumerate(blocks):
        server.routes[f"/block/{i}"] = send_text(json.dumps(block))
    server.routes["/pending"] = send_text('{"count":0,"entries":[]}')


OFFER = "Offering a Rust fluid-dynamics library, about 400 hours of work; asking 500 NLC."
SEEK = "Looking for a Rust fluid-dynamics library within 60 days; budget 600 NLC."


def test_a_new_genesis_retires_what_the_lost_chain_carried(tmp_path: Path) -> None:
    server = HostileServer()
    store = Store.open(tmp_path, migrations=ALL_MIGRATIONS)
    clock = FakeClock(f.NOW)
    try:
        first = [
            _block(0, [], "genesis-a", "0"),
            _block(
                1, [_entry("alice", "offer", OFFER), _entry("bob", "seek", SEEK)], "a1", "genesis-a"
            ),
        ]
        _serve(server, first)
        client = ChainClient(server.url, limits=ClientLimits(deadline=2, attempts=1))
        book = SettlementBook(key=f.key(), clock=clock)
        follower = ChainFollower(
            store=store,
            client=client,
            clock=clock,
            settlement=book,
        )
        assert len(follower.poll_once().new_intents) == 2
        offer_ref, seek_ref = store.read(
            lambda c: [r[0] for r in c.execute("SELECT ref FROM intents ORDER BY type")]
        )
        policy = ProposalPolicy.from_settings(f.settings(), book)
        outcome = store.write(
            lambda c: propose(
                c,
                book,
                policy,
                offer_ref=offer_ref,
                seek_ref=seek_ref,
                result=f.result(),
                now=f.NOW,
            )
        )
        assert outcome.draft is not None, outcome.skipped
        settlement_id = outcome.draft.settlement_id

        # The node behind the endpoint restarts with an empty chain: a new genesis.
        _serve(server, [_block(0, [], "genesis-b", "0")])
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
        again = store.write(
            lambda c: propose(
                c,
                book,
                policy,
                offer_ref=offer_ref,
                seek_ref=seek_ref,
                result=f.result(),
                now=f.NOW,
            )
        )
        assert again.draft is None
        assert follower.poll_once().error is None  # and the follower goes on on the new chain
    finally:
        store.close()
        server.stop()
