"""The mechanisms dev8 showed letting near-misses through (issue 16, precision first): an
exclusion whose closing word ("only") no other side could name, a "minimum <noun> N"
bound the quantity lost, "before <date>" read as inclusive, an abbreviation's dot taken
as a sentence end (so "each" lost its noun), and place cues ("only", "X only") and
countries counted as read where no place reading weighs them. Each near-miss is written
for these tests, not copied from dev8, beside its compatible twin."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.negotiation.fit import check_facts, price_basis
from mediator_actors.negotiation.reader import _clause_before, read_facts, read_terms
from mediator_actors.negotiation.unread import markers
from tests.negotiation.helpers import judge

# --- an exclusion closed by "only" ----------------------------------------------------


def test_non_x_only_is_an_exclusion_of_x_alone() -> None:
    stems = {
        s
        for found, _ in read_facts(
            "Flat in Delft, €900/month, non-smokers only.", offer=True
        ).exclusions
        for s in found
    }
    assert "only" not in stems
    offer = "Flat in Delft, €900/month, non-smokers only."
    assert not judge(
        offer, "Looking for a flat in Delft up to €1000/month. I do smoke, on the balcony."
    ).compatible
    assert judge(offer, "Looking for a flat in Delft up to €1000/month, quiet tenant.").compatible


# --- "minimum <noun> N" ---------------------------------------------------------------


def test_minimum_over_a_noun_bounds_the_quantity() -> None:
    facts = read_facts(
        "Render farm. Minimum booking block 40 GPU-hours. €0.90 per GPU-hour.", offer=True
    )
    assert [q.bound for q in facts.quantities if q.value == 40] == ["at_least"]
    offer = "Render farm. Minimum booking block 40 GPU-hours. €0.90 per GPU-hour."
    assert not judge(offer, "Need 20 GPU-hours on the render farm. Budget €100.").compatible


def test_from_does_not_reach_over_words() -> None:
    # "from April for 4 months" names a start, not a least of four months
    facts = read_facts("Room wanted from April for 4 months, max €700 a month.", offer=False)
    assert [q.bound for q in facts.quantities if q.unit == "month"] == ["about"]


# --- "before <date>" ------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.dates(min_value=dt.date(2027, 3, 2), max_value=dt.date(2028, 2, 27)))
def test_before_a_date_excludes_it_and_by_keeps_it(day: dt.date) -> None:
    ref = dt.date(2027, 3, 1)
    said = f"{day.day} {day.strftime('%B')}"
    before = read_terms(f"Need the repair done before {said}.", offer=False, reference=ref)
    by = read_terms(f"Need the repair done by {said}.", offer=False, reference=ref)
    assert by.deadline == day
    assert before.deadline == day - dt.timedelta(days=1)


# --- an abbreviation's dot ------------------------------------------------------------


def test_an_abbreviation_dot_ends_no_clause() -> None:
    text = "Assembly: desks (IKEA etc.) €30 each"
    assert "desks" in _clause_before(text, text.index("€"), ".;!?\n")
    assert "desks" not in _clause_before("Desks assembled. €30 each", 17, ".;!?\n")


def test_each_takes_its_noun_past_an_abbreviation() -> None:
    # "beds (Malm etc.) €40 each" is per bed, not per any item (which would let the
    # other price's items be counted at this one)
    offer = "Flat-pack assembly: beds (Malm etc.) €40 each, small items (stools, lamps) €10 each."
    assert next(m.per for m in read_facts(offer, offer=True).money) == "bed"
    assert [m.per for m in read_facts("Beds assembled. €40 each", offer=True).money] == ["item"]


# --- cues that are no reading ---------------------------------------------------------


def test_only_beside_no_place_is_no_place_restriction() -> None:
    offer = "GPU rentals, $2/GPU-hour, settlement in BTC only."
    unread = read_terms(offer, offer=True).unread
    assert any("BTC only" in clause for clause, _ in unread)
    assert not read_terms("Dog walking €12 per walk, Utrecht only.", offer=True).unread


def test_a_banned_country_is_not_read_as_a_place() -> None:
    offer = "Van hire in Venlo, €60/day. Vans must not leave the Netherlands."
    assert not judge(
        offer,
        "Need a van for 2 days from Venlo to move a sofa to Düsseldorf in Germany. Budget €150.",
    ).compatible


# --- a service area the place reader does not know ------------------------------------


def test_a_service_area_no_place_reading_takes_is_unread() -> None:
    offer = "Window cleaning firm. We cover the Waasland region. €30/h."
    assert any("Waasland" in clause for clause, _ in read_terms(offer, offer=True).unread)
    assert not judge(
        offer, "Need window cleaning at our shop in Mechelen, budget €40 an hour."
    ).compatible
    # a place the reader takes is read; the noun "service" before a place is no area
    assert not read_terms("Window cleaning, serving Utrecht, €30/h.", offer=True).unread
    assert not read_terms("Cleaning service Rotterdam - 28 EUR/hr.", offer=True).unread


def test_a_country_ban_against_a_trip_to_a_city_is_not_passed_over() -> None:
    offer = "Car rental in Breda, €40/day. Cars may not leave the Netherlands."
    answer = judge(
        offer, "Need a rental car for 3 days from Breda, one day we drive to Antwerp. Budget €150."
    )
    assert not answer.compatible
    assert "cannot check" in (answer.refusal_reason or "")
    # no place on the other side: the ban is not in question
    assert judge(offer, "Need a rental car for 3 days from Breda. Budget €150.").compatible


# --- a flat price against a need that recurs ------------------------------------------


def test_a_session_price_is_not_the_total_of_a_weekly_need() -> None:
    offer = "Piano teacher in Haarlem. 45-minute lessons €30, at my studio or online."
    answer = judge(
        offer, "Looking for weekly 45 min piano lessons for 6 weeks, online. €200 in total."
    )
    assert not answer.compatible  # six lessons are €180; one (€30) must not be proposed
    # the same span with no cadence ("a lesson within 6 weeks") is no recurring count
    o = read_facts(offer, offer=True)
    once = read_facts("One 45 min piano lesson online within 6 weeks, €40.", offer=False)
    weekly = read_facts("Weekly 45 min piano lessons online for 6 weeks, €200.", offer=False)
    assert not price_basis(o, once, frozenset()).unchecked
    # issue 16 (counting): the weekly need is six lessons, totalled, never one
    basis = price_basis(o, weekly, frozenset())
    assert basis.unchecked is None
    assert basis.floor == 180.0
    assert basis.quantity == 6


# --- a payment term no payment reading takes ------------------------------------------


def test_a_payment_term_no_reading_takes_declines() -> None:
    offer = "Server rentals, €0.50/core-hour, settlement via bitcoin only."
    assert any(
        "bitcoin" in clause for clause, blocking in read_terms(offer, offer=True).unread if blocking
    )
    unread = read_terms(
        "Photo booth hire €300. Payment is due a week before the party.", offer=True
    ).unread
    assert any("Payment is due" in clause for clause, _ in unread)
    # a payment reading takes "paid in full before filing"; consent and services are no term
    assert not read_terms("Tax return €150, paid in full before filing.", offer=True).unread
    assert not read_terms("Need a payments integration for our shop, €2,000.", offer=False).unread
    assert not read_terms("Laptop repair, upfront payment OK, max €100.", offer=False).unread


# --- a number word with a unit --------------------------------------------------------

_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve"]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(_WORDS), st.sampled_from(["days", "weeks", "working days", "hours"]))
def test_a_number_word_with_a_unit_is_a_marker(word: str, unit: str) -> None:
    text = f"We need the finished job within {word} {unit} of this post."
    assert any(m.kind == "amount" for m in markers(text))
    assert not any(
        m.kind == "amount" for m in markers(f"We need the finished job within {word} of us.")
    )


# --- the languages each side wants out ------------------------------------------------


def test_different_target_languages_without_a_pair_are_not_passed_over() -> None:
    offer = read_facts("French subtitles for Dutch-language films, €4 per minute.", offer=True)
    wrong = read_facts(
        "We have a 10-minute French film and need Dutch subtitles. Budget €80.", offer=False
    )
    right = read_facts(
        "We have a 10-minute Dutch film and need French subtitles. Budget €80.", offer=False
    )
    found = check_facts(offer, wrong, seek_onsite_required=False)
    assert any("languages" in text for text, _ in found.unchecked) or found.refusals
    found = check_facts(offer, right, seek_onsite_required=False)
    assert not any("languages" in text for text, _ in found.unchecked)
    assert not found.refusals
