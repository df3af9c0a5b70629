"""Challenges this node writes (issue 12, item 2): one against a proposal that breaks a
stated constraint, none against a sound one, never against our own."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.challenges.checker import find_contradiction
from mediator_actors.challenges.writer import MAX_CHECKS_PER_BLOCK, ChallengeWriter
from mediator_actors.config import ConsensusMode
from mediator_actors.model import Intent, Terms
from mediator_actors.settlement.consensus import ConsensusSigner
from mediator_actors.settlement.entries import build_proposal, challenge_id_for
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.store import Store
from mediator_actors.store.intents import save_intent
from mediator_actors.store.jobs import CHAIN_OUTBOX as OUTBOX
from mediator_actors.store.jobs import JobState
from mediator_actors.wiring import ALL_MIGRATIONS
from tests.settlement import factories as f
from tests.settlement.chainsim import as_chain_entry

ME = f.key(f.SEED_A)
RIVAL = f.key(f.SEED_B)
OFFER = replace(
    f.offer(),
    content="Offering a Rust fluid-dynamics library, about 400 hours of work. Asking 500 NLC. "
    "Delivery within 60 days.",
)
SEEK = replace(
    f.seek(),
    content="Seeking a Rust fluid-dynamics library. Budget of 800 NLC. Must be delivered by "
    "April 18, 2027.",
)


class Sim:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.book = SettlementBook(key=ME, clock=lambda: f.NOW)
        self.writer = ChallengeWriter(key=ME, clock=lambda: f.NOW)
        self.block = 0

    def mine(self, *payloads: dict[str, Any], at: float = f.NOW + 60) -> list[str]:
        self.block += 1
        mined = [as_chain_entry(p, block=self.block, at=at) for p in payloads]

        def apply(conn: sqlite3.Connection) -> list[str]:
            self.book.apply_mined_block(conn, mined, at)
            return self.writer.apply_mined_block(conn, mined, at)

        return self.store.write(apply)

    def challenges(self) -> list[Any]:
        return self.store.read(
            lambda c: [
                j
                for j in (
                    OUTBOX.get(c, k)
                    for (k,) in c.execute(
                        "SELECT dedupe_key FROM jobs WHERE dedupe_key LIKE 'challenge:%'"
                    )
                )
                if j is not None
            ]
        )


@pytest.fixture
def sim(tmp_path: Path) -> Sim:
    store = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)
    store.write(lambda c: [save_intent(c, i, now=f.NOW) for i in (OFFER, SEEK)])
    return Sim(store)


def proposal(key: Any, price: float, offer: Intent = OFFER, seek: Intent = SEEK) -> dict[str, Any]:
    terms = Terms(
        price=price,
        deliverables=("Rust fluid-dynamics library",),
        timeline="60 days",
        conditions=(),
    )
    return build_proposal(
        offer=offer,
        seek=seek,
        result=f.result(terms=terms),
        key=key,
        consensus=ConsensusSigner(ConsensusMode.PERMISSIONLESS),
        fee_percent=2.0,
        window_hours=72,
        now=f.NOW,
    ).entry.payload()


def test_a_price_below_the_stated_ask_is_challenged_once_with_both_quotes(sim: Sim) -> None:
    bad = proposal(RIVAL, 300.0)
    sid = bad["metadata"]["settlement_id"]
    assert sim.mine(bad) == [sid]
    (job,) = sim.challenges()
    metadata = job.payload["metadata"]
    assert metadata["challenge_id"] == challenge_id_for(sid, ME.mediator_id)
    assert metadata["violated_constraints"] == ["price below the offer's stated ask"]
    assert metadata["confidence"] == 0.9
    assert metadata["contradiction"]["intent_text"] == "Asking 500 NLC."
    assert 'The proposal states "price 300 NLC"' in job.payload["content"]
    assert '"Asking 500 NLC."' in job.payload["content"]
    # The same block read again (a restart before the writer ran): still one.
    sim.block -= 1
    assert sim.mine(bad) == []
    assert len(sim.challenges()) == 1
    # Mined, the settlement book counts it: a valid, signed protocol challenge.
    sim.mine(dict(job.payload))
    row = sim.store.read(
        lambda c: c.execute(
            "SELECT challenger FROM challenges WHERE settlement_id = ?", (sid,)
        ).fetchone()
    )
    assert row is not None
    assert row[0] == ME.mediator_id
    assert sim.challenges()[0].state is JobState.DONE  # read back: never posted twice


def test_a_price_above_the_stated_budget_is_challenged(sim: Sim) -> None:
    sid = proposal(RIVAL, 900.0)["metadata"]["settlement_id"]
    assert sim.mine(proposal(RIVAL, 900.0)) == [sid]
    (job,) = sim.challenges()
    assert job.payload["metadata"]["violated_constraints"] == [
        "price above the seek's stated budget"
    ]
    assert "Budget of 800 NLC." in job.payload["content"]


def test_a_sound_proposal_and_our_own_are_not_challenged(sim: Sim) -> None:
    assert sim.mine(proposal(RIVAL, 600.0)) == []
    other_seek = replace(SEEK, ref=f.ref("seek-2"))
    sim.store.write(lambda c: save_intent(c, other_seek, now=f.NOW))
    assert sim.mine(proposal(ME, 100.0, seek=other_seek)) == []
    assert sim.challenges() == []


def test_a_forged_challenge_in_our_name_does_not_cancel_ours(sim: Sim) -> None:
    bad = proposal(RIVAL, 300.0)
    sim.mine(bad)
    (job,) = sim.challenges()
    forged = dict(job.payload, metadata=dict(job.payload["metadata"], confidence=0.1))
    sim.mine(forged)
    assert sim.challenges()[0].state is JobState.PENDING


def test_checks_per_block_are_bounded(sim: Sim, tmp_path: Path) -> None:
    payloads = []
    for n in range(MAX_CHECKS_PER_BLOCK + 5):
        seek = replace(SEEK, ref=f.ref(f"seek-{n}"))
        sim.store.write(lambda c, s=seek: save_intent(c, s, now=f.NOW))
        payloads.append(proposal(RIVAL, 300.0, seek=seek))
    assert len(sim.mine(*payloads)) == MAX_CHECKS_PER_BLOCK


@settings(max_examples=200, deadline=None)
@given(
    price=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.text(), st.none()
    ),
    currency=st.sampled_from(["NLC", "USD", None]),
)
def test_the_checker_never_raises_and_challenges_only_a_price_outside_both_limits(
    price: Any, currency: str | None
) -> None:
    terms: dict[str, Any] = {"price": price}
    if currency is not None:
        terms["currency"] = currency
    found = find_contradiction(terms, OFFER, SEEK)
    numeric = isinstance(price, int | float) and not isinstance(price, bool)
    inside = numeric and 500 <= price <= 800
    if found is not None:
        assert numeric
        assert currency in ("NLC", None)
        assert not inside
    elif numeric and price == price and abs(price) != float("inf") and price >= 0:
        assert inside or currency == "USD"


def test_after_a_rotation_our_retired_keys_proposals_are_not_challenged(sim: Sim) -> None:
    """ME proposed, then the node rotated to a new key: a bad price in ME's own proposal,
    mined after the restart, is ours and never challenged by the new key."""
    new = f.key(f.SEED_C)
    sim.book = SettlementBook(key=new, retired_keys=(ME,), clock=lambda: f.NOW)
    sim.writer = ChallengeWriter(key=new, retired_keys=(ME,), clock=lambda: f.NOW)
    assert sim.mine(proposal(ME, 100.0)) == []
    assert sim.challenges() == []
    # Without the retired key the node would take it for another mediator's, and challenge it.
    sim.writer = ChallengeWriter(key=new, clock=lambda: f.NOW)
    other_seek = replace(SEEK, ref=f.ref("seek-2"))
    sim.store.write(lambda c: save_intent(c, other_seek, now=f.NOW))
    assert len(sim.mine(proposal(ME, 100.0, seek=other_seek))) == 1
