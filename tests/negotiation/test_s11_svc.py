"""Service fit (session 11, slice "svc"): the glossary's compounds and words in context,
capitalised "IT", and the trades whose work a seek names without naming the trade. All
texts are invented."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.model import Intent
from mediator_actors.negotiation.evaluation import intent_from_json
from mediator_actors.negotiation.glossary import in_english
from mediator_actors.negotiation.offline import _phrase_match, _phrase_words, spelled_acronyms
from mediator_actors.negotiation.trades import trade_fit

# --- glossary -------------------------------------------------------------------------


def test_hyphenated_compound_is_read_whole() -> None:
    assert in_english("réparation lave-linge") == "repair washing machine"
    assert in_english("Sèche-linge en panne") == "tumble dryer en panne"


def test_english_looking_words_are_read_only_beside_their_language() -> None:
    # French beside "stockage": pallets; in English prose a designer's palettes stay.
    assert in_english("stockage palettes, entrepôt sec") == "storage pallets, warehouse dry"
    assert in_english("three colour palettes, sec per slide") == (
        "three colour palettes, sec per slide"
    )
    assert in_english("Kleinbus mit Fahrer") == "Kleinbus with driver"
    assert in_english("MIT licence, mit") == "MIT licence, mit"
    assert in_english("cuidador con coche") == "carer with car"
    assert in_english("a con artist") == "a con artist"


_ENGLISH_WORDS = [
    "plumber",
    "repair",
    "colour",
    "palettes",
    "sec",
    "mit",
    "con",
    "para",
    "fur",
    "et",
    "am",
    "on-site",
    "t-shirt",
    "kitchen",
    "design",
    "and",
    "the",
]


@given(st.lists(st.sampled_from(_ENGLISH_WORDS), min_size=1, max_size=12))
def test_english_text_is_left_as_it_is(words: list[str]) -> None:
    text = " ".join(words)
    assert in_english(text) == text


# --- capitalised IT -------------------------------------------------------------------


def test_capitalised_it_is_a_word_of_the_service() -> None:
    assert "infotech" in _phrase_words("managed IT")[0]
    assert "infotech" in _phrase_words("IT support for small firms")[0]
    assert "infotech" not in _phrase_words("fix it please")[0]
    # A phrase in capitals shouts: its "IT" is the pronoun.
    assert spelled_acronyms("NEED IT DONE TODAY") == "NEED IT DONE TODAY"


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ,.", max_size=60))
def test_phrases_without_capital_it_are_unchanged(text: str) -> None:
    assert spelled_acronyms(text) == text


def _offer(content: str) -> Intent:
    data = {"type": "offer", "author": "a", "content": content, "timestamp": "2026-01-01T09:00:00"}
    return intent_from_json(data)


def test_managed_it_fits_it_support_and_not_it_training() -> None:
    offer = _offer("Managed IT for dental practices, per seat per month.")
    assert _phrase_match("managed IT for dental practices", "managed IT", offer, None)[1] is None
    assert (
        _phrase_match("managed IT for dental practices", "garden design", offer, None)[1]
        is not None
    )


# --- trades ---------------------------------------------------------------------------

FITS = [
    ("car rental", "Car hire at Faro airport", "Landing Faro 3 June, need a small car for 5 days"),
    ("car rental", "monthly car rental", "compact car wanted for 3 months from May"),
    ("carpet cleaning", "carpet steam cleaning", "2 carpeted bedrooms, coffee stains, 30 m2"),
    ("skip hire", "skip hire Bristol", "6 yard skip for garden rubbish, one week"),
    (
        "airport transfer",
        "airport transfers to the coast",
        "we arrive on the 9pm flight, 4 of us going to our hotel in Albufeira",
    ),
    (
        "elderly care",
        "experienced carer",
        "someone to accompany my father to the shops twice a week",
    ),
    ("t-shirt printing", "screen printing, 1-4 colours", "60 shirts with the club logo"),
    ("electrical", "licensed electrician", "2 extra power points in the lounge"),
    ("tutoring", "maths tutor, all grades", "help with trig before the exam"),
]

DECLINES = [
    # same thing, other work: a car to fix, a carpet to lay, a skip to jump
    ("car rental", "Car hire at Faro airport", "my car's brakes are squeaking, 2 days"),
    ("car rental", "Car hire at Faro airport", "need a driver with a car for 3 days"),
    ("carpet cleaning", "carpet steam cleaning", "new carpet fitted in 2 rooms, 30 m2"),
    ("skip hire", "skip hire Bristol", "can we skip the waiting list? 6 yard garden"),
    ("airport transfer", "airport transfers", "we arrive 9pm, need car hire for our hotel stay"),
    ("elderly care", "experienced carer", "physio for my mother after her hip operation"),
    ("t-shirt printing", "screen printing", "60 shirts with an embroidered club logo"),
    ("tutoring", "maths tutor", "help with physics before the exam"),
    ("elderly care", "experienced carer", "someone to walk my dog while my mother is away"),
]


@pytest.mark.parametrize(("what", "offered", "seek"), FITS)
def test_trade_work_fits(what: str, offered: str, seek: str) -> None:
    assert trade_fit([offered], seek) is not None, what


@pytest.mark.parametrize(("what", "offered", "seek"), DECLINES)
def test_trade_other_work_does_not_fit(what: str, offered: str, seek: str) -> None:
    assert trade_fit([offered], seek) is None, what
