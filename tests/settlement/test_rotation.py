"""Key rotation (protocol.md, "Key rotation"): a settlement is claimed by the key that proposed
it, new proposals use the new key, a retired key is reported droppable once nothing needs it;
and mined payout claims count only as protocol.md section 5 says."""

import pytest

from mediator_actors.config import ConsensusMode
from mediator_actors.settlement.consensus import ConsensusSigner
from mediator_actors.settlement.entries import build_payout, build_proposal
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.settlement.proposals import ProposalPolicy, propose
from mediator_actors.settlement.records import SettlementState, get_settlement, list_events
from mediator_actors.settlement.rotation import key_report, start_lines
from mediator_actors.signing import Keyring, verify_metadata
from mediator_actors.store.intents import save_intent
from mediator_actors.store.jobs import CHAIN_OUTBOX as OUTBOX
from tests.settlement import factories as f
from tests.settlement.chainsim import Chain, open_store, response

HOUR = 3600.0
DAY = 24 * HOUR
A = f.key(f.SEED_A)
B = f.key(f.SEED_B)
RIVAL = f.key(f.SEED_C)
WINDOW = 30 * DAY


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path / "data")
    intents = (f.offer(), f.seek(), f.offer("offer-2", "carol"), f.seek("seek-2", "dave"))
    opened.write(lambda conn: [save_intent(conn, i, now=f.NOW) for i in intents])
    yield opened
    opened.close()


def book(key, retired=()):
    return SettlementBook(key=key, retired_keys=retired, clock=lambda: f.NOW)


def draft(key, offer=None, seek=None, now=f.NOW):
    return build_proposal(
        offer=offer or f.offer(),
        seek=seek or f.seek(),
        result=f.result(),
        key=key,
        consensus=ConsensusSigner(ConsensusMode.PERMISSIONLESS),
        fee_percent=2.0,
        window_hours=72,
        now=now,
    )


def propose_and_mine(chain, proposal, at):
    assert chain.store.write(lambda conn: chain.book.record_proposal(conn, proposal))
    job = chain.store.read(lambda conn: OUTBOX.get(conn, f"proposal:{proposal.settlement_id}"))
    chain.mine(job.payload, at=at)


def payout_metadata(store, sid):
    job = store.read(lambda conn: OUTBOX.get(conn, f"payout:{sid}"))
    return None if job is None else job.payload["metadata"]


def report(store, keyring):
    return store.read(lambda conn: key_report(conn, keyring, window=WINDOW))


def test_a_settlement_proposed_before_a_rotation_is_claimed_by_its_own_key(store):
    before = Chain(store, book(A))
    old = draft(A)
    propose_and_mine(before, old, at=f.NOW + 60)
    # The rotation: the node restarts with B current and A retired, on the same store.
    after = Chain(store, book(B, retired=(A,)))
    after.block = before.block
    # New proposals, by the agent's own path, use B.
    policy = ProposalPolicy(2.0, 72, ConsensusSigner(ConsensusMode.PERMISSIONLESS))
    outcome = store.write(
        lambda conn: propose(
            conn,
            after.book,
            policy,
            offer_ref=f.ref("offer-2"),
            seek_ref=f.ref("seek-2"),
            result=f.result(),
            now=f.NOW,
        )
    )
    new = outcome.draft
    assert new is not None
    assert new.mediator_id == B.mediator_id
    assert verify_metadata(new.entry.metadata)
    # The pair A proposed stays proposed once, by this node, whatever its key now.
    again = store.write(
        lambda conn: propose(
            conn,
            after.book,
            policy,
            offer_ref=old.offer_ref,
            seek_ref=old.seek_ref,
            result=f.result(),
            now=f.NOW,
        )
    )
    assert again.skipped == "this node proposed this pair before"
    job = store.read(lambda conn: OUTBOX.get(conn, f"proposal:{new.settlement_id}"))
    after.mine(job.payload, at=f.NOW + 120)
    after.mine(response("alice", old.settlement_id, True), at=f.NOW + HOUR)
    closed = after.mine(response("bob", old.settlement_id, True), at=f.NOW + 2 * HOUR)
    assert [(t.state, t.own, t.payout_enqueued) for t in closed] == [
        (SettlementState.CLOSED, True, True)
    ]
    claim = payout_metadata(store, old.settlement_id)
    assert claim["mediator_id"] == A.mediator_id
    assert verify_metadata(claim)
    job = store.read(lambda conn: OUTBOX.get(conn, f"payout:{old.settlement_id}"))
    assert job.payload["author"] == A.mediator_id
    # B's own settlement closes with B's signature.
    after.mine(response("carol", new.settlement_id, True), at=f.NOW + 3 * HOUR)
    after.mine(response("dave", new.settlement_id, True), at=f.NOW + 3 * HOUR)
    claim_b = payout_metadata(store, new.settlement_id)
    assert claim_b["mediator_id"] == B.mediator_id
    assert verify_metadata(claim_b)


