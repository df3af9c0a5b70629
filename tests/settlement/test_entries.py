import json
import math
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.chain.scanner import chain_scan_findings, omit_matches, string_findings
from mediator_actors.config import ConsensusMode
from mediator_actors.errors import SettlementError
from mediator_actors.model import Terms
from mediator_actors.settlement.consensus import ConsensusSigner, authority_message
from mediator_actors.settlement.entries import (
    FlagReason,
    build_flag,
    build_payout,
    build_proposal,
    metadata_problem,
)
from mediator_actors.settlement.parsing import ProposalSeen, parse_entry
from mediator_actors.signing import verify_metadata, verify_signature
from tests.settlement import factories as f
from tests.settlement import independent
from tests.settlement.chainsim import as_chain_entry

PERMISSIONLESS = ConsensusSigner(ConsensusMode.PERMISSIONLESS)

STL = independent.sha("stl", "a settlement")
ENT = independent.sha("ent", "an intent")


def propose(**overrides):
    arguments = {
        "offer": f.offer(),
        "seek": f.seek(),
        "result": f.result(),
        "key": f.key(),
        "consensus": PERMISSIONLESS,
        "fee_percent": 2.0,
        "window_hours": 72,
        "now": f.NOW,
    }
    arguments.update(overrides)
    return build_proposal(**arguments)


def test_a_proposal_carries_exactly_the_protocol_fields():
    draft = propose()
    m = draft.entry.metadata
    assert set(m) == {
        "is_contract",
        "contract_type",
        "status",
        "protocol",
        "settlement_id",
        "intent_refs",
        "parties",
        "terms",
        "reasoning",
        "facilitation_fee",
        "facilitation_fee_percent",
        "acceptance_deadline",
        "model_integrity_hash",
        "consensus_mode",
        "mediator_id",
        "signature",
    }
    assert (m["is_contract"], m["contract_type"], m["status"]) == (True, "proposal", "open")
    assert m["protocol"] == "nlc-mediator/2"
    assert m["intent_refs"] == [f.offer().ref, f.seek().ref]
    assert m["parties"] == ["alice", "bob"]
    assert m["terms"] == {
        "price": 500.0,
        "currency": "NLC",
        "deliverables": ["Rust fluid-dynamics library"],
        "timeline": "60 days",
        "conditions": ["source delivered via git"],
    }
    assert m["consensus_mode"] == "permissionless"
    assert draft.entry.author == m["mediator_id"] == f.key().mediator_id
    assert draft.entry.intent == "settlement_proposal"


def test_the_settlement_id_and_signature_verify_independently():
    draft = propose()
    m = draft.entry.metadata
    expected = independent.settlement_id(f.seek().ref, f.offer().ref, f.key().mediator_id)
    assert m["settlement_id"] == expected == draft.settlement_id
    assert independent.signature_ok(m)
    assert independent.within_chain_limits(m)


def test_the_same_pair_gets_the_same_id_and_another_mediator_another():
    assert propose().settlement_id == propose(now=f.NOW + 999).settlement_id
    assert propose().settlement_id != propose(key=f.key(f.SEED_B)).settlement_id


def test_the_fee_is_the_percentage_of_the_agreed_price():
    m = propose(fee_percent=2.0).entry.metadata
    assert m["facilitation_fee"] == 10.0
    assert m["facilitation_fee_percent"] == 2.0
    assert propose(fee_percent=0.01).entry.metadata["facilitation_fee"] == 0.05


def test_without_a_price_the_fee_is_a_percentage_of_the_offered_fees():
    no_price = f.result(Terms(price=None, deliverables=("help",)))
    draft = propose(
        result=no_price, offer=f.offer(fee=30.0), seek=f.seek(fee=20.0), fee_percent=10.0
    )
    assert draft.entry.metadata["facilitation_fee"] == 5.0
    assert propose(result=no_price).entry.metadata["facilitation_fee"] == 0.0


