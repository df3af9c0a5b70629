"""Service fit, second round (session 11, slice "svc2"): catering, holiday lets and cars
rented out by their owners named by the work a seek describes; a tens word and its unit
read as one number; a fee charged once per stay added once to a count of nights. All
texts are invented."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.meaning import shared_similarity
from mediator_actors.negotiation.offline import assess
from mediator_actors.negotiation.reader import _QTY, _num_value
from mediator_actors.negotiation.trades import trade_fit
from mediator_actors.negotiation.validation import decide
from tests.negotiation.helpers import offer, seek

# --- numbers in words ------------------------------------------------------------------

_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90}
_UNITS = {"one": 1, "two": 2, "five": 5, "seven": 7, "nine": 9}


@given(st.sampled_from(sorted(_TENS)), st.sampled_from(sorted(_UNITS)), st.sampled_from(["-", " "]))
def test_a_tens_word_and_its_unit_are_one_count(tens: str, unit: str, join: str) -> None:
    text = f"dinner for {tens}{join}{unit} guests on Friday"
    found = [_num_value(m.group("n")) for m in _QTY.finditer(text)]
    assert found == [float(_TENS[tens] + _UNITS[unit])]


def test_a_tens_word_alone_is_still_read() -> None:
    assert [_num_value(m.group("n")) for m in _QTY.finditer("for forty people")] == [40.0]


# --- trades ----------------------------------------------------------------------------


def test_catering_fits_a_meal_for_a_count_of_people() -> None:
    seek = "Team dinner for 25 guests at our studio, mostly vegan."
    assert trade_fit(["Syrian home catering"], seek) == "catering"
    # equipment hire under the caterer's name is no meal
    assert trade_fit(["catering equipment hire"], seek) is None
    # a meal with no count of people, or a cooking lesson, names no caterer's job
    assert trade_fit(["Syrian home catering"], "Dinner ideas for the weekend?") is None
    assert trade_fit(["Syrian home catering"], "Cooking class for 6 people") is None


def test_holiday_let_fits_a_trip_of_nights_for_people() -> None:
    seek = "Hiking holiday, 4 adults, 6 nights in July near Annecy."
    assert trade_fit(["Alpine chalet, sleeps 6"], seek) == "holiday accommodation"
    assert trade_fit(["Alpine chalet, sleeps 6"], "Hiking guide for 4 people, 6 nights") is None
    assert trade_fit(["Alpine chalet, sleeps 6"], "Weekend trip for 4 people") is None


def test_a_car_rented_out_by_its_owner_is_a_car_rental() -> None:
    seek = "Need a car for a week in September, about 900 km."
    assert trade_fit(["Renting out my 2021 Toyota Yaris"], seek) == "car rental"
    assert trade_fit(["renting out our VW Polo"], seek) == "car rental"
    # renting out something else is no car
    assert trade_fit(["Renting out my spare room"], seek) is None
    assert trade_fit(["Renting out my 2021 Toyota Yaris"], "My car's clutch is slipping") is None


def test_a_brand_names_its_category() -> None:
    seek = "Looking for 2 laptops for our interns."
    assert trade_fit(["refurbished MacBook Air M2"], seek) == "laptops"
    assert trade_fit(["refurbished MacBook Air M2"], "Laptop screen repair needed") is None
    assert trade_fit(["Yoga classes in the park"], "a yoga mat") is None


# --- a fee once per stay ---------------------------------------------------------------

SIM = shared_similarity()


def decided(offer_text: str, seek_text: str) -> tuple[bool, str, float | None]:
    o, s = offer(offer_text), seek(seek_text)
    result = decide(
        assess(o, s, similarity=SIM), o, s, min_confidence=60, model_id="offline",
        model_integrity_hash="h",
    )  # fmt: skip
    terms = result.terms
    return (
        result.success,
        result.failure_reason or result.reasoning,
        None if terms is None else terms.price,
    )


def test_a_cleaning_fee_per_stay_is_added_once_to_the_nights() -> None:
    ok, why, price = decided(
        "Lakeside cabin in Hallstatt, sleeps 6. €150/night, min. 2 nights, cleaning fee "
        "€60 per stay.",
        "Family holiday, 5 people, Hallstatt, 4 nights in August. Budget €700 all in.",
    )
    assert ok, why
    assert price == 660.0
    # the same fee over the budget declines
    ok, why, _ = decided(
        "Lakeside cabin in Hallstatt, sleeps 6. €150/night, min. 2 nights, cleaning fee "
        "€60 per stay.",
        "Family holiday, 5 people, Hallstatt, 4 nights in August. Budget €620 all in.",
    )
    assert not ok