def test_a_retired_keys_mined_proposal_is_still_ours_after_a_rebuild(store):
    """A store rebuilt from the chain after the rotation: A's proposal is recognised as ours."""
    chain = Chain(store, book(B, retired=(A,)))
    old = draft(A)
    job_payload = old.entry.payload()  # written by the node before it rotated
    (mined,) = chain.mine(job_payload, at=f.NOW + 60)
    assert mined.own
    assert store.read(lambda conn: get_settlement(conn, old.settlement_id)).own
    without = Chain(store, book(B))  # had A been dropped, it would be someone else's
    other = draft(A, offer=f.offer("offer-2", "carol"), seek=f.seek("seek-2", "dave"))
    without.block = chain.block
    (foreign,) = without.mine(other.entry.payload(), at=f.NOW + 90)
    assert not foreign.own


def test_a_retired_key_is_reported_no_longer_needed_once_its_settlements_are_past_dispute(store):
    keyring = Keyring(B, (A,))
    chain = Chain(store, book(B, retired=(A,)))
    old = draft(A)
    chain.mine(old.entry.payload(), at=f.NOW + 60)
    (use,) = report(store, keyring).retired
    assert (use.mediator_id, use.open, use.needed) == (A.mediator_id, 1, True)
    chain.mine(response("alice", old.settlement_id, True), at=f.NOW + HOUR)
    chain.mine(response("bob", old.settlement_id, True), at=f.NOW + 2 * HOUR)
    (use,) = report(store, keyring).retired
    # Closed, but a party may still open a dispute, whose clarification A signs.
    assert (use.open, use.disputable, use.needed) == (0, 1, True)
    assert report(store, keyring).droppable == ()
    # Chain time passes the acceptance deadline plus the dispute window.
    chain.mine(at=old.deadline_ts + WINDOW + 1)
    final = report(store, keyring)
    (use,) = final.retired
    assert (use.open, use.disputable, use.needed) == (0, 0, False)
    assert final.droppable == (A.mediator_id,)
    lines = start_lines(final)
    assert any("no longer needed" in line and not warn for warn, line in lines)
    assert f.SEED_A not in repr(lines)


def test_settlements_under_a_key_the_node_no_longer_holds_are_warned_about(store):
    chain = Chain(store, book(B, retired=(A,)))
    chain.mine(draft(A).entry.payload(), at=f.NOW + 60)
    dropped = report(store, Keyring(B))
    assert [use.mediator_id for use in dropped.unheld] == [A.mediator_id]
    ((warn, line),) = start_lines(dropped)
    assert warn
    assert A.mediator_id in line
    assert "cannot be signed" in line


def test_a_closure_without_the_proposing_key_enqueues_no_invalid_claim(store):
    first = Chain(store, book(A))
    old = draft(A)
    propose_and_mine(first, old, at=f.NOW + 60)
    later = Chain(store, book(B))  # rotated and A dropped: nothing can sign for it
    later.block = first.block
    later.mine(response("alice", old.settlement_id, True), at=f.NOW + HOUR)
    (closed,) = later.mine(response("bob", old.settlement_id, True), at=f.NOW + 2 * HOUR)
    assert closed.state is SettlementState.CLOSED
    assert not closed.payout_enqueued
    assert payout_metadata(store, old.settlement_id) is None


def effects(store, sid):
    return [e.effect for e in store.read(lambda conn: list_events(conn, sid)) if e.kind == "payout"]


def closed_settlement(store):
    chain = Chain(store, book(A))
    proposal = draft(A)
    propose_and_mine(chain, proposal, at=f.NOW + 60)
    return chain, proposal


def test_a_payout_claim_for_a_settlement_not_closed_does_not_count(store):
    chain, proposal = closed_settlement(store)
    sid = proposal.settlement_id
    early = build_payout(settlement_id=sid, amount=proposal.facilitation_fee, currency="NLC", key=A)
    chain.mine(early.payload(), at=f.NOW + HOUR)
    assert effects(store, sid) == ["ignored: the settlement is proposed, not closed"]
    assert store.read(lambda conn: get_settlement(conn, sid)).payout_entry_ref is None


def test_a_payout_claim_by_another_key_or_above_the_fee_does_not_count(store):
    chain, proposal = closed_settlement(store)
    sid = proposal.settlement_id
    chain.mine(response("alice", sid, True), at=f.NOW + HOUR)
    chain.mine(response("bob", sid, True), at=f.NOW + 2 * HOUR)
    fee = proposal.facilitation_fee
    chain.mine(
        build_payout(settlement_id=sid, amount=fee, currency="NLC", key=RIVAL).payload(),
        at=f.NOW + 3 * HOUR,
    )
    chain.mine(
        build_payout(settlement_id=sid, amount=fee * 2, currency="NLC", key=A).payload(),
        at=f.NOW + 3 * HOUR,
    )
    chain.mine(
        build_payout(settlement_id=sid, amount=fee, currency="EUR", key=A).payload(),
        at=f.NOW + 3 * HOUR,
    )
    ours = store.read(lambda conn: OUTBOX.get(conn, f"payout:{sid}")).payload
    chain.mine(ours, at=f.NOW + 4 * HOUR)
    chain.mine(ours, at=f.NOW + 5 * HOUR)  # the same claim again, in a later block
    assert effects(store, sid)[:4] == [
        "ignored: the claim is not by the mediator that proposed the settlement",
        f"ignored: the claim exceeds the settlement's facilitation fee {fee:g}",
        "ignored: the claim is in EUR, the settlement's fee in NLC",
        "counted",
    ]
    assert effects(store, sid)[4] == "ignored: a payout claim for this settlement was mined before"
    assert store.read(lambda conn: get_settlement(conn, sid)).payout_entry_ref is not None
