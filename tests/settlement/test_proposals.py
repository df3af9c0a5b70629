from dataclasses import replace

import pytest

from mediator_actors.config import ConsensusMode
from mediator_actors.model import IntentStatus, Terms
from mediator_actors.settlement.consensus import ConsensusSigner
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.settlement.proposals import ProposalPolicy, propose
from mediator_actors.store.intents import save_intent, set_intent_status
from mediator_actors.store.jobs import CHAIN_OUTBOX as OUTBOX
from tests.settlement import factories as f
from tests.settlement import independent
from tests.settlement.chainsim import open_store

POLICY = ProposalPolicy(2.0, 72, ConsensusSigner(ConsensusMode.PERMISSIONLESS))


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path / "data")
    opened.write(lambda conn: [save_intent(conn, i, now=f.NOW) for i in (f.offer(), f.seek())])
    yield opened
    opened.close()


def run(store, offer_ref=None, seek_ref=None, result=None):
    book = SettlementBook(key=f.key(), clock=lambda: f.NOW)
    return store.write(
        lambda conn: propose(
            conn,
            book,
            POLICY,
            offer_ref=offer_ref or f.offer().ref,
            seek_ref=seek_ref or f.seek().ref,
            result=result or f.result(),
            now=f.NOW,
        )
    )


def test_a_successful_negotiation_becomes_one_recorded_signed_proposal(store):
    outcome = run(store)
    assert outcome.skipped is None
    job = store.read(lambda conn: OUTBOX.get(conn, f"proposal:{outcome.draft.settlement_id}"))
    assert independent.signature_ok(dict(job.payload["metadata"]))
    again = run(store, offer_ref=f.seek().ref, seek_ref=f.offer().ref)  # either order
    assert again.skipped == "this node proposed this pair before"


def test_settings_give_the_policy_its_fee_window_and_consensus_fields():
    settings = replace(
        f.settings(mode=ConsensusMode.DPOS, bonded_stake_amount=7), facilitation_fee_percent=1.5
    )
    policy = ProposalPolicy.from_settings(settings, SettlementBook(key=f.key()))
    assert (policy.fee_percent, policy.window_hours) == (1.5, 72.0)
    assert policy.consensus.fields("ab" * 32, f.key().mediator_id)["effective_stake"] == 7.0


def test_closed_or_unknown_intents_and_failed_results_are_skipped_with_a_reason(store):
    assert run(store, result=replace(f.result(), success=False)).skipped == (
        "the negotiation did not succeed"
    )
    assert run(store, seek_ref="cd" * 32).skipped == "an intent of the pair is unknown to this node"
    bad = f.result(Terms(price=float("nan")))
    assert run(store, result=bad).skipped.startswith("not a valid proposal: ")
    store.write(
        lambda conn: set_intent_status(
            conn, f.seek().ref, IntentStatus.ARCHIVED, reason="flagged", now=f.NOW
        )
    )
    assert run(store).skipped == f"intent {f.seek().ref} is archived and out of mediation"
    count = store.read(lambda conn: conn.execute("SELECT COUNT(*) FROM jobs").fetchone()[0])
    assert count == 0
