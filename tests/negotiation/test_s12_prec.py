"""Session 12 (precision): stated limits that passed silently and now are read or
declined as "cannot check". Each mechanism is tested on a pair that must decline and on
the same pair without the limit (or with it met), with sentences written for this file."""

from __future__ import annotations

import pytest

from mediator_actors.negotiation.unread import markers
from tests.negotiation.helpers import decided

# A negation in the language the post is written in is a limit like an English one.
NEGATIONS = [
    ("Fensterputzer in Graz, 60 € pro Stunde. Wir arbeiten nicht über dem zweiten Stock.",
     "Suche Fensterputzer in Graz für 3 Stunden, Budget 200 €."),
    ("Jardinier à Lyon, 30 € par heure. Je ne fais pas les arbres de plus de 6 m.",
     "Cherche jardinier à Lyon pour 4 heures, budget 150 €."),
    ("Schoonmaakster in Utrecht, €25 per uur. Geen ramen aan de buitenkant.",
     "Zoek schoonmaakster in Utrecht, 3 uur per week, max €30 per uur."),
]  # fmt: skip


@pytest.mark.parametrize(("offer_text", "seek_text"), NEGATIONS)
def test_a_negation_in_another_language_is_not_passed_over(offer_text: str, seek_text: str) -> None:
    ok, why, _ = decided(offer_text, seek_text)
    assert not ok
    assert "cannot check" in why
    # the same offer without its limiting sentence is proposed
    plain = offer_text.rsplit(". ", 1)[0] + "."
    ok, why, _ = decided(plain, seek_text)
    assert ok, why


@pytest.mark.parametrize(
    "text",
    ["non-smoking flat in Leeds", "Kein Problem, wir kommen gern", "sin problema", "a non-profit"],
)
def test_chatter_and_english_prefixes_are_no_foreign_negation(text: str) -> None:
    assert not [m for m in markers(text) if m.kind == "negation"]


def test_french_split_negation_is_one_marker() -> None:
    found = [m for m in markers("Nous ne livrons pas le dimanche.") if m.kind == "negation"]
    assert found
    assert "pas" in "Nous ne livrons pas le dimanche."[found[0].start : found[0].end]
