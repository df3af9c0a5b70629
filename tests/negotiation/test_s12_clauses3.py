"""Clauses, session 12 round 2 (slice "clauses3"): rates for each unit beyond what a price
includes written after the unit ("each additional room £60", "£30 for each hour beyond
that", "up to 50 orders, then £1.10 per order"); prices written as tiers of an amount
(tiers.py); a cap written into a price for each item; a route both ways ("<->"); a seek
that goes there and back against a price per trip (returns.py). All texts are invented."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.reader import read_facts
from mediator_actors.negotiation.returns import trips_there_and_back
from mediator_actors.negotiation.tiers import chosen_tier
from tests.negotiation.helpers import decided

# --- rates for each unit beyond what the price includes -----------------------------------


def test_an_amount_after_each_additional_unit_is_a_rate_on_top() -> None:
    facts = read_facts(
        "House painting: £900 covers up to 3 rooms, each additional room £250.", offer=True
    )
    extra = [m for m in facts.money if m.extra]
    assert [(m.low, m.per) for m in extra] == [(250.0, "room")]


def test_an_amount_with_no_extra_unit_before_it_stays_the_price() -> None:
    facts = read_facts("House painting: each room £250, minimum 3 rooms.", offer=True)
    assert not any(m.extra for m in facts.money)


def test_a_rate_for_each_unit_beyond_that_is_counted_past_the_included_amount() -> None:
    ok, why, price = decided(
        "Certified translation of German deeds: EUR 300 for up to 8 pages, EUR 35 for each "
        "page beyond that. Ready in 6 working days.",
        "Need a certified translation of a 12-page German deed. Budget EUR 480.",
    )
    assert ok, why
    assert price is not None
    assert 440 <= price <= 480


def test_the_same_rate_past_the_included_amount_refuses_a_budget_it_exceeds() -> None:
    ok, _, _ = decided(
        "Certified translation of German deeds: EUR 300 for up to 8 pages, EUR 35 for each "
        "page beyond that. Ready in 6 working days.",
        "Need a certified translation of a 12-page German deed. Budget EUR 400.",
    )
    assert not ok


def test_a_rate_after_then_is_for_each_unit_past_an_included_amount() -> None:
    facts = read_facts(
        "Payroll service: £80/month up to 10 employees, then £6 per employee.", offer=True
    )
    assert [(m.low, m.per) for m in facts.money if m.extra] == [(6.0, "person")]


def test_a_rate_after_then_with_no_included_amount_is_not_on_top() -> None:
    facts = read_facts("Deposit £50, then £6 per employee.", offer=True)
    assert not any(m.extra for m in facts.money)


# --- tiers of an amount ---------------------------------------------------------------------

_BOATS = (
    "Harbour boat hire, Split. Small boat up to 5 guests: €300 per day. "
    "Large boat up to 10 guests: €520 per day. Fuel included."
)


def test_the_seeks_amount_picks_the_tier_it_falls_in() -> None:
    offer = read_facts(_BOATS, offer=True)
    seek = read_facts("We are 8 friends, want a boat for one day in Split.", offer=False)
    chosen = chosen_tier(offer, seek, _BOATS)
    assert [m.low for m in chosen.money] == [520.0]
    assert [q.value for q in chosen.quantities if q.unit == "person"] == [10.0]


def test_beyond_every_tier_nothing_is_chosen_and_the_cap_refuses() -> None:
    offer = read_facts(_BOATS, offer=True)
    seek = read_facts("We are 14 friends, want a boat for one day in Split.", offer=False)
    assert chosen_tier(offer, seek, _BOATS) == offer


def test_a_single_cap_is_no_tier() -> None:
    text = "Harbour boat hire, Split. Boat up to 5 guests: €300 per day."
    offer = read_facts(text, offer=True)
    seek = read_facts("We are 4 friends, want a boat for one day in Split.", offer=False)
    assert chosen_tier(offer, seek, text) == offer


def test_tiers_by_count_with_a_per_unit_heading_price_each_item() -> None:
    text = "Oak fence posts, 2 m. Unit price: 1-99 units EUR 9,50 | 100 units and more EUR 8,20."
    offer = read_facts(text, offer=True)
    seek = read_facts("Wir brauchen 120 Stück Zaunpfähle, Budget € 1.100.", offer=False)
    chosen = chosen_tier(offer, seek, text)
    assert [(m.low, m.per) for m in chosen.money] == [(8.2, "item")]


def test_tiers_with_no_per_unit_heading_keep_their_prices_as_written() -> None:
    text = "Oak fence posts, 2 m. 1-99 units EUR 9,50 | 100 units and more EUR 8,20."
    offer = read_facts(text, offer=True)
    seek = read_facts("Wir brauchen 120 Stück Zaunpfähle, Budget € 1.100.", offer=False)
    chosen = chosen_tier(offer, seek, text)
    assert [(m.low, m.per) for m in chosen.money] == [(8.2, None)]


@given(st.integers(min_value=1, max_value=10))
def test_a_tier_is_chosen_only_when_the_amount_is_inside_it(people: int) -> None:
    offer = read_facts(_BOATS, offer=True)
    seek = read_facts(f"We are {people} friends, want a boat for one day.", offer=False)
    chosen = chosen_tier(offer, seek, _BOATS)
    caps = [q.value for q in chosen.quantities if q.unit == "person"]
    assert len(chosen.money) == 1
    assert min(caps) >= people


# --- a cap in a price for each item ---------------------------------------------------------


def test_a_cap_written_into_a_price_per_item_holds_for_each_item() -> None:
    _, why, _ = decided(
        "Parcel courier Lyon. €18 per parcel (max 20 kg). Same-day in the city.",
        "Need 5 parcels, ~12 kg each, couriered across Lyon today. Budget €100.",
    )
    assert "at most 20 kg" not in why


def test_a_cap_per_item_still_refuses_an_item_over_it() -> None:
    ok, why, _ = decided(
        "Parcel courier Lyon. €18 per parcel (max 20 kg). Same-day in the city.",
        "Need 5 parcels, ~25 kg each, couriered across Lyon today. Budget €100.",
    )
    assert not ok
    assert "20 kg" in why


# --- a route both ways and a trip there and back ----------------------------------------------


@given(st.sampled_from(["and back", "there and back", "both ways", "a round trip"]))
def test_a_seek_going_there_and_back_is_two_trips(words: str) -> None:
    seek = f"Need a ride to the station {words} on Friday."
    assert trips_there_and_back("trip", seek, "Taxi, €20 per trip.") == 2


def test_an_offer_that_may_price_a_return_as_one_trip_is_not_counted() -> None:
    assert trips_there_and_back("trip", "to the station and back", "€35 return trip") == 0
    assert trips_there_and_back("hour", "to the station and back", "€35 per hour") is None
    assert trips_there_and_back("trip", "to the station on Friday", "€20 per trip") is None


def test_a_two_way_route_priced_per_trip_is_proposed_for_both_trips() -> None:
    ok, why, price = decided(
        "Shuttle transfers Harbour <-> Old Town. Minibus up to 9 passengers: €40 per trip.",
        "We are 7 people arriving at the Harbour on 3 May 2027, staying in the Old Town, "
        "and need a transfer from the harbour and back to the harbour on 9 May. Budget €90.",
    )
    assert ok, why
    assert price is not None
    assert 80 <= price <= 90


def test_the_same_route_refuses_a_budget_for_one_trip_only() -> None:
    ok, _, _ = decided(
        "Shuttle transfers Harbour <-> Old Town. Minibus up to 9 passengers: €40 per trip.",
        "We are 7 people arriving at the Harbour on 3 May 2027, staying in the Old Town, "
        "and need a transfer from the harbour and back to the harbour on 9 May. Budget €60.",
    )
    assert not ok
