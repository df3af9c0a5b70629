"""Service fit, second round (session 11, slice "svc2"): catering, holiday lets and cars
rented out by their owners named by the work a seek describes; a tens word and its unit
read as one number; a fee charged once per stay added once to a count of nights. All
texts are invented."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.fit import Findings, _specs, age_clause_met
from mediator_actors.negotiation.glossary import in_english
from mediator_actors.negotiation.numbers import find_numbers
from mediator_actors.negotiation.reader import (
    _QTY,
    _num_value,
    clause_min_age,
    own_age,
    read_facts,
)
from mediator_actors.negotiation.trades import trade_fit
from tests.negotiation.helpers import decided

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


# --- coach hire and its seats ------------------------------------------------------------

_COACH = "35-seat coach hire with driver. €1.90 per km, minimum charge €300."


def test_coach_hire_fits_a_trip_of_people_and_distance() -> None:
    seek = "Choir outing Leeds to York and back, 30 people, about 120 km in all."
    assert trade_fit(["coach hire with driver"], seek) == "coach hire"
    assert trade_fit(["coach hire with driver"], "Train tickets for 30 people, 120 km") is None


def test_a_party_within_the_seats_is_proposed() -> None:
    ok, why, price = decided(
        _COACH, "Choir outing, 30 people, about 200 km round trip. Budget €450."
    )
    assert ok, why
    assert price == 380.0


def test_a_party_over_the_seats_declines() -> None:
    ok, why, _ = decided(_COACH, "Choir outing, 40 people, about 200 km round trip. Budget €450.")
    assert not ok
    assert "seats" in why


def test_a_party_of_kinds_the_reader_does_not_add_up_cannot_be_checked() -> None:
    ok, why, _ = decided(
        _COACH, "Class outing, 30 pupils and 6 parents, about 200 km round trip. Budget €450."
    )
    assert not ok
    assert "seats" in why


# --- document legalisation and Polish -----------------------------------------------------


def test_apostille_service_fits_documents_to_apostille() -> None:
    seek = "Two birth certificates apostilled for a residence permit."
    assert trade_fit(["apostille service, The Hague"], seek) == "document legalisation"
    assert trade_fit(["apostille service, The Hague"], "Passport photos for 2 people") is None


def test_polish_words_of_car_detailing() -> None:
    assert in_english("Detailing aut, pakiet premium (wosk + wnętrze)") == (
        "Detailing cars, package premium (wax + interior)"
    )


# --- a minimum age ------------------------------------------------------------------------


@given(st.integers(min_value=18, max_value=30), st.integers(min_value=16, max_value=80))
def test_an_age_meets_a_minimum_age_when_at_least_it(least: int, age: int) -> None:
    seek = f"Need a car for a weekend in May. I'm {age}. About 300 km."
    assert age_clause_met(f"Driver must be {least}+", seek) is (age >= least)


def test_only_a_clause_of_age_alone_and_one_age_of_the_writer() -> None:
    assert clause_min_age("Drivers aged 25 or over") == 25
    assert clause_min_age("minimum age 21") == 21
    assert clause_min_age("Driver must be 23+ with a clean licence") is None
    assert clause_min_age("Age 21") is None
    assert own_age("I am 40 years old, need a van") == 40
    assert not age_clause_met("Drivers must be 25+", "I'm 40 and my son (19) will drive as well")
    assert own_age("I'm 30 km from the airport") is None
    assert own_age("Second driver: 20 years old. I'm 35.") is None


# --- terabytes against gigabytes -----------------------------------------------------------


def test_a_terabyte_meets_gigabytes_of_the_same_part() -> None:
    o = read_facts("Refurbished laptop, 16 GB RAM, 1 TB SSD. €400 each.", offer=True)
    met, short = Findings(), Findings()
    _specs(o, read_facts("Need a laptop, 512GB+ SSD. Max €450.", offer=False), met)
    _specs(o, read_facts("Need a laptop, min 32 GB RAM. Max €450.", offer=False), short)
    assert not met.refusals
    assert not met.unchecked
    assert short.refusals


# --- rupees and Indian digit grouping ---------------------------------------------------------


def _indian(n: int) -> str:
    """``n`` written with Indian grouping: thousands, then lakhs and crores of two digits."""
    digits = str(n)
    head, tail = digits[:-3], digits[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([head, *groups, tail]) if head else tail


@given(st.integers(min_value=100_000, max_value=99_99_99_999))
def test_indian_grouping_reads_as_its_number(n: int) -> None:
    found = find_numbers(f"Budget ₹{_indian(n)} total")
    assert [x.value for x in found] == [float(n)]


def test_western_grouping_and_decimals_are_unchanged() -> None:
    values = [x.value for x in find_numbers("3,750 and 1,234,567 and 0,11 and 1,50")]
    assert values == [3750.0, 1234567.0, 0.11, 1.5]


def test_the_rupee_sign_is_a_currency() -> None:
    facts = read_facts("Refurbished laptops, ₹58,000 each.", offer=True)
    assert [(m.low, m.currency) for m in facts.money] == [(58000.0, "INR")]
