"""Exclusions a B2B / freelancer post states that the negotiator proposed through (session
13, helper h20excl): Incoterms on both sides, a one-way translation direction in words,
a port named after its head word, a town outside the offer's only-region, a minimum in
packing units with its conversion, and counts per month written in other languages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation import langnames, regions
from mediator_actors.negotiation.incoterms import RANK, stated_terms, term_gap
from mediator_actors.negotiation.reader import LANGUAGES, read_facts

from .helpers import decided

# --- Incoterms ------------------------------------------------------------------------


def test_exw_only_against_ddp_refuses() -> None:
    offer = (
        "Stainless steel cable ties 300 mm, bags of 100. EUR 4.10/bag, MOQ 500 bags. "
        "Terms: EXW Izmir only, collection by the buyer's forwarder."
    )
    seek = (
        "RFQ: 2,000 bags stainless cable ties 300 mm. Delivery DDP Lyon, all duties on the "
        "supplier. Target EUR 5.00/bag."
    )
    ok, why, _ = decided(offer, seek)
    assert not ok
    assert "delivery terms" in why
    assert "EXW" in why
    assert "DDP" in why


def test_same_term_is_no_gap() -> None:
    offer = "Cable ties 300 mm, bags of 100, EUR 4.10/bag. FCA Izmir only."
    seek = "2,000 bags of cable ties 300 mm, FCA Izmir, up to EUR 5.00/bag."
    assert term_gap(offer, seek) is None


def test_second_term_offered_closes_the_gap() -> None:
    # "EXW Graz, DAP EU at cost": the offer also delivers to the named place
    offer = "Machined flanges, EUR 7.80/pc. Incoterms EXW Graz, DAP EU at cost."
    assert term_gap(offer, "500 flanges, DAP Ljubljana, max EUR 9/pc.") is None


def test_offer_carrying_further_is_no_gap() -> None:
    # a seller who delivers duty paid can hand over at the port as well
    assert term_gap("Prices DDP your warehouse.", "We buy FOB Ningbo.") is None


def test_gap_without_only_cannot_check() -> None:
    gap = term_gap("Quoted FOB Ningbo, 3.20 USD/unit.", "Need CIF Rotterdam pricing.")
    assert gap is not None
    assert gap[1] is False
    ok, why, _ = decided(
        "Ceramic mugs 350 ml, white, USD 1.20/mug, quoted FOB Ningbo.",
        "Buying 5,000 ceramic mugs 350 ml, white; DAP Hamburg required, max USD 1.60/mug.",
    )
    assert not ok
    assert "cannot check" in why
    assert "delivery terms" in why


def test_terms_read_in_words_and_capitals_only() -> None:
    assert set(stated_terms("Price ex works Porto, or Delivered Duty Paid on request")) == {
        "EXW",
        "DDP",
    }
    # codes that are also other capitals count only as terms: before a named place, or
    # after "Incoterms"/"terms"
    assert stated_terms("FCA-regulated adviser; CIP cleaning of tanks.") == {}
    assert set(stated_terms("FCA Felixstowe, or Incoterms: CIP")) == {"FCA", "CIP"}
    # "fob" in lower case is a key fob, not Free On Board
    assert stated_terms("Car key fob replacement, 25 GBP") == {}


@given(st.sampled_from(sorted(RANK)), st.sampled_from(sorted(RANK)))
def test_gap_follows_the_order(offered: str, wanted: str) -> None:
    gap = term_gap(f"Supply terms: {offered} only.", f"We need {wanted} Rotterdam delivery.")
    if RANK[offered] >= RANK[wanted]:
        assert gap is None
    else:
        assert gap is not None
        assert gap[1] is True


# --- translation direction in words ---------------------------------------------------


def _pairs(text: str) -> frozenset[tuple[str, str]]:
    return read_facts(text, offer=True).language_pairs


def test_worded_directions_in_several_languages() -> None:
    assert _pairs("Traductor jurado del francés al español, 0,09 €/palabra.") == {
        ("french", "spanish")
    }
    assert _pairs("Traduction assermentée de l'allemand vers le français.") == {
        ("german", "french")
    }
    assert _pairs("Beglaubigte Übersetzungen vom Polnischen ins Deutsche.") == {
        ("polish", "german")
    }
    assert _pairs("Traduzioni giurate dall'inglese all'italiano.") == {("english", "italian")}
    assert _pairs("Beëdigd vertaler van het Spaans naar het Nederlands.") == {("spanish", "dutch")}
    assert _pairs("Tradução juramentada do alemão para o português.") == {("german", "portuguese")}


def test_worded_direction_needs_two_language_names() -> None:
    # "de" and "a" between words that are no language names make no pair
    assert _pairs("Traducción de contratos a precio cerrado, 0,08 €/palabra.") == frozenset()
    assert _pairs("I can do French in the mornings, 30 EUR an hour.") == frozenset()


def test_reverse_worded_direction_refuses() -> None:
    ok, why, _ = decided(
        "Traductor jurado nombrado por el MAEC, del francés al español únicamente. 0,09 €/palabra.",
        "Buscamos traducción jurada del español al francés de un poder notarial (unas 2.000 "
        "palabras). Presupuesto 300 €.",
    )
    assert not ok
    assert "languages" in why


_FOREIGN = sorted(
    (w, e) for w, e in langnames.FOREIGN_NAMES.items() if e in LANGUAGES and "'" not in w
)


@given(st.sampled_from(_FOREIGN), st.sampled_from(_FOREIGN))
def test_spanish_direction_property(a: tuple[str, str], b: tuple[str, str]) -> None:
    pairs = _pairs(f"Traducción jurada de {a[0]} a {b[0]}, tarifa 0,10 €/palabra.")
    if a[1] != b[1]:
        assert (a[1], b[1]) in pairs
        assert (b[1], a[1]) not in pairs


# --- ports ----------------------------------------------------------------------------


def test_port_of_names_the_place() -> None:
    places = {p for p, _ in read_facts("Clearance at the Port of Felixstowe.", offer=True).places}
    assert "felixstowe" in places
    assert "port" not in places


def test_port_elsewhere_refuses() -> None:
    ok, why, _ = decided(
        "Licensed customs broker: entries, bonds, holds. Filing at Port of Oakland only. "
        "$110 per entry.",
        "Need a customs broker for about 12 entries a month arriving at the Port of "
        "Houston, TX. Up to $140 per entry.",
    )
    assert not ok
    assert "place" in why
    assert "Houston" in why


def test_same_port_is_no_place_refusal() -> None:
    _ok, why, _ = decided(
        "Licensed customs broker: entries, bonds, holds. Filing at Port of Oakland only. "
        "$110 per entry.",
        "Need a customs broker for about 12 entries a month arriving at the Port of "
        "Oakland. Up to $140 per entry.",
    )
    assert "place: the offer is tied" not in why


# --- a town outside the offer's only-region -------------------------------------------


def test_town_outside_region() -> None:
    note = regions.outside({"ireland"}, "Mobile welding, Ireland only.", "At our Manchester depot.")
    assert note is not None
    assert "Manchester" in note


def test_region_of_a_shipping_offer_is_no_refusal() -> None:
    offer = "Based in Scotland: industrial dry ice pellets, £2.10/kg, we ship UK-wide by courier."
    _ok, why, _ = decided(offer, "Our Leeds plant needs 200 kg of dry ice pellets, budget £600.")
    assert "outside Scotland" not in why


def test_town_inside_region_is_not_outside() -> None:
    assert regions.outside({"ireland"}, "Ireland only.", "At our Cork depot.") is None
    # a region the tables do not hold says nothing
    assert regions.outside({"wessex"}, "Wessex only.", "At our Manchester depot.") is None


def test_outside_region_refuses_and_inside_does_not() -> None:
    offer = "Industrial pressure washing of warehouses and yards. £95/h, minimum 3 hours. Scotland only."
    ok, why, _ = decided(offer, "Pressure wash our Leeds warehouse yard, ~5 h. Budget £600.")
    assert not ok
    assert "Leeds lies outside Scotland" in why
    ok, why, _ = decided(offer, "Pressure wash our Dundee warehouse yard, ~5 h. Budget £600.")
    assert "outside Scotland" not in why


# --- a minimum in packing units -------------------------------------------------------


def _minimums(text: str) -> set[tuple[float, str]]:
    return {
        (q.value, q.unit) for q in read_facts(text, offer=True).quantities if q.bound == "at_least"
    }


def test_pallet_conversion_is_a_minimum() -> None:
    assert (48.0, "bottle") in _minimums(
        "Cold-pressed rapeseed oil, 1 l bottles, €6 per bottle. Minimum order: 2 cartons = 48 bottles."
    )
    # a conversion after a packing unit that is no minimum stays an amount
    assert (48.0, "bottle") not in _minimums(
        "Sold by the carton: 2 cartons = 48 bottles, €6 per bottle."
    )


def test_below_packing_minimum_refuses() -> None:
    offer = "Cold-pressed rapeseed oil, 1 l bottles, €6 per bottle. Minimum order: 2 cartons = 48 bottles."
    ok, why, _ = decided(
        offer, "Farm shop needs 20 bottles of rapeseed oil a fortnight, budget €7/bottle."
    )
    assert not ok
    assert "minimum" in why
    ok, why, _ = decided(offer, "Farm shop needs 60 bottles of rapeseed oil, budget €7/bottle.")
    assert "minimum" not in why


@given(st.integers(min_value=1, max_value=9), st.integers(min_value=2, max_value=900))
def test_pallet_conversion_property(pallets: int, boxes: int) -> None:
    text = f"Minimum order: {pallets} pallet = {boxes} boxes, €9 per box."
    assert (float(boxes), "box") in _minimums(text)


# --- counts per month in other languages ----------------------------------------------


def test_count_per_month_is_no_months() -> None:
    for text in (
        "Wir haben etwa 300 Rechnungen pro Monat.",
        "Environ 40 factures par mois.",
        "Unas 90 facturas al mes.",
    ):
        assert not any(q.unit == "month" for q in read_facts(text, offer=False).quantities), text
    # a count of months stays one
    assert any(
        q.unit == "month" for q in read_facts("Vertrag über 12 Monate.", offer=False).quantities
    )


def test_cap_per_month_in_german_refuses() -> None:
    ok, why, _ = decided(
        "Lohnbuchhaltung für Handwerksbetriebe, 210 €/Monat. Wir betreuen keine Betriebe mit "
        "mehr als 40 Mitarbeitern pro Monat.",
        "Suchen Lohnbuchhaltung für unseren Handwerksbetrieb, rund 65 Mitarbeiter im Monat. "
        "Budget bis 450 €/Monat.",
    )
    assert not ok
    assert "at most 40" in why


def test_count_per_month_read_with_its_noun() -> None:
    cap = read_facts("Comptabilité pour TPE, au plus 60 factures par mois.", offer=True)
    assert [(q.value, q.unit, q.bound, q.period) for q in cap.quantities] == [
        (60.0, "factur", "at_most", "month")
    ]
    # the German dative plural and the plain plural are one noun
    a = read_facts("höchstens 30 Belegen pro Woche", offer=True).quantities
    b = read_facts("rund 20 Belege pro Woche", offer=False).quantities
    assert a[0].unit == b[0].unit
    assert a[0].bound == "at_most"
    assert b[0].bound == "about"


def test_french_count_within_cap_is_no_limit_refusal() -> None:
    ok, why, _ = decided(
        "Comptabilité pour TPE, 150 € par mois, au plus 60 factures par mois.",
        "Cherchons comptable, environ 30 factures par mois, budget 300 € par mois.",
    )
    assert "limit" not in why
    ok, why, _ = decided(
        "Comptabilité pour TPE, 150 € par mois, au plus 60 factures par mois.",
        "Cherchons comptable, environ 90 factures par mois, budget 300 € par mois.",
    )
    assert not ok
    assert "at most 60" in why


@given(
    st.integers(min_value=2, max_value=400), st.sampled_from(["pro Monat", "im Monat", "je Woche"])
)
def test_foreign_count_property(n: int, joint: str) -> None:
    qs = read_facts(f"Wir haben etwa {n} Lieferscheine {joint}.", offer=False).quantities
    assert [(q.value, q.unit) for q in qs] == [(float(n), "lieferschein")]
