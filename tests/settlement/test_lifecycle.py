import json
from dataclasses import replace

import pytest

from mediator_actors.config import ConsensusMode
from mediator_actors.model import IntentStatus, Terms
from mediator_actors.settlement.consensus import ConsensusSigner
from mediator_actors.settlement.entries import build_proposal, challenge_id_for
from mediator_actors.settlement.events import list_quarantine
from mediator_actors.settlement.interface import TransitionKind
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.settlement.parsing import PayoutSeen, Quarantined, parse_entry
from mediator_actors.settlement.records import (
    SettlementState,
    get_settlement,
    list_events,
)
from mediator_actors.settlement.reputation import get_reputation, recompute
from mediator_actors.store.intents import intent_status, save_intent
from mediator_actors.store.jobs import CHAIN_OUTBOX as OUTBOX
from mediator_actors.store.jobs import JobState
from tests.settlement import factories as f
from tests.settlement import independent
from tests.settlement.chainsim import (
    Chain,
    as_chain_entry,
    challenge,
    open_store,
    resolution,
    response,
)

HOUR = 3600.0
DEADLINE = f.NOW + 72 * HOUR
ME = f.key(f.SEED_A)
RIVAL = f.key(f.SEED_B)
RESOLVER = "ab" * 20


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path / "data")
    opened.write(lambda conn: [save_intent(conn, i, now=f.NOW) for i in (f.offer(), f.seek())])
    yield opened
    opened.close()


def make_book(key=ME):
    return SettlementBook(key=key, resolvers=[RESOLVER], clock=lambda: f.NOW)


@pytest.fixture
def chain(store):
    return Chain(store, make_book())


def draft(key=ME, now=f.NOW, offer=None, seek=None):
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


def propose_and_mine(chain, proposal=None, at=f.NOW + 60):
    proposal = proposal or draft()
    assert chain.store.write(lambda conn: chain.book.record_proposal(conn, proposal))
    job = chain.store.read(lambda conn: OUTBOX.get(conn, f"proposal:{proposal.settlement_id}"))
    transitions = chain.mine(job.payload, at=at)
    return proposal, transitions


def state(chain, sid):
    return chain.store.read(lambda conn: get_settlement(conn, sid)).state


def payouts(store):
    return store.read(
        lambda conn: conn.execute(
            "SELECT dedupe_key, payload FROM jobs WHERE kind = 'chain_outbox'"
            " AND dedupe_key LIKE 'payout:%'"
        ).fetchall()
    )


def test_a_recorded_proposal_is_in_the_outbox_exactly_once(chain):
    proposal = draft()
    assert chain.store.write(lambda conn: chain.book.record_proposal(conn, proposal))
    assert not chain.store.write(lambda conn: chain.book.record_proposal(conn, proposal))
    job = chain.store.read(lambda conn: OUTBOX.get(conn, f"proposal:{proposal.settlement_id}"))
    assert job.state is JobState.PENDING
    assert dict(job.payload) == proposal.entry.payload()
    assert set(job.payload) == {"content", "author", "intent", "metadata"}
    assert state(chain, proposal.settlement_id) is SettlementState.PROPOSED


def test_the_same_pair_is_never_proposed_twice_across_a_store_reopen(tmp_path):
    first = open_store(tmp_path / "data")
    book = make_book()
    assert first.write(lambda conn: book.record_proposal(conn, draft()))
    first.close()
    reopened = open_store(tmp_path / "data")
    later = draft(now=f.NOW + 5 * HOUR)
    assert reopened.read(lambda conn: book.already_proposed(conn, later.seek_ref, later.offer_ref))
    assert not reopened.write(lambda conn: book.record_proposal(conn, later))
    count = reopened.read(
        lambda conn: conn.execute(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'chain_outbox'"
        ).fetchone()[0]
    )
    assert count == 1
    reopened.close()


