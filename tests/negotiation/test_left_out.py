"""Session 6 (dev6): a proposal's total accounts for every count the seek states, or the
negotiator declines with "cannot check".

Each rule is tested on a pair the guard must decline and on a near-miss one short of it
that must still be proposed, with sentences written for this file (none copied from an
evaluation set)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.negotiation.meaning import shared_similarity
from mediator_actors.negotiation.offline import assess
from mediator_actors.negotiation.reader import read_facts, read_terms
from mediator_actors.negotiation.validation import decide
from tests.negotiation.helpers import decided, offer, seek

SIM = shared_similarity()


@pytest.mark.parametrize(
    ("offer_text", "seek_text", "price"),
    [
        # the seek's need recurs over weeks the reader did not multiply in
        ("Chess coach, 30 EUR/hour, online.",
         "online chess coaching for my daughter, 1 hour each time, for 6 weeks, budget 250 EUR",
         None),
        ("Chess coach, 30 EUR/hour, online.",
         "online chess coaching for my daughter, 6 hours in total, budget 250 EUR", 180.0),
        # occasions counted by their day: the hours each, times the days
        ("Dog sitter, 12 EUR/hour, weekends, Ghent.",
         "dog sitter in Ghent on Sunday afternoons, 4 hours each, 3 Sundays. 200 EUR max.",
         144.0),
        ("Dog sitter, 12 EUR/hour, weekends, Ghent.",
         "dog sitter in Ghent on a Sunday afternoon, 4 hours. 200 EUR max.", 48.0),
    ],
)  # fmt: skip
def test_a_need_that_lasts_longer_than_one_count_is_totalled_or_declined(
    offer_text: str, seek_text: str, price: float | None
) -> None:
    aligned, why, proposed = decided(offer_text, seek_text)
    assert aligned is (price is not None), why
    assert proposed == price
    if price is None:
        assert "cannot check" in why
        assert "does not account for" in why


def test_the_offers_minimum_is_never_the_total_when_the_seek_counts_something() -> None:
    offer_text = "Party cupcakes, 2.50 EUR per cupcake, min. 12 cupcakes."
    aligned, why, _ = decided(offer_text, "Cupcakes for ~40 guests at a party. Budget 90 EUR.")
    assert not aligned
    assert "'40 guests'" in why
    # one short: no count in the seek, the offer's minimum is the least it could cost
    aligned, why, price = decided(offer_text, "Cupcakes for a party. Budget 90 EUR.")
    assert aligned, why
    assert price == 30.0


def test_a_price_for_the_offers_own_amount_totals_only_whole_multiples() -> None:
    offer_text = "Bird seed mix, bag of 10 kg = 15 EUR."
    # issue 16: 40 kg is four bags (counting.py's whole multiples), so 60 EUR
    aligned, why, price = decided(offer_text, "Need 40 kg of bird seed mix. Budget 70 EUR.")
    assert aligned, why
    assert price == 60.0
    aligned, why, _ = decided(offer_text, "Need 40 kg of bird seed mix. Budget 55 EUR.")
    assert not aligned
    # no whole number of bags: the total is still never the price of one
    aligned, why, _ = decided(offer_text, "Need 45 kg of bird seed mix. Budget 70 EUR.")
    assert not aligned
    assert "'45 kg'" in why
    # one short: the seek wants the offer's own amount
    aligned, why, price = decided(offer_text, "Need 10 kg of bird seed mix. Budget 70 EUR.")
    assert aligned, why
    assert price == 15.0


def test_a_number_read_twice_inside_a_cap_is_no_amount_of_the_offer() -> None:
    # "thirty guests" overlaps "up to a hundred and thirty": the cap, not an amount of 30
    aligned, why, price = decided(
        "Barn for parties, fits up to a hundred and thirty guests, 2,000 EUR.",
        "Barn for a party of 60 guests, 2,500 EUR.",
    )
    assert aligned, why
    assert price == 2000.0


@settings(max_examples=25, deadline=None)
@given(hours=st.integers(1, 6), weeks=st.integers(2, 9), rate=st.integers(10, 60))
def test_property_an_hours_each_for_n_weeks_request_never_proposes_one_session(
    hours: int, weeks: int, rate: int
) -> None:
    aligned, why, price = decided(
        f"Guitar teacher, {rate} EUR/hour, online.",
        f"online guitar lessons, {hours} hours each, for {weeks} weeks. Budget 5000 EUR.",
    )
    # whatever the reader makes of it, it never proposes less than the whole request
    assert not aligned or (price is not None and price >= rate * hours * weeks), why


# --- another of the offer's prices the seek names -----------------------------------------


def test_a_second_priced_item_the_seek_names_is_never_left_out() -> None:
    offer_text = "Piano tuning 90 EUR, string replacement 25 EUR per string. Leuven area."
    aligned, why, _ = decided(
        offer_text, "Piano tuning in Leuven, and one broken string replaced, max 150 EUR."
    )
    assert not aligned
    assert "cannot check" in why
    assert "'25 EUR per string'" in why
    # one short: only the tuning is wanted
    aligned, why, price = decided(offer_text, "Piano tuning in Leuven, max 150 EUR.")
    assert aligned, why
    assert price == 90.0


# --- readings: number words, rates per an unlisted unit, specs, minimums per period ------


@settings(max_examples=40, deadline=None)
@given(
    head=st.sampled_from([("two", 2), ("three", 3), ("five", 5), ("twelve", 12)]),
    scale=st.sampled_from([("hundred", 100), ("thousand", 1000)]),
    noun=st.sampled_from(["eggs", "flyers", "stickers", "bottles"]),
    adjective=st.sampled_from(["", "organic ", "glossy "]),
)
def test_property_a_scaled_word_number_counts_in_full(
    head: tuple[str, int], scale: tuple[str, int], noun: str, adjective: str
) -> None:
    text = f"We need {head[0]} {scale[0]} {adjective}{noun} a week."
    values = [q.value for q in read_facts(text, offer=False).quantities]
    assert float(head[1] * scale[1]) in values, values
    assert float(head[1]) not in values, values


@pytest.mark.parametrize(
    ("text", "per"),
    [
        ("Resin printing, €0.25/ml.", "ml"),
        ("Miel de fleurs, 12 € le pot.", "pot"),
        ("Clases de guitarra, 20 € la hora.", "hour"),
        # one short: a bare total stays a total
        ("Resin printing, €25 for the lot.", None),
    ],
)
def test_a_price_per_a_short_or_foreign_unit_is_a_rate(text: str, per: str | None) -> None:
    money = read_facts(text, offer=True).money
    assert [m.per for m in money] == [per]


def test_a_rate_per_millilitre_is_never_proposed_as_the_total() -> None:
    aligned, why, _ = decided(
        "Resin 3D printing, fine detail, €0.25/ml.", "need a resin figurine printed, budget 60 EUR"
    )
    assert not aligned
    assert "cannot check" in why


@pytest.mark.parametrize(
    ("seek_text", "aligned"),
    [
        ("Letterpress wedding invitations, 100 pieces, at least 350gsm card. Budget 300 EUR.",
         False),
        ("Letterpress wedding invitations, 100 pieces, at least 300gsm card. Budget 300 EUR.",
         True),
    ],
)  # fmt: skip
def test_a_paper_weight_is_a_specification(seek_text: str, aligned: bool) -> None:
    ok, why, _ = decided(
        "Letterpress wedding invitations, 320gsm cotton, 100 pieces for 250 EUR.",
        seek_text,
    )
    assert ok is aligned, why
    if not aligned:
        assert "specification" in why


@pytest.mark.parametrize(
    ("seek_text", "aligned"),
    [
        ("Our bakery uses about 400 kg a week. Up to 400 EUR/week.",
         False),
        ("Our bakery uses about 600 kg a week. Up to 400 EUR/week.",
         True),
    ],
)  # fmt: skip
def test_a_weekly_minimum_holds_against_a_weekly_amount(seek_text: str, aligned: bool) -> None:
    ok, why, _ = decided(
        "Wholesale bread flour, 0.55 EUR per kg. Minimum order 500 kg per week.", seek_text
    )
    assert ok is aligned, why
    if not aligned:
        assert "minimum" in why


# --- counts of accented nouns, currency codes inside words ---------------------------------


def test_an_accented_noun_is_counted_and_a_code_inside_a_word_is_no_currency() -> None:
    facts = read_facts("il me faut 6 bûches de hêtre, à environ 15 km, 90 € max.", offer=False)
    assert [(q.value, q.unit) for q in facts.quantities if q.unit == "bûche"] == [(6.0, "bûche")]
    # "environ 15": the "ron" is no Romanian leu
    assert [m.currency for m in facts.money] == ["EUR"]


def test_a_price_per_an_accented_unit_is_multiplied_by_the_seeks_count() -> None:
    offer_text = "Bûches de hêtre sèches, 12 € la bûche, livraison à Namur."
    aligned, why, price = decided(offer_text, "il me faut 6 bûches de hêtre à Namur, 90 € max.")
    assert aligned, why
    assert price == 72.0
    # one short of the budget
    aligned, why, _ = decided(offer_text, "il me faut 6 bûches de hêtre à Namur, 70 € max.")
    assert not aligned, why


# --- payment in instalments against the whole fee first ------------------------------------


@pytest.mark.parametrize(
    ("offer_text", "aligned"),
    [
        ("Notary services: property deed 900 EUR, paid in full before signing.", False),
        ("Notary services: property deed 900 EUR, full payment up front.", False),
        # one short: a deposit first leaves the rest to be spread
        ("Notary services: property deed 900 EUR, 30% deposit.", True),
    ],
)
def test_instalments_never_meet_the_whole_fee_first(offer_text: str, aligned: bool) -> None:
    ok, why, _ = decided(
        offer_text,
        "Need a notary for a property deed, up to 1,000 EUR, paid in 4 monthly instalments.",
    )
    assert ok is aligned, why
    if not aligned:
        assert "payment terms" in why


# --- a delivery counted from the start; a thing to be ready on a day ---------------------


@pytest.mark.parametrize(
    ("offer_text", "aligned"),
    [
        ("Website builds, fixed price 3,000 EUR, delivery 8 weeks after kickoff.", False),
        # one short: four weeks after kickoff is before the day
        ("Website builds, fixed price 3,000 EUR, delivery 4 weeks after kickoff.", True),
    ],
)
def test_a_delivery_after_kickoff_is_held_to_the_day_the_seek_needs_it_ready(
    offer_text: str, aligned: bool
) -> None:
    o = replace(offer(offer_text), timestamp="2027-03-01T10:00:00")
    s = replace(
        seek("Need a website ready for our launch event on 20 April 2027. Budget 3,500 EUR."),
        timestamp="2027-03-01T12:00:00",
    )
    result = decide(
        assess(o, s, similarity=SIM), o, s, min_confidence=60, model_id="offline",
        model_integrity_hash="h",
    )  # fmt: skip
    assert result.success is aligned, result.failure_reason or result.reasoning
    if not aligned:
        assert "timeline" in (result.failure_reason or "")


# --- a thing that must stay inside a place ------------------------------------------------


def test_a_thing_confined_to_a_country_declines_a_trip_to_places_it_cannot_locate() -> None:
    offer_text = "Camper hire, 90 EUR/day. Campers may not be driven outside Portugal."
    aligned, why, _ = decided(offer_text, "Need a camper for 4 days, Lisbon to Seville. 400 EUR.")
    assert not aligned
    assert "cannot check: place" in why
    # one short: the trip stays in the country the offer names
    aligned, why, price = decided(offer_text, "Need a camper for 4 days around Portugal. 400 EUR.")
    assert aligned, why
    assert price == 360.0
    # and the confinement is never read as the country excluded
    assert read_facts(offer_text, offer=True).places_excluded == ()


def test_a_second_flat_priced_item_the_seek_names_is_added_once() -> None:
    offer_text = "Bike workshop Ghent: tune-up 50 EUR, brake bleed 30 EUR."
    aligned, why, price = decided(
        offer_text, "Tune-up for my bike in Ghent, and a brake bleed, max 90 EUR."
    )
    assert aligned, why
    assert price == 80.0
    # one short of the sum: never proposed at one item's price alone
    aligned, why, _ = decided(
        offer_text, "Tune-up for my bike in Ghent, and a brake bleed, max 79 EUR."
    )
    assert not aligned, why


# --- a deadline written day first, with no year -------------------------------------------

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    day=st.integers(1, 28),
    month=st.integers(1, 12),
    ordinal=st.booleans(),
    of=st.booleans(),
    ref=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 12, 31)),
)
def test_property_by_day_month_without_a_year_is_the_next_such_day(
    day: int, month: int, ordinal: bool, of: bool, ref: dt.date
) -> None:
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
    written = f"{day}{suffix if ordinal else ''} {'of ' if of else ''}{MONTHS[month - 1]}"
    terms = read_terms(f"Need it done by {written}. Budget 300 EUR.", offer=False, reference=ref)
    assert terms.deadline is not None
    assert (terms.deadline.month, terms.deadline.day) == (month, day)
    assert ref <= terms.deadline < ref.replace(year=ref.year + 1) + dt.timedelta(days=1)


def test_a_count_of_people_after_by_is_no_deadline() -> None:
    assert read_terms("Shared by 3 people, budget 300 EUR.", offer=False).deadline is None


# --- portions per person, blocks of minutes that recur, an offer's lead time --------------


@pytest.mark.parametrize(
    ("seek_text", "price"),
    [
        ("Tart for about 12 people, budget 60 EUR.", 54.0),
        # one short: 12 portions cost more than 50
        ("Tart for about 12 people, budget 50 EUR.", None),
    ],
)
def test_a_price_per_portion_counts_the_people(seek_text: str, price: float | None) -> None:
    aligned, why, proposed = decided("Fruit tarts, 4.50 EUR per serving.", seek_text)
    assert aligned is (price is not None), why
    assert proposed == price


@pytest.mark.parametrize(
    ("seek_text", "price"),
    [
        ("swimming lessons for my son, 45 min weekly, for 8 weeks, 200 EUR max", 160.0),
        # one short of the eight weeks' total
        ("swimming lessons for my son, 45 min weekly, for 8 weeks, 159 EUR max", None),
    ],
)
def test_blocks_of_minutes_that_recur_are_multiplied_by_the_occasions(
    seek_text: str, price: float | None
) -> None:
    aligned, why, proposed = decided("Swimming lessons for kids, 20 EUR per 45 min.", seek_text)
    assert aligned is (price is not None), why
    assert proposed == price


@pytest.mark.parametrize(
    ("seek_text", "aligned"),
    [
        ("Need a cake for a party in 2 weeks, 80 EUR.", False),
        # one short: a month leaves the three weeks' notice
        ("Need a cake for a party in 4 weeks, 80 EUR.", True),
    ],
)
def test_an_offers_notice_is_the_least_time_it_needs(seek_text: str, aligned: bool) -> None:
    ok, why, _ = decided("Party cakes, 60 EUR. Orders need at least 3 weeks' notice.", seek_text)
    assert ok is aligned, why
    if not aligned:
        assert "timeline" in why


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 12), unit=st.sampled_from(["day", "week"]), form=st.integers(0, 2))
def test_property_a_lead_time_is_read_in_days(n: int, unit: str, form: int) -> None:
    plural = unit + ("s" if n != 1 else "")
    written = [
        f"Orders need at least {n} {plural}' notice.",
        f"Please order at least {n} {plural} ahead.",
        f"Minimum {n} {plural} notice.",
    ][form]
    terms = read_terms(f"Party cakes, 60 EUR. {written}", offer=True)
    assert terms.duration_days == n * {"day": 1, "week": 7}[unit]


# --- an amount for each occasion ----------------------------------------------------------


@pytest.mark.parametrize(
    ("seek_text", "price"),
    [
        ("dog walker in Ghent on Sundays, 2 hours each, 3 Sundays in June. 80 EUR max.", 72.0),
        # one short: the three Sundays cost 72
        ("dog walker in Ghent on Sundays, 2 hours each, 3 Sundays in June. 71 EUR max.", None),
        ("dog walker in Ghent, 3x a week for 2 weeks, 1 hour each. 120 EUR max.", 72.0),
        ("dog walker in Ghent, 3x a week for 2 weeks, 1 hour each. 71 EUR max.", None),
    ],
)
def test_an_amount_for_each_occasion_is_multiplied_by_the_occasions(
    seek_text: str, price: float | None
) -> None:
    aligned, why, proposed = decided("Dog walker, 12 EUR/hour, Ghent, weekends too.", seek_text)
    assert aligned is (price is not None), why
    assert proposed == price


@settings(max_examples=30, deadline=None)
@given(k=st.integers(2, 6), period=st.sampled_from(["week", "month"]))
def test_property_k_x_a_period_is_a_recurrence(k: int, period: str) -> None:
    facts = read_facts(f"help needed {k}x a {period}, budget 100 EUR", offer=False)
    assert facts.recurrence is not None
    assert facts.recurrence[:2] == (float(k), period)
