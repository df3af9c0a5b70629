"""Precision risks named in session 12 and mended in session 13 (helper risks): dates in
other languages, a use licence against a commercial seek, pack minimums against a seek
that measures its need, and the fit <-> tiers import cycle."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.negotiation.licences import use_conflict
from mediator_actors.negotiation.months import FOREIGN_MONTHS
from mediator_actors.negotiation.reader import read_terms
from tests.negotiation.helpers import judge

_REF = dt.date(2027, 3, 1)  # the Monday the helpers' intents are written on


# --- the import cycle -----------------------------------------------------------------


def test_tiers_imports_nothing_of_fit() -> None:
    # tiers.chosen_tier read fit's amount helpers lazily (a cycle fit <-> tiers); both now
    # take them from amounts.py, so no import of fit is left anywhere in tiers.
    source = Path("mediator_actors/negotiation/tiers.py").read_text(encoding="utf-8")
    imported = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert "mediator_actors.negotiation.fit" not in imported
    assert "mediator_actors.negotiation.amounts" in imported


def test_range_tier_still_chosen() -> None:
    # the tier chooser works as before through the moved helpers
    answer = judge(
        "Minibus hire with driver. Up to 8 passengers: 140 EUR per trip. Up to 16 "
        "passengers: 210 EUR per trip.",
        "Minibus hire with driver for 12 passengers to the airport, budget 250 EUR.",
    )
    assert answer.compatible
    assert answer.terms is not None
    assert answer.terms.price == 210.0


# --- dates in other languages ---------------------------------------------------------


def _deadline(text: str) -> dt.date | None:
    return read_terms(text, offer=False, reference=_REF).deadline


def test_foreign_deadlines_are_read() -> None:
    assert _deadline("Brauche das Logo bis zum 15. März, Budget 300 EUR.") == dt.date(2027, 3, 15)
    assert _deadline("Il faut le site avant le 3 avril, budget 900 EUR.") == dt.date(2027, 4, 2)
    assert _deadline("Serve il video entro il 20 maggio, budget 700 EUR.") == dt.date(2027, 5, 20)
    assert _deadline("Necesito el informe antes del 1 de junio, 400 EUR.") == dt.date(2027, 5, 31)
    assert _deadline("Ontwerp nodig vóór 12 mei, budget 250 EUR.") == dt.date(2027, 5, 11)
    assert _deadline("Preciso do texto até 5 de julho, orçamento 200 EUR.") == dt.date(2027, 7, 5)
    assert _deadline("Wir brauchen es bis 3. Okt., Budget 500 EUR.") == dt.date(2027, 10, 3)


def test_short_month_alone_is_no_date() -> None:
    # "Mai" is also a name: a short month is a date only after a day number
    assert _deadline("Wedding portraits by Mai, budget 600 EUR.") is None
    assert _deadline("Need the mural by May, budget 600 EUR.") == dt.date(2027, 5, 31)


def test_offer_free_until_foreign_date() -> None:
    terms = read_terms(
        "Ferienhaus am Waldrand frei bis zum 20. April, 95 EUR pro Nacht.",
        offer=True,
        reference=_REF,
    )
    assert terms.facts.until_date == dt.date(2027, 4, 20)
    terms = read_terms(
        "Studio meublé disponible jusqu'au 8 mai, 60 EUR la nuit.", offer=True, reference=_REF
    )
    assert terms.facts.until_date == dt.date(2027, 5, 8)


def test_foreign_deadline_too_soon_declines() -> None:
    offer = "Traduction juridique de contrats, 600 EUR, livraison en 6 semaines."
    soon = judge(
        offer, "Cherche traduction juridique de contrats avant le 10 mars, budget 800 EUR."
    )
    assert not soon.compatible
    later = judge(
        offer, "Cherche traduction juridique de contrats avant le 30 mai, budget 800 EUR."
    )
    assert later.compatible
    assert later.terms is not None
    assert later.terms.timeline == "deliver by 2027-05-29"


def test_unread_foreign_date_does_not_pass() -> None:
    # a foreign date no reading takes is a constraint nobody checked: never silent (an
    # offer's declines; a seek's date the offer says nothing against costs confidence)
    offer = judge(
        "Bookbinding of notebooks, 45 EUR each, closed 3 to 20 juillet.",
        "Need bookbinding of 2 notebooks, budget 100 EUR.",
    )
    assert not offer.compatible
    assert offer.refusal_reason is not None
    assert "juillet" in offer.refusal_reason
    seek = judge(
        "Bookbinding of notebooks, 45 EUR each.",
        "Need bookbinding of 2 notebooks, handover 14 juillet at the earliest, budget 100 EUR.",
    )
    plain = judge(
        "Bookbinding of notebooks, 45 EUR each.", "Need bookbinding of 2 notebooks, budget 100 EUR."
    )
    assert "cannot check" in seek.reasoning
    assert "14 juillet" in seek.reasoning
    assert seek.confidence < plain.confidence


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(FOREIGN_MONTHS)), st.integers(min_value=1, max_value=28))
def test_foreign_month_with_day_property(name: str, day: int) -> None:
    found = _deadline(f"Brauche die Arbeit bis zum {day}. {name}, Budget 300 EUR.")
    assert found is not None
    assert (found.month, found.day) == (FOREIGN_MONTHS[name], day)


# --- a use licence against a commercial seek ------------------------------------------


def test_personal_licence_refuses_resale() -> None:
    answer = judge(
        "Watercolour botanical clip art set, 120 files, 25 EUR, personal use only.",
        "Looking for watercolour botanical clip art to print on mugs for resale, budget 40 EUR.",
    )
    assert not answer.compatible
    assert answer.refusal_reason is not None
    assert "licence" in answer.refusal_reason


def test_personal_licence_fits_personal_seek() -> None:
    answer = judge(
        "Watercolour botanical clip art set, 120 files, 25 EUR, personal use only.",
        "Looking for watercolour botanical clip art for my own scrapbook, budget 40 EUR.",
    )
    # no licence refusal: the clause stays for the unread guard, as before
    assert answer.refusal_reason is not None
    assert "licence:" not in answer.refusal_reason
    assert "cannot check" in answer.refusal_reason


def test_foreign_licence_words() -> None:
    assert use_conflict(
        "Musique d'ambiance, 30 EUR, usage personnel uniquement.",
        "Cherche musique d'ambiance pour usage commercial en boutique.",
    )
    assert use_conflict(
        "Schriftart Pinselschrift, 20 EUR, nicht kommerziell.",
        "Suche Pinselschrift für den Weiterverkauf von Karten.",
    )
    assert use_conflict(
        "Plantillas de diseño, 15 EUR, uso personal.", "Busco plantillas para reventa."
    )


def test_lifted_licence_is_no_conflict() -> None:
    assert (
        use_conflict(
            "Font family, 20 EUR personal use; commercial licence available for 60 EUR.",
            "Need a font family for commercial use on packaging.",
        )
        is None
    )
    # the seek's own words are a limited use too: which it needs is unclear
    assert (
        use_conflict(
            "Photo pack, 20 EUR, non-commercial licence.",
            "Need photos, non-commercial use for a charity, no resale.",
        )
        is None
    )


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(["personal use only", "non-commercial licence", "for private use"]),
    st.sampled_from(["to resell", "for resale", "commercial use", "merchandise"]),
)
def test_licence_property(limit: str, use: str) -> None:
    assert use_conflict(f"Vector icon pack, 18 EUR, {limit}.", f"Icons needed {use}.")
    assert use_conflict(f"Vector icon pack, 18 EUR, {limit}.", "Icons for my own blog.") is None


# --- pack minimums against a measured need --------------------------------------------


def test_pack_weight_below_one_crate_refuses() -> None:
    answer = judge(
        "Organic red lentils in 2 kg bags, sold by the crate of 5 bags, 3 EUR per kg.",
        "Need 6 kg of organic red lentils, budget 40 EUR.",
    )
    assert not answer.compatible
    assert answer.refusal_reason is not None
    assert "packs" in answer.refusal_reason


def test_whole_crates_by_weight_propose() -> None:
    answer = judge(
        "Organic red lentils in 2 kg bags, sold by the crate of 5 bags, 3 EUR per kg.",
        "Need 20 kg of organic red lentils, budget 80 EUR.",
    )
    assert answer.compatible
    assert answer.terms is not None
    assert answer.terms.price == 60.0


def test_part_crate_by_weight_cannot_check() -> None:
    answer = judge(
        "Organic red lentils in 2 kg bags, sold by the crate of 5 bags, 3 EUR per kg.",
        "Need 15 kg of organic red lentils, budget 80 EUR.",
    )
    assert not answer.compatible
    assert answer.refusal_reason is not None
    assert "cannot check" in answer.refusal_reason


def test_pack_without_size_against_weight_cannot_check() -> None:
    answer = judge(
        "Dried porcini mushrooms, sold in packs of 10, 4 EUR per pack.",
        "Need 3 kg of dried porcini mushrooms, budget 90 EUR.",
    )
    assert not answer.compatible
    assert answer.refusal_reason is not None
    assert "cannot check" in answer.refusal_reason


def test_pack_counted_in_packs_still_passes() -> None:
    answer = judge(
        "Dried porcini mushrooms, sold in packs of 10, 4 EUR per pack.",
        "Need 3 packs of dried porcini mushrooms, budget 20 EUR.",
    )
    assert answer.compatible
    assert answer.terms is not None
    assert answer.terms.price == 12.0


# --- "only" in other languages --------------------------------------------------------


def test_foreign_days_only_refuse_other_days() -> None:
    refused = judge(
        "Clases de guitarra, 30 EUR por hora, únicamente los sábados.",
        "Busco clases de guitarra los martes, presupuesto 40 EUR por hora.",
    )
    assert not refused.compatible
    assert refused.refusal_reason is not None
    assert "availability" in refused.refusal_reason
    kept = judge(
        "Clases de guitarra, 30 EUR por hora, únicamente los sábados.",
        "Busco clases de guitarra los sábados, presupuesto 40 EUR por hora.",
    )
    assert kept.compatible


def test_foreign_days_are_slots() -> None:
    for offer, seek in (
        ("Gitaarles, 30 EUR per uur, alleen op zaterdag.", "Gitaarles gezocht op dinsdag."),
        ("Cours de dessin, 25 EUR, le lundi uniquement.", "Cours de dessin le samedi."),
        ("Nachhilfe Mathe, 20 EUR pro Stunde, nur montags.", "Nachhilfe Mathe samstags."),
    ):
        o = read_terms(offer, offer=True, reference=_REF).facts
        s = read_terms(seek, offer=False, reference=_REF).facts
        assert o.slots
        assert s.slots
        assert not o.slots & s.slots, (offer, seek)
        assert o.slots_strict


def test_not_only_is_no_limit() -> None:
    facts = read_terms(
        "Nachhilfe Mathe, 20 EUR pro Stunde, nicht nur montags.", offer=True, reference=_REF
    ).facts
    assert not facts.slots_strict
    facts = read_terms(
        "Nachhilfe Mathe, 20 EUR pro Stunde, nur montags.", offer=True, reference=_REF
    ).facts
    assert facts.slots_strict


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["uniquement", "nur", "únicamente", "soltanto", "alleen", "somente"]))
def test_foreign_only_is_an_unread_marker(word: str) -> None:
    from mediator_actors.negotiation.unread import markers

    kinds = {m.kind for m in markers(f"Massage 60 EUR, {word} Zimmer 4.")}
    assert "must" in kinds
