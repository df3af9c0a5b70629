"""Challenges beyond price (issue 12, gap 5): a proposal whose timeline, place, quantity
or exclusion breaks what an intent states is challenged, quoting both texts; sound
proposals, including every one the offline negotiator makes on the labelled sets, are not."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.challenges.checker import find_contradiction
from mediator_actors.config import ConsensusMode
from mediator_actors.model import Intent, IntentType, Terms
from mediator_actors.negotiation.evaluation import load_eval
from mediator_actors.negotiation.offline import OFFLINE_MODEL_ID, assess, reference_date
from mediator_actors.negotiation.validation import decide
from mediator_actors.settlement.consensus import ConsensusSigner
from mediator_actors.settlement.entries import build_proposal
from mediator_actors.store import Store
from mediator_actors.store.intents import save_intent
from mediator_actors.wiring import ALL_MIGRATIONS
from tests.settlement import factories as f

from .test_challenges import OFFER, RIVAL, SEEK, Sim, proposal


@pytest.fixture
def sim(tmp_path: Path) -> Sim:
    store = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)
    store.write(lambda c: [save_intent(c, i, now=f.NOW) for i in (OFFER, SEEK)])
    return Sim(store)


DATA = Path(__file__).parents[1] / "data"
DAY = dt.date(2027, 1, 15)  # the factories' intents are written on this day


def pair(offer_text: str, seek_text: str) -> tuple[Intent, Intent]:
    return (
        replace(f.offer(), content=offer_text),
        replace(f.seek(), content=seek_text, type=IntentType.SEEK),
    )


def terms(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "price": 500.0,
        "currency": "NLC",
        "deliverables": ["the service as described"],
        "timeline": None,
        "conditions": [],
    }
    return {**base, **over}


BREAKS = [
    (
        "timeline after the seek's date",
        pair(
            "Offering video editing, 500 NLC, delivery in 4 weeks.",
            "We need video editing. Budget of 800 NLC. Must be delivered by April 18, 2027.",
        ),
        terms(deliverables=["video editing"], timeline="delivered by 2027-06-30"),
        "timeline ends 2027-06-30, after the seek's stated deadline 2027-04-18",
        "Must be delivered by April 18, 2027.",
    ),
    (
        "timeline longer than the seek's duration",
        pair(
            "Offering a Rust library, 500 NLC.",
            "Seeking a Rust library for at most 600 NLC within 90 days.",
        ),
        terms(deliverables=["Rust library"], timeline="within 120 days"),
        "timeline of 120 days, longer than the seek's stated 90 days",
        "Seeking a Rust library for at most 600 NLC within 90 days.",
    ),
    (
        "a duration that ends after the seek's date",
        pair(
            "Offering video editing, 500 NLC.",
            "We need video editing. Budget of 800 NLC. Must be delivered by February 1, 2027.",
        ),
        terms(deliverables=["video editing"], timeline="10 weeks"),
        "timeline of 70 days from the proposal ends 2027-03-26, after the seek's stated"
        " deadline 2027-02-01",
        "Must be delivered by February 1, 2027.",
    ),
    (
        "a place the seek is not tied to",
        pair(
            "Wedding photographer, 500 NLC per wedding, Ireland.",
            "Need a wedding photographer in Dublin only, budget 800 NLC.",
        ),
        terms(deliverables=["wedding photography in Cork"]),
        "place: the terms name Cork, the seek is tied to Dublin",
        "Need a wedding photographer in Dublin only, budget 800 NLC.",
    ),
    (
        "more than the offer's capacity",
        pair(
            "Offering USB-C chargers at 2 NLC each, at most 200 units.",
            "Seeking USB-C chargers, budget 1,000 NLC.",
        ),
        terms(price=1000.0, deliverables=["500 units of USB-C chargers"]),
        "quantity: the terms deliver 500 item, the offer states at most 200",
        "Offering USB-C chargers at 2 NLC each, at most 200 units.",
    ),
    (
        "an excluded thing the terms name",
        pair(
            "Offering a two-bedroom flat to rent, 500 NLC a month.",
            "Seeking a flat to rent, budget 800 NLC a month, no smoking.",
        ),
        terms(deliverables=["two-bedroom flat"], conditions=["smoking allowed on the balcony"]),
        "exclusion: the seek states 'no smoking', the terms name it",
        "Seeking a flat to rent, budget 800 NLC a month, no smoking.",
    ),
]

SOUND = [
    (
        pair(
            "Offering video editing, 500 NLC, delivery in 4 weeks.",
            "We need video editing. Budget of 800 NLC. Must be delivered by April 18, 2027.",
        ),
        terms(deliverables=["video editing"], timeline="delivered by 2027-04-10"),
    ),
    (
        pair(
            "Offering a Rust library, 500 NLC.",
            "Seeking a Rust library for at most 600 NLC within 90 days.",
        ),
        terms(deliverables=["Rust library"], timeline="within 60 days"),
    ),
    (
        pair(
            "Wedding photographer, 500 NLC per wedding, Ireland.",
            "Need a wedding photographer in Dublin only, budget 800 NLC.",
        ),
        terms(deliverables=["wedding photography in Dublin"], timeline="on 12 June 2027"),
    ),
    (
        pair(
            "Offering USB-C chargers at 2 NLC each, at most 200 units.",
            "Seeking USB-C chargers, budget 1,000 NLC.",
        ),
        terms(price=400.0, deliverables=["200 units of USB-C chargers"]),
    ),
    (
        pair(
            "Offering a two-bedroom flat to rent, 500 NLC a month.",
            "Seeking a flat to rent, budget 800 NLC a month, no smoking.",
        ),
        terms(deliverables=["two-bedroom flat"], conditions=["no smoking anywhere in the flat"]),
    ),
    (
        pair(
            "Offering a two-bedroom flat to rent, 500 NLC a month.",
            "Seeking a flat to rent, budget 800 NLC a month, no pets.",
        ),
        terms(deliverables=["two-bedroom flat"], conditions=["smoke-free, pet-free home"]),
    ),
]


@pytest.mark.parametrize(("what", "intents", "proposed", "violated", "quote"), BREAKS)
def test_a_term_that_breaks_a_stated_constraint_is_found_with_both_quotes(
    what: str, intents: tuple[Intent, Intent], proposed: dict[str, Any], violated: str, quote: str
) -> None:
    offer, seek = intents
    found = find_contradiction(proposed, offer, seek, proposed=DAY)
    assert found is not None, what
    assert found.violated == violated
    assert found.intent_quote == quote
    assert found.intent_ref in (offer.ref, seek.ref)
    assert found.term_quote  # the proposal's own words
    assert 0 < found.confidence < 1


@pytest.mark.parametrize(("intents", "proposed"), SOUND)
def test_a_sound_proposal_is_not_challenged(
    intents: tuple[Intent, Intent], proposed: dict[str, Any]
) -> None:
    assert find_contradiction(proposed, *intents, proposed=DAY) is None


def test_no_sound_proposal_of_the_offline_negotiator_is_challenged() -> None:
    # Measured: 313 proposals the node itself would make on 925 pairs (the four labelled
    # sets and 600 corpus pairs): 0 challenged. Here the four labelled sets.
    made = challenged = 0
    for name in ("dev", "eval", "heldout", "heldout2"):
        for p in load_eval(DATA / f"negotiation_{name}.jsonl"):
            answer = assess(p.offer, p.seek, similarity=None)
            result = decide(
                answer,
                p.offer,
                p.seek,
                min_confidence=60,
                model_id=OFFLINE_MODEL_ID,
                model_integrity_hash="mih",
            )
            if not result.success or result.terms is None:
                continue
            made += 1
            t = result.terms
            proposed = {
                "price": t.price,
                "currency": "NLC",
                "deliverables": list(t.deliverables),
                "timeline": t.timeline,
                "conditions": list(t.conditions),
            }
            day = reference_date(p.offer, p.seek)
            if find_contradiction(proposed, p.offer, p.seek, proposed=day) is not None:
                challenged += 1
    assert made > 100
    assert challenged == 0


def test_a_rival_proposal_past_the_deadline_is_challenged_on_chain_quoting_both(sim: Sim) -> None:
    late = build_proposal(
        offer=OFFER,
        seek=SEEK,
        result=f.result(
            terms=Terms(
                price=600.0,
                deliverables=("Rust fluid-dynamics library",),
                timeline="delivered by 2027-07-01",
                conditions=(),
            )
        ),
        key=RIVAL,
        consensus=ConsensusSigner(ConsensusMode.PERMISSIONLESS),
        fee_percent=2.0,
        window_hours=72,
        now=f.NOW,
    ).entry.payload()
    sid = late["metadata"]["settlement_id"]
    assert sim.mine(late) == [sid]
    (job,) = sim.challenges()
    metadata = job.payload["metadata"]
    assert metadata["violated_constraints"] == [
        "timeline ends 2027-07-01, after the seek's stated deadline 2027-04-18"
    ]
    assert metadata["contradiction"]["proposal_term"] == "timeline: delivered by 2027-07-01"
    assert metadata["contradiction"]["intent_text"] == "Must be delivered by April 18, 2027."
    assert '"timeline: delivered by 2027-07-01"' in job.payload["content"]
    assert sim.mine(proposal(RIVAL, 600.0)) == []  # "60 days" from January: sound


_TEXT = st.text(max_size=200)


@settings(max_examples=200, deadline=None)
@given(
    offer_text=_TEXT,
    seek_text=_TEXT,
    deliverables=st.lists(_TEXT, max_size=4),
    conditions=st.lists(_TEXT, max_size=4),
    timeline=st.one_of(st.none(), _TEXT, st.integers()),
    day=st.one_of(st.none(), st.dates()),
)
def test_the_checker_never_raises_on_any_terms_or_intents(
    offer_text: str,
    seek_text: str,
    deliverables: list[str],
    conditions: list[str],
    timeline: Any,
    day: dt.date | None,
) -> None:
    offer, seek = pair(offer_text or "x", seek_text or "y")
    proposed = terms(deliverables=deliverables, conditions=conditions, timeline=timeline)
    found = find_contradiction(proposed, offer, seek, proposed=day)
    assert found is None or found.intent_ref in (offer.ref, seek.ref)
