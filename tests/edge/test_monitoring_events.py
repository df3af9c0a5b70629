"""Monitoring events without a server: names, the one encoder, and every filter against every
event kind, with the events built the way the node's producers build them."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.actors.chain_listener import ChainListener
from mediator_actors.chain.records import PollResult
from mediator_actors.config import ConsensusMode
from mediator_actors.edge.hub import CHANNELS, Filter
from mediator_actors.monitoring import (
    EVENT_KINDS,
    ChallengeResolved,
    Channel,
    DisputeEscalated,
    DisputeEvidenced,
    DisputeOpened,
    DisputeResolved,
    HealthChanged,
    IntentIngested,
    MetricsSampled,
    MonitoringEvent,
    NegotiationAligned,
    NegotiationFailed,
    ReputationChanged,
    SettlementChanged,
    SettlementMined,
    SettlementProposed,
    encode_event,
    transition_events,
)
from mediator_actors.settlement.consensus import ConsensusSigner
from mediator_actors.settlement.entries import build_proposal, challenge_id_for
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.store import CHAIN_OUTBOX as OUTBOX
from mediator_actors.store.intents import save_intent
from tests.settlement import factories as f
from tests.settlement.chainsim import Chain, challenge, open_store, resolution, response

HOUR = 3600.0
ME, RIVAL = f.key(f.SEED_A), f.key(f.SEED_B)
RESOLVER = "ab" * 20


class Recorder:
    def __init__(self) -> None:
        self.events: list[MonitoringEvent] = []

    def publish(self, event: MonitoringEvent) -> int:
        self.events.append(event)
        return 1


class NoRegistry:
    def tell(self, role: str, message: object) -> None:
        pass


# names


def _singular(channel: Channel) -> str:
    return {"reputation": "Reputation", "metrics": "Metrics"}.get(
        channel.value, channel.value.removesuffix("s").capitalize()
    )


@pytest.mark.parametrize("kind", EVENT_KINDS, ids=lambda k: k.__name__)
def test_each_kind_is_named_in_the_past_tense_after_its_channel(
    kind: type[MonitoringEvent],
) -> None:
    assert re.fullmatch(_singular(kind.channel) + r"[A-Z][a-z]+ed", kind.__name__)
    assert kind.kind() == re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower()
    assert dataclasses.is_dataclass(kind)
    assert kind.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_every_kind_is_listed_and_every_channel_has_one() -> None:
    def leaves(cls: type) -> set[type]:
        found = set()
        for sub in cls.__subclasses__():
            found |= leaves(sub) if sub.__name__.startswith("_") else {sub} | leaves(sub)
        return found

    # By name: slots=True dataclasses replace the class, and the replaced one lingers.
    assert {c.__name__ for c in leaves(MonitoringEvent)} == {k.__name__ for k in EVENT_KINDS}
    assert {k.channel.value for k in EVENT_KINDS} == CHANNELS
    assert {c.value for c in Channel} == CHANNELS


# the encoder


def test_the_encoder_gives_the_type_then_the_shared_fields_then_the_rest() -> None:
    event = SettlementChanged(
        intents=("i1", "i2"),
        parties=("alice", "bob"),
        settlement_id="s1",
        mediator_id="m",
        own=True,
        state="closed",
        previous="accepted",
        reason="both accepted",
        payout_enqueued=True,
    )
    data = encode_event(event)
    assert list(data)[:4] == ["type", "intents", "parties", "settlement_id"]
    assert data == {
        "type": "settlement_changed",
        "intents": ["i1", "i2"],
        "parties": ["alice", "bob"],
        "settlement_id": "s1",
        "mediator_id": "m",
        "own": True,
        "state": "closed",
        "previous": "accepted",
        "reason": "both accepted",
        "payout_enqueued": True,
    }
    metrics = encode_event(MetricsSampled(taken_at=1.5, queues={"jobs": 2}, resources=None))
    assert metrics["queues"] == {"jobs": 2}
    assert metrics["type"] == "metrics_sampled"


texts = st.text(max_size=12)
ids = st.tuples() | st.tuples(texts) | st.tuples(texts, texts)


@given(ids, ids, st.none() | texts, texts, st.none() | st.floats(allow_nan=False))
def test_any_event_encodes_to_strict_json_that_keeps_its_values(
    intents: tuple[str, ...],
    parties: tuple[str, ...],
    sid: str | None,
    reason: str,
    confidence: float | None,
) -> None:
    event = NegotiationFailed(
        intents=intents,
        parties=parties,
        settlement_id=sid,
        pair=reason,
        confidence=None if confidence is None or abs(confidence) == float("inf") else confidence,
        reason=reason,
    )
    data = json.loads(json.dumps(encode_event(event), allow_nan=False))
    assert (data["intents"], data["parties"], data["settlement_id"]) == (
        list(intents),
        list(parties),
        sid,
    )
    assert data["reason"] == reason


# the events, as the node's producers build them


def _settlement_events(folder: Path) -> tuple[list[MonitoringEvent], Any]:
    """Propose, mine, a rejected challenge, accept, close: through the real lifecycle."""
    store = open_store(folder / "data")
    store.write(lambda conn: [save_intent(conn, i, now=f.NOW) for i in (f.offer(), f.seek())])
    chain = Chain(store, SettlementBook(key=ME, resolvers=[RESOLVER], clock=lambda: f.NOW))
    proposal = build_proposal(
        offer=f.offer(),
        seek=f.seek(),
        result=f.result(),
        key=ME,
        consensus=ConsensusSigner(ConsensusMode.PERMISSIONLESS),
        fee_percent=2.0,
        window_hours=72,
        now=f.NOW,
    )
    sid = proposal.settlement_id
    cid = challenge_id_for(sid, RIVAL.mediator_id)
    try:
        assert store.write(lambda conn: chain.book.record_proposal(conn, proposal))
        job = store.read(lambda conn: OUTBOX.get(conn, f"proposal:{sid}"))
        transitions = chain.mine(job.payload, at=f.NOW + 60)
        transitions += chain.mine(challenge(RIVAL, sid, cid), at=f.NOW + HOUR)
        transitions += chain.mine(resolution(RESOLVER, cid, False), at=f.NOW + 2 * HOUR)
        transitions += chain.mine(response("alice", sid, True), at=f.NOW + 3 * HOUR)
        transitions += chain.mine(response("bob", sid, True), at=f.NOW + 4 * HOUR)
    finally:
        store.close()
    return [e for t in transitions for e in transition_events(t)], proposal


def test_settlement_challenge_and_reputation_events_carry_the_settlements_intents_and_parties(
    tmp_path: Path,
) -> None:
    events, proposal = _settlement_events(tmp_path)
    kinds = {type(e) for e in events}
    assert {SettlementMined, SettlementChanged, ChallengeResolved, ReputationChanged} <= kinds
    for event in events:
        assert event.settlement_id == proposal.settlement_id
        assert event.intents == (proposal.offer_ref, proposal.seek_ref)
        assert event.parties == (proposal.offer_party, proposal.seek_party)


def test_the_chain_listener_announces_each_new_intent_with_its_ref_and_author():
    recorder = Recorder()
    listener = ChainListener(
        None, follower=None, registry=NoRegistry(), events=recorder, interval=1.0
    )  # type: ignore[arg-type]
    listener._announce(
        PollResult(new_intents=("r1", "r2"), new_intent_authors={"r1": "alice", "r2": "bob"})
    )
    assert recorder.events == [
        IntentIngested(intents=("r1",), parties=("alice",)),
        IntentIngested(intents=("r2",), parties=("bob",)),
    ]


# every filter against every event kind

SID = "s" * 16


def _samples() -> dict[str, MonitoringEvent]:
    """One event of each kind, filled as its producer fills it."""
    about = {"intents": ("i1", "i2"), "parties": ("alice", "bob"), "settlement_id": SID}
    facts = {**about, "mediator_id": "m", "own": True, "state": "proposed", "previous": None}
    return {
        "IntentIngested": IntentIngested(intents=("i1",), parties=("alice",)),
        "NegotiationAligned": NegotiationAligned(
            intents=about["intents"], parties=about["parties"], pair="i1:i2", confidence=80
        ),
        "NegotiationFailed": NegotiationFailed(
            intents=about["intents"], parties=about["parties"], pair="i1:i2", reason="price"
        ),
        "SettlementProposed": SettlementProposed(**about, pair="i1:i2"),  # type: ignore[arg-type]
        "SettlementMined": SettlementMined(**facts, reason="mined"),  # type: ignore[arg-type]
        "SettlementChanged": SettlementChanged(**facts, reason="x"),  # type: ignore[arg-type]
        "ChallengeResolved": ChallengeResolved(
            **facts,  # type: ignore[arg-type]
            reason="r",
            challenge_id="c",
            upheld=False,
        ),
        "ReputationChanged": ReputationChanged(**about, mediator_id="m"),  # type: ignore[arg-type]
        "HealthChanged": HealthChanged(status="degraded", ready=True),
        "MetricsSampled": MetricsSampled(taken_at=0.0),
        **{
            kind.__name__: kind(**about, dispute_id="d", detail="x", block_index=1)  # type: ignore[arg-type]
            for kind in (DisputeOpened, DisputeEvidenced, DisputeEscalated, DisputeResolved)
        },
    }


#: What each kind concerns: (matches party alice, intent i1, settlement SID).
CONCERNS = {
    "IntentIngested": (True, True, False),
    "NegotiationAligned": (True, True, False),
    "NegotiationFailed": (True, True, False),
    "SettlementProposed": (True, True, True),
    "SettlementMined": (True, True, True),
    "SettlementChanged": (True, True, True),
    "ChallengeResolved": (True, True, True),
    "ReputationChanged": (True, True, True),
    "HealthChanged": (False, False, False),
    "MetricsSampled": (False, False, False),
    "DisputeOpened": (True, True, True),
    "DisputeEvidenced": (True, True, True),
    "DisputeEscalated": (True, True, True),
    "DisputeResolved": (True, True, True),
}

FILTERS = {
    "none": Filter(),
    "party": Filter(party="alice"),
    "other party": Filter(party="zed"),
    "intent": Filter(intent="i1"),
    "other intent": Filter(intent="i9"),
    "settlement": Filter(settlement=SID),
    "other settlement": Filter(settlement="t" * 16),
    "party and intent": Filter(party="alice", intent="i1"),
}


def test_the_matrix_covers_every_kind() -> None:
    assert set(_samples()) == set(CONCERNS) == {k.__name__ for k in EVENT_KINDS}


@pytest.mark.parametrize("name", sorted(CONCERNS))
@pytest.mark.parametrize("flt", sorted(FILTERS))
def test_every_filter_against_every_event_kind(name: str, flt: str) -> None:
    party, intent, settlement = CONCERNS[name]
    expected = {
        "none": True,
        "party": party,
        "other party": False,
        "intent": intent,
        "other intent": False,
        "settlement": settlement,
        "other settlement": False,
        "party and intent": party and intent,
    }[flt]
    assert FILTERS[flt].matches(_samples()[name]) is expected
