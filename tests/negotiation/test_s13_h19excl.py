"""Exclusions and limits a noticeboard post states, session 13 (slice "h19excl"): "fully
booked until DATE" is the offer's first free day, not its last; "no X or Y" excludes
each; "can't do X" and "no se admiten X" exclude X; a least order counted in another
word than the seek's cannot be checked; "solo <town>" and "abito a <town>" name places;
a shared occasion word ("birthday") or a thing the seek already has ("our existing
logo") makes no two services the same. All texts are invented."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.reader import busy_until, read_facts
from tests.negotiation.helpers import decided

REF = dt.date(2026, 11, 20)  # helpers.TS, the day the decided() intents are written
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip

# --- "booked until DATE" ------------------------------------------------------------------


@given(
    st.integers(min_value=1, max_value=28),
    st.integers(min_value=1, max_value=12),
    st.sampled_from(["Fully booked until", "Away till", "Closed until", "Busy until"]),
)
def test_busy_until_is_the_first_free_day(day: int, month: int, cue: str) -> None:
    text = f"Piano tuning, Leeds, £60. {cue} {day} {MONTHS[month - 1]}, bookings open after."
    facts = read_facts(text, offer=True, reference=REF)
    assert facts.until_date is None
    assert facts.start_date == busy_until(text, REF)
    assert facts.start_date is not None
    assert (facts.start_date.month, facts.start_date.day) == (month, day)


def test_available_until_stays_the_last_day() -> None:
    facts = read_facts("Camper van to rent, available until 14 March, £80/day.", offer=True,
                       reference=REF)  # fmt: skip
    assert facts.until_date == dt.date(2027, 3, 14)
    assert facts.start_date is None


def test_booked_until_after_the_seeks_day_declines() -> None:
    ok, why, _ = decided(
        "Chimney sweeping, Bristol, £70. Sorry, fully booked until 20 January.",
        "Need the chimney swept for a family gathering on 28 December, Bristol, up to £90.",
    )
    assert not ok
    assert "2027-01-20" in why


def test_booked_until_before_the_seeks_day_proposes() -> None:
    ok, why, price = decided(
        "Chimney sweeping, Bristol, £70. Sorry, fully booked until 20 January.",
        "Need the chimney swept for a family gathering on 6 February, Bristol, up to £90.",
    )
    assert ok, why
    assert price == 70


# --- "no X or Y", "can't do X", "no se admiten X" -----------------------------------------


@given(
    st.sampled_from(["cats", "rabbits", "parrots", "smokers", "ferrets"]),
    st.sampled_from(["dogs", "hamsters", "children", "bikes"]),
)
def test_no_x_or_y_excludes_each(first: str, second: str) -> None:
    facts = read_facts(f"Quiet flat share, Hove. No {first} or {second}.", offer=True)
    assert len(facts.exclusions) == 2
    assert all(len(stems) == 1 for stems, _ in facts.exclusions)


def test_a_state_running_on_past_or_stays_one_exclusion() -> None:
    facts = read_facts("our flat has no lighting or hot water since Tuesday", offer=False)
    assert [len(stems) for stems, _ in facts.exclusions] == [2]


def test_an_excluded_alternative_declines() -> None:
    ok, why, _ = decided(
        "Livery yard, Thirsk, £45/wk, mares and geldings only. No stallions or colts.",
        "Looking for livery near Thirsk for my 2yo colt, up to £55/wk.",
    )
    assert not ok
    assert "exclusion" in why


@pytest.mark.parametrize(
    "text",
    [
        "Wedding florist, Bath. Sorry, we can't do lily arrangements.",
        "Wedding florist, Bath. We don't do lily arrangements.",
        "Wedding florist, Bath. I cannot do lily arrangements.",
    ],
)
def test_cant_do_x_excludes_x(text: str) -> None:
    stems = [s for s, _ in read_facts(text, offer=True).exclusions]
    assert frozenset({"lily", "arrangement"}) in stems


@pytest.mark.parametrize(
    "text",
    [
        "Wedding florist, Bath. Can't wait to hear about your day!",
        "Wedding florist, Bath. Don't hesitate to ask for a quote.",
    ],
)
def test_cant_without_a_job_verb_excludes_nothing(text: str) -> None:
    assert read_facts(text, offer=True).exclusions == ()


def test_cant_do_against_a_seek_that_needs_it() -> None:
    ok, why, _ = decided(
        "Party catering, Leeds, from £200. Sorry, can't do dairy free, our kitchen uses butter.",
        "Need party catering for 30, must be dairy free (allergy), Leeds, £300.",
    )
    assert not ok
    assert "can't do dairy free" in why


@pytest.mark.parametrize(
    ("text", "stem"),
    [
        ("Piso en Valencia, 300 €/mes. No se aceptan animales.", "animal"),
        ("Stanza a Bologna, 350 €/mese. Non si accettano animali.", "animali"),
    ],
)
def test_an_admitting_verb_leaves_what_is_refused(text: str, stem: str) -> None:
    stems = [s for s, _ in read_facts(text, offer=True).exclusions]
    assert any(stem in s or "animal" in s for s in stems)
    assert not any({"aceptan", "accettano"} & s for s in stems)


def test_no_pets_in_spanish_against_a_cat() -> None:
    offer = "Alquilo habitación en Valencia (Ruzafa), 320 €/mes. No se admiten mascotas."
    ok, why, _ = decided(offer, "Busco habitación en Ruzafa hasta 350 €/mes. Tengo dos gatos.")
    assert not ok
    assert "exclusion" in why
    ok, why, price = decided(offer, "Busco habitación en Ruzafa hasta 350 €/mes. No fumo.")
    assert ok, why
    assert price == 320


# --- a least order in another word --------------------------------------------------------


def test_a_least_order_in_another_word_cannot_be_checked() -> None:
    ok, why, _ = decided(
        "Tomato seedlings £1.20 each, min order 20 plants, collection Ely.",
        "Want 5 tomato seedlings for the allotment, Ely, £10.",
    )
    assert not ok
    assert "cannot check: minimum" in why


def test_a_seek_over_the_least_order_is_not_held_by_it() -> None:
    _, why, _ = decided(
        "Tomato seedlings £1.20 each, min order 20 plants, collection Ely.",
        "Want 25 tomato seedlings for the allotment, Ely, £40.",
    )
    assert "minimum" not in why


def test_a_size_is_no_least_order() -> None:
    _, why, _ = decided(
        "Used bike tyres 700x25, tread 3-4mm, £12 each, Derby.",
        "need 2 bike tyres 700x25, Derby, £30",
    )
    assert "minimum" not in why


# --- places written in Italian, Spanish or French -----------------------------------------


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Lezioni di chitarra, 20 €/h, solo Bologna centro.", "bologna"),
        ("Cours de piano, uniquement Nantes, 25 €/h.", "nantes"),
        ("Cerco lezioni di chitarra, abito a Imola, 20 €/h.", "imola"),
        ("Busco clases de inglés, vivo en Getafe, 15 €/h.", "getafe"),
    ],
)
def test_places_in_other_languages(text: str, place: str) -> None:
    assert place in {p for p, _ in read_facts(text, offer=text.startswith(("Lez", "Cours"))).places}


def test_only_one_town_against_another_declines() -> None:
    ok, why, _ = decided(
        "Lezioni di chitarra a domicilio, 20 €/h, solo Bologna centro.",
        "Cerco lezioni di chitarra per mia figlia, abitiamo a Imola, 22 €/h.",
    )
    assert not ok
    assert "place" in why


# --- service fit: an occasion, a thing the seek already has -------------------------------


def test_a_shared_occasion_makes_no_same_service() -> None:
    # (no town: one both name is a shared word of its own, see _cosine_fits)
    ok, why, _ = decided(
        "Birthday balloon arches, from £60",
        "Need a birthday magician for my son's party, £150",
    )
    assert not ok
    assert "different services" in why


def test_the_same_thing_for_an_occasion_still_fits() -> None:
    ok, why, _ = decided(
        "Birthday balloon arches, Leeds, from £60",
        "Need a balloon arch for a birthday party, Leeds, £90",
    )
    assert ok, why


def test_a_thing_the_seek_already_has_is_not_the_service() -> None:
    ok, why, _ = decided(
        "Logo design and brand identity, Bristol, from £300",
        "need our existing logo embroidered on 40 polo shirts, Bristol, £400",
    )
    assert not ok
    assert "different services" in why
