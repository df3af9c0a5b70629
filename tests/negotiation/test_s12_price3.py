"""Prices, session 12 (helper "price3"): charges the offer says are due once, added once
to a rate per day or month; packages that cover a stated amount, with a rate for each
unit beyond it. All texts are invented."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.once import stated_once
from mediator_actors.negotiation.reader import read_facts
from tests.negotiation.helpers import decided

# --- a charge stated as due once ------------------------------------------------------------


@pytest.mark.parametrize(
    ("offer_text", "seek_text", "ok", "price"),
    [
        # a flat transport charge on a hire of several days: once
        (
            "Mini excavator hire, 1.5 t, Leipzig. €120 per day. Delivery and collection €70 flat.",
            "Need a mini digger for 3 days in Leipzig from 4 May. Max €450 all in.",
            True,
            430.0,
        ),
        # a one-time setup fee on months of a service: once
        (
            "Dedicated server, Frankfurt, 64 GB RAM: $90/month. One-time setup fee $60.",
            "Want a dedicated server with 64 GB RAM for 4 months. Can spend up to $450 total.",
            True,
            420.0,
        ),
        # the same sums over the seek's limit: never proposed
        (
            "Dedicated server, Frankfurt, 64 GB RAM: $90/month. One-time setup fee $60.",
            "Want a dedicated server with 64 GB RAM for 4 months. Can spend up to $400 total.",
            False,
            None,
        ),
        # a charge with no word that makes it once may fall due on each day: unchecked
        (
            "Mini excavator hire, 1.5 t, Leipzig. €120 per day. Delivery €70.",
            "Need a mini digger for 3 days in Leipzig from 4 May. Max €450 all in.",
            False,
            None,
        ),
    ],
)
def test_a_charge_stated_once_is_added_once(
    offer_text: str, seek_text: str, ok: bool, price: float | None
) -> None:
    success, why, proposed = decided(offer_text, seek_text)
    assert success is ok, why
    if price is not None:
        assert proposed == pytest.approx(price)


@pytest.mark.parametrize(
    ("text", "amount", "once"),
    [
        ("Boiler service £80 per visit. One-off registration fee £25.", "£25", True),
        ("Einrichtung einmalig 40 €, danach 12 € pro Monat.", "40 €", True),
        # "flat" belongs to the other price's stretch
        ("Van £60 per day flat, parking fee £15.", "£15", False),
        # due again each week, whatever "flat" says
        ("Cleaning £15 flat per week, plus supplies.", "£15", False),
        ("Cleaning fee £30.", "£30", False),
    ],
)
def test_stated_once_reads_the_charge_s_own_stretch(text: str, amount: str, once: bool) -> None:
    facts = read_facts(text, offer=True)
    charge = next(m for m in facts.money if m.span.text.startswith(amount))
    assert stated_once(facts, charge, text) is once


@given(st.text(max_size=80))
def test_stated_once_never_fails_on_any_text(tail: str) -> None:
    text = f"Hire €50 per day. Delivery €20 flat. {tail}"
    facts = read_facts(text, offer=True)
    for m in facts.money:
        assert isinstance(stated_once(facts, m, text), bool)


# --- "for the first year": one year ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("Need a virtual office address for the first year. Budget £300.", "year"),
        ("Looking for a parking space for the whole month, up to €120.", "month"),
        ("Want a locker for a full week near the station.", "week"),
    ],
)
def test_for_the_first_or_whole_period_is_one_of_it(text: str, unit: str) -> None:
    facts = read_facts(text, offer=False)
    assert [(q.value, q.unit) for q in facts.quantities] == [(1, unit)]


def test_first_without_for_is_no_count() -> None:
    facts = read_facts("My first year at uni was hard; need a maths tutor, £25/hour.", offer=False)
    assert not [q for q in facts.quantities if q.unit == "year"]


# --- "min" inside a word is no minimum ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("Hosting with cPanel admin. Migration £40.", "about"),
        ("Payroll admin. Set-up fee £120.", "about"),
        ("Site visits. Min. £40.", "at_least"),
        ("Minimum charge £40.", "at_least"),
    ],
)
def test_min_inside_a_word_is_no_minimum(text: str, bound: str) -> None:
    facts = read_facts(text, offer=True)
    assert [m.bound for m in facts.money] == [bound]


# --- a charge on the order is never the price of the service --------------------------------


@pytest.mark.parametrize(
    ("seek_text", "ok", "price"),
    [
        (
            "Our studio has 20 devices and needs managed backups. Budget €1,600 for the first year.",
            True,
            1520.0,
        ),
        (
            "Our studio has 20 devices and needs managed backups. Budget €1,200 for the first year.",
            False,
            None,
        ),
    ],
)
def test_a_setup_charge_is_added_to_the_rate_not_taken_for_it(
    seek_text: str, ok: bool, price: float | None
) -> None:
    offer_text = "Managed backups: €6 per device per month, daily snapshots. One-off setup fee €80."
    success, why, proposed = decided(offer_text, seek_text)
    assert success is ok, why
    if price is not None:
        assert proposed == pytest.approx(price)


# --- a rate per worker per hour over hours a day and a count of days ------------------------

_GUARDS = "Event security in Leeds: £25 per guard per hour, minimum 5 hours per day. SIA licensed."


@pytest.mark.parametrize(
    ("seek_text", "ok", "price"),
    [
        ("Need 3 guards for 2 days, 6 hours per day, at our Leeds expo. Max £1,000.", True, 900.0),
        # the same work over the seek's limit
        ("Need 3 guards for 2 days, 6 hours per day, at our Leeds expo. Max £800.", False, None),
        # a day shorter than the offer's minimum day: the minimum would bind, never proposed
        ("Need 3 guards for 2 days, 4 hours per day, at our Leeds expo. Max £1,000.", False, None),
    ],
)
def test_hours_a_day_times_days_for_each_worker(
    seek_text: str, ok: bool, price: float | None
) -> None:
    success, why, proposed = decided(_GUARDS, seek_text)
    assert success is ok, why
    if price is not None:
        assert proposed == pytest.approx(price)


# --- the Ghana cedi; a budget for the first year ------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("Photo booth hire in Kumasi: GH₵ 900 for the evening.", 900.0),
        ("Catering for 40 guests, GH₵2,400 all in.", 2400.0),
        ("We can pay 650 cedis for the job.", 650.0),
        ("Budget GHS 1,200.", 1200.0),
    ],
)
def test_the_cedi_is_read_as_ghs(text: str, amount: float) -> None:
    money = read_facts(text, offer=True).money
    assert [(m.low, m.currency) for m in money] == [(amount, "GHS")]


def test_a_first_year_budget_is_one_year() -> None:
    facts = read_facts("Small shop, 6 staff. First-year budget £2,000 incl. setup.", offer=False)
    assert [(q.value, q.unit) for q in facts.quantities if q.unit == "year"] == [(1, "year")]
    # a first year that is no budget's counts nothing
    other = read_facts("First-year students welcome; budget £20/hour.", offer=False)
    assert not [q for q in other.quantities if q.unit == "year"]
