"""Session 12, helper guard: bounds whose number no reading bounded, travel inside an
included radius, and near-miss pairs that must all decline."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.distance import included_radius
from mediator_actors.negotiation.reader import read_terms
from mediator_actors.negotiation.unread import unread_clauses
from tests.negotiation.helpers import decided


def _unread(text: str) -> list[str]:
    return [u.clause for u in read_terms(text, offer=True).unread]


# --- (1) a bound written after its number --------------------------------------------


def test_postfix_bound_on_a_plain_count_is_unread() -> None:
    # "2 canoes" is read as about two: the "max" after it was not read
    assert _unread("Canoe hire €25 per day. 15% off for 4 days or more, 2 canoes max.")
    assert _unread("Paddle boards €20 per hour, 3 boards tops.")


def test_postfix_bound_declines_a_seek_past_it() -> None:
    proposed, why, _ = decided(
        "Canoe hire €25 per day. 15% off for 4 days or more, 2 canoes max.",
        "We want 3 canoes for 5 days on the river. Budget €500.",
    )
    assert not proposed
    assert "cannot check" in why


def test_prefix_bound_read_with_its_count_still_decides() -> None:
    # "max 2 canoes" is read as at most two: a refusal with the reason, not a doubt
    proposed, why, _ = decided(
        "Canoe hire €25 per day. 15% off for 4 days or more, max 2 canoes.",
        "We want 3 canoes for 5 days on the river. Budget €500.",
    )
    assert not proposed
    assert "at most 2" in why


def test_loose_range_reads_other_markers() -> None:
    text = "Tent hire: 4 tents, 12 kg each."
    # the plain count's own number and unit are read; only a bound on it is not
    assert unread_clauses(text, [], loose=[(11, 18), (20, 30)]) == ()
    assert unread_clauses("Tent hire: 4 tents max.", [], loose=[(11, 18)])
    assert unread_clauses("Tent hire: 4 tents max.", [(11, 18)]) == ()


def test_or_fewer_is_a_bound() -> None:
    assert _unread("Rowing boats €15 per hour. Groups of 3 people or fewer.")


@given(st.integers(min_value=2, max_value=40), st.sampled_from(["max", "tops", "or fewer"]))
def test_postfix_bound_on_any_count_is_never_passed(n: int, word: str) -> None:
    clauses = unread_clauses(f"Hire: {n} kayaks {word}.", [], loose=[(6, 6 + len(f"{n} kayaks"))])
    assert clauses
    assert clauses[0].blocking


# --- (2) travel inside an included radius ----------------------------------------------


def test_included_radius_is_read_in_several_languages() -> None:
    assert included_radius("Travel within 35 km of Ghent included, then €0.90/km.") == 35.0
    assert included_radius("Anfahrt bis 20 km inklusive, danach 0,70 €/km.") == 20.0
    assert included_radius("Déplacement gratuit dans un rayon de 15 km.") == 15.0
    assert included_radius("Trasferta inclusa entro 45 km, oltre 1 €/km.") == 45.0
    assert included_radius("Free travel up to 10 miles.") == pytest.approx(16.09)


def test_a_service_radius_is_no_included_travel() -> None:
    assert included_radius("We travel within 35 km of Ghent; €0.90/km.") is None
    assert included_radius("Delivery included. We serve within 35 km.") is None


_DUO = (
    "Harp and flute duo for weddings: ceremony €650, ceremony and drinks reception €950. "
    "Travel within 50 km of Bruges included, beyond that €1.20/km."
)


def test_travel_inside_the_included_radius_costs_nothing() -> None:
    proposed, why, price = decided(
        _DUO,
        "Wedding at a farm about 20 km from Bruges on 12 September. We want a harp and flute "
        "duo for the ceremony and drinks reception. Budget €1,000.",
    )
    assert proposed, why
    assert price is not None
    assert price <= 1000
    assert "0 kms past the 50 included" in why


def test_travel_past_the_radius_counts_only_the_excess() -> None:
    proposed, why, price = decided(
        _DUO,
        "Wedding at a castle about 70 km from Bruges on 12 September. We want a harp and "
        "flute duo for the ceremony and drinks reception. Budget €1,000.",
    )
    # 20 km past the 50 included at €1.20: 24 on top of 950, inside the budget
    assert proposed, why
    assert price is not None
    assert 974 <= price <= 1000
    assert "20 kms past the 50 included" in why


def test_unknown_distance_from_elsewhere_is_not_priced() -> None:
    proposed, why, _ = decided(
        _DUO,
        "Wedding at a castle, a drive of about 70 km, on 12 September. We want a harp and "
        "flute duo for the ceremony and drinks reception. Budget €1,000.",
    )
    # 70 km from where is not read: the excess past the radius is not known
    assert not proposed
    assert "cannot check" in why


# --- (3) near misses: one constraint fails in each, so every one declines -------------

_NEAR_MISSES = [
    pytest.param(
        "Handmade soy candles, €8 each. Minimum order 50 candles.",
        "Looking for 20 soy candles for wedding favours. Budget €300.",
        id="min-en",
    ),
    pytest.param(
        "Bedruckte Tassen, 6 € pro Stück, Mindestbestellmenge 100 Stück.",
        "Suche 40 bedruckte Tassen für unser Team. Budget 400 €.",
        id="min-de",
    ),
    pytest.param(
        "Macarons artisanaux : 1,20 € pièce, commande minimum de 200 pièces.",
        "Je cherche 60 macarons pour un anniversaire, budget 150 €.",
        id="min-fr",
    ),
    pytest.param(
        "Custom enamel pins, $3 per pin, 300 pins minimum.",
        "Need 120 custom enamel pins for our club. Budget $600.",
        id="min-post",
    ),
    pytest.param(
        "Wedding calligraphy for place cards, €2 per card. Booked solid until 15 October.",
        "Need 80 calligraphy place cards by 30 September. Budget €250.",
        id="date-en",
    ),
    pytest.param(
        "Oak dining tables made to order, €1,900. Lead time 10 weeks.",
        "Need an oak dining table delivered within 3 weeks. Budget €2,200.",
        id="date-lead",
    ),
    pytest.param(
        "Fotógrafo de bodas, 1.200 € la jornada. Disponible a partir del 1 de septiembre.",
        "Busco fotógrafo para mi boda el 15 de agosto. Presupuesto 1.500 €.",
        id="date-es",
    ),
    pytest.param(
        "Dog walking in Leeds, £12 per walk. No dogs over 30 kg.",
        "Need a dog walker in Leeds for my 40 kg mastiff, 5 walks a week. Budget £80 per week.",
        id="excl-en",
    ),
    pytest.param(
        "Umzugshilfe in Köln, 35 € pro Stunde. Keine Klaviere.",
        "Suche Umzugshilfe in Köln, 4 Stunden, inklusive Transport eines Klaviers. Budget 200 €.",
        id="excl-de",
    ),
    pytest.param(
        "House cleaning in Bristol, £18/hour. We do not clean ovens.",
        "Need a deep clean in Bristol including the oven, about 4 hours. Budget £100.",
        id="excl-cats",
    ),
    pytest.param(
        "Stock photos of alpine lakes, €40 per image, personal use only.",
        "Need 5 alpine lake photos for a commercial ad campaign. Budget €300.",
        id="lic-en",
    ),
    pytest.param(
        "Jingle composition, €500, non-exclusive rights only.",
        "Need a jingle for our radio spots with exclusive rights. Budget €800.",
        id="lic-excl",
    ),
    pytest.param(
        "Translation from German into English, €0.10 per word.",
        "Need 2,000 words translated from English into German. Budget €300.",
        id="lang-dir",
    ),
    pytest.param(
        "Vertalingen Nederlands naar Frans, €0,12 per woord.",
        "Need 1,500 words translated from French into Dutch. Budget €250.",
        id="lang-nl",
    ),
    pytest.param(
        "Proofreading of Spanish texts only, €15 per page.",
        "Need proofreading of 10 pages of Italian text. Budget €200.",
        id="lang-only",
    ),
    pytest.param(
        "Mobile bike repair in Utrecht only, €45 per visit.",
        "Need a mobile bike mechanic in Rotterdam to fix my gears. Budget €60.",
        id="place-en",
    ),
    pytest.param(
        "Fensterputzer in München, 40 € pro Stunde. Nur im Stadtgebiet München.",
        "Suche Fensterputzer in Augsburg für 3 Stunden, Budget 150 €.",
        id="place-de",
    ),
    pytest.param(
        "Piano tuning within 20 km of Lyon, €90 per tuning.",
        "Need my piano tuned, I live 45 km from Lyon. Budget €120.",
        id="place-radius",
    ),
    pytest.param(
        "Website design, €1,500, full payment upfront.",
        "Need a small business website. Budget €2,000, payment only after delivery.",
        id="pay-upfront",
    ),
    pytest.param(
        "Logo design, $200, payment in USDT only.",
        "Need a logo for my bakery. Budget $300, I can pay by bank transfer only.",
        id="pay-crypto",
    ),
    pytest.param(
        "Catering for events, €25 per person, 50% non-refundable deposit.",
        "Need catering for 30 people, €30 per person max, no deposit.",
        id="pay-deposit",
    ),
    pytest.param(
        "Minibus hire with driver, €400 per day, up to 16 passengers.",
        "Need a minibus with driver for 22 people for one day. Budget €600.",
        id="cap-en",
    ),
    pytest.param(
        "Ferienwohnung an der Ostsee, 90 € pro Nacht, maximal 4 Personen.",
        "Suche Ferienwohnung an der Ostsee für 6 Personen, 5 Nächte, Budget 600 €.",
        id="cap-de",
    ),
    pytest.param(
        "Sala riunioni a Milano, 200 € al giorno, capienza massima 12 persone.",
        "Cerco sala riunioni a Milano per 20 persone, un giorno, budget 300 €.",
        id="cap-it",
    ),
    pytest.param(
        "Van hire €80 per day, 3 pallets max.",
        "Need a van for one day to move 5 pallets. Budget €120.",
        id="cap-post",
    ),
    pytest.param(
        "Cargo bike delivery in Ghent, €15 per trip, loads up to 50 kg.",
        "Need a cargo bike delivery in Ghent of a 90 kg washing machine. Budget €40.",
        id="cap-weight",
    ),
    pytest.param(
        "Garden design consultation, €350 flat.",
        "Need a garden design consultation, budget €250 max.",
        id="price-en",
    ),
    pytest.param(
        "Bookkeeping at €45 per hour, about 10 hours a month.",
        "Need monthly bookkeeping, budget €300 per month.",
        id="price-rate",
    ),
    pytest.param(
        "Electrician call-outs, €60 per hour, 3 hour minimum.",
        "Need an electrician for a 1 hour job replacing a socket. Budget €100.",
        id="price-min-hours",
    ),
]


@pytest.mark.parametrize(("offer_text", "seek_text"), _NEAR_MISSES)
def test_near_miss_declines(offer_text: str, seek_text: str) -> None:
    proposed, why, _ = decided(offer_text, seek_text)
    assert not proposed, why


def test_a_closing_refusal_names_no_place() -> None:
    # "Keine Klaviere." at the end of an advert refuses pianos; it is no town
    proposed, why, _ = decided(
        "Umzugshilfe in Köln, 35 € pro Stunde. Keine Klaviere.",
        "Suche Umzugshilfe in Köln, 4 Stunden, inklusive Transport eines Klaviers. Budget 200 €.",
    )
    assert not proposed
    assert "Keine Klaviere" in why