def test_both_accepting_in_time_closes_with_one_payout_and_intents_leave_mediation(chain):
    proposal, mined = propose_and_mine(chain)
    sid = proposal.settlement_id
    assert [t.kind for t in mined] == [TransitionKind.PROPOSAL_MINED]
    first = chain.mine(response("alice", sid, True), at=f.NOW + 2 * HOUR)
    assert [(t.previous, t.state) for t in first] == [
        (SettlementState.PROPOSED, SettlementState.ACCEPTED)
    ]
    second = chain.mine(response("bob", sid, True), at=f.NOW + 3 * HOUR)
    assert [(t.state, t.payout_enqueued) for t in second] == [(SettlementState.CLOSED, True)]
    assert state(chain, sid) is SettlementState.CLOSED
    (claim,) = payouts(chain.store)
    metadata = json.loads(claim["payload"])["metadata"]
    assert metadata["amount"] == proposal.facilitation_fee == 10.0
    assert metadata["settlement_id"] == sid
    assert independent.signature_ok(metadata)
    for ref in (proposal.offer_ref, proposal.seek_ref):
        assert chain.store.read(lambda conn, r=ref: intent_status(conn, r)) is IntentStatus.CLOSED
    # Later accepts change nothing and claim nothing.
    assert chain.mine(response("bob", sid, True, "again"), at=f.NOW + 4 * HOUR) == []
    assert len(payouts(chain.store)) == 1


def test_the_payout_claim_states_the_settlements_currency_not_nlc(chain):
    eur = Terms(
        price=500.0,
        currency="EUR",
        deliverables=("Rust fluid-dynamics library",),
        timeline="60 days",
    )
    proposal = build_proposal(
        offer=f.offer(),
        seek=f.seek(),
        result=f.result(terms=eur),
        key=ME,
        consensus=ConsensusSigner(ConsensusMode.PERMISSIONLESS),
        fee_percent=2.0,
        window_hours=72,
        now=f.NOW,
    )
    assert proposal.entry.metadata["terms"]["currency"] == "EUR"
    proposal, _ = propose_and_mine(chain, proposal)
    sid = proposal.settlement_id
    chain.mine(response("alice", sid, True), response("bob", sid, True), at=f.NOW + HOUR)
    (claim,) = payouts(chain.store)
    entry = json.loads(claim["payload"])
    assert entry["metadata"]["currency"] == "EUR"
    assert entry["metadata"]["amount"] == 10.0
    assert "claiming 10 EUR as the facilitation fee" in entry["content"]
    assert "NLC" not in entry["content"]
    assert independent.signature_ok(entry["metadata"])
    # Every node reads the claim back, currency included.
    seen = parse_entry(as_chain_entry(entry, block=9, at=f.NOW + 2 * HOUR))
    assert isinstance(seen, PayoutSeen)
    assert (seen.amount, seen.currency) == (10.0, "EUR")
    # A claim whose currency is no currency code is quarantined with the reason.
    forged = dict(entry["metadata"], currency="euros")
    forged = ME.sign_metadata({k: v for k, v in forged.items() if k != "signature"})
    bad = parse_entry(as_chain_entry(dict(entry, metadata=forged), block=9, at=f.NOW))
    assert isinstance(bad, Quarantined)
    assert "currency" in bad.reason


def test_reapplying_mined_entries_after_a_reopen_claims_nothing_twice(tmp_path):
    store = open_store(tmp_path / "data")
    chain = Chain(store, make_book())
    proposal, _ = propose_and_mine(chain)
    sid = proposal.settlement_id
    from tests.settlement.chainsim import as_chain_entry

    block = [
        as_chain_entry(response("alice", sid, True), block=5, at=f.NOW + HOUR),
        as_chain_entry(response("bob", sid, True), block=5, at=f.NOW + HOUR),
    ]
    assert [t.state for t in chain.replay(block, f.NOW + HOUR)][-1] is SettlementState.CLOSED
    store.close()
    reopened = open_store(tmp_path / "data")
    again = Chain(reopened, make_book())
    assert again.replay(block, f.NOW + HOUR) == []
    assert len(payouts(reopened)) == 1
    assert not reopened.write(lambda conn: again.book.record_proposal(conn, proposal))
    reopened.close()


def test_a_reject_from_a_party_ends_the_settlement_rejected(chain):
    proposal, _ = propose_and_mine(chain)
    (moved,) = chain.mine(response("bob", proposal.settlement_id, False), at=f.NOW + HOUR)
    assert moved.state is SettlementState.REJECTED
    assert "bob" in moved.reason
    assert payouts(chain.store) == []
    rep = chain.store.read(lambda conn: get_reputation(conn, ME.mediator_id))
    assert (rep.closures, rep.forfeited, rep.display) == (0, 1, "0.000")


