"""Session 13 (bases): allowances written in other languages ("bis N ..., jeder weitere
..."), and a price whose included amount the seek exceeds declines when the ones beyond
are not counted. Invented texts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.negotiation.allowances import _same_noun, worded_allowance
from mediator_actors.negotiation.reader import read_facts
from tests.negotiation.helpers import decided

# --- the reader of worded allowances -------------------------------------------------------


@pytest.mark.parametrize(
    ("offer_text", "seek_text", "included", "rate"),
    [
        (
            "Lohnbuchhaltung: 90 € pro Monat bis 15 Abrechnungen, jede weitere Abrechnung 4 €.",
            "Wir brauchen Lohnbuchhaltung, etwa 18 Abrechnungen pro Monat, ein Jahr lang.",
            15.0,
            4.0,
        ),
        (
            "Relecture : 60 € par mois jusqu'à 12 chapitres, chaque chapitre supplémentaire 7 €.",
            "Relecture de 15 chapitres par mois pendant 2 mois.",
            12.0,
            7.0,
        ),
        (
            "Traducción: 80 € por mes hasta 10 fichas, cada ficha adicional 6 €.",
            "Traducción de unas 14 fichas por mes, durante 5 meses.",
            10.0,
            6.0,
        ),
        (
            "Sottotitoli: 70 € al mese fino a 8 video, ogni video in più 9 €.",
            "Sottotitoli per 11 video al mese per tre mesi.",
            8.0,
            9.0,
        ),
        (
            "Webshop-beheer: 110 € per maand tot 40 producten, elke extra product 1,50 €.",
            "Beheer van 55 producten per maand, een half jaar.",
            40.0,
            1.5,
        ),
    ],
)
def test_worded_allowance_reads_each_language(
    offer_text: str, seek_text: str, included: float, rate: float
) -> None:
    o, s = read_facts(offer_text, offer=True), read_facts(seek_text, offer=False)
    found = worded_allowance(o, s, offer_text, seek_text)
    assert found is not None
    assert found.included.value == included
    assert found.extra is not None
    assert found.extra.low == rate


def test_a_capacity_without_a_price_beside_it_is_no_allowance() -> None:
    offer_text = "Saal mit Platz bis 60 Gäste. Miete 400 € pro Abend."
    seek_text = "Suche einen Saal für 70 Gäste, ein Abend."
    o, s = read_facts(offer_text, offer=True), read_facts(seek_text, offer=False)
    assert worded_allowance(o, s, offer_text, seek_text) is None


def test_a_rate_for_another_noun_is_not_the_allowances() -> None:
    offer_text = "Buchhaltung: 200 € pro Monat bis 80 Belege, jede weitere Stunde 50 €."
    seek_text = "Buchhaltung für 95 Belege im Monat, ein Jahr."
    o, s = read_facts(offer_text, offer=True), read_facts(seek_text, offer=False)
    found = worded_allowance(o, s, offer_text, seek_text)
    assert found is not None
    assert found.extra is None


@settings(max_examples=40, deadline=None)
@given(st.from_regex(r"[a-z]{4,9}", fullmatch=True))
def test_a_noun_is_the_same_as_its_plural(word: str) -> None:
    assert _same_noun(word, word + "s")
    assert _same_noun(word.capitalize(), word + "e")
    # a different first letter ("qqqq" and "q" + "qqqq" are a word and its longer form)
    other = "z" if word[0] != "z" else "y"
    assert not _same_noun(word, other + word)


# --- whole pairs ----------------------------------------------------------------------------


def test_german_allowance_counts_the_ones_beyond() -> None:
    ok, why, price = decided(
        "Lohnbuchhaltung für Handwerksbetriebe: 90 € pro Monat bis 15 Abrechnungen, "
        "jede weitere Abrechnung 4 €. Start sofort.",
        "Wir suchen Lohnbuchhaltung für unseren Handwerksbetrieb, etwa 18 Abrechnungen im "
        "Monat, für 6 Monate. Budget bis 150 € pro Monat.",
    )
    assert ok, why
    assert price == pytest.approx(6 * (90 + 3 * 4))


def test_french_allowance_counts_the_ones_beyond() -> None:
    ok, why, price = decided(
        "Relecture de manuscrits : 60 € par mois jusqu'à 12 chapitres, chaque chapitre "
        "supplémentaire 7 €.",
        "Cherche relecture de manuscrits, environ 15 chapitres par mois, pendant 2 mois. "
        "Budget 120 € par mois.",
    )
    assert ok, why
    assert price == pytest.approx(2 * (60 + 3 * 7))


def test_within_the_allowance_is_the_price_alone() -> None:
    ok, why, price = decided(
        "Lohnbuchhaltung für Handwerksbetriebe: 90 € pro Monat bis 15 Abrechnungen, "
        "jede weitere Abrechnung 4 €.",
        "Wir suchen Lohnbuchhaltung für unseren Handwerksbetrieb, etwa 12 Abrechnungen im "
        "Monat, für 6 Monate. Budget bis 150 € pro Monat.",
    )
    assert ok, why
    assert price == pytest.approx(6 * 90)


def test_an_unread_rate_beyond_declines_when_the_seek_needs_more() -> None:
    ok, why, _ = decided(
        "Lohnbuchhaltung für Handwerksbetriebe: 90 € pro Monat inklusive 15 Abrechnungen, "
        "darüber hinaus nach Vereinbarung.",
        "Wir suchen Lohnbuchhaltung für unseren Handwerksbetrieb, etwa 18 Abrechnungen im "
        "Monat, für 6 Monate. Budget bis 150 € pro Monat.",
    )
    assert not ok
    assert "cannot check" in why
    assert "15 Abrechnungen" in why


def test_a_seek_count_the_reader_missed_still_declines() -> None:
    ok, why, _ = decided(
        "Webshop-beheer: 110 € per maand tot 40 producten, elke extra product 1,50 €.",
        "Wij zoeken webshop-beheer voor zo'n 55 producten per maand, 6 maanden. "
        "Budget 200 € per maand.",
    )
    assert not ok
    assert "cannot check" in why
