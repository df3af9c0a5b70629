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


# --- a negated spending bound, and a recurring price past what it includes ------------------

_PAYROLL = (
    "Payroll for small firms: €90/month up to 15 employees, then €4.50 per employee. "
    "We use Exact Online."
)


def test_a_recurring_price_counts_each_unit_past_what_it_includes() -> None:
    ok, why, price = decided(
        _PAYROLL,
        "Bakery chain, about 22 employees a month, we use Exact Online. "
        "We won't pay more than €130 a month for payroll.",
    )
    assert ok, why
    assert price is not None
    assert 121.5 <= price <= 130


def test_the_same_recurring_price_refuses_a_budget_below_its_total() -> None:
    ok, _, _ = decided(
        _PAYROLL,
        "Bakery chain, about 22 employees a month, we use Exact Online. "
        "We won't pay more than €110 a month for payroll.",
    )
    assert not ok


# --- percentages on top -------------------------------------------------------------------


def test_a_percentage_on_top_is_added_to_the_price_when_not_ruled_out() -> None:
    ok, why, price = decided(
        "Wedding photography, Ghent. 6 hours €1,200. Drone shots +25%.",
        "Looking for a wedding photographer in Ghent for 6 hours, with drone shots. Max €1,550.",
    )
    assert ok, why
    assert price is not None
    assert 1500 <= price <= 1550


def test_a_percentage_on_top_refuses_a_budget_it_exceeds() -> None:
    ok, _, _ = decided(
        "Wedding photography, Ghent. 6 hours €1,200. Drone shots +25%.",
        "Looking for a wedding photographer in Ghent for 6 hours, with drone shots. Max €1,300.",
    )
    assert not ok


def test_a_percentage_on_top_the_seek_rules_out_is_not_added() -> None:
    ok, why, price = decided(
        "Wedding photography, Ghent. 6 hours €1,200. Drone shots +25%.",
        "Looking for a wedding photographer in Ghent for 6 hours, no drone please. Max €1,300.",
    )
    assert ok, why
    assert price is not None
    assert 1200 <= price <= 1300


# --- whole packs against a pack size --------------------------------------------------------


def test_whole_packs_meet_a_minimum_that_is_the_pack_size() -> None:
    _, why, _ = decided(
        "Craft cider for pubs, 500 ml bottles at €2.10 a bottle, sold in crates of 20 bottles.",
        "Pub in Bruges wants 4 crates of craft cider. Spending limit €200.",
    )
    assert "minimum" not in why


def test_a_count_below_a_minimum_order_still_refuses() -> None:
    ok, why, _ = decided(
        "Craft cider for pubs, 500 ml bottles at €2.10 a bottle, minimum order 40 bottles.",
        "Pub in Bruges wants 12 bottles of craft cider. Spending limit €200.",
    )
    assert not ok
    assert "minimum" in why


def test_a_recurring_price_with_another_charge_beside_it_is_not_totalled() -> None:
    ok, _, _ = decided(
        "Payroll for small firms: €90/month up to 15 employees, then €4.50 per employee. "
        "Year-end filing +€60 per year. We use Exact Online.",
        "Bakery chain, about 22 employees a month, we use Exact Online, year-end filing too. "
        "We won't pay more than €130 a month for payroll.",
    )
    assert not ok


def test_a_percentage_for_speed_is_not_added_as_a_price_alone() -> None:
    ok, why, _ = decided(
        "Thesis editing, £9 per 1,000 words, 5-day turnaround. Rush 48h: +40%.",
        "Need my 30,000 word thesis edited, fast please. Max £500.",
    )
    assert not ok
    assert "Rush 48h" in why


def test_a_negated_bound_on_the_budget_before_it_is_read_with_it() -> None:
    from mediator_actors.negotiation.reader import read_terms

    read = read_terms(
        "Logo design wanted. My budget is up to $400, can't go over that.", offer=False
    )
    assert not read.unread
    unread = read_terms("Logo design wanted, I can't go over that.", offer=False)
    assert unread.unread


def test_a_route_starting_in_a_region_is_met_by_a_place_inside_it() -> None:
    from mediator_actors.negotiation.reader import read_terms
    from mediator_actors.negotiation.unread import answered

    (clause,) = read_terms(
        "Groupage freight Germany → Poland, weekly departures.", offer=True
    ).unread
    assert answered(clause, "Need 3 crates moved from Hamburg to Warsaw next month.")
    assert not answered(clause, "Need 3 crates moved from Vienna to Warsaw next month.")


# --- a price per block of an amount ---------------------------------------------------------

_LABELS = "Custom label printing, Porto. €80 per batch of up to 250 labels. Ready in 4 days."


def test_an_amount_is_counted_in_whole_blocks() -> None:
    from mediator_actors.negotiation.blocks import counted_blocks

    offer = read_facts(_LABELS, offer=True)
    seek = read_facts(
        "Need 600 labels printed for our jam jars in Porto. Budget €250.", offer=False
    )
    _, counted = counted_blocks(offer, seek, _LABELS)
    assert [q.value for q in counted.quantities if q.unit == "batch"] == [3.0]


def test_a_price_per_block_is_proposed_for_every_block_begun() -> None:
    ok, why, price = decided(
        _LABELS, "Need 600 labels printed for our jam jars in Porto. Budget €250."
    )
    assert ok, why
    assert price is not None
    assert 240 <= price <= 250


def test_a_price_per_block_refuses_a_budget_for_fewer_blocks() -> None:
    ok, _, _ = decided(_LABELS, "Need 600 labels printed for our jam jars in Porto. Budget €200.")
    assert not ok


def test_a_size_not_written_as_a_block_stays_a_cap() -> None:
    from mediator_actors.negotiation.blocks import counted_blocks

    text = "Custom label printing, Porto. €80 per batch, up to 250 labels. Ready in 4 days."
    offer = read_facts(text, offer=True)
    seek = read_facts(
        "Need 600 labels printed for our jam jars in Porto. Budget €250.", offer=False
    )
    assert counted_blocks(offer, seek, text) == (offer, seek)
