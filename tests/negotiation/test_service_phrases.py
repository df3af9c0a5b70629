"""Service fit by meaning on phrases derived from the prose (issue 16 item 2): the
reader's phrase without amounts, places or topic and the opening clause, judged by meaning
alone at the derived threshold; towns and currency words both sides name do not count."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.embedding.hashing import HashEmbedder
from mediator_actors.negotiation import offline
from mediator_actors.negotiation.meaning import (
    DERIVED_THRESHOLDS,
    MAX_CLAUSES,
    ServiceSimilarity,
    phrase_key,
    place_words,
    service_clauses,
    service_phrases,
    without_words,
)
from tests.negotiation.helpers import decided

CHIMNEY = (
    "Chimney sweep covering the Yorkshire Dales incl. Skipton & Settle. £70 per flue, "
    "certificate included.",
    "Hiya - we've got a log burner and want the chimney cleaned before winter. Only the one "
    "flue. Near Skipton. £80 max.",
)
BTW = (
    "Bookkeeper for ZZP'ers: Dutch VAT (BTW) return €90 per quarter.",
    "hoi! ZZP'er here (freelance photographer). I need somebody to take my quarterly BTW "
    "returns off my hands for the whole of 2026, so four quarters. Been doing it myself and "
    "it's a mess lol. Max four hundred euros for the year.",
)


def test_a_phrase_loses_its_amounts_places_and_frame() -> None:
    phrases = service_phrases(
        ["licensed plumber covering Utrecht and 20 km around."],
        "Licensed plumber covering Utrecht and 20 km around. €65 per hour.",
        ["utrecht"],
    )
    assert phrases[0] == "licensed plumber covering Utrecht and 20 km around."
    assert "licensed plumber" in phrases
    # The same phrase twice, in another case, is kept once.
    assert len({phrase_key(p) for p in phrases}) == len(phrases)


def test_the_opening_clause_names_what_a_seek_is_about() -> None:
    phrases = service_phrases(
        ["fixing by Friday 13 March please"],
        "Kitchen tap is dripping non-stop and the siphon under the sink leaks too. "
        "Needs fixing by Friday 13 March please!",
    )
    assert "Kitchen tap is dripping non-stop and the siphon under the sink leaks too" in phrases


def test_the_framing_and_the_topic_are_not_the_service() -> None:
    # The corpus's unrelated services share "for ocean current simulation projects".
    phrases = service_phrases(
        ["load testing for ocean current simulation projects"],
        "I am offering load testing for ocean current simulation projects. Asking 90 NLC.",
        ["ocean current simulation"],
    )
    assert "load testing" in phrases
    assert not any(p.lower().startswith(("i am", "offering")) for p in phrases[1:])


def test_clauses_of_chatter_and_amounts_name_no_service() -> None:
    clauses = service_clauses("locked out at 2am in birmingham, need someone now, can pay 100 quid")
    assert clauses == ("locked out at in birmingham",)
    assert service_clauses("Budget 200 euro, by Friday 13 March, thanks!") == ()


def test_place_words_read_towns_not_languages_nor_the_opening() -> None:
    words = place_words(
        "Babysitter. Lessons taught in English, based in Gent, Birmingham.",
        known=["leeds"],
        keep=["english"],
    )
    assert {"gent", "birmingham", "leeds"} <= words
    assert "english" not in words
    assert "babysitter" not in words  # the first clause names the service
    assert without_words("car detailing, Birmingham.", {"birmingham"}) == "car detailing"


def test_the_hash_embedder_never_fits_a_derived_phrase() -> None:
    words_only = ServiceSimilarity(embedder=HashEmbedder())
    assert not words_only.fits(1.0, shared_word=True, derived=True)
    assert not words_only.meaningful
    assert DERIVED_THRESHOLDS["local"] > 0.5  # stricter than the reader's phrases (0.5)


@pytest.mark.parametrize("pair", [CHIMNEY, BTW], ids=["chimney", "btw"])
def test_compatible_pairs_the_reader_phrases_missed_are_proposed(pair: tuple[str, str]) -> None:
    offline.clear_caches()
    ok, why, _ = decided(*pair)
    assert ok, why


def test_without_the_derived_phrases_the_btw_pair_is_different_services(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(offline, "_derived_match", lambda *args: None)
    offline.clear_caches()
    ok, why, _ = decided(*BTW)
    assert not ok
    assert "different services" in why


def test_words_of_a_derived_phrase_do_not_make_a_fit() -> None:
    # "car" in both opening clauses: by words it would be a fit; by meaning it is not.
    offline.clear_caches()
    o = "Car detailing: interior + exterior deep clean, €120."
    s = "My car makes a grinding noise when I brake, need a mechanic to diagnose and fix it."
    ok, why, _ = decided(o, s)
    assert not ok
    assert "different services" in why


def test_a_shared_currency_word_does_not_make_a_fit() -> None:
    # 0.503 with "GBP" in both; the town is masked from the derived phrases too.
    offline.clear_caches()
    ok, why, _ = decided(
        "Locksmith, lockout call-out 90 GBP, Birmingham.",
        "Garden hedge trimming needed in birmingham, can pay 100 GBP.",
    )
    assert not ok
    assert "different services" in why


_PROSE = st.lists(
    st.sampled_from(
        [*"abcXYZ éü09 .,;:!?()-\u2013\u2192/&+'€$£\n", "in ", "for ", "Need ", "Leeds"]
    ),
    max_size=120,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(_PROSE, st.lists(st.text(alphabet="abc ", max_size=8), max_size=3))
def test_service_clauses_are_bounded_bare_clauses_of_the_text(text: str, drop: list[str]) -> None:
    clauses = service_clauses(text, drop)
    assert len(clauses) <= MAX_CLAUSES
    assert len(set(clauses)) == len(clauses)
    letters = set(re.findall(r"[^\W\d_]+", text.lower()))
    for clause in clauses:
        assert 0 < len(clause) <= 200
        # Amounts are out: a digit left is part of a name glued to letters ("3D", "A100").
        for number in re.finditer(r"\d+", clause):
            before = clause[: number.start()][-1:]
            after = clause[number.end() :][:2]
            assert re.match(r"[^\W\d_]", before) or re.match(r"[-\u2013]?[^\W\d_]", after)
        assert set(re.findall(r"[^\W\d_]+", clause.lower())) <= letters


@settings(max_examples=200, deadline=None)
@given(st.lists(_PROSE, max_size=3), _PROSE)
def test_service_phrases_keep_the_readers_phrases_first(candidates: list[str], text: str) -> None:
    phrases = service_phrases(candidates, text)
    keys = [phrase_key(p) for p in phrases]
    assert len(set(keys)) == len(keys)
    assert all(phrases)
    # Every non-empty reader phrase (or one of its case-variants) is kept, in order.
    wanted = list(dict.fromkeys(phrase_key(c) for c in candidates if c))
    assert [k for k in keys if k in wanted][: len(wanted)] == wanted[: len(wanted)]


@settings(max_examples=200, deadline=None)
@given(_PROSE, st.lists(st.text(alphabet="abc", min_size=1, max_size=6), max_size=3))
def test_place_words_are_words_of_the_text_or_known(text: str, known: list[str]) -> None:
    found = place_words(text, known)
    words = set(re.findall(r"[\w'\u2019-]+", text.lower())) | {k.lower() for k in known}
    assert found <= words


def test_a_service_verb_is_a_whole_word() -> None:
    # "hire" inside "Yorkshire" made the offer's service "Dales incl".
    from mediator_actors.negotiation.reader import read_terms

    terms = read_terms(CHIMNEY[0], offer=True)
    assert terms.service.startswith("chimney sweep")
    assert read_terms("Russell here: we need a dog walker.", offer=False).service == "dog walker"