def test_the_deadline_is_the_acceptance_window_after_now_in_utc():
    m = propose(window_hours=72).entry.metadata
    deadline = datetime.strptime(m["acceptance_deadline"], "%Y-%m-%dT%H:%M:%SZ")
    assert deadline.replace(tzinfo=UTC).timestamp() == f.NOW + 72 * 3600
    assert m["acceptance_deadline"] == "2027-01-18T08:00:00Z"


def test_the_prose_starts_with_the_tag_and_names_both_intents_terms_fee_and_deadline():
    draft = propose()
    content = draft.entry.content
    assert content.startswith(f"[PROPOSED SETTLEMENT] {draft.settlement_id}\n")
    for text in (
        f.offer().ref,
        f.seek().ref,
        "alice",
        "bob",
        "Both want the same thing.",
        "500 NLC",
        "Rust fluid-dynamics library",
        "10 NLC",
        "2027-01-18T08:00:00Z",
    ):
        assert text in content
    assert 20 <= len(content) <= 10_000


def test_dpos_proposals_carry_stake_reference_and_effective_stake():
    signer = ConsensusSigner.from_settings(
        f.settings(mode=ConsensusMode.DPOS, bonded_stake_amount=1000), f.key()
    )
    m = propose(consensus=signer).entry.metadata
    assert m["consensus_mode"] == "dpos"
    assert m["effective_stake"] == 1000.0
    expected = independent.sha("doc", "stake/v2", f.key().mediator_id, "1000.0")
    assert m["stake_reference"] == expected
    assert independent.signature_ok(m)


def test_poa_proposals_carry_an_authority_signature_by_the_authority_key():
    authority = f.key(f.SEED_C)
    signer = ConsensusSigner.from_settings(
        f.settings(
            mode=ConsensusMode.POA,
            poa_authority_key=f.Secret(f.SEED_C),
            authority_set=(authority.mediator_id,),
        ),
        f.key(),
    )
    m = propose(consensus=signer).entry.metadata
    message = (
        b"nlc-mediator/authority/v1\x00" + f"{m['settlement_id']}\x00{m['mediator_id']}".encode()
    )
    assert message == authority_message(m["settlement_id"], m["mediator_id"])
    assert verify_signature(authority.mediator_id, m["authority_signature"], message)
    assert independent.signature_ok(m)
    assert f.SEED_C not in repr(signer)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"offer": f.seek("x", "carol")}, "offer with one seek"),
        ({"seek": f.seek(author="alice")}, "same author"),
        ({"result": f.result(Terms(price=math.nan))}, "price"),
        ({"result": f.result(Terms(price=-1.0))}, "price"),
        ({"offer": f.offer(fee=math.inf), "result": f.result(Terms(price=None))}, "fee"),
        ({"fee_percent": 101.0}, "FACILITATION_FEE_PERCENT"),
        ({"seek": f.seek(author="b" * 257)}, "party names"),
    ],
)
def test_inputs_that_must_not_become_a_proposal_are_refused(change, why):
    with pytest.raises(SettlementError, match=why):
        propose(**change)


def test_a_failed_negotiation_never_becomes_a_proposal():
    failed = f.result()
    from dataclasses import replace

    with pytest.raises(SettlementError, match="successful"):
        propose(result=replace(failed, success=False))


def test_the_payout_claim_follows_section_5():
    entry = build_payout(settlement_id=STL, amount=10.0, currency="NLC", key=f.key())
    assert entry.content.startswith(f"[PAYOUT] settlement {STL} closed; claiming 10 NLC")
    assert entry.metadata["contract_type"] == "payout"
    assert entry.metadata["amount"] == 10.0
    assert entry.metadata["settlement_id"] == STL
    assert entry.metadata["currency"] == "NLC"
    assert independent.signature_ok(entry.metadata)
    usd = build_payout(settlement_id=STL, amount=2.5, currency="USD", key=f.key())
    assert "claiming 2.5 USD" in usd.content
    assert usd.metadata["currency"] == "USD"
    for bad in ("usd", "US", "EURO", "$", "NLC\n", ""):
        with pytest.raises(SettlementError, match="currency"):
            build_payout(settlement_id=STL, amount=1.0, currency=bad, key=f.key())
    with pytest.raises(SettlementError):
        build_payout(settlement_id="../etc", amount=1.0, currency="NLC", key=f.key())
    with pytest.raises(SettlementError):
        build_payout(settlement_id=STL, amount=math.nan, currency="NLC", key=f.key())


