"""Session 12 (precision): stated limits that passed silently and now are read or
declined as "cannot check". Each mechanism is tested on a pair that must decline and on
the same pair without the limit (or with it met), with sentences written for this file."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.negotiation.clauses import _both_named
from mediator_actors.negotiation.kinds import covered_by
from mediator_actors.negotiation.langnames import only_in
from mediator_actors.negotiation.offline import _chained_days
from mediator_actors.negotiation.reader import LANGUAGES, read_facts, rough_stem
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


# A radius served, in the post's own language, against the distance the seek states.
@pytest.mark.parametrize(
    ("text", "km"),
    [
        ("Mobiele fietsenmaker binnen 15 km van Zwolle.", 15.0),
        ("Hausbesuche im Umkreis von 20 km um Graz.", 20.0),
        ("Coiffeuse à domicile à moins de 12 km du centre de Nantes.", 12.0),
        ("Fisioterapia a domicilio en un radio de 8 km.", 8.0),
        ("Dog walking within 3 miles of Bath.", 3 * 1.609),
    ],
)
def test_a_radius_is_read_in_other_languages(text: str, km: float) -> None:
    assert read_facts(text, offer=True).travel_km == pytest.approx(km)


RADIUS_OFFER = "Mobiele fietsenmaker binnen 15 km van Zwolle, €40 per reparatie aan huis."


def test_a_stated_distance_beyond_the_radius_is_never_passed() -> None:
    ok, why, _ = decided(
        RADIUS_OFFER,
        "Fiets kapot in Kampen (ongeveer 22 km van hier), reparatie aan huis, max €60.",
    )
    assert not ok
    assert "distance" in why
    ok, why, _ = decided(
        RADIUS_OFFER, "Fiets kapot, ik woon op 6 km van het centrum, reparatie aan huis, max €60."
    )
    assert ok, why


def test_a_place_of_unknown_distance_is_cannot_check() -> None:
    offer_text = "Piano tuning, I travel within 10 miles, £70 per tuning."
    ok, why, _ = decided(offer_text, "Piano tuning needed in Lowestoft, up to £90.")
    assert not ok
    assert "cannot check: distance" in why
    ok, why, _ = decided(offer_text, "Piano tuning needed, up to £90.")
    assert ok, why


# "single-storey homes only" is a height limit like "max 1 storey".
def test_a_one_storey_limit_against_the_seek_building() -> None:
    offer_text = "Roof moss removal in Exeter, £150, single-storey homes only."
    ok, why, _ = decided(
        offer_text, "Moss off the roof of our two-storey house in Exeter, £200 max."
    )
    assert not ok
    assert "floor" in why
    ok, why, _ = decided(
        offer_text, "Moss off the roof of our 1-storey bungalow in Exeter, £200 max."
    )
    assert ok, why
    facts = read_facts("Roof moss removal in Exeter, £150, single-storey homes only.", offer=True)
    assert facts.floor_max is not None
    assert facts.floor_max[:2] == (1, "storey")


# Working days and times added up ("+ 3 days delivery") against the seek's event day.
PINS = (
    "Custom enamel pins, $2.40 per pin for 100-499 pins. "
    "Production 10 working days after proof sign-off + 3 days delivery."
)


def test_working_days_plus_delivery_against_the_event_day() -> None:
    # 10 working days are 14 calendar days; with delivery, 17 days from 20 November
    ok, why, _ = decided(
        PINS,
        "Need 200 enamel pins for our craft fair on Thursday 3 December, budget $600, "
        "proof already signed off.",
    )
    assert not ok
    assert "timeline" in why
    ok, why, _ = decided(
        PINS,
        "Need 200 enamel pins for our craft fair on Thursday 17 December, budget $600, "
        "proof already signed off.",
    )
    assert ok, why


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Ready in 5 business days + 2 days courier.", 9.0),
        ("Printing 4 days, then 3 days shipping.", 7.0),
        ("Ready in 5 days. Delivery 2 days.", None),  # two sentences: nothing adds them
        ("Open 7 days a week.", None),
    ],
)
def test_chained_days(text: str, days: float | None) -> None:
    assert _chained_days(text) == (None if days is None else pytest.approx(days))


# A deposit asked in the offer's own language against a seek that pays only after.
DEPOSIT_SEEK = (
    "Photographer for a wedding in Bologna, 3 hours, max 400 €, I pay only after delivery "
    "of the photos."
)


@pytest.mark.parametrize(
    "clause", ["Per prenotare: caparra del 30%.", "Réservation : 30 % d'acompte.", "30% de señal."]
)
def test_a_deposit_in_another_language_clashes_with_paying_after(clause: str) -> None:
    offer_text = "Fotografo per matrimoni a Bologna, 120 € l'ora."
    ok, why, _ = decided(f"{offer_text} {clause}", DEPOSIT_SEEK)
    assert not ok
    assert "payment" in why
    ok, why, _ = decided(offer_text, DEPOSIT_SEEK)
    assert ok, why


def test_a_negated_deposit_is_no_deposit() -> None:
    assert read_facts("Geen aanbetaling nodig.", offer=True).payment_advance is None
    assert (
        read_facts("Sin anticipo, 48h de anticipo para reservar.", offer=True).payment_advance
        is None
    )


# "uniquement en français": a restriction to languages named in the post's own words.
def test_lessons_only_in_a_language_named_in_another_language() -> None:
    offer_text = "Cours de piano à Lyon, 30 € par heure, uniquement en français."
    ok, why, _ = decided(
        offer_text,
        "Piano lessons in Lyon for my daughter, lessons must be in English, up to 35 € per hour.",
    )
    assert not ok
    assert "languages" in why
    ok, why, _ = decided(
        offer_text, "Cours de piano à Lyon pour ma fille, en français, jusqu'à 35 € par heure."
    )
    assert ok, why


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Las clases son solo en castellano o valenciano.", {"spanish", "catalan"}),
        ("Beratung nur auf Deutsch.", {"german"}),
        ("Les cours sont en français.", set()),  # no "only": no restriction
        ("Frans geeft les in Utrecht.", set()),  # a first name, not a language
    ],
)
def test_only_in(text: str, names: set[str]) -> None:
    assert only_in(text, LANGUAGES) == names


# Two rates listed together are tiers, unless the seek names what each one names.
SEWING = "Sewing machine care: full rethread £20 per machine, new needles £5 per machine."


def test_two_rates_the_seek_both_names_are_not_tiers() -> None:
    ok, why, _ = decided(SEWING, "2 machines need new threads and needles, max £40.")
    assert not ok
    assert "whether they add up" in why
    ok, why, price = decided(SEWING, "2 machines need new needles, max £40.")
    assert ok, why
    assert price == pytest.approx(10.0)


def test_tiers_sharing_their_words_stay_tiers() -> None:
    van = frozenset({"van", "driver"})
    crew = frozenset({"van", "helper"})
    sought = frozenset({"van", "need", "helper"})
    a = read_facts("£40/hr van + driver, £60/hr van + 2 helpers.", offer=True).money
    assert len(a) == 2
    assert not _both_named(replace(a[0], context=van), replace(a[1], context=crew), sought)