def test_without_both_answers_the_settlement_expires_at_the_deadline_by_chain_time(chain):
    proposal, _ = propose_and_mine(chain)
    chain.mine(response("alice", proposal.settlement_id, True), at=f.NOW + HOUR)
    assert chain.mine(response("carol", proposal.settlement_id, True), at=DEADLINE - 1) == []
    (moved,) = chain.mine(response("zed", "00" * 32, True), at=DEADLINE)
    assert (moved.previous, moved.state) == (SettlementState.ACCEPTED, SettlementState.EXPIRED)
    assert payouts(chain.store) == []


def test_responses_from_non_parties_are_ignored_with_their_reason(chain):
    proposal, _ = propose_and_mine(chain)
    sid = proposal.settlement_id
    chain.mine(response("mallory", sid, True), response("alice", sid, True), at=f.NOW + HOUR)
    assert chain.mine(response("mallory", sid, True, "x"), at=f.NOW + 2 * HOUR) == []
    assert state(chain, sid) is SettlementState.ACCEPTED
    effects = [e.effect for e in chain.store.read(lambda conn: list_events(conn, sid))]
    assert effects.count("ignored: the author is not a party of the settlement") == 2


def test_a_response_mined_at_or_after_the_deadline_does_not_count(chain):
    proposal, _ = propose_and_mine(chain)
    sid = proposal.settlement_id
    chain.mine(response("alice", sid, True), at=f.NOW + HOUR)
    late = chain.mine(response("bob", sid, True), at=DEADLINE)
    assert [t.state for t in late] == [SettlementState.EXPIRED]
    events = chain.store.read(lambda conn: list_events(conn, sid))
    assert events[-1].effect == "ignored: mined after the acceptance deadline"
    assert payouts(chain.store) == []


def test_a_back_dated_block_cannot_slip_a_response_in_after_expiry(chain):
    proposal, _ = propose_and_mine(chain)
    sid = proposal.settlement_id
    chain.mine(response("alice", sid, True), at=f.NOW + HOUR)
    chain.mine(response("zed", "00" * 32, True), at=DEADLINE + 10)  # expires it
    assert chain.mine(response("bob", sid, True), at=f.NOW + 2 * HOUR) == []
    assert state(chain, sid) is SettlementState.EXPIRED


def test_a_later_response_of_the_same_party_replaces_the_earlier_one(chain):
    proposal, _ = propose_and_mine(chain)
    sid = proposal.settlement_id
    chain.mine(response("alice", sid, True), at=f.NOW + HOUR)
    assert chain.mine(response("alice", sid, True, "still yes"), at=f.NOW + 2 * HOUR) == []
    (moved,) = chain.mine(response("alice", sid, False), at=f.NOW + 3 * HOUR)
    assert moved.state is SettlementState.REJECTED
    assert chain.mine(response("bob", sid, True), at=f.NOW + 4 * HOUR) == []
    assert state(chain, sid) is SettlementState.REJECTED
    assert payouts(chain.store) == []


def test_responses_mined_before_the_proposal_are_applied_when_it_arrives(chain):
    proposal = draft()
    sid = proposal.settlement_id
    chain.store.write(lambda conn: chain.book.record_proposal(conn, proposal))
    transitions = chain.mine(
        response("alice", sid, True), response("bob", sid, True), proposal.entry, at=f.NOW + 60
    )
    assert [t.state for t in transitions] == [
        SettlementState.PROPOSED,
        SettlementState.ACCEPTED,
        SettlementState.CLOSED,
    ]
    assert len(payouts(chain.store)) == 1


