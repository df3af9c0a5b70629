"""Hostile settlement entries are quarantined with a reason, never a crash."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.model import ChainEntry, entry_ref
from mediator_actors.settlement.entries import challenge_id_for
from mediator_actors.settlement.parsing import (
    ChallengeSeen,
    OtherProtocol,
    Quarantined,
    ResolutionSeen,
    ResponseSeen,
    parse_entry,
)
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

SID = independent.sha("stl", "a settlement")


def entry(content, metadata, author="alice"):
    return ChainEntry(
        author=author,
        content=content,
        intent="settlement_response",
        timestamp="2027-01-15T08:00:00",
        metadata=metadata,
        ref=entry_ref(str(author), str(content), "2027-01-15T08:00:00"),
        block_index=3,
    )


def from_payload(payload):
    return as_chain_entry(payload, block=3, at=f.NOW)


def test_well_formed_entries_parse_to_typed_values():
    assert parse_entry(from_payload(response("alice", SID, True))) == ResponseSeen(
        SID, "alice", True
    )
    cid = challenge_id_for(SID, f.key().mediator_id)
    assert parse_entry(from_payload(challenge(f.key(), SID, cid))) == ChallengeSeen(
        cid, SID, f.key().mediator_id
    )
    assert parse_entry(from_payload(resolution("bob", cid, False))) == ResolutionSeen(
        cid, "bob", False
    )


def test_entries_of_other_kinds_are_not_settlement_entries():
    assert parse_entry(entry("Offering a library for 500 NLC", {"contract_type": "offer"})) is None
    assert parse_entry(entry("free prose here", {})) is None
    assert parse_entry(entry("free prose here", [])) is None  # type: ignore[arg-type]


def quarantine_reason(payload_or_entry):
    parsed = parse_entry(payload_or_entry)
    assert isinstance(parsed, Quarantined)
    return parsed.reason


def test_invalid_ids_and_values_are_quarantined_with_their_reason():
    bad_id = response("alice", "../../etc/passwd", True)
    assert quarantine_reason(from_payload(bad_id)) == "settlement_id is not a stl_ digest id"
    upper = response("alice", SID.upper(), True)
    assert quarantine_reason(from_payload(upper)) == "settlement_id is not a stl_ digest id"
    mixed = response("alice", SID, True)
    mixed["content"] = f"[REJECT] {SID}"
    assert quarantine_reason(from_payload(mixed)) == "content does not start with [ACCEPT]"
    maybe = response("alice", SID, True)
    maybe["metadata"]["response_type"] = "maybe"
    assert quarantine_reason(from_payload(maybe)) == "response_type is not accept or reject"
    cid = challenge_id_for(SID, f.key().mediator_id)
    forged = challenge(f.key(), SID, cid)
    forged["metadata"]["confidence"] = 0.1
    assert quarantine_reason(from_payload(forged)) == "the mediator signature does not verify"
    wrong = challenge(f.key(), SID, independent.sha("chl", "another"))
    assert quarantine_reason(from_payload(wrong)) == (
        "challenge_id does not match its settlement and challenger"
    )
    v1 = response("alice", SID, True)
    v1["metadata"]["protocol"] = "nlc-mediator/1"
    assert parse_entry(from_payload(v1)) == OtherProtocol(
        "response", "protocol is 'nlc-mediator/1', not nlc-mediator/2"
    )


def test_nan_confidence_and_non_string_authors_are_quarantined():
    cid = challenge_id_for(SID, f.key().mediator_id)
    hostile = challenge(f.key(), SID, cid)
    hostile["metadata"]["confidence"] = math.nan
    parsed = parse_entry(entry(hostile["content"], hostile["metadata"], author=hostile["author"]))
    assert isinstance(parsed, Quarantined)
    assert "confidence" in parsed.reason
    odd = entry(f"[ACCEPT] {SID}", response("x", SID, True)["metadata"], author=123)
    assert quarantine_reason(odd) == "parties must be two non-empty author names"


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and infinities included
    st.text(max_size=80),
    st.sampled_from([SID, SID.upper(), "../x", "a" * 65, "", "\x00", "\ud800"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
kinds = st.sampled_from(
    ["proposal", "response", "challenge", "challenge_resolution", "payout", "offer", 7, None]
)
known_keys = st.sampled_from(
    [
        "settlement_id",
        "challenge_id",
        "response_type",
        "outcome",
        "mediator_id",
        "signature",
        "intent_refs",
        "parties",
        "acceptance_deadline",
        "facilitation_fee",
        "facilitation_fee_percent",
        "terms",
        "confidence",
        "amount",
        "currency",
        "protocol",
        "consensus_mode",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    kind=kinds,
    fields=st.dictionaries(known_keys, values, max_size=10),
    content=st.one_of(st.text(max_size=60), st.integers(), st.none()),
    tag=st.sampled_from(
        ["", "[ACCEPT] ", "[REJECT] ", "[CHALLENGE] ", "[PAYOUT] ", "[PROPOSED SETTLEMENT] "]
    ),
    author=st.one_of(st.text(max_size=20), st.integers(), st.none()),
)
def test_parsing_any_hostile_entry_never_raises(kind, fields, content, tag, author):
    metadata = {"contract_type": kind, **fields}
    text = tag + content if isinstance(content, str) else content
    parsed = parse_entry(entry(text, metadata, author=author))
    if isinstance(parsed, Quarantined):
        assert parsed.reason


@settings(max_examples=40, deadline=None)
@given(
    entries=st.lists(
        st.tuples(kinds, st.dictionaries(known_keys, values, max_size=8), st.text(max_size=40)),
        min_size=1,
        max_size=6,
    )
)
def test_applying_hostile_entries_never_raises_and_changes_no_settlement(tmp_path_factory, entries):
    store = open_store(tmp_path_factory.mktemp("data"))
    try:
        chain = Chain(store, _book())
        payloads = [
            {
                "content": "[ACCEPT] " + text,
                "author": "alice",
                "intent": "x",
                "metadata": {"contract_type": kind, **fields},
            }
            for kind, fields, text in entries
        ]
        mined = []
        for number, payload in enumerate(payloads):
            try:
                mined.append(as_chain_entry(payload, block=number + 1, at=f.NOW))
            except ValueError:
                continue  # lone surrogates: the chain codec would have refused them already
        assert chain.replay(mined, f.NOW) == []
        counts = store.read(
            lambda conn: conn.execute("SELECT COUNT(*) FROM settlements").fetchone()[0]
        )
        assert counts == 0
    finally:
        store.close()


def _book():
    from mediator_actors.settlement.lifecycle import SettlementBook

    return SettlementBook(key=f.key(), clock=lambda: f.NOW)
