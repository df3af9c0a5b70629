"""Ages, session 12 (slice "ages"): one reader of ages (the term reader), one comparison
(fit); a young child's age written in months or weeks is read in whole years, a toddler
or baby of unstated age cannot be checked against an age limit, and "kids N and up" is a
minimum age. The seats and the cap on people are held to the party by one function. All
texts are invented."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.fit import age_clause_met
from mediator_actors.negotiation.reader import clause_min_age, own_age, read_facts
from tests.negotiation.helpers import decided, party_findings

# --- an age in months or weeks ------------------------------------------------------------


@given(st.integers(min_value=1, max_value=47), st.sampled_from([" ", "-"]))
def test_an_age_in_months_is_read_in_whole_years(months: int, sep: str) -> None:
    text = f"Weekend nanny wanted for our {months}{sep}month{sep}old, Hove, £15/hour."
    assert read_facts(text, offer=False).age == months // 12


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Need a sitter for my 10-week-old on Thursday, 4 hours.", 0),
        ("Swim class for our 30 month old daughter, Tuesdays.", 2),
        ("Music class for my 5 year old, Saturdays.", 5),
    ],
)
def test_ages_in_weeks_months_and_years(text: str, age: int) -> None:
    assert read_facts(text, offer=False).age == age


# --- a young child whose age is not stated ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Sitter needed for our toddler, Friday 6-10pm, £12/hour.",
        "Sitter needed for a toddler and a newborn, Friday 6-10pm, £12/hour.",
        "Sitter needed for my baby, Friday 6-10pm, £12/hour.",
    ],
)
def test_a_toddler_or_baby_is_a_child_of_unstated_age(text: str) -> None:
    facts = read_facts(text, offer=False)
    assert facts.child
    assert facts.age is None


def test_a_baby_grand_is_no_child() -> None:
    assert not read_facts("Need our baby grand tuned before June, £120.", offer=False).child


# --- a minimum age an offer states --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "least"),
    [
        ("Trampoline park sessions, kids 5 and up, €9 each.", 5),
        ("Pottery club for children 7 & up, €12 per class.", 7),
        ("Scooter hire, min. age: 18, €25/day.", 18),
        ("Boat hire, renters 21 years old or over, €90/day.", 21),
    ],
)
def test_minimum_ages_an_offer_writes(text: str, least: int) -> None:
    assert read_facts(text, offer=True).min_age == least


def test_and_up_after_a_count_of_things_is_no_age() -> None:
    assert read_facts("Bulk prints, 10 and up, €0.20 each.", offer=True).min_age is None


@pytest.mark.parametrize(
    ("clause", "least"),
    [
        ("Renters must be 22+", 22),
        ("min. age: 19", 19),
        ("Hirers must be at least 24", 24),
        ("Drivers 26 years old or over", 26),
        ("Drivers must be 22+ with 3 years of driving", None),
        ("age 30", None),
    ],
)
def test_a_clause_of_a_minimum_age_alone(clause: str, least: int | None) -> None:
    assert clause_min_age(clause) == least


@given(st.integers(min_value=18, max_value=30), st.integers(min_value=16, max_value=80))
def test_a_writers_own_age_meets_a_clause_when_at_least_it(least: int, age: int) -> None:
    seek = f"Looking for a scooter for three days in Faro. I am {age} years old."
    assert age_clause_met(f"Renters must be {least}+", seek) is (age >= least)


@pytest.mark.parametrize(
    "seek",
    [
        "Scooter for a week, I'm 33 and my girlfriend will ride too.",
        "Scooter for a week for us, I'm 33.",
        "Scooter for a week. I'm 33, the second rider is 19 years old.",
    ],
)
def test_an_age_that_answers_for_the_writer_only_is_not_enough(seek: str) -> None:
    assert own_age("Scooter for a week, I'm 33.") == 33
    assert not age_clause_met("Renters must be 21+", seek)


# --- seats and a cap on people: one function ----------------------------------------------


def test_a_party_in_words_above_a_cap_on_people_is_refused() -> None:
    found = party_findings(
        "Garden cabin in Ayr, max occupancy 2 persons, £70/night.",
        "Cabin for me, my sister and her husband, two nights, £150.",
    )
    assert found.refusals == [
        "limit: the offer takes at most 2 people ('2 persons'), the seek's party is 3"
    ]


def test_a_counted_party_within_seats_is_checked() -> None:
    found = party_findings(
        "33-seat minibus with driver, £2 per mile.",
        "Minibus for 28 people to a wedding in Perth, 60 miles.",
    )
    assert not found.refusals
    assert found.checked == ["a party of 28 within '33-seat'"]


def test_an_uncounted_party_against_seats_cannot_be_checked() -> None:
    found = party_findings(
        "33-seat minibus with driver, £2 per mile.",
        "Minibus for 30 pupils and their teachers to the coast, 60 miles.",
    )
    assert not found.refusals
    assert not found.checked
    assert found.unchecked[0][0].startswith("cannot check: the offer has 33 seats ('33-seat')")


# --- a least age said as a negation ("no under-16s") ---------------------------------------


@pytest.mark.parametrize(
    "text", ["Bunk rooms in Graz, no under-16s, €30.", "Lake cabin, no kids under 16, €80."]
)
def test_no_under_n_is_a_least_age_not_a_most(text: str) -> None:
    facts = read_facts(text, offer=True)
    assert (facts.min_age, facts.max_age) == (16, None)


def test_under_n_alone_is_still_a_most_age() -> None:
    facts = read_facts("Tennis camp for under-14s, €60 a day.", offer=True)
    assert (facts.min_age, facts.max_age) == (None, 13)


# --- "N+" as an age ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Printed mugs, €6 each, 25+ mugs €5 each.",
        "Cleaning teams for 4+ rooms, €30 per room.",
        "Rates drop for 3+ nights: 10% off.",
        "Hardwood repairs, floors laid 5+ years ago.",
    ],
)
def test_n_plus_before_a_thing_counted_is_no_age(text: str) -> None:
    assert read_facts(text, offer=True).min_age is None


@pytest.mark.parametrize(
    ("text", "least"),
    [
        ("Quad bikes, €50/hour, riders 16+.", 16),
        ("Quad bikes, €50/hour, riders 16+ with a helmet.", 16),
        ("Wine tasting (21+), €35 a head.", 21),
    ],
)
def test_n_plus_after_who_it_is_for_is_an_age(text: str, least: int) -> None:
    assert read_facts(text, offer=True).min_age == least


# --- the decisions ------------------------------------------------------------------------

_SITTER = "Evening babysitting in Leith, £11/hour. Children 4 and up only."
_CHESS = "Chess club for children under 11, €10 per session."
_BIKES = "Motorbike rental in Split, €40/day, renters 24+."


@pytest.mark.parametrize(
    ("offer_text", "seek_text", "why"),
    [
        (
            _SITTER,
            "Sitter needed Saturday 7-11pm in Leith for our 9 month old. £14/hour max.",
            "age: the offer requires 4+, the seek states under 1 year",
        ),
        (
            _SITTER,
            "Sitter needed Saturday 7-11pm in Leith for our toddler. £14/hour max.",
            "cannot check: age: the offer is for ages 4 and over",
        ),
        (
            _CHESS,
            "Chess club sessions for my daughter, €12 per session.",
            "cannot check: age: the offer is for ages up to 10",
        ),
        (
            _BIKES,
            "Motorbike rental in Split for 3 days, up to €150.",
            "cannot check: age: the offer requires 24+, the seek states no age",
        ),
    ],
)
def test_an_age_outside_or_unknown_declines(offer_text: str, seek_text: str, why: str) -> None:
    ok, reason, _ = decided(offer_text, seek_text)
    assert not ok
    assert why in reason


@pytest.mark.parametrize(
    ("offer_text", "seek_text", "price"),
    [
        (
            "Toddler music sessions in Kemptown, children aged 1 and over, £8 per session.",
            "Music sessions in Kemptown for our 20-month-old, up to £10 per session.",
            8,
        ),
        (_CHESS, "Chess club sessions for my 8-year-old daughter, €12 per session.", 10),
        (_BIKES, "Motorbike rental in Split for 3 days, I'm 29, up to €150.", 120),
        (
            "Evening cocktail class in Split, adults only, €45 per person.",
            "Cocktail class in Split for one person, up to €50.",
            45,
        ),
    ],
)
def test_an_age_within_is_proposed(offer_text: str, seek_text: str, price: float) -> None:
    ok, reason, proposed = decided(offer_text, seek_text)
    assert ok, reason
    assert proposed == price