def test_an_upheld_challenge_forfeits_the_settlement_and_moves_reputation(chain):
    proposal, _ = propose_and_mine(chain)
    sid = proposal.settlement_id
    cid = challenge_id_for(sid, RIVAL.mediator_id)
    assert cid == independent.challenge_id(sid, RIVAL.mediator_id)
    chain.mine(challenge(RIVAL, sid, cid), at=f.NOW + HOUR)
    assert chain.mine(resolution("mallory", cid, True), at=f.NOW + 2 * HOUR) == []
    resolved = chain.mine(resolution(RESOLVER, cid, True), at=f.NOW + 3 * HOUR)
    assert [(t.kind, t.state) for t in resolved] == [
        (TransitionKind.CHALLENGE_RESOLVED, SettlementState.PROPOSED),
        (TransitionKind.STATE, SettlementState.FORFEITED),
    ]
    assert (
        chain.mine(response("alice", sid, True), response("bob", sid, True), at=f.NOW + 4 * HOUR)
        == []
    )
    assert payouts(chain.store) == []
    mine, rival = chain.store.read(
        lambda conn: (get_reputation(conn, ME.mediator_id), get_reputation(conn, RIVAL.mediator_id))
    )
    assert (mine.upheld_against, mine.forfeited, mine.weight) == (1, 1, 0.0)
    assert (rival.upheld_submitted, rival.weight, rival.display) == (1, 2.0, "2.000")


def test_a_party_may_resolve_a_challenge_and_a_rejected_one_changes_nothing(chain):
    proposal, _ = propose_and_mine(chain)
    sid = proposal.settlement_id
    cid = challenge_id_for(sid, RIVAL.mediator_id)
    chain.mine(challenge(RIVAL, sid, cid), resolution("bob", cid, False), at=f.NOW + HOUR)
    # The first counted resolution decides; a later one is ignored.
    assert chain.mine(resolution("alice", cid, True), at=f.NOW + 2 * HOUR) == []
    assert state(chain, sid) is SettlementState.PROPOSED
    rival = chain.store.read(lambda conn: get_reputation(conn, RIVAL.mediator_id))
    assert rival.display == "new"


def test_another_mediators_proposal_is_followed_for_its_reputation(chain):
    theirs = draft(key=RIVAL)
    chain.mine(theirs.entry, at=f.NOW + 60)
    sid = theirs.settlement_id
    chain.mine(response("alice", sid, True), response("bob", sid, True), at=f.NOW + HOUR)
    record = chain.store.read(lambda conn: get_settlement(conn, sid))
    assert (record.own, record.state) == (False, SettlementState.CLOSED)
    assert payouts(chain.store) == []  # never claim another mediator's fee
    rival = chain.store.read(lambda conn: get_reputation(conn, RIVAL.mediator_id))
    assert (rival.closures, rival.weight) == (1, 1.0)


def test_a_forged_or_misattributed_proposal_is_quarantined(chain):
    forged = draft(key=RIVAL)
    tampered = dict(forged.entry.payload())
    tampered["metadata"] = {**forged.entry.metadata, "facilitation_fee": 9999.0}
    stolen = dict(forged.entry.payload(), author="alice")
    chain.mine(tampered, stolen, at=f.NOW + 60)
    reasons = {q.reason for q in chain.store.read(list_quarantine)}
    assert reasons == {
        "the mediator signature does not verify",
        "the author is not the proposal's mediator_id",
    }
    assert chain.store.read(lambda conn: get_settlement(conn, forged.settlement_id)) is None


def test_a_proposal_whose_parties_are_not_the_intents_authors_is_ignored(chain):
    sybil = draft(key=RIVAL, seek=replace(f.seek(), author="sybil"))
    chain.mine(sybil.entry, at=f.NOW + 60)
    assert chain.store.read(lambda conn: get_settlement(conn, sybil.settlement_id)) is None


def test_dpos_nodes_do_not_follow_proposals_below_the_minimum_stake(store):
    from mediator_actors.settlement.consensus import admission

    config = f.settings(mode=ConsensusMode.DPOS, min_effective_stake=500.0).consensus
    book = SettlementBook(key=ME, admit=admission(config), clock=lambda: f.NOW)
    low = f.settings(mode=ConsensusMode.DPOS, bonded_stake_amount=10.0)
    signer = ConsensusSigner.from_settings(low, RIVAL)
    proposal = build_proposal(
        offer=f.offer(),
        seek=f.seek(),
        result=f.result(),
        key=RIVAL,
        consensus=signer,
        fee_percent=1.0,
        window_hours=72,
        now=f.NOW,
    )
    Chain(store, book).mine(proposal.entry, at=f.NOW + 60)
    events = store.read(lambda conn: list_events(conn, proposal.settlement_id))
    assert events[0].effect == "ignored: effective_stake 10 is below minEffectiveStake"


