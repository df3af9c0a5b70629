"""Probes for the price mechanisms behind dev_h19/dev_h20's unsound proposals (issue 16,
session 13): whose dollar a bare "$" is, counts written beside a unit, volumes read as
lengths, flat prices against several things, amounts in a sign the reader does not know.
Each pair is invented, not a copy of a set's pair. Precision first: where the reader
cannot tell, it declines with "cannot check"."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.negotiation.clauses import unread_amount
from mediator_actors.negotiation.counting import number_beside
from mediator_actors.negotiation.dollars import local_dollar, unknown_dollar
from mediator_actors.negotiation.meaning import shared_similarity
from mediator_actors.negotiation.offline import assess
from mediator_actors.negotiation.reader import read_facts
from mediator_actors.negotiation.validation import decide
from tests.negotiation.helpers import decided, offer, seek


def _terms(offer_text: str, seek_text: str) -> tuple[bool, str, float | None, str | None]:
    o, s = offer(offer_text), seek(seek_text)
    result = decide(
        assess(o, s, similarity=shared_similarity()), o, s, min_confidence=60,
        model_id="offline", model_integrity_hash="h",
    )  # fmt: skip
    terms = result.terms
    why = result.failure_reason or result.reasoning
    return (
        result.success,
        why,
        None if terms is None else terms.price,
        None if terms is None else terms.currency,
    )


# --- whose dollar a bare "$" is -----------------------------------------------------------


@pytest.mark.parametrize(
    ("offer_text", "seek_text", "code"),
    [
        ("Canoe rental in Kelowna, $45 a day.", "Need a canoe for 2 days, $100 max.", "CAD"),
        ("Firewood $120 a load, delivered.", "Need a load of firewood near Bendigo, $150.", "AUD"),
        ("Hedge trimming, Hawke's Bay, $50/hr.", "Need a hedge trimmed, 3 hrs, $180 max.", "NZD"),
        ("Hedge trimming $50/hr, Hamilton NZ.", "hedge trim, 3 hrs, up to $180", "NZD"),
        ("Hedge trimming $50/hr, Mittagong NSW.", "hedge trim, 3 hrs, up to $180", "AUD"),
        ("Sheep shearing, $3.80 a head (NZD).", "Need 400 sheep shorn.", "NZD"),
        # a dollar named by the other side only is not this side's "$"
        ("Sheep shearing NZ$3.80 a head.", "Need 400 sheep shorn, budget $1,700.", None),
        ("Piano tuning in Denver, $120.", "Need my piano tuned, $150 max.", None),
        ("Piano tuning, Seattle, WA, $120.", "Need my piano tuned, $150 max.", None),
        ("Piano tuning in Toronto, USD 120.", "Need my piano tuned, $150 max.", None),
    ],
)
def test_local_dollar_reads_places_and_named_dollars(
    offer_text: str, seek_text: str, code: str | None
) -> None:
    assert local_dollar(offer_text, seek_text) == code
    assert unknown_dollar(offer_text, seek_text) is None


@pytest.mark.parametrize(
    ("offer_text", "seek_text"),
    [
        # two dollar countries: whose "$" is meant cannot be told
        ("Dog grooming in Calgary or Brisbane, $70.", "Need my dog groomed, $80."),
        # a dollar that is not the US one, without saying whose
        ("Electrician $90/hr + GST, call-outs welcome.", "Need 2 hrs of electrical work, $200."),
        ("Ute and trailer hire $90 a day.", "Need a ute for the weekend, $200."),
        ("Flatshare room $210pw, bills incl.", "Looking for a room, up to $230 pw."),
    ],
)
def test_a_dollar_that_cannot_be_told_declines(offer_text: str, seek_text: str) -> None:
    assert local_dollar(offer_text, seek_text) is None
    assert unknown_dollar(offer_text, seek_text) is not None
    ok, why, _ = decided(offer_text, seek_text)
    assert not ok
    assert "cannot check" in why, why
    assert "currency" in why, why


def test_a_bare_dollar_in_new_zealand_is_proposed_in_nzd() -> None:
    ok, why, price, currency = _terms(
        "Lawn mowing Taranaki, $35 per mow, New Plymouth and around.",
        "Need my lawn mowed once, New Plymouth, up to $40.",
    )
    assert ok, why
    assert (price, currency) == (35, "NZD")


def test_a_place_makes_the_other_sides_bare_dollar_the_named_one() -> None:
    # the offer names the dollar and the place, the seek writes "$": one dollar
    ok, why, price, currency = _terms(
        "Window washing CA$6 per window, Moncton area.",
        "Need 10 windows washed, budget $80.",
    )
    assert ok, why
    assert (price, currency) == (60, "CAD")


def test_a_dollar_named_by_one_side_only_is_never_compared() -> None:
    ok, why, _ = decided("Logo design, $180.", "Need a logo, budget 200 AUD.")
    assert not ok
    assert "currency" in why, why


def test_a_bare_dollar_with_no_sign_stays_us() -> None:
    ok, why, _, currency = _terms(
        "Lawn mowing in Tulsa, $35 per mow.", "Need my lawn mowed once in Tulsa, up to $40."
    )
    assert ok, why
    assert currency == "USD"


_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)


@settings(max_examples=200, deadline=None)
@given(_TEXT, _TEXT)
def test_a_named_us_dollar_is_never_another(a: str, b: str) -> None:
    assert local_dollar(f"{a} US$ 40 in Auckland", b) is None
    assert unknown_dollar(f"{a} US$ 40 in Auckland", f"{b} Sydney") is None


@settings(max_examples=200, deadline=None)
@given(_TEXT, _TEXT)
def test_known_and_unknown_dollars_never_both(a: str, b: str) -> None:
    # a dollar is either named, or unknown with a reason, or USD: never two at once
    assert local_dollar(a, b) is None or unknown_dollar(a, b) is None


# --- a number written beside a unit is a count ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("Need n=400 responses from nurses.", "response", 400),
        ("Pages (approx.): 1 200, deadline Friday.", "page", 1200),
        ("Character count: 9.800 incl. spaces.", "character", 9800),
        ("A logo and a brand kit, 2 weeks.", "kit", None),
        ("One quick logo please.", "logo", None),
        ("About 500-800 words per post.", "word", None),
        ("Words: 500 to 800.", "word", None),
        ("3 x 200 pages, bound.", "page", None),
    ],
)
def test_number_beside(text: str, unit: str, value: float | None) -> None:
    found = number_beside(text, unit)
    assert (None if found is None else found.value) == value


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=2, max_value=99_999), st.sampled_from(["word", "page", "interview"]))
def test_a_written_count_is_found(n: int, unit: str) -> None:
    found = number_beside(f"We need {n:,} {unit}s done.", unit)
    assert found is not None
    assert found.value == n
    field = number_beside(f"{unit.title()} count: {n:,}.", unit)
    assert field is not None
    assert field.value == n
    assert number_beside(f"We need {unit}s done soon.", unit) is None


def test_a_count_written_as_a_field_is_multiplied_out() -> None:
    offer_text = "Proofreading English > English, €0.02 per word, minimum fee €40."
    ok, why, price = decided(
        offer_text, "Need our annual report proofread. Word count: 22,000. Budget up to €600."
    )
    assert ok, why
    assert price == 440
    ok, why, _ = decided(
        offer_text, "Need our annual report proofread. Word count: 22,000. Budget up to €400."
    )
    assert not ok
    assert "above the seek's budget" in why, why


def test_a_rate_for_one_job_is_still_one() -> None:
    ok, why, price = decided(
        "Logo design €250 per logo, 3 concepts.", "Need a logo for my café, budget €300."
    )
    assert ok, why
    assert price == 250


# --- a volume is no length ------------------------------------------------------------------


def test_cubic_centimetres_are_read_as_a_volume() -> None:
    facts = read_facts("Need 30 brackets, 15 cm³ each.", offer=False)
    volumes = [q for q in facts.quantities if q.unit == "cm3"]
    assert volumes, facts.quantities
    assert volumes[0].value == 450
    assert not [q for q in facts.quantities if q.unit == "cm"]
    rate = read_facts("Resin printing, 0.40 € per cm³.", offer=True).money
    assert rate[0].per == "cm3"


def test_a_length_in_centimetres_stays_a_length() -> None:
    facts = read_facts("Need a shelf 80 cm wide.", offer=False)
    assert [q.unit for q in facts.quantities] == ["cm"]


def test_a_volume_rate_is_multiplied_out() -> None:
    ok, why, price = decided(
        "Resin 3D printing, 0.40 € per cm³, ships in 3 days.",
        "Need 30 resin brackets printed, 15 cm³ each. Budget 200 €.",
    )
    assert ok, why
    assert price == 180


# --- a flat price against several of the thing ----------------------------------------------


def test_a_flat_price_with_no_budget_against_several_declines() -> None:
    ok, why, _ = decided(
        "Chimney sweeping £60, soot certificate included. Leeds.",
        "Need 2 chimneys swept in Leeds before winter.",
    )
    assert not ok
    assert "cannot check" in why, why
    assert "more than one" in why, why


def test_a_flat_price_with_no_budget_against_one_is_proposed() -> None:
    ok, why, price = decided(
        "Chimney sweeping £60, soot certificate included. Leeds.",
        "Need our chimney swept in Leeds before winter.",
    )
    assert ok, why
    assert price == 60


# --- an amount in a sign the reader does not know -------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Wedding photos, budget R9k for the day.", True),
        ("our price: Rs4500 all in", True),
        ("Wedding photos, budget friendly, any day.", False),
        ("Paper size A4 only.", False),
    ],
)
def test_unread_amount_with_a_one_letter_sign(text: str, found: bool) -> None:
    assert (unread_amount(text) is not None) is found


def test_a_price_in_an_unknown_sign_is_never_proposed_priceless() -> None:
    # rupees written "Rs" are not read (rand is, since s13/recall): the pair must not be
    # proposed with no price at all
    ok, why, _ = decided(
        "Wedding photography Rs85,000 for the day, 300 edited photos.",
        "Need a wedding photographer in March, budget Rs90k.",
    )
    assert not ok
    assert "cannot check" in why, why


def test_a_count_per_occasion_is_not_the_whole_count() -> None:
    # "2 Std., zweimal pro Woche" against a monthly budget: the hours are one visit's
    ok, why, _ = decided(
        "Gartenhilfe in Graz, 25 €/Std., mind. 2 Std. pro Besuch.",
        "Gartenhilfe in Graz, 2 Std., zweimal pro Woche. Budget bis 450 € im Monat.",
    )
    assert not ok
    assert "cannot check" in why, why


# --- words counted in Dutch and German plurals ----------------------------------------------


def test_words_counted_in_german_and_dutch_plurals() -> None:
    ok, why, price = decided(
        "Freiberuflicher Übersetzer Englisch > Deutsch, 0,10 € pro Wort, ca. 3.000 Wörter pro Tag.",
        "Wir suchen jemanden für unsere Broschüre (rund 5.000 Wörter), Englisch nach Deutsch. "
        "Budget 600 €.",
    )
    assert ok, why
    assert price == 500
    ok, why, _ = decided(
        "Vertaler Engels → Nederlands, €0,10 per woord.",
        "Wij zoeken een vertaling van onze handleiding (ongeveer 6.000 woorden) van het Engels "
        "naar het Nederlands. Budget €550.",
    )
    assert not ok
    assert "above the seek's budget" in why, why
