"""Session 12 (precision): stated limits that passed silently and now are read or
declined as "cannot check". Each mechanism is tested on a pair that must decline and on
the same pair without the limit (or with it met), with sentences written for this file."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.negotiation.kinds import covered_by
from mediator_actors.negotiation.reader import rough_stem
from mediator_actors.negotiation.unread import markers
from tests.negotiation.helpers import decided

# A negation in the language the post is written in is a limit like an English one.
NEGATIONS = [
    ("Fensterputzer in Graz, 60 € pro Stunde. Wir arbeiten nicht über dem zweiten Stock.",
     "Suche Fensterputzer in Graz für 3 Stunden, Budget 200 €."),
    ("Jardinier à Lyon, 30 € par heure. Je ne fais pas les arbres de plus de 6 m.",
     "Cherche jardinier à Lyon pour 4 heures, budget 150 €."),
    ("Schoonmaakster in Utrecht, €25 per uur. Geen ramen aan de buitenkant.",
     "Zoek schoonmaakster in Utrecht, 3 uur per week, max €30 per uur."),
]  # fmt: skip


@pytest.mark.parametrize(("offer_text", "seek_text"), NEGATIONS)
def test_a_negation_in_another_language_is_not_passed_over(offer_text: str, seek_text: str) -> None:
    ok, why, _ = decided(offer_text, seek_text)
    assert not ok
    assert "cannot check" in why
    # the same offer without its limiting sentence is proposed
    plain = offer_text.rsplit(". ", 1)[0] + "."
    ok, why, _ = decided(plain, seek_text)
    assert ok, why


@pytest.mark.parametrize(
    "text",
    ["non-smoking flat in Leeds", "Kein Problem, wir kommen gern", "sin problema", "a non-profit"],
)
def test_chatter_and_english_prefixes_are_no_foreign_negation(text: str) -> None:
    assert not [m for m in markers(text) if m.kind == "negation"]


def test_french_split_negation_is_one_marker() -> None:
    found = [m for m in markers("Nous ne livrons pas le dimanche.") if m.kind == "negation"]
    assert found
    assert "pas" in "Nous ne livrons pas le dimanche."[found[0].start : found[0].end]


# An excluded class covers its members; a participle of admitting excludes what precedes it.
EXCLUDED = [
    ("Community garden room for hire, Bristol, £30/hour, seats 40. No alcohol.",
     "Room needed for a birthday in Bristol, 4 hours, 30 people, we will bring prosecco "
     "and cider. Up to £150.",
     "Room needed for a birthday in Bristol, 4 hours, 30 people, we will bring juice and "
     "cake. Up to £150."),
    ("Piso en Sevilla, 70 € por noche, mascotas no permitidas.",
     "Buscamos piso en Sevilla para 3 noches, viajamos con nuestro beagle, máximo 250 €.",
     "Buscamos piso en Sevilla para 3 noches, somos dos adultos, máximo 250 €."),
    ("Holiday cottage in Kendal, £95 per night. Pets not allowed.",
     "Cottage in Kendal for 2 nights for us and our spaniel, budget £250.",
     "Cottage in Kendal for 2 nights for two adults, happy to chat first, budget £250."),
]  # fmt: skip


@pytest.mark.parametrize(("offer_text", "member", "neither"), EXCLUDED)
def test_an_excluded_class_refuses_its_members(offer_text: str, member: str, neither: str) -> None:
    ok, why, _ = decided(offer_text, member)
    assert not ok
    assert "exclusion" in why
    ok, why, _ = decided(offer_text, neither)
    assert ok, why


def test_a_class_covers_members_never_siblings_or_its_class() -> None:
    # held as the reader's stems, the form the other side's words are read in
    assert {rough_stem(w) for w in ("wine", "beer", "cider")} <= covered_by("alcohol")
    assert "labrador" in covered_by("animaux")
    assert "dog" in covered_by("pet")
    assert covered_by("wine") == {"wine"}  # "no red wine" says nothing of beer
    assert "cat" not in covered_by("dog")
    assert "chat" not in covered_by("pet")  # "happy to chat" brings no cat


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
@settings(max_examples=200, deadline=None)
def test_covered_by_always_holds_the_word_itself(word: str) -> None:
    assert word in covered_by(word)
