"""Amounts tied to a budget's occasion or period, session 12 (slice "periods"): "3 hours
each lesson" against a budget per lesson, "10 litres every week" against a budget per
week, "once a week 2 hours" against a month's budget that counts its visits. Where the
tie is not written the price stays unchecked. All texts are invented."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.periods import amount_per_period, over_periods
from mediator_actors.negotiation.reader import read_facts
from tests.negotiation.helpers import decided

_TUTOR = "Maths tutoring in Leeds, GCSE and A-level. £25/hour, at your home."
_OIL = "Cold-pressed rapeseed oil from our farm, £4 per litre. Collection from the farm shop in Thirsk."
_IRONING = "Ironing service in Hove, collected from your door. £15/hour, no minimum."


@pytest.mark.parametrize(
    ("offer_text", "seek_text", "ok", "price"),
    [
        # the hours are each lesson's, the budget is per lesson
        (_TUTOR, "GCSE maths tutor wanted in Leeds for my son, weekly, 2 hours each lesson. Up to £55 a lesson.", True, 50.0),
        # one occasion a week, the amount is that week's
        (_OIL, "Our deli in Thirsk needs 10 litres of rapeseed oil every week, we collect. Max £45 per week.", True, 40.0),
        # the seek counts the visits in the month its budget is for
        (_IRONING, "Ironing wanted in Hove, once a week 3 hours, collected from the door. Max £190 a month (4 visits).", True, 180.0),
        # the same, over the budget
        (_IRONING, "Ironing wanted in Hove, once a week 3 hours, collected from the door. Max £150 a month (4 visits).", False, None),
    ],
)  # fmt: skip
def test_an_amount_for_the_budgets_occasion_or_period(
    offer_text: str, seek_text: str, ok: bool, price: float | None
) -> None:
    success, why, proposed = decided(offer_text, seek_text)
    assert success is ok, why
    if ok:
        assert proposed == pytest.approx(price)
    else:
        assert "cannot check" not in why, why


@pytest.mark.parametrize(
    "seek_text",
    [
        # twice a week, 3 hours: per visit or per week is not written
        "Ironing wanted in Hove, twice a week 3 hours, collected from the door. Max £190 a month.",
        # a month of weekly visits with no count of them
        "Ironing wanted in Hove, once a week 3 hours, collected from the door. Max £190 a month.",
        # two amounts of hours
        "Ironing wanted in Hove, once a week, 2 hours or 3 hours. Max £50 per week.",
    ],
)
def test_an_untied_amount_stays_unchecked(seek_text: str) -> None:
    success, why, _ = decided(_IRONING, seek_text)
    assert not success
    assert "cannot check" in why, why


def test_a_price_on_each_visit_is_added_to_the_visits_rate() -> None:
    offer_text = "Window cleaning in Bath: £20/hour, minimum 1 hour. Travel £10 per visit."
    seek = "Windows of our cottage in Bath cleaned monthly, about 2 hours each visit. Up to £55 a visit."
    success, why, price = decided(offer_text, seek)
    assert success, why
    assert price == pytest.approx(50.0)
    over = seek.replace("£55", "£45")
    success, why, _ = decided(offer_text, over)
    assert not success, why


def test_another_price_the_rate_leaves_out_makes_it_unchecked() -> None:
    offer_text = "Rapeseed oil £4 per litre. Delivery in Yorkshire £8."
    seek = (
        "Our deli in York needs 10 litres of rapeseed oil every week, delivered. Max £60 per week."
    )
    success, why, _ = decided(offer_text, seek)
    assert not success
    assert "cannot check" in why, why


def test_below_the_offers_minimum_the_amount_is_not_tied() -> None:
    offer_text = "Maths tutoring in Leeds. £25/hour, minimum 2 hours per lesson."
    seek = "Maths tutor wanted in Leeds, weekly, 1 hour each lesson. Up to £40 a lesson."
    success, why, _ = decided(offer_text, seek)
    assert not success, why


@given(
    st.integers(min_value=1, max_value=9),
    st.sampled_from(["each", "per", "every", "a"]),
    st.sampled_from(["lesson", "session", "visit"]),
)
def test_an_amount_written_for_each_occasion_is_its(hours: int, word: str, occasion: str) -> None:
    text = f"Tutor wanted in York, {hours} hours {word} {occasion}. Up to £90 a {occasion}."
    s = read_facts(text, offer=False)
    budget = next(m for m in s.money if m.per is not None)
    amounts = [q for q in s.quantities if q.unit == "hour"]
    tied = amount_per_period(s, budget, amounts, text)
    assert tied is not None
    assert tied.value == hours


@given(st.integers(min_value=2, max_value=9))
def test_an_amount_written_for_no_occasion_is_not_tied(hours: int) -> None:
    text = f"Tutor wanted in York for {hours} hours of revision. Up to £90 a session."
    s = read_facts(text, offer=False)
    budget = next(m for m in s.money if m.per == "session")
    amounts = [q for q in s.quantities if q.unit == "hour"]
    assert amount_per_period(s, budget, amounts, text) is None


# --- a count per period over a span of those periods, against a pack ----------------------

_YOGA = "Private yoga in Porto, at your home or the park. 1 class 35 €, pack of 6 classes 180 €."


@pytest.mark.parametrize(
    ("seek_text", "ok"),
    [
        # 3 a week for 2 weeks is the pack's 6
        ("Olá! Looking for 3 yoga classes a week for 2 weeks in Porto. Max 200 euros.", True),
        # 2 a week for 2 weeks is 4: the pack is not the request
        ("Olá! Looking for 2 yoga classes a week for 2 weeks in Porto. Max 200 euros.", None),
        # a month of weekly classes is no whole number of weeks
        ("Olá! Looking for 2 yoga classes a week for a month in Porto. Max 200 euros.", None),
    ],
)
def test_a_count_per_period_over_its_span_is_the_packs(seek_text: str, ok: bool | None) -> None:
    success, why, price = decided(_YOGA, seek_text)
    if ok:
        assert success, why
        assert price == pytest.approx(180.0)
    else:
        assert not success or price != pytest.approx(180.0), why


@given(st.integers(min_value=1, max_value=5), st.integers(min_value=1, max_value=8))
def test_over_periods_multiplies_a_weekly_count_by_the_weeks(per_week: int, weeks: int) -> None:
    text = f"Need {per_week} piano lessons a week for {weeks} weeks in Derby."
    s = read_facts(text, offer=False)
    counted = [q for q in s.quantities if q.period == "week"]
    assert len(counted) == 1
    total = over_periods(s, counted[0])
    assert total is not None
    assert total.value == per_week * weeks


def test_over_periods_reads_no_span_it_cannot_count() -> None:
    text = "Need 2 piano lessons a week for 3 months in Derby."
    s = read_facts(text, offer=False)
    counted = [q for q in s.quantities if q.period == "week"]
    assert counted
    assert over_periods(s, counted[0]) is None
