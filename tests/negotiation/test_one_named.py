"""Issue 16: a seek that names one of the offer's unit without writing the number 1 ("our
roof", "one full truckload", "my car") counts as one of it, and only then: never beside a
duration or a count the rate could be per, a plural of the unit, or an offer's minimum
above one. Sentences written for this file (none copied from an evaluation set)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.negotiation.counting import listed_kinds, one_named, singly_named
from mediator_actors.negotiation.reader import read_facts
from tests.negotiation.helpers import decided


@pytest.mark.parametrize(
    ("text", "unit", "named"),
    [
        ("want our roof looked at", "roof", "our roof"),
        ("Need one full truckload moved north", "truck", "one full truckload"),
        ("a piano moved to the top floor", "piano", "a piano"),
        ("My Car needs a valet", "car", "My Car"),
        ("the flat needs a deep clean; the flat is empty", "flat", "the flat"),
    ],
)
def test_a_singular_noun_after_a_determiner_is_named_once(text: str, unit: str, named: str) -> None:
    span = singly_named(text, unit)
    assert span is not None
    assert span.text == named
    assert text[span.start : span.end] == named


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("my car and the other cars", "car"),  # a plural anywhere
        ("the main roof and the garage roof", "roof"),  # two roofs, named differently
        ("another roof next door too", "roof"),  # one more
        ("each car in the yard", "car"),
        ("a 3 bed flat", "flat"),  # a number between: no flat after the article
        ("roof inspection wanted", "roof"),  # no determiner
        ("the one I want", "one"),  # no noun at all
        ("the price per roof for our roof", "roof"),
        ("two piano lessons", "piano"),
    ],
)
def test_no_single_unit_is_named(text: str, unit: str) -> None:
    assert singly_named(text, unit) is None


_DETERMINERS = st.sampled_from(["my", "our", "the", "a", "one", "their"])
_MODIFIERS = st.lists(st.sampled_from(["old", "big", "blue", "family", "full"]), max_size=3)
_NOUNS = st.sampled_from(["roof", "car", "piano", "flat", "tree", "boiler"])


@settings(max_examples=200, deadline=None)
@given(det=_DETERMINERS, mods=_MODIFIERS, noun=_NOUNS, lead=st.sampled_from(["", "hi, need "]))
def test_property_one_singular_phrase_is_one(
    det: str, mods: list[str], noun: str, lead: str
) -> None:
    text = f"{lead}{det} {' '.join([*mods, noun])} sorted soon"
    span = singly_named(text, noun)
    assert span is not None
    assert span.text.lower().endswith(noun)
    # the same phrase beside the noun's plural, or a count before it, is never one
    assert singly_named(f"{text}, and the other {noun}s", noun) is None
    assert singly_named(f"{text}, plus two {noun}", noun) is None
    # the reading never raises on any text, and quotes the text it read
    facts = read_facts(f"{text}. Budget 300 EUR.", offer=False)
    got = one_named(read_facts("x", offer=True), facts, f"{text}. Budget 300 EUR.", noun)
    assert got is None or got.value == 1.0


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=80), unit=_NOUNS)
def test_property_singly_named_quotes_its_text(text: str, unit: str) -> None:
    span = singly_named(text, unit)
    assert span is None or text[span.start : span.end] == span.text


@pytest.mark.parametrize(
    ("offer_text", "seek_text", "price"),
    [
        ("Pressure washing of roofs and moss removal, 240 EUR per roof, Ghent area.",
         "Hi, want our roof cleaned of moss (Ghent). Up to 300 EUR.", 240.0),
        ("Full truck load haulage Lyon to Porto, 1.600 EUR per truck, 3 days transit.",
         "Need one full truckload from Lyon to Porto, delivered within 5 days, budget 1.900 EUR.",
         1600.0),
        ("Piano moving in Leeds, £180 per piano, fully insured.",
         "Looking to have a piano moved across Leeds, can pay £200.", 180.0),
    ],
)  # fmt: skip
def test_a_seek_naming_one_unit_is_priced_for_one(
    offer_text: str, seek_text: str, price: float
) -> None:
    ok, why, got = decided(offer_text, seek_text)
    assert ok, why
    assert got == pytest.approx(price)


@pytest.mark.parametrize(
    ("offer_text", "seek_text"),
    [
        # one over budget is still one: declined on price
        ("Piano moving in Leeds, £180 per piano, fully insured.",
         "Looking to have a piano moved across Leeds, can pay £150."),
        # a duration the rate could be per
        ("Car valeting, £60 per car, Bristol.",
         "Need my car valeted, about 3 hours of work, Bristol, £100 max."),
        # a count of other things the rate could be per
        ("Full truck load haulage Lyon to Porto, 1.600 EUR per truck, 3 days transit.",
         "Need one full truckload from Lyon to Porto, about 26 pallets, budget 1.900 EUR."),
        # a duration beside a load
        ("Full truck load haulage Lyon to Porto, 1.600 EUR per truck, 3 days transit.",
         "Need one full truckload from Lyon to Porto for 2 days, budget 1.900 EUR."),
        # the unit in the plural elsewhere in the seek
        ("Car valeting, £60 per car, Bristol.",
         "Need my car valeted, maybe the other cars later, Bristol, £100 max."),
        # the offer's least order is more than one
        ("Tree felling, £200 per tree, minimum 3 trees, Surrey.",
         "Need the tree in our garden felled, Surrey, £500 budget."),
        # a load in the plural elsewhere
        ("Full truck load haulage Lyon to Porto, 1.600 EUR per truck, 3 days transit.",
         "Need one full truckload from Lyon to Porto, maybe more trucks later, budget 1.900 EUR."),
        # a recurring need
        ("Car valeting, £60 per car, Bristol.",
         "Need my car valeted every week, Bristol, £100 max."),
    ],
)  # fmt: skip
def test_a_single_unit_beside_another_count_is_not_proposed_as_one(
    offer_text: str, seek_text: str
) -> None:
    ok, why, _ = decided(offer_text, seek_text)
    assert not ok, why


def test_kinds_listed_in_brackets_after_the_units_plural() -> None:
    offer = (
        "Notary copies of official papers (passports, driving licences, deeds). 30 EUR per paper."
    )
    assert listed_kinds(offer, "paper") == {"passport", "licence", "deed"}
    # the singular in front of the brackets lists no kinds of the unit
    assert listed_kinds("One paper (A4, printed). 30 EUR per paper.", "paper") == frozenset()


@pytest.mark.parametrize(
    ("seek_text", "aligned"),
    [
        ("Need my old passport copied and certified. Budget 40 EUR.", True),
        # two kinds named: two papers
        ("Need my passport and the deed to our house certified. Budget 40 EUR.", False),
        # a kind the offer does not list is no paper the reader can count
        ("Need my diploma certified. Budget 40 EUR.", False),
    ],
)
def test_a_kind_the_offer_lists_is_one_of_its_unit(seek_text: str, aligned: bool) -> None:
    ok, why, got = decided(
        "Notary copies of official papers (passports, driving licences, deeds). 30 EUR per paper.",
        seek_text,
    )
    assert ok is aligned, why
    if aligned:
        assert got == pytest.approx(30.0)