def test_incremental_reputation_equals_a_recomputation_from_scratch(chain):
    ours, _ = propose_and_mine(chain)
    theirs = draft(key=RIVAL, offer=f.offer("o2", "dora"), seek=f.seek("s2", "erin"))
    third = draft(key=RIVAL, offer=f.offer("o3", "fay"), seek=f.seek("s3", "gus"))
    chain.mine(theirs.entry, third.entry, at=f.NOW + 100)
    cid = challenge_id_for(theirs.settlement_id, ME.mediator_id)
    chain.mine(
        response("alice", ours.settlement_id, True),
        response("bob", ours.settlement_id, True),
        challenge(ME, theirs.settlement_id, cid),
        resolution("erin", cid, True),
        response("fay", third.settlement_id, False),
        at=f.NOW + HOUR,
    )

    def both(conn):
        fresh = recompute(conn)
        return fresh, {m: get_reputation(conn, m) for m in fresh}

    fresh, kept = chain.store.read(both)
    assert fresh == kept
    assert kept[ME.mediator_id].counts() == (1, 1, 0, 0, 1)
    assert kept[ME.mediator_id].weight == 3.0
    assert kept[RIVAL.mediator_id].counts() == (0, 0, 1, 2, 2)
    assert kept[RIVAL.mediator_id].weight == 0.0


def test_an_own_proposal_never_mined_expires_with_the_chain_clock(chain):
    proposal = draft()
    chain.store.write(lambda conn: chain.book.record_proposal(conn, proposal))
    (moved,) = chain.mine(response("zed", "00" * 32, True), at=DEADLINE + 1)
    assert moved.state is SettlementState.EXPIRED
    job = chain.store.read(lambda conn: OUTBOX.get(conn, f"proposal:{proposal.settlement_id}"))
    assert job.state is JobState.FAILED  # never posted after its deadline
    # Mined late after all: still expired, and responses do not revive it.
    chain.mine(proposal.entry, response("alice", proposal.settlement_id, True), at=DEADLINE + 2)
    assert state(chain, proposal.settlement_id) is SettlementState.EXPIRED


def test_a_mediator_challenging_its_own_settlement_is_ignored(chain):
    proposal, _ = propose_and_mine(chain)
    sid = proposal.settlement_id
    cid = challenge_id_for(sid, ME.mediator_id)
    chain.mine(challenge(ME, sid, cid), resolution("alice", cid, True), at=f.NOW + HOUR)
    assert state(chain, sid) is SettlementState.PROPOSED
    events = chain.store.read(lambda conn: list_events(conn, sid))
    assert events[-1].effect == "ignored: a mediator cannot challenge its own settlement"
    rep = chain.store.read(lambda conn: get_reputation(conn, ME.mediator_id))
    assert rep.upheld_submitted == 0


def test_a_resolution_mined_before_its_challenge_counts_once_the_challenge_arrives(chain):
    proposal, _ = propose_and_mine(chain)
    sid = proposal.settlement_id
    cid = challenge_id_for(sid, RIVAL.mediator_id)
    assert chain.mine(resolution("bob", cid, True), at=f.NOW + HOUR) == []
    moved = chain.mine(challenge(RIVAL, sid, cid), at=f.NOW + 2 * HOUR)
    assert moved[-1].state is SettlementState.FORFEITED


def test_a_proposal_between_two_intents_of_one_author_is_quarantined(chain):
    theirs = draft(key=RIVAL, offer=f.offer("o9", "sam"), seek=f.seek("s9", "sam2"))
    payload = theirs.entry.payload()
    metadata = dict(payload["metadata"], parties=["sam", "sam"])
    metadata.pop("signature")
    payload["metadata"] = RIVAL.sign_metadata(metadata)
    chain.mine(payload, at=f.NOW + 60)
    (quarantined,) = chain.store.read(list_quarantine)
    assert quarantined.reason == "both parties are the same author"


def test_reasons_never_carry_control_characters_from_author_names(store):
    hostile = "eve\r\nINFO forged log line\x1b[31m"
    chain = Chain(store, make_book())
    theirs = draft(key=RIVAL, offer=f.offer("o7", hostile), seek=f.seek("s7", "bob"))
    chain.mine(theirs.entry, at=f.NOW + 60)
    (moved,) = chain.mine(response(hostile, theirs.settlement_id, False), at=f.NOW + 120)
    assert moved.state is SettlementState.REJECTED
    assert "\n" not in moved.reason
    assert "\x1b" not in moved.reason