def test_the_unalignable_flag_follows_section_6():
    entry = build_flag(intent_ref=ENT, reason=FlagReason.VAGUE, key=f.key(), detail="x\x1b[31m")
    assert entry.content == f"[UNALIGNABLE] intent {ENT}: vague. x[31m"
    assert entry.metadata["reason"] == "vague"
    assert entry.metadata["intent_ref"] == ENT
    assert independent.signature_ok(entry.metadata)
    with pytest.raises(ValueError, match="bored"):
        build_flag(intent_ref=ENT, reason="bored", key=f.key())  # type: ignore[arg-type]


def test_metadata_with_keys_the_chain_strips_is_reported():
    assert "stripped" in (metadata_problem({"verified": True}) or "")
    assert "stripped" in (metadata_problem({"a": {"__x": 1}}) or "")
    assert "levels" in (metadata_problem({"a": [[[[[1]]]]]}) or "")


text = st.text(max_size=600)
amounts = st.one_of(st.none(), st.floats(min_value=0, max_value=1e12))


@settings(max_examples=60, deadline=None)
@given(
    price=amounts,
    deliverables=st.lists(text, max_size=20),
    conditions=st.lists(text, max_size=20),
    timeline=st.one_of(st.none(), text),
    reasoning=st.text(max_size=6000),
    authors=st.tuples(st.text(min_size=1, max_size=256), st.text(min_size=1, max_size=256)),
    percent=st.floats(min_value=0, max_value=100),
    hours=st.floats(min_value=0.001, max_value=24 * 365),
)
def test_any_proposal_fits_the_chain_round_trips_and_verifies(
    price, deliverables, conditions, timeline, reasoning, authors, percent, hours
):
    if authors[0] == authors[1]:
        authors = (authors[0], authors[1] + "x")
    terms = Terms(price, tuple(deliverables), timeline, tuple(conditions))
    try:
        draft = propose(
            offer=f.offer(author=authors[0]),
            seek=f.seek(author=authors[1]),
            result=f.result(terms, reasoning),
            fee_percent=percent,
            window_hours=hours,
        )
    except SettlementError as exc:
        # Refused only when the binding parts alone are too big: never shortened.
        assert "does not fit the chain's metadata limits" in str(exc)  # noqa: PT017
        binding = json.dumps([terms.to_json(), list(authors)])
        assert len(binding) > 6_000  # fixed fields + a 200-character reasoning < 4 KB
        return
    m = draft.entry.metadata
    assert m["terms"] == json.loads(json.dumps(m["terms"]))
    assert len(m["terms"]["deliverables"]) == len(deliverables)
    assert independent.within_chain_limits(m)
    assert json.loads(independent.canonical(m)) == m
    assert independent.signature_ok(m)
    assert verify_metadata(m)
    assert len(m["reasoning"]) <= 2000
    assert 20 <= len(draft.entry.content) <= 10_000
    assert draft.entry.content.startswith(f"[PROPOSED SETTLEMENT] {draft.settlement_id}")
    assert math.isfinite(m["facilitation_fee"])
    assert m["facilitation_fee"] >= 0
    # What we write, we read back: the mined entry parses to the same settlement.
    seen = parse_entry(as_chain_entry(draft.entry, block=1, at=f.NOW))
    assert isinstance(seen, ProposalSeen)
    assert (seen.settlement_id, seen.offer_party, seen.seek_party) == (
        draft.settlement_id,
        authors[0],
        authors[1],
    )
    assert seen.deadline_ts == draft.deadline_ts
    assert seen.facilitation_fee == draft.facilitation_fee


@given(amount=st.floats(min_value=0, max_value=1e15), detail=st.text(max_size=12000))
def test_any_payout_and_flag_fit_the_chain_and_verify(amount, detail):
    payout = build_payout(settlement_id=STL, amount=amount, currency="NLC", key=f.key())
    flag = build_flag(intent_ref=ENT, reason=FlagReason.SPAM, key=f.key(), detail=detail)
    for entry in (payout, flag):
        assert independent.within_chain_limits(entry.metadata)
        assert independent.signature_ok(entry.metadata)
        assert json.loads(independent.canonical(entry.metadata)) == entry.metadata
        assert 20 <= len(entry.content) <= 10_000


