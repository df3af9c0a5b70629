"""Charges left out, session 12 (slice "leftout"): every price the offer states is in
the proposed total or shown not to apply, or the pair declines "cannot check: price".
A charge for getting to the client or setting up and clearing up ("travel £15 flat",
"Anfahrtspauschale 20 €", "frais de déplacement 40 €", "final cleaning £45") is a charge
on the order: the seek's silence about it never shows it does not apply. With no budget
on the seek, a rate proposed per unit is checked for left-out prices too. All texts are
invented."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.negotiation.charges import is_order_charge
from mediator_actors.negotiation.reader import read_facts
from tests.negotiation.helpers import decided

# --- a charge for getting there or clearing up is a charge on the order ----------------


@pytest.mark.parametrize(
    ("clause", "charge"),
    [
        ("Travel £15 flat.", True),
        ("Transport there and back €25 flat.", True),
        ("Anfahrtspauschale 20 €.", True),
        ("Fahrtkosten 18 €.", True),
        ("Frais de déplacement 40 €.", True),
        ("Desplazamiento 30 €.", True),
        ("Trasferta 35 €.", True),
        ("Final cleaning £45.", True),
        ("Service charge £12.", True),
        ("Buchungsgebühr 9 €.", True),
        ("Voorrijkosten € 25.", True),
        ("Taxa de deslocação 15 €.", True),
        ("Spese di viaggio 30 €.", True),
        ("Admin fee £20.", True),
        ("Hedge trimming £18.", False),
        ("Double kayak €22.", False),
        ("Large dogs £15.", False),
        ("Full service £85.", False),
    ],
)
def test_which_prices_name_a_charge_on_the_order(clause: str, charge: bool) -> None:
    facts = read_facts(f"Available weekdays. {clause}", offer=True)
    assert len(facts.money) == 1
    assert is_order_charge(facts.money[0]) is charge


# --- (1) with a budget: added once where due once, else cannot be checked ---------------


@pytest.mark.parametrize(
    ("offer_text", "seek_text", "price"),
    [
        (
            "Mobile dog groomer in Leeds. £40 per hour. Travel £15 flat.",
            "Need a mobile dog groomer in Leeds for 2 hours, budget £120.",
            95.0,
        ),
        (
            "Sound engineer in Bristol, £250 per day. Van and equipment transport £60 flat.",
            "Sound engineer needed in Bristol for 2 days, budget £600.",
            560.0,
        ),
        (
            "Klavierlehrerin in Köln, 45 € pro Stunde. Anfahrtspauschale 20 €.",
            "Suche Klavierlehrerin in Köln für 3 Stunden, Budget 200 €.",
            155.0,
        ),
    ],
)
def test_a_flat_travel_charge_is_in_the_total(
    offer_text: str, seek_text: str, price: float
) -> None:
    success, why, proposed = decided(offer_text, seek_text)
    assert success, why
    assert proposed == pytest.approx(price)


@pytest.mark.parametrize(
    ("offer_text", "seek_text"),
    [
        # the sum is over the budget: the charge is never dropped to fit it
        (
            "Mobile dog groomer in Leeds. £40 per hour. Travel £15 flat.",
            "Need a mobile dog groomer in Leeds for 2 hours, budget £90.",
        ),
        (
            "Sound engineer in Bristol, £250 per day. Van and equipment transport £60 flat.",
            "Sound engineer needed in Bristol for 2 days, budget £520.",
        ),
        # not said to be due once beside a rate per day or night: it may be due on each
        (
            "Traductrice à Nantes, 300 € par jour. Frais de déplacement 40 €.",
            "Cherche traductrice à Nantes pour 2 jours, budget 700 €.",
        ),
        (
            "Holiday cottage in Keswick, £90 per night. Final cleaning £45.",
            "Holiday cottage in Keswick wanted for 3 nights, budget £400.",
        ),
    ],
)
def test_a_travel_charge_that_cannot_be_added_declines(offer_text: str, seek_text: str) -> None:
    success, why, _ = decided(offer_text, seek_text)
    assert not success
    assert "cannot check: price" in why


def test_without_the_charge_the_same_pair_is_proposed() -> None:
    success, why, proposed = decided(
        "Mobile dog groomer in Leeds. £40 per hour.",
        "Need a mobile dog groomer in Leeds for 2 hours, budget £90.",
    )
    assert success, why
    assert proposed == pytest.approx(80.0)


# --- (2) no budget: a rate per unit is checked for the prices it leaves out -------------


@pytest.mark.parametrize(
    ("offer_text", "seek_text"),
    [
        (
            "Mobile dog groomer in Leeds. £40 per hour. Travel £15 flat.",
            "Need a mobile dog groomer in Leeds for 2 hours.",
        ),
        (
            "Klavierlehrerin in Köln, 45 € pro Stunde. Anfahrtspauschale 20 €.",
            "Suche Klavierlehrerin in Köln für 3 Stunden.",
        ),
        (
            "Fotógrafo en Sevilla, 200 € por día. Desplazamiento 30 €.",
            "Busco fotógrafo en Sevilla para 2 días.",
        ),
        (
            "Event photographer around Lyon. €110 per day. Transport there and back €65 flat.",
            "Looking for an event photographer in Lyon for 3 days.",
        ),
    ],
)
def test_no_budget_rate_with_a_charge_declines(offer_text: str, seek_text: str) -> None:
    success, why, _ = decided(offer_text, seek_text)
    assert not success
    assert "cannot check: price" in why


@pytest.mark.parametrize(
    ("offer_text", "seek_text", "price"),
    [
        (
            "Mobile dog groomer in Leeds. £40 per hour.",
            "Need a mobile dog groomer in Leeds for 2 hours.",
            80.0,
        ),
        # an alternative way to buy the same hours is not a charge on top
        (
            "Ironing service in Derby, £18 per hour, or £80 for 5 hours.",
            "Ironing help in Derby for 3 hours.",
            54.0,
        ),
    ],
)
def test_no_budget_rate_alone_is_proposed(offer_text: str, seek_text: str, price: float) -> None:
    success, why, proposed = decided(offer_text, seek_text)
    assert success, why
    assert proposed == pytest.approx(price)


# --- a flat charge added to an offer never lowers the total ------------------------------

_CHARGES = ["Travel £{n} flat.", "Call-out fee £{n}.", "Delivery £{n} flat.", "Setup £{n} one-off."]


@settings(max_examples=60, deadline=None)
@given(
    rate=st.integers(min_value=10, max_value=90),
    hours=st.integers(min_value=1, max_value=8),
    charge=st.integers(min_value=5, max_value=80),
    clause=st.sampled_from(_CHARGES),
    budget=st.one_of(st.none(), st.integers(min_value=50, max_value=900)),
)
def test_adding_a_flat_charge_never_lowers_the_total(
    rate: int, hours: int, charge: int, clause: str, budget: int | None
) -> None:
    base = f"Garden maintenance in Crewe. £{rate} per hour."
    seek_text = f"Garden maintenance wanted in Crewe for {hours} hours" + (
        f", budget £{budget}." if budget is not None else "."
    )
    ok0, _, total0 = decided(base, seek_text)
    ok1, why1, total1 = decided(f"{base} {clause.format(n=charge)}", seek_text)
    if ok1:
        assert ok0
        assert total0 is not None
        assert total1 is not None
        assert total1 >= total0 + charge - 1e-6, why1


# --- a charge written like the seek's budget is still left out -------------------------


@pytest.mark.parametrize(("budget", "ok"), [(50, False), (70, True)])
def test_a_charge_equal_to_the_budget_is_not_taken_as_the_ask(budget: int, ok: bool) -> None:
    """The derivation quotes the seek's "£50" too: the offer's "Travel £50 flat" is not
    in the total for that."""
    success, why, proposed = decided(
        "Window fitter in Hull. £10 per hour. Travel £50 flat.",
        f"Window fitter wanted in Hull for 1 hours, budget £{budget}.",
    )
    assert success is ok, why
    if ok:
        assert proposed == pytest.approx(60.0)
    else:
        assert "cannot check: price" in why


def test_a_dutch_travel_charge_is_added_once() -> None:
    success, why, proposed = decided(
        "Fotograaf in Utrecht, € 95 per uur. Voorrijkosten € 25.",
        "Fotograaf gezocht in Utrecht voor 3 uur, budget € 400.",
    )
    assert success, why
    assert proposed == pytest.approx(310.0)


def test_a_portuguese_travel_charge_without_a_budget_declines() -> None:
    success, why, _ = decided(
        "Fotógrafa no Porto, 80 € por hora. Taxa de deslocação 20 €.",
        "Procuro fotógrafa no Porto para 2 horas.",
    )
    assert not success
    assert "cannot check: price" in why
