"""Session 11 (clauses, second round): clock ranges, language names in other languages,
places written at different levels, routes into a region, clauses the other side cannot
fail. Invented texts only; hypothesis properties for the parsers added."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.clauses import (
    counted_apart,
    given_or_personal,
    rival_rates,
    unread_amount,
)
from mediator_actors.negotiation.reader import _clock_hours, _read_languages, read_facts
from mediator_actors.negotiation.regions import (
    inside,
    postcode_districts,
    route_end_places,
    states_written,
)
from mediator_actors.negotiation.unread import Unread
from tests.negotiation.helpers import decided

# --- clock ranges -----------------------------------------------------------------------


def _hours(text: str) -> float | None:
    found = _clock_hours(text)
    return found[0].value if found else None


@given(
    st.integers(0, 23),
    st.sampled_from([0, 15, 30, 45]),
    st.integers(1, 16 * 4),
    st.sampled_from(["-", " to ", "\u2013", " till "]),
)
def test_a_24_hour_range_counts_its_hours(h: int, m: int, quarters: int, joint: str) -> None:
    start = h + m / 60
    end = start + quarters / 4
    if end > 24:
        return
    eh, em = int(end), round((end - int(end)) * 60)
    text = f"Need help from {h}:{m:02d}{joint}{eh}:{em:02d}."
    got = _hours(text)
    if end <= start or (h <= 12 and end <= start):
        assert got is None
    elif 0 < end - start <= 16:
        assert got == round(end - start, 2), text


@given(st.integers(1, 12), st.integers(1, 12))
def test_a_12_hour_range_with_no_am_pm_that_runs_backwards_is_not_counted(a: int, b: int) -> None:
    # "12:30-2:00" is an afternoon on a 12-hour clock or a night on a 24-hour one
    if b >= a:
        return
    assert _hours(f"we need you {a}:30-{b}:00") is None


def test_minutes_are_never_dropped() -> None:
    assert _hours("from 9:00 to 12:30") == 3.5
    assert _hours("13:30-17:00") == 3.5
    assert _hours("11:30am-12:15pm") == 0.75
    assert _hours("noon to 2:00") == 2.0
    assert _hours("22:00-02:00") == 4.0
    assert _hours("for 4-6 people") is None


def test_a_rate_per_hour_counts_a_clock_range() -> None:
    ok, why, price = decided(
        "Sign language interpreter, \u20ac60 per hour, minimum 2 hours. Ghent.",
        "Need a sign language interpreter in Ghent on 3 June from 13:30 to 17:00. Budget \u20ac250.",
    )
    assert ok, why
    assert price == 210.0


# --- language names in other languages ------------------------------------------------


def test_pairs_in_their_own_languages() -> None:
    pairs, named, _, _ = _read_languages("Dolmetscher Spanisch \u21c4 Deutsch, Hamburg")
    assert pairs == {("spanish", "german"), ("german", "spanish")}
    assert named >= {"spanish", "german"}
    pairs, _, _, _ = _read_languages("Traduzioni tedesco \u2192 italiano")
    assert pairs == {("german", "italian")}
    pairs, _, _, _ = _read_languages("Vertaler Engels/Duits")
    assert pairs == {("english", "german"), ("german", "english")}
    assert _read_languages("NL\u21c4DE tolk")[0] == {("dutch", "german"), ("german", "dutch")}


def test_a_name_alone_is_no_language() -> None:
    # "Frans" is also a first name; "italiano" a cuisine
    assert _read_languages("Frans de Vries, plumber")[0] == frozenset()
    assert _read_languages("Cucina italiano, Rotterdam")[1] == frozenset()


@given(st.sampled_from(["\u2192", "->", ">", "\u21c4", "\u2194", "/", "-"]))
def test_any_joint_reads_the_direction(joint: str) -> None:
    pairs, _, _, _ = _read_languages(f"Traducciones franc\u00e9s {joint} espa\u00f1ol")
    assert ("french", "spanish") in pairs
    assert (("spanish", "french") in pairs) is (joint in {"\u21c4", "\u2194", "/", "-"})


# --- places at different levels ---------------------------------------------------------


def test_a_city_with_its_state_code_lies_in_the_state() -> None:
    assert states_written("Gutter repair needed in Savannah GA, two storeys.") == {"georgia"}
    assert states_written("We're in Austin, TX.") == {"texas"}
    assert states_written("PAYMENT BY CARD") == frozenset()
    assert inside(["georgia"], "Licensed in Georgia.", ["savannah"], "in Savannah GA") is not None
    # the other direction is not containment
    assert inside(["savannah"], "Savannah only.", ["georgia"], "anywhere in Georgia") is None


def test_postcode_districts_are_places_only_where_a_place_is_written() -> None:
    assert postcode_districts("Cleaning in Leeds (LS6, LS7 and LS8)") == {"LS6", "LS7", "LS8"}
    assert postcode_districts("we live in LS7") == {"LS7"}
    assert postcode_districts("A4 flyers, 500 copies") == frozenset()
    assert postcode_districts("my phone is a Moto G5") == frozenset()
    assert (
        postcode_districts("B2B sales in B2B") == frozenset()
    )  # no district letter outside London
    assert inside(["leeds"], "Cleaning in Leeds (LS6 & LS7)", ["ls7"], "we're in LS7")
    assert inside(["leeds"], "Cleaning in Leeds (LS6 & LS7)", ["ls9"], "we're in LS9") is None


def test_a_metro_and_its_suburb() -> None:
    assert inside(["phoenix"], "Pool care across the Phoenix metro", ["tempe"], "in Tempe")
    assert inside(["accra"], "Catering in Accra", ["osu"], "party in Osu") is not None
    # an unknown suburb is unknown: declined as before
    assert (
        inside(["phoenix"], "Pool care across the Phoenix metro", ["tucson"], "in Tucson") is None
    )


def test_a_metro_suburb_pair_is_proposed_and_a_town_outside_is_not() -> None:
    offer = "Pool cleaning across the Phoenix metro, $90 per visit."
    ok, why, price = decided(offer, "Need my pool cleaned once in Mesa, up to $100.")
    assert ok, why
    assert price == 90.0
    ok, why, _ = decided(offer, "Need my pool cleaned once in Tucson, up to $100.")
    assert not ok


# --- a route into a region --------------------------------------------------------------


def test_a_route_end_covers_its_bracket_and_its_region() -> None:
    ends = route_end_places(" Northern Italy (Turin, Genoa).")
    assert {"northern italy", "turin", "genoa", "verona"} <= ends
    assert route_end_places(" Lyon (Villeurbanne)") == {"lyon", "villeurbanne"}
    assert route_end_places(" cheap rates") == frozenset()


# --- clauses the other side cannot fail -------------------------------------------------


def _unread(clause: str, kind: str) -> Unread:
    return Unread(clause, True, ((kind, "", clause, ""),))


def test_a_licence_given_with_the_work_is_met() -> None:
    assert given_or_personal(_unread("Font licence included", "licence"), "", offer=True)
    assert given_or_personal(
        _unread("Stock footage licences are included", "licence"), "", offer=True
    )
    # a licence that limits use says what is not given
    assert not given_or_personal(
        _unread("Personal use licence included", "licence"), "", offer=True
    )
    assert not given_or_personal(_unread("Licence required", "licence"), "", offer=True)


def test_a_seek_without_a_car_is_met_unless_the_offer_needs_one() -> None:
    clause = _unread("as we don't have a car", "negation")
    assert given_or_personal(clause, "Room in the old town, \u20ac60 a night.", offer=False)
    assert not given_or_personal(clause, "Farm cottage, parking on site.", offer=False)
    assert not given_or_personal(clause, "Bikes for hire, collection only.", offer=False)
    assert given_or_personal(_unread("I don't drive", "negation"), "Piano lessons", offer=False)
    assert not given_or_personal(_unread("we don't have a garden", "negation"), "", offer=False)
    # a condition before it is a condition: not passed over
    assert not given_or_personal(
        _unread("must be near the beach we don't have a car", "negation"), "", offer=False
    )


# --- prices the total leaves out ------------------------------------------------------


def test_a_second_rate_per_the_same_unit_stated_apart_declines() -> None:
    text = "Decking $30 per sq ft laid. Old deck removal $4/sq ft."
    facts = read_facts(text, offer=True)
    note = "the offer asks '$4/sq ft'"
    sought = frozenset({"deck", "remov"})  # the seek names its old deck
    assert len(rival_rates(facts.money, "sqft", note, "USD", sought=sought, offer_text=text)) == 2
    assert rival_rates(facts.money, "hour", note, "USD", sought=sought, offer_text=text) == ()
    # tiers listed in one sentence are alternatives the reader already chose between
    tiers = "Removals: £40/hr van + 1 man, £60/hr van + 2 men."
    facts = read_facts(tiers, offer=True)
    assert (
        rival_rates(facts.money, "hour", "the offer asks '£60/hr'", "GBP", offer_text=tiers) == ()
    )
    # a rate in another currency is the same price written twice
    two = "Subtitling ¥900 per minute. Or USD 6/minute."
    facts = read_facts(two, offer=True)
    assert (
        rival_rates(facts.money, "minute", "the offer asks 'USD 6/minute'", "USD", offer_text=two)
        == ()
    )


def test_a_count_the_offer_prices_apart_declines() -> None:
    o = read_facts(
        "Podcast editing: \u20ac300 per episode; mastering \u20ac20 per minute.", offer=True
    )
    s = read_facts("Need one episode edited, 30 minutes long, budget \u20ac400.", offer=False)
    found = counted_apart(
        o.money, s.quantities, "the offer asks '\u20ac300 per episode'", currency="EUR"
    )
    assert found is not None
    assert found[0].per == "minute"
    # a rate for what goes beyond an allowance applies only past it
    o = read_facts("\u20ac300 per episode, \u20ac20 per extra minute.", offer=True)
    found = counted_apart(
        o.money,
        s.quantities,
        "the offer asks '\u20ac300 per episode'",
        offer_text="\u20ac300 per episode, \u20ac20 per extra minute.",
        currency="EUR",
    )
    assert found is None


def test_a_route_into_a_region_is_met_by_a_place_it_covers() -> None:
    from mediator_actors.negotiation.unread import answered

    route = Unread(
        "Part loads Hamburg → Northern Italy (Turin, Genoa)",
        True,
        (("direction", "Part loads Hamburg ", "→", " Northern Italy (Turin, Genoa)"),),
    )
    assert answered(route, "Need 2 pallets moved from Hamburg to our shop in Genoa.")
    assert answered(route, "Need 2 pallets from Hamburg to Verona.")  # in the table
    # the order counts, and a place outside the region is not covered
    assert not answered(route, "Need 2 pallets from Genoa to Hamburg.")
    assert not answered(route, "Need 2 pallets from Hamburg to Naples.")


# --- no price read at all, yet a text writes one ------------------------------------------


def test_an_amount_in_an_unknown_currency_is_no_absence_of_price() -> None:
    assert unread_amount("Drummer for weddings, GH\u20b5 900 a night.") is not None
    assert unread_amount("Need a drummer. Budget GHS 2,000.") is not None
    assert unread_amount("Room 101 for 2 nights", "Need a DJ for 4 hours") is None
