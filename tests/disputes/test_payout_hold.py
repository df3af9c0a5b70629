"""A payout claim that left before the dispute came (issue 12, gap 4).

Protocol section 5 allows a claim only while no dispute is open and is silent on one
posted before: a queued claim is held; a posted or mined one gets one signed
``[PAYOUT HOLD]`` per dispute, and the claim is never written a second time."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mediator_actors.disputes.book import dispute_entries, dispute_id_for, get_dispute
from mediator_actors.model import PROTOCOL
from mediator_actors.settlement.records import get_settlement
from mediator_actors.signing import verify_metadata
from mediator_actors.store import Store
from mediator_actors.store.intents import save_intent
from mediator_actors.store.jobs import CHAIN_OUTBOX as OUTBOX
from mediator_actors.store.jobs import JobState
from mediator_actors.wiring import ALL_MIGRATIONS
from tests.disputes.entries import accept
from tests.settlement import factories as f

from .test_book import ME, Sim, dispute, mined_settlement


@pytest.fixture
def sim(tmp_path: Path) -> Sim:
    store = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)
    store.write(lambda c: [save_intent(c, i, now=f.NOW) for i in (f.offer(), f.seek())])
    return Sim(store)


def resolution(sid: str, who: str, outcome: str) -> dict[str, Any]:
    return {
        "author": who,
        "content": f"[DISPUTE RESOLUTION] {dispute_id_for(sid, who)} {outcome}",
        "intent": "dispute_resolution",
        "metadata": {
            "is_contract": True,
            "contract_type": "dispute_resolution",
            "protocol": PROTOCOL,
            "dispute_id": dispute_id_for(sid, who),
            "outcome": outcome,
        },
    }


def job(sim: Sim, key: str) -> Any:
    return sim.store.read(lambda c: OUTBOX.get(c, key))


def post(sim: Sim, key: str) -> dict[str, Any]:
    """What the chain writer does with a job it delivered."""
    found = job(sim, key)
    assert found is not None

    def done(conn: sqlite3.Connection) -> None:
        OUTBOX.complete(conn, found.id, now=f.NOW, result={"posted": True})

    sim.store.write(done)
    return dict(found.payload)


def closed(sim: Sim) -> str:
    draft = mined_settlement(sim)
    sid = draft.settlement_id
    sim.mine(accept("alice", sid), accept("bob", sid), at=f.NOW + 120)
    assert job(sim, f"payout:{sid}").state is JobState.PENDING
    return str(sid)


def test_a_queued_claim_is_held_and_no_hold_entry_is_written(sim: Sim) -> None:
    sid = closed(sim)
    sim.mine(dispute(sid, "alice"), at=f.NOW + 180)
    assert job(sim, f"payout:{sid}").last_error == "withheld: a dispute is open"
    assert job(sim, f"payout_hold:{dispute_id_for(sid, 'alice')}") is None


def test_a_claim_posted_but_not_mined_is_suspended_once_and_never_claimed_again(sim: Sim) -> None:
    sid = closed(sim)
    claim = post(sim, f"payout:{sid}")
    did = dispute_id_for(sid, "alice")
    sim.mine(dispute(sid, "alice"), at=f.NOW + 180)
    hold = job(sim, f"payout_hold:{did}")
    assert hold is not None
    assert hold.state is JobState.PENDING
    meta = hold.payload["metadata"]
    assert (meta["contract_type"], meta["dispute_id"], meta["settlement_id"]) == (
        "payout_hold",
        did,
        sid,
    )
    assert meta["claim_entry_ref"] is None
    assert verify_metadata(meta)
    assert "[PAYOUT HOLD]" in hold.payload["content"]
    assert "does not decide" in hold.payload["content"]
    # The claim is mined after the dispute, then our hold; a later block changes nothing.
    sim.mine(claim, at=f.NOW + 240)
    sim.mine(hold.payload, at=f.NOW + 300)
    assert job(sim, f"payout_hold:{did}").state is JobState.DONE  # read back: never posted
    sim.mine(dispute(sid, "bob"), at=f.NOW + 360)  # a second dispute: its own hold
    assert job(sim, f"payout_hold:{dispute_id_for(sid, 'bob')}") is not None
    effects = [e["effect"] for e in sim.store.read(lambda c: dispute_entries(c, did))]
    assert effects == ["counted", "counted"]  # the dispute and our hold
    # Resolved: nothing is claimed again (one payout job, done, the whole time).
    sim.mine(
        resolution(sid, "alice", "withdrawn"), resolution(sid, "bob", "withdrawn"), at=f.NOW + 420
    )
    assert get_dispute_state(sim, did) == "resolved"
    # Two clarifications, two holds, one payout claim: nothing else was queued.
    assert sum(sim.store.read(OUTBOX.counts).values()) == 5
    assert job(sim, f"payout:{sid}").state is JobState.DONE


def test_a_mined_claim_is_named_in_the_hold_and_our_hold_read_back_is_not_posted(sim: Sim) -> None:
    sid = closed(sim)
    claim = post(sim, f"payout:{sid}")
    sim.mine(claim, at=f.NOW + 150)
    record = sim.store.read(lambda c: get_settlement(c, sid))
    assert record is not None
    assert record.payout_entry_ref is not None
    did = dispute_id_for(sid, "bob")
    sim.mine(dispute(sid, "bob"), at=f.NOW + 180)
    hold = job(sim, f"payout_hold:{did}")
    assert hold.payload["metadata"]["claim_entry_ref"] == record.payout_entry_ref
    assert record.payout_entry_ref in hold.payload["content"]
    # A rebuild reads our hold from the chain before the writer ran: it is not posted.
    sim.mine(hold.payload, at=f.NOW + 240)
    assert job(sim, f"payout_hold:{did}").state is JobState.DONE


def test_a_hold_in_our_name_without_our_signature_is_ignored(sim: Sim) -> None:
    sid = closed(sim)
    post(sim, f"payout:{sid}")
    did = dispute_id_for(sid, "alice")
    sim.mine(dispute(sid, "alice"), at=f.NOW + 180)
    forged = dict(job(sim, f"payout_hold:{did}").payload)
    forged["metadata"] = {**forged["metadata"], "claim_entry_ref": "x"}
    forged["content"] += " (forged)"
    sim.mine(forged, at=f.NOW + 240)
    effects = [e["effect"] for e in sim.store.read(lambda c: dispute_entries(c, did))]
    assert effects[-1] == "ignored: a payout_hold is written and signed by our mediator only"
    assert job(sim, f"payout_hold:{did}").state is JobState.PENDING
    assert ME.mediator_id == forged["author"]


def get_dispute_state(sim: Sim, did: str) -> str:
    record = sim.store.read(lambda c: get_dispute(c, did))
    assert record is not None
    return record.state.value