def test_terms_are_never_shortened_only_the_reasoning_is():
    long_terms = Terms(
        price=500.0,
        deliverables=tuple(f"deliverable {i}: " + "x" * 280 for i in range(12)),
        conditions=tuple(f"condition {i}: " + "y" * 280 for i in range(12)),
    )
    draft = propose(result=f.result(long_terms, "r" * 2000))
    m = draft.entry.metadata
    assert m["terms"]["deliverables"] == list(long_terms.deliverables)
    assert m["terms"]["conditions"] == list(long_terms.conditions)
    assert len(m["reasoning"]) < 2000
    assert independent.within_chain_limits(m)
    content = draft.entry.content
    assert "Acceptance deadline: 2027-01-18T08:00:00Z" in content
    assert len(content) <= 10_000


def test_terms_too_large_for_the_chain_are_refused_not_truncated():
    huge = Terms(
        price=1.0,
        deliverables=tuple("z" * 300 for _ in range(20)),
        conditions=tuple("w" * 300 for _ in range(20)),
    )
    with pytest.raises(SettlementError, match="never shortened"):
        propose(result=f.result(huge))


def test_bidi_and_control_characters_are_removed_from_terms():
    sneaky = Terms(price=1.0, deliverables=("pay \u202eevil\u202c now\x00",))
    m = propose(result=f.result(sneaky)).entry.metadata
    assert m["terms"]["deliverables"] == ["pay evil now"]


def test_generated_reasoning_omits_what_the_chains_scanner_would_redact():
    hexy = "0123456789abcdef" * 4
    reasoning = f"Both cite commit {hexy} and token sk-{'Ab' * 12} in their intents."
    draft = build_proposal(
        offer=f.offer(),
        seek=f.seek(),
        result=f.result(reasoning=reasoning),
        key=f.key(),
        consensus=ConsensusSigner(ConsensusMode.PERMISSIONLESS),
        fee_percent=1.0,
        window_hours=72,
        now=f.NOW,
    )
    payload = draft.entry.payload()
    assert chain_scan_findings(payload) == []
    assert draft.entry.metadata["reasoning"] == (
        "Both cite commit [omitted] and token [omitted] in their intents."
    )
    assert independent.signature_ok(dict(draft.entry.metadata))


@given(st.text(max_size=300))
def test_omitting_matches_leaves_nothing_for_the_scanner(text):
    assert string_findings(omit_matches(text)) == []


def test_the_terms_keep_their_stated_currency():
    terms = Terms(price=450.0, deliverables=("logo",), currency="EUR")
    draft = build_proposal(
        offer=f.offer(),
        seek=f.seek(),
        result=f.result(terms=terms),
        key=f.key(),
        consensus=PERMISSIONLESS,
        fee_percent=1.0,
        window_hours=72,
        now=f.NOW,
    )
    assert draft.entry.metadata["terms"]["currency"] == "EUR"
    assert "- Price: 450 EUR" in draft.entry.content
    assert "Facilitation fee: 4.5 EUR" in draft.entry.content
    with pytest.raises(SettlementError, match="currency"):
        build_proposal(
            offer=f.offer(),
            seek=f.seek(),
            result=f.result(terms=Terms(price=1.0, currency="euro")),
            key=f.key(),
            consensus=PERMISSIONLESS,
            fee_percent=1.0,
            window_hours=72,
            now=f.NOW,
        )


def test_the_proposal_entry_is_the_one_a_full_check_builds():
    """build_proposal checks its metadata once, in the loop that fits the reasoning; the
    entry it returns is the one the content-and-metadata check builds from the same parts."""
    from mediator_actors.settlement.entries import _entry

    entry = propose().entry
    assert metadata_problem(dict(entry.metadata)) is None
    assert _entry(entry.content, entry.author, entry.intent, dict(entry.metadata)) == entry
