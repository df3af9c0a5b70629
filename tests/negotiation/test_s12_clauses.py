"""Session 12 (clauses): places at different levels from a small gazetteer (a city in its
country, a district in its city), a seek that comes to the offer's place, conditions and
histories that are no exclusions, an add-on priced in the opening sentence. Invented
texts only; hypothesis properties for the new readers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.clauses import optional_extra
from mediator_actors.negotiation.reader import read_facts
from mediator_actors.negotiation.regions import (
    GAZETTEER,
    hand_over_met,
    inside,
    region_members,
    seek_comes,
)
from tests.negotiation.helpers import decided

# --- the gazetteer: a city in its country, a district in its city -----------------------


def test_a_city_lies_in_the_country_the_offer_names() -> None:
    got = inside(
        ["spain"], "Olive oil shipped anywhere in Spain.", ["sevilla"], "our bar in Sevilla"
    )
    assert got is not None
    assert "Sevilla" in got


def test_a_district_lies_in_its_city_and_in_its_country() -> None:
    assert (
        inside(["zürich"], "Tutoring in Zürich.", ["oerlikon"], "we live in Oerlikon") is not None
    )
    got = inside(["switzerland"], "Anywhere in Switzerland.", ["oerlikon"], "I am in Oerlikon")
    assert got is not None


def test_a_region_the_offer_writes_with_a_qualifier_is_found_in_its_text() -> None:
    # the reader keeps "washington" of "Washington DC"; the table's key is the written name
    got = inside(
        ["washington"], "Window cleaning, Washington DC.", ["georgetown"], "a flat in Georgetown"
    )
    assert got is not None


def test_the_wider_place_on_the_seek_side_is_not_inside_the_offer() -> None:
    # an offer in one city does not serve a seek anywhere in its country
    assert inside(["lyon"], "Piano lessons in Lyon.", ["france"], "anywhere in France") is None
    assert inside(["gent"], "Dog sitting in Gent.", ["belgium"], "we're in Belgium") is None


def test_an_unknown_place_stays_unknown() -> None:
    assert inside(["portugal"], "Shipping in Portugal.", ["zorbvale"], "I'm in Zorbvale") is None
    assert region_members("atlantis") == frozenset()


def test_a_city_name_written_as_a_common_word_is_no_place() -> None:
    # "porto" in an Italian sentence, "nice" as a word: only a capitalised name counts
    assert inside(["portugal"], "Delivery in Portugal.", ["x"], "un porto sicuro") is None
    assert inside(["france"], "We ship in France.", ["x"], "that would be nice") is None


def test_a_city_of_another_country_is_not_inside() -> None:
    assert inside(["austria"], "Rentals in Austria.", ["madrid"], "a hotel in Madrid") is None


_PAIRS = sorted(
    (region, member)
    for region, members in GAZETTEER.items()
    for member in members
    if member not in GAZETTEER and " " not in region and member[:1].isalpha()
)


@given(st.sampled_from(_PAIRS))
def test_every_member_lies_in_its_region_and_never_the_other_way(pair: tuple[str, str]) -> None:
    region, member = pair
    name = member.title()
    assert inside([region], f"Work in {region.title()}.", [member], f"we are in {name}")
    assert inside([member], f"Work in {name}.", [region], f"in {region.title()}") is None


# --- the seek comes to the offer's place -------------------------------------------------


def test_a_seek_that_collects_meets_a_pickup_only_offer() -> None:
    offer = "Honey jars, pickup only at our farm gate in Elmsworth."
    assert seek_comes(offer, "Cafe in Brookdale wants 20 jars; we'll pick up Friday.")
    assert hand_over_met("Pickup only at our farm gate", "I can collect on Saturday")


def test_a_seek_that_wants_delivery_does_not_come() -> None:
    offer = "Honey jars, pickup only at our farm gate in Elmsworth."
    assert seek_comes(offer, "Please deliver 20 jars to our cafe in Brookdale.") is None
    assert not hand_over_met("Pickup only at our farm gate", "Deliver to my door please")
    # an offer that comes to the customer is no place the seek travels to
    assert seek_comes("Mobile bike repair, I come to you.", "I can drop it off") is None


def test_a_pickup_clause_met_by_the_seek_lets_a_deal_through() -> None:
    offer = "Firewood logs £70 per bulk bag. Collection only from the yard at Thornbury."
    ok, why, price = decided(
        offer, "Need 2 bulk bags of firewood logs, we're in Alveston, can collect. Max £150."
    )
    assert ok, why
    assert price == 140
    ok, why, _ = decided(
        offer, "Need 2 bulk bags of firewood logs delivered to Alveston. Max £150."
    )
    assert not ok


# --- conditions and histories are no exclusions -----------------------------------------


def test_a_condition_is_not_an_exclusion() -> None:
    facts = read_facts("Marquee hire £200, lighting rig +£40 if no mains nearby.", offer=True)
    assert not facts.exclusions
    facts = read_facts("Hedge trimming £60, +£15 when there is no parking.", offer=True)
    assert not facts.exclusions


def test_a_refusal_stays_an_exclusion() -> None:
    facts = read_facts("Marquee hire £200. No mains hookup provided.", offer=True)
    assert facts.exclusions


def test_a_history_is_not_an_exclusion() -> None:
    for text in (
        "Boiler not serviced in 4 years, needs a check.",
        "Our gutters have not been cleaned for two years.",
        "Chimney not cleaned since 2019.",
    ):
        assert not read_facts(text, offer=False).exclusions, text


def test_a_negated_thing_without_a_time_stays_an_exclusion() -> None:
    assert read_facts("Need a boiler check, not serviced units only.", offer=False).exclusions
    assert read_facts("Kitchen clean please, not tiled floors.", offer=False).exclusions


# --- an add-on priced in the opening sentence -------------------------------------------


def test_an_added_clause_in_the_first_sentence_is_an_extra() -> None:
    offer = "Bike tune-up (gears, brakes, chain) €45 for road or city bikes, +€12 for disc brakes."
    assert optional_extra(frozenset({"disc"}), offer, "tune-up, no disc brakes", "no disc")


def test_a_first_clause_or_an_included_item_is_no_extra() -> None:
    offer = "Disc brake service €45, +€12 for rotors."
    assert not optional_extra(frozenset({"disc"}), offer, "no disc", "no disc")
    offer = "Bike tune-up €45, disc brakes always included +€12."
    assert not optional_extra(frozenset({"disc"}), offer, "no disc", "no disc")


# --- a region the offer narrows, a place the seek names elsewhere -----------------------


def test_a_narrowed_city_does_not_hold_its_districts() -> None:
    offer = "Window cleaning, North London only."
    assert inside(["london"], offer, ["peckham"], "a flat in Peckham") is None
    offer = "Tutoring in Amsterdam centre only."
    assert inside(["amsterdam"], offer, ["ijburg"], "we live in IJburg") is None
    assert inside(["amsterdam"], "Tutoring in Amsterdam.", ["ijburg"], "we live in IJburg")


def test_a_seek_that_also_names_a_place_outside_is_not_inside() -> None:
    offer = "Van transport within France only."
    seek = "Moving boxes from Lyon to Geneva."
    assert inside(["france"], offer, ["lyon", "geneva"], seek) is None
    # a district the tables do not hold stays unknown
    assert inside(["lyon"], "Removals in Lyon.", ["croix-rousse"], "Lyon, France") is None
    # a wider place that holds the region is no place elsewhere
    assert inside(["ghent"], "Sitting in Ghent.", ["ledeberg"], "Ledeberg, Belgium")


# --- specifications per item and parts of one kind -------------------------------------


def test_a_specification_each_is_per_item_not_a_total() -> None:
    facts = read_facts("Need 4 servers w/ 32GB each for a month.", offer=False)
    gb = [q for q in facts.quantities if q.unit == "gb"]
    assert [q.value for q in gb] == [32]
    # a count of words each stays a total
    facts = read_facts("3 articles of 800 words each.", offer=False)
    assert any(q.value == 2400 for q in facts.quantities)


def test_nvme_storage_meets_a_seek_for_ssd_space() -> None:
    offer = "Cloud server in Warsaw: 2 vCPU, 4 GB RAM, 200 GB NVMe, €9 per month."
    ok, why, _ = decided(
        offer, "Need a cloud server, 2 vCPU, 4GB RAM, at least 150GB SSD, max €12/month."
    )
    assert ok, why
    ok, why, _ = decided(
        offer, "Need a cloud server, 2 vCPU, 4GB RAM, at least 300GB SSD, max €12/month."
    )
    assert not ok
    assert "200" in why or "specification" in why
    # a disk that is no SSD is not read as one
    offer = "Cloud server in Warsaw: 2 vCPU, 4 GB RAM, 200 GB HDD, €9 per month."
    ok, why, _ = decided(
        offer, "Need a cloud server, 2 vCPU, 4GB RAM, at least 150GB SSD, max €12/month."
    )
    assert not ok


# --- a plus sign after an amount; extras past a decimal mark ----------------------------


def _bounds(text: str, *, offer: bool = True) -> list[tuple[float, str, str]]:
    return [(q.value, q.unit, q.bound) for q in read_facts(text, offer=offer).quantities]


def test_an_attached_plus_is_a_least() -> None:
    assert (16.0, "gb", "at_least") in _bounds("Looking for a laptop with 16GB+ RAM.", offer=False)


def test_a_spaced_plus_or_a_priced_plus_adds_instead() -> None:
    got = _bounds("Minibus hire, max 8 passengers + bags, €2 per km.")
    assert (8.0, "person", "at_most") in got
    got = _bounds("Copy-editing up to 300 pages: £400. Each further 300 pages +£150.")
    assert all(b != "at_least" for _, u, b in got if u == "page")


def _extras(text: str) -> list[tuple[float, bool]]:
    return [(m.low, m.extra) for m in read_facts(text, offer=True).money]


def test_a_rate_with_cents_past_an_included_amount_is_an_extra() -> None:
    assert (0.6, True) in _extras(
        "Audio cleanup €30 per track up to 4 min, €0.60 per extra minute."
    )
    assert (0.9, True) in _extras("Payroll £90/month for 20 staff, £0.90 per employee above that.")


def test_a_package_price_with_a_thousands_mark_is_no_extra() -> None:
    text = "Packages: Half day - $1,450 * Extra hour on any package: $250"
    assert (1450.0, False) in _extras(text)


# --- a way to pay the seek says nothing against ----------------------------------------


def test_how_to_pay_is_a_detail_when_the_seek_names_no_payment() -> None:
    from mediator_actors.negotiation.unread import _offer_detail

    mark = ("payment", "Settle up ", "pay in shop", " (card/cash).")
    assert _offer_detail(mark, "Need my coat relined before winter, max €60.")
    # a seek that speaks of payment, or a clause of when to pay, stays open
    assert not _offer_detail(mark, "Need my coat relined, I pay by invoice only.")
    when = ("payment", "", "pay in shop", " 50% upfront.")
    assert not _offer_detail(when, "Need my coat relined before winter, max €60.")


# --- a cap on each item -----------------------------------------------------------------


def test_a_cap_on_each_item_holds_against_each_not_the_total() -> None:
    offer = "Podcast cover art and audiograms: clips up to 90 sec, $30 per clip. 3 days."
    ok, why, price = decided(offer, "Need 5 clips, ~60 sec each, budget $160.")
    assert ok, why
    assert price == 150
    ok, why, _ = decided(offer, "Need 5 clips, ~120 sec each, budget $160.")
    assert not ok
    assert "each" in why


def test_a_cap_on_the_whole_job_still_holds_against_the_total() -> None:
    offer = "Transcription: $1 per audio minute, turnaround 3 days for up to 90 minutes of audio."
    ok, why, _ = decided(offer, "I have 4 recordings, ~40 min each, need them in 3 days. Max $200.")
    assert not ok
    assert "limit" in why


# --- a rate past an included amount the seek does not reach -----------------------------


def test_a_rate_past_the_included_amount_adds_nothing_below_it() -> None:
    offer = (
        "Payroll processing: £180/month for up to 40 payslips, £1.50 per extra payslip. "
        "Sage or Xero."
    )
    ok, why, price = decided(
        offer, "Charity with about 30 payslips a month needs payroll on Sage. Max £200 a month."
    )
    assert ok, why
    assert price == 180
    ok, why, _ = decided(
        offer, "Charity with about 60 payslips a month needs payroll on Sage. Max £200 a month."
    )
    assert not ok


def test_a_travel_rate_beside_a_fixed_fee_is_the_rate_the_fee_tops() -> None:
    facts = read_facts(
        "Fire safety audit: €900 fixed + travel €0,40/km beyond the ring road.", offer=True
    )
    assert [(m.low, m.extra) for m in facts.money if m.per == "km"] == [(0.4, False)]