def test_a_proposal_the_chain_refused_for_good_ends_at_once_and_only_once(chain):
    proposal = draft()
    chain.store.write(lambda conn: chain.book.record_proposal(conn, proposal))
    moved = chain.store.write(
        lambda conn: chain.book.abandon_unposted(
            conn, proposal.settlement_id, "quality_check_failed\r\nforged"
        )
    )
    assert moved.state is SettlementState.EXPIRED
    assert moved.reason == "the proposal was never posted: quality_check_failed forged"
    again = chain.store.write(
        lambda conn: chain.book.abandon_unposted(conn, proposal.settlement_id, "x")
    )
    assert again is None
    assert not chain.store.write(lambda conn: chain.book.record_proposal(conn, proposal))


def test_a_mined_proposal_is_never_abandoned(chain):
    proposal, _ = propose_and_mine(chain)
    result = chain.store.write(
        lambda conn: chain.book.abandon_unposted(conn, proposal.settlement_id, "late failure")
    )
    assert result is None
    assert state(chain, proposal.settlement_id) is SettlementState.PROPOSED


def test_payout_jobs_outlast_a_long_outage(chain):
    proposal, _ = propose_and_mine(chain)
    sid = proposal.settlement_id
    chain.mine(response("alice", sid, True), response("bob", sid, True), at=f.NOW + HOUR)
    job = chain.store.read(lambda conn: OUTBOX.get(conn, f"payout:{sid}"))
    assert job.max_attempts == 100


def test_settlements_are_served_in_pages_with_a_cursor(chain):
    from mediator_actors.settlement.records import count_by_state, settlements_page

    ids = []
    for i in range(5):
        theirs = draft(key=RIVAL, offer=f.offer(f"po{i}", f"p{i}"), seek=f.seek(f"ps{i}", f"q{i}"))
        chain.mine(theirs.entry, at=f.NOW + 60)
        ids.append(theirs.settlement_id)
    seen, cursor = [], None
    while True:
        items, cursor = chain.store.read(
            lambda conn, c=cursor: settlements_page(conn, state="proposed", limit=2, cursor=c)
        )
        seen += [item.settlement_id for item in items]
        if cursor is None:
            break
    assert seen == sorted(ids)
    assert chain.store.read(
        lambda conn: settlements_page(conn, state="bogus", limit=2, cursor=None)
    ) == ([], None)
    assert chain.store.read(
        lambda conn: settlements_page(conn, state=None, limit=2, cursor="../x")
    ) == ([], None)
    assert chain.store.read(count_by_state)["proposed"] == 5


def test_rebuild_restores_counters_from_the_tables_alone(chain):
    from mediator_actors.settlement.reputation import list_reputations, rebuild

    proposal, _ = propose_and_mine(chain)
    sid = proposal.settlement_id
    chain.mine(response("alice", sid, True), response("bob", sid, True), at=f.NOW + HOUR)
    chain.store.write(lambda conn: conn.execute("UPDATE reputation SET closures = 99"))
    assert chain.store.write(lambda conn: rebuild(conn, now=f.NOW)) == 1
    (rep,) = chain.store.read(lambda conn: list_reputations(conn, limit=10))
    assert (rep.mediator_id, rep.closures, rep.proposals, rep.weight) == (ME.mediator_id, 1, 1, 1.0)
    assert rep.to_json()["display"] == "1.000"


def test_an_unknown_mediator_is_new_with_weight_zero(chain):
    rep = chain.store.read(lambda conn: get_reputation(conn, "ef" * 32))
    assert (rep.weight, rep.display, rep.is_new) == (0.0, "new", True)


def test_in_poa_the_authority_set_resolves_challenges(store):
    settings = f.settings(mode=ConsensusMode.POA, authority_set=(RIVAL.mediator_id,))
    book = SettlementBook.from_settings(replace(settings, challenge_resolvers=(RESOLVER,)), ME)
    assert book.resolvers == frozenset({RIVAL.mediator_id})
    plain = SettlementBook.from_settings(replace(f.settings(), challenge_resolvers=(RESOLVER,)), ME)
    assert plain.resolvers == frozenset({RESOLVER})
