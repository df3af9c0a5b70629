"""Protocol v2 bad input: malformed ids, signatures, did:keys and amounts are quarantined
with their reason; a stranger's entry imitating ours is ignored; nothing raises."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.config import ConsensusMode
from mediator_actors.settlement.consensus import ConsensusSigner
from mediator_actors.settlement.entries import build_payout, build_proposal
from mediator_actors.settlement.parsing import (
    OtherProtocol,
    PayoutSeen,
    ProposalSeen,
    Quarantined,
    parse_entry,
)
from tests.settlement import factories as f
from tests.settlement.chainsim import as_chain_entry

STRANGER = f.key(f.SEED_B)


def _proposal_payload() -> dict[str, Any]:
    draft = build_proposal(
        offer=f.offer(),
        seek=f.seek(),
        result=f.result(),
        key=f.key(),
        consensus=ConsensusSigner(ConsensusMode.PERMISSIONLESS),
        fee_percent=1.0,
        window_hours=72,
        now=f.NOW,
    )
    return copy.deepcopy(draft.entry.payload())


def _parsed(payload: dict[str, Any]) -> object:
    return parse_entry(as_chain_entry(payload, block=3, at=f.NOW))


def test_the_well_formed_proposal_and_payout_parse() -> None:
    assert isinstance(_parsed(_proposal_payload()), ProposalSeen)
    payout = build_payout(
        settlement_id=f.ref("x").replace("ent_", "stl_"), amount=1.0, currency="NLC", key=f.key()
    )
    assert isinstance(_parsed(payout.payload()), PayoutSeen)


def test_a_stranger_imitating_our_proposal_is_quarantined_never_taken_as_ours() -> None:
    ours = _proposal_payload()
    # 1. The stranger posts our signed metadata under its own name.
    copied = {**ours, "author": STRANGER.mediator_id}
    assert _parsed(copied) == Quarantined(
        "proposal", "the author is not the proposal's mediator_id"
    )
    # 2. It names our did:key as author and mediator but signs with its own key.
    forged_meta = STRANGER.sign_metadata(
        {k: v for k, v in ours["metadata"].items() if k not in ("signature", "mediator_id")}
    )
    forged_meta["mediator_id"] = f.key().mediator_id
    forged = {**ours, "metadata": forged_meta}
    parsed = _parsed(forged)
    assert isinstance(parsed, Quarantined)
    assert parsed.reason in {
        "the mediator signature does not verify",
        "settlement_id does not match its intents and mediator",
    }
    # 3. A v1-style copy (hex mediator id, v1 protocol) is another protocol: ignored.
    v1 = copy.deepcopy(ours)
    v1["metadata"]["protocol"] = "nlc-mediator/1"
    assert isinstance(_parsed(v1), OtherProtocol)


BAD_VALUES = st.one_of(
    st.text(max_size=80),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.lists(st.text(max_size=10), max_size=3),
    st.sampled_from(
        [
            "ab" * 32,
            "stl_" + "a" * 52,
            "stl_" + "a" * 51 + "b",
            "STL_" + "a" * 51 + "q",
            "did:key:z6Mk" + "1" * 44,
            "did:key:" + "z" * 48,
            "0" * 128,
            -1.0,
            1e400,
        ]
    ),
)
FIELDS = [
    "settlement_id",
    "intent_refs",
    "mediator_id",
    "signature",
    "facilitation_fee",
    "facilitation_fee_percent",
    "acceptance_deadline",
    "model_integrity_hash",
    "parties",
    "terms",
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FIELDS), BAD_VALUES)
def test_any_changed_field_is_quarantined_with_a_reason_or_changes_nothing(
    field: str, value: object
) -> None:
    payload = _proposal_payload()
    original = payload["metadata"][field]
    payload["metadata"][field] = value
    parsed = _parsed(payload)
    if type(value) is type(original) and value == original:  # True == 1.0 is a change
        assert isinstance(parsed, ProposalSeen)
        return
    # A changed signed field always breaks the signature if nothing else catches it first.
    assert isinstance(parsed, Quarantined), (field, value, parsed)
    assert parsed.kind == "proposal"
    assert parsed.reason


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.text(max_size=20), BAD_VALUES, max_size=8),
    st.sampled_from(["proposal", "response", "challenge", "challenge_resolution", "payout"]),
)
def test_hostile_metadata_of_every_settlement_kind_never_raises(
    metadata: dict[str, Any], kind: str
) -> None:
    metadata = {**metadata, "contract_type": kind, "protocol": "nlc-mediator/2"}
    parsed = _parsed(
        {"content": f"[{kind.upper()}] x", "author": "mallory", "intent": "x", "metadata": metadata}
    )
    assert isinstance(parsed, Quarantined | OtherProtocol)
    assert parsed.reason
