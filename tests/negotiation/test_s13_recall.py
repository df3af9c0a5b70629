"""Recall, session 13 (slice "recall"): compatible pairs the negotiator declined for a
reading it lacked. Rand written "R350" is money where the amount says so; a pack price
written "8-pack €280" is an alternative to the rate; an offer that rules out delivery
cannot serve a seek that needs it; two tyre sizes that differ are not the same tyre.
All texts are invented."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.rand import rand_marks
from mediator_actors.negotiation.reader import read_facts
from tests.negotiation.helpers import decided


def _rands(text: str) -> list[tuple[float, str | None]]:
    return [(m.low, m.currency) for m in read_facts(text, offer=True).money]


# --- rand written "R" before the amount -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "money"),
    [
        ("Piano lessons in Soweto, R220 per lesson", [(220.0, "ZAR")]),
        ("Washing machine repairs, call-out R 1 250 incl. labour", [(1250.0, "ZAR")]),
        ("Need my gutters cleaned, Benoni, budget R1,800", [(1800.0, "ZAR")]),
        ("Fresh farm eggs R45 each tray, honey R90 (500 g)", [(45.0, "ZAR"), (90.0, "ZAR")]),
        ("Two armchairs R600 for both?", [(600.0, "ZAR")]),
    ],
)
def test_rand_amounts_are_read_as_zar(text: str, money: list[tuple[float, str]]) -> None:
    assert _rands(text) == money


@pytest.mark.parametrize(
    "text",
    [
        "Selling a Canon R6 body, barely used",
        "Set of R17 rims, good condition",
        "Aircon regas with R410A, any brand",
        "Yamaha YZF-R1, 2011, full service history",
        "Ceiling insulation R30 rolls in stock",
    ],
)
def test_models_sizes_and_codes_are_no_rand(text: str) -> None:
    assert rand_marks(text) == []
    assert all(m.currency != "ZAR" for m in read_facts(text, offer=True).money)


def test_a_quoted_rand_amount_keeps_its_own_text() -> None:
    money = read_facts("Gardening R180 per hour, Durbanville", offer=True).money
    assert [m.span.text for m in money] == ["R180 per hour"]


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=0, max_value=999))
def test_grouped_rand_is_one_amount(thousands: int, rest: int) -> None:
    text = f"Fridge for sale R{thousands} {rest:03d}, collect in Pinetown"
    assert _rands(text) == [(thousands * 1000.0 + rest, "ZAR")]


def test_a_rand_pair_is_priced_in_rand() -> None:
    ok, why, price = decided(
        "Window cleaning R150 per window, Umhlanga & Durban North",
        "need 8 windows cleaned in Umhlanga, budget R1 400",
    )
    assert ok, why
    assert price is not None
    assert 1200 <= float(str(price).split()[0]) <= 1400
    assert "ZAR" in why


def test_a_rand_ask_above_the_budget_declines() -> None:
    ok, why, _ = decided(
        "Window cleaning R150 per window, Umhlanga & Durban North",
        "need 12 windows cleaned in Umhlanga, budget R1 400",
    )
    assert not ok
    assert "above" in why


def test_an_uncued_second_rand_price_is_not_left_out() -> None:
    # Once one amount is rand, "sofas R500 (2-seater)" is a price the total must carry.
    ok, why, price = decided(
        "Upholstery cleaning R300 per chair, sofas R500 (2-seater), Ballito",
        "4 dining chairs + one 2 seater sofa to clean, Ballito. R1 800",
    )
    assert not ok or (price is not None and float(str(price).split()[0]) >= 1700), why


# --- a pack price written before the word ---------------------------------------------


def test_a_numbered_pack_is_an_alternative_to_the_rate() -> None:
    ok, why, price = decided(
        "Spin classes in Leeds, £12 per class or 10-pack £100",
        "want 10 spin classes in Leeds, budget £110",
    )
    assert ok, why
    assert price is not None
    assert float(str(price).split()[0]) <= 110


def test_a_pack_does_not_make_a_short_budget_enough() -> None:
    ok, why, _ = decided(
        "Spin classes in Leeds, £12 per class or 10-pack £100",
        "want 10 spin classes in Leeds, budget £80",
    )
    assert not ok, why


# --- collection only against a seek that needs delivery --------------------------------


def test_collection_only_declines_a_seek_that_needs_delivery() -> None:
    ok, why, _ = decided(
        "Oak dining table, seats 6, £250. Collection only from Harrogate, no delivery",
        "Wanted: oak dining table for 6, Harrogate, up to £300, need it delivered",
    )
    assert not ok
    assert "collection only" in why.lower()


def test_collection_only_is_no_bar_when_the_seek_collects() -> None:
    ok, why, _ = decided(
        "Oak dining table, seats 6, £250. Collection only from Harrogate, no delivery",
        "Wanted: oak dining table for 6, Harrogate, up to £300, I can collect",
    )
    assert "need it delivered" not in why
    assert ok, why


# --- tyre sizes ----------------------------------------------------------------------


def test_another_tyre_size_declines() -> None:
    ok, why, _ = decided(
        "Part-worn tyres 225/45 R17, £40 each, fitted, Luton",
        "Need 2 tyres 215/55R16 for my Astra, Luton, £100",
    )
    assert not ok
    assert "size" in why


def test_the_same_tyre_size_is_no_bar() -> None:
    ok, why, _ = decided(
        "Part-worn tyres 225/45 R17, £40 each, fitted, Luton",
        "Need 2 tyres 225/45R17 for my Golf, Luton, £100",
    )
    assert "size:" not in why
    assert ok, why


# --- units written as other languages' plurals and trade names ------------------------


@pytest.mark.parametrize(
    ("text", "count", "unit"),
    [
        ("Te vertalen: een handleiding van ongeveer 6.500 woorden", 6500.0, "word"),
        ("Übersetzung von rund 3.000 Wörter gesucht", 3000.0, "word"),
        ("Cerco un idraulico per circa 2 ore a Parma", 2.0, "hour"),
        ("Curso de Excel para 14 empleados en Valencia", 14.0, "person"),
        ("Schulung für 9 Mitarbeiter in Graz", 9.0, "person"),
        ("Need 40 shots of our new mugs on white", 40.0, "image"),
    ],
)
def test_counts_in_other_languages_plurals(text: str, count: float, unit: str) -> None:
    assert (count, unit) in [(q.value, q.unit) for q in read_facts(text, offer=False).quantities]


def test_a_rate_per_trainee_counts_the_seeks_staff() -> None:
    ok, why, price = decided(
        "First aid at work course, 1 day, £95 per trainee, at your site across Kent",
        "first aid training for 6 staff at our Maidstone office, budget £600 total",
    )
    assert ok, why
    assert price is not None
    assert 570 <= float(str(price).split()[0]) <= 600


def test_a_rate_per_trainee_above_the_budget_declines() -> None:
    ok, why, _ = decided(
        "First aid at work course, 1 day, £95 per trainee, at your site across Kent",
        "first aid training for 8 staff at our Maidstone office, budget £600 total",
    )
    assert not ok, why


# --- sessions of a length written "1hr" -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("Looking for a chemistry tutor, eight 1hr sessions before June", 8.0),
        ("need 3 2h lessons for my son", 6.0),
        ("four 90min sessions with a physio", 6.0),
    ],
)
def test_sessions_of_a_length_count_hours(text: str, hours: float) -> None:
    found = [q.value for q in read_facts(text, offer=False).quantities if q.unit == "hour"]
    assert found == [hours]


def test_a_2h_spec_is_no_session_count() -> None:
    # "2h" alone is a time, not a count of sessions of a length
    found = read_facts("Delivery within 2h of order, 3 boxes", offer=False).quantities
    assert all(q.value != 6.0 for q in found)


def test_hourly_rate_against_sessions_of_an_hour() -> None:
    ok, why, price = decided(
        "Chemistry tutor, A level and GCSE, £30 p/h, online or in Didsbury",
        "Looking for a chemistry tutor, eight 1hr sessions before June, online ok, about £260 total",
    )
    assert ok, why
    assert price is not None
    assert float(str(price).split()[0]) == 240


# --- courtesy words in a restriction ----------------------------------------------------


def test_a_courtesy_word_is_no_part_of_a_restriction() -> None:
    ok, why, _ = decided(
        "Registered gas engineer, Swindon, boiler service £85",
        "boiler service needed in Swindon, registered only pls, up to £100",
    )
    assert ok, why


def test_a_restriction_with_a_courtesy_word_is_still_held() -> None:
    ok, why, _ = decided(
        "Handyman, Swindon, boiler service £85",
        "boiler service needed in Swindon, registered only pls, up to £100",
    )
    assert not ok, why
