"""Session 12 (prices): price lists, rates by the same unit, "N min" as minutes, units
in Portuguese and German.

An offer that lists items at flat prices is summed over the lines the seek names, each
times the seek's count of it; a count the reader cannot tie to a line leaves the total
unchecked. A second rate by the same unit named for another part of the work ("laying",
"removing") is never left out silently. "60 min £50" and "up to 20 min. Setup fee" are
minutes, never a minimum charge. Sentences written for this file."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.negotiation.fit import _thing_counts
from mediator_actors.negotiation.lines import price_list_total
from mediator_actors.negotiation.reader import read_facts
from tests.negotiation.helpers import decided

BAKERY = (
    "Party baking in Leeds:\n• birthday cake £30\n• cupcake £2\n• cookie box £9\n"
    "• delivery within Leeds £7"
)

CASES = [
    # a price list: each line the seek names times its count, the charge it names once
    (
        BAKERY,
        "Need 1 birthday cake, 24 cupcakes and 2 cookie boxes for Saturday in Leeds. "
        "Budget £110 including delivery.",
        True,
        103.0,
    ),
    (
        BAKERY,
        "Need 1 birthday cake, 24 cupcakes and 2 cookie boxes for Saturday in Leeds. "
        "Budget £95 including delivery.",
        False,
        None,
    ),
    # a rate plus a setup fee that follows "N min.": the fee is added, never a minimum
    # nor a package of the "60 min"
    (
        "Podcast transcripts: $1.50 per audio minute for episodes up to 60 min. Setup fee $40.",
        "Need transcripts of 50 audio minutes of our podcast. Budget $120.",
        True,
        115.0,
    ),
    (
        "Podcast transcripts: $1.50 per audio minute for episodes up to 60 min. Setup fee $40.",
        "Need transcripts of 50 audio minutes of our podcast. Budget $100.",
        False,
        None,
    ),
]


VOICE = "English voiceover / locução em inglês, €40 por minuto finalizado."
OFFICE = "Private office / sala privada em Coimbra, 300€/mês, internet incluída."
CHESTERFIELD = "Polstereinigung Hamburg: Chesterfield-Sofa €80 pro Stück."
CASES += [
    # units written in Portuguese and German: "por minuto", "/mês", "pro Stück"
    (VOICE, "Need a 3-minute English voiceover for an ad. Budget €150.", True, 120.0),
    (VOICE, "Need a 3-minute English voiceover for an ad. Budget €100.", False, None),
    (OFFICE, "private office in Coimbra for 4 months, max €1,300", True, 1200.0),
    (OFFICE, "private office in Coimbra for 5 months, max €1,300", False, None),
    # a price per piece against a count whose words name the offer's thing
    (CHESTERFIELD, "2 Chesterfield sofas need cleaning in Hamburg, max €200", True, 160.0),
    (CHESTERFIELD, "2 leather couches need cleaning in Hamburg, max €200", False, None),
]


BOOKS = "Bookkeeping for freelancers: annual accounts flat £300. VAT return +£80 if needed."
CASES += [
    # a charge on top that the seek's "no ..." names in full is not due
    (
        BOOKS,
        "Freelance designer, need my annual accounts done, no VAT return. Up to £350.",
        True,
        300.0,
    ),
    (
        BOOKS,
        "Freelance designer, annual accounts please, no problem if the VAT return is "
        "extra. Up to £350.",
        False,
        None,
    ),
]


WINDOWS = "Window cleaning in Bath, £18 per visit, houses up to 3 bedrooms."
CASES += [
    # the seek's own total of visits ("= 6 visits") answers its cadence and span
    (
        WINDOWS,
        "Terraced house in Bath, windows cleaned every 4 weeks from March to August "
        "= 6 visits. Max £120 for the lot.",
        True,
        108.0,
    ),
    # the same count without the seek's "=": the cadence may multiply it
    (
        WINDOWS,
        "Terraced house in Bath, windows cleaned, 6 visits every 4 weeks from March "
        "to August. Max £120 for the lot.",
        False,
        None,
    ),
]


@pytest.mark.parametrize(("offer_text", "seek_text", "ok", "price"), CASES)
def test_prices(offer_text: str, seek_text: str, ok: bool, price: float | None) -> None:
    success, why, proposed = decided(offer_text, seek_text)
    assert success is ok, why
    if price is not None:
        assert proposed == pytest.approx(price)


def test_list_line_with_its_own_count_is_a_package() -> None:
    s = read_facts("Need an 8-page website and a logo. Budget €2,000.", offer=False)
    priced = read_facts("Websites: page €100, logo €150.", offer=True)
    total = price_list_total(priced, s, "EUR", _thing_counts(s))
    assert total is not None
    assert total.total == pytest.approx(950.0)
    # "5 pages €900" is a package of five, never €900 a page
    package = read_facts("Websites: 5 pages €900, logo €150.", offer=True)
    assert price_list_total(package, s, "EUR", _thing_counts(s)) is None


def test_list_count_not_tied_to_a_line_is_unchecked() -> None:
    # "hakken" and "zolen" are lines the reader cannot tie to "2 pairs of boots"
    success, why, _ = decided(
        "Schoenmaker Utrecht: hakken vervangen €15, zolen vernieuwen €35.",
        "2 pairs of boots need new heels, Utrecht, max €60",
    )
    assert not success
    assert "cannot check: price" in why
    assert "2 pairs of boots" in why


def test_fee_per_thing_the_seek_never_counts_is_unchecked() -> None:
    success, why, _ = decided(
        "Podcast transcripts: $1.50 per audio minute. Setup fee $40 per show.",
        "Need transcripts of 50 audio minutes of our podcast. Budget $120.",
    )
    assert not success
    assert "cannot check: price" in why
    assert "$40 per show" in why


def test_second_rate_by_the_same_unit_is_unchecked() -> None:
    offer_text = "Decking in Bristol: £45/m² laying, £12/m² removing old boards."
    seek_text = "20 m² of decking to lay in Bristol, old boards taken up first. Budget £1,200."
    success, why, _ = decided(offer_text, seek_text)
    assert not success
    assert "cannot check: price" in why
    assert "same unit" in why
    # one rate alone is multiplied out as before
    success, why, price = decided("Decking in Bristol: £45/m² laid.", seek_text)
    assert success, why
    assert price == pytest.approx(900.0)


def test_minutes_before_a_price_are_no_minimum() -> None:
    facts = read_facts("Reflexology in Bath: 45 min £38, 75 min £55.", offer=True)
    assert [m.bound for m in facts.money] == ["about", "about"]
    # a written-out minimum still binds
    facts = read_facts("Electrician, min. £60 call-out, then £40 per hour.", offer=True)
    assert facts.money[0].bound == "at_least"


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=2, max_value=40),
    st.integers(min_value=1, max_value=90),
    st.integers(min_value=1, max_value=90),
)
def test_list_total_is_the_sum_of_its_lines(count: int, each: int, once: int) -> None:
    o = read_facts(f"Deli trays:\n• sandwich platter €{each}\n• fruit bowl €{once}", offer=True)
    s = read_facts(
        f"Please send {count} sandwich platters and one fruit bowl. Budget €9999.", offer=False
    )
    total = price_list_total(o, s, "EUR", _thing_counts(s))
    assert total is not None
    assert total.total == pytest.approx(count * each + once)
    # the seek that names no fruit bowl pays for the platters alone
    s = read_facts(f"Please send {count} sandwich platters. Budget €9999.", offer=False)
    total = price_list_total(o, s, "EUR", _thing_counts(s))
    assert total is not None
    assert total.total == pytest.approx(count * each)
