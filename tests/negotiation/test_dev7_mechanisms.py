"""The mechanisms dev7 showed letting near-misses through (issue 16, precision first): a
bound that names its own number, a minimum charge named by any noun, an implied
translation direction, an offer time no timeline reading took, a measure counted as one,
specifications of one unit told apart, negated mentions, a prefix-matched exclusion,
number words, and places the reader did not see. Each near-miss is written for these
tests (one stated constraint fails), beside its compatible twin where the fix could
otherwise just refuse everything."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.negotiation.fit import check_facts, price_basis
from mediator_actors.negotiation.reader import read_facts
from mediator_actors.negotiation.unread import unread_clauses
from mediator_actors.negotiation.validation import Answer
from tests.negotiation.helpers import judge


def _refused(answer: Answer) -> bool:
    return not answer.compatible


# --- a bound names its own number -----------------------------------------------------


def test_group_cap_is_held_against_the_group() -> None:
    offer = "Canoe trips on the Rhine in Arnhem, €30 per person, max 6 per group."
    assert _refused(
        judge(offer, "A group of seven friends wants one canoe trip in Arnhem, budget €300.")
    )
    assert judge(
        offer, "A group of five friends wants one canoe trip in Arnhem, budget €300."
    ).compatible


def test_a_bound_with_an_unread_number_is_unread_even_beside_another_reading() -> None:
    # "€40 per person" is read; "max 8" is not: the sentence's reading does not read it.
    text = "Boat hire €40 per person, max 8 per mooring."
    spans = [(text.index("€40"), text.index("€40") + len("€40 per person"))]
    assert unread_clauses(text, spans)
    assert not unread_clauses(
        "Boat hire €40 per person, max 8 per mooring.", [*spans, (text.index("max"), len(text) - 1)]
    )


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["max", "maximum", "minimum", "min", "up to", "at least"]),
    st.integers(min_value=1, max_value=999),
    st.sampled_from(["", "order: ", "group "]),
)
def test_any_bound_before_an_uncovered_number_is_reported(bound: str, n: int, noun: str) -> None:
    text = f"Rates from €20 per hour, {bound} {noun}{n} per visit."
    rate = text.index("€20")
    clauses = unread_clauses(text, [(rate, rate + len("€20 per hour"))])
    assert any(str(n) in clause for clause, _ in clauses)


def test_minimum_named_by_any_noun_is_a_floor() -> None:
    facts = read_facts("Taxi to the port, €2/km, minimum fare €35.", offer=True)
    assert any(m.low == 35 and m.bound == "at_least" for m in facts.money)
    facts = read_facts("* minimum order: 200 bags", offer=True)
    assert any(q.value == 200 and q.bound == "at_least" for q in facts.quantities)


def test_minimum_order_with_a_colon_refuses_a_smaller_order() -> None:
    offer = "FIREWOOD\n* oak logs, dry\n* €6 per bag\n* minimum order: 50 bags"
    assert _refused(judge(offer, "Need 40 bags of oak firewood, budget €300."))
    assert judge(offer, "Need 60 bags of oak firewood, budget €400.").compatible


def test_an_amount_each_item_weighs_is_multiplied_by_the_items() -> None:
    facts = read_facts("need 20 small PETG clips printed, each is about 15 g.", offer=False)
    assert any(q.unit == "g" and q.value == 300 for q in facts.quantities)


# --- languages ------------------------------------------------------------------------


def test_an_implied_direction_is_held_to_the_offers_pair() -> None:
    offer = "Translations from Italian into English, €0.10 per word."
    assert _refused(
        judge(
            offer, "Our English brochure (1,000 words) needs translating into Italian, budget €200."
        )
    )
    assert judge(
        offer, "Our Italian brochure (1,000 words) needs translating into English, budget €200."
    ).compatible


def test_no_direction_at_all_cannot_be_checked() -> None:
    answer = judge(
        "Translations from Italian into English, €0.10 per word.",
        "Need help with a 1,000-word translation; we work in Italian, our partners in English. Budget €200.",
    )
    assert _refused(answer)
    assert "cannot check" in (answer.refusal_reason or "")


# --- timeline -------------------------------------------------------------------------


def test_an_offer_time_no_timeline_reading_took_is_its_duration() -> None:
    offer = "Shopify store builds for €3,000 fixed. Delivery 8 weeks from signed contract."
    late = judge(offer, "Need a Shopify store build, live by 15 April 2027, budget €4,000.")
    assert _refused(late)
    assert "timeline" in (late.refusal_reason or "")
    assert judge(
        offer, "Need a Shopify store build, live by 30 June 2027, budget €4,000."
    ).compatible


def test_calendar_days_are_a_duration() -> None:
    offer = "Italian > English translation of manuals, €0.09/word, delivery within 9 calendar days of order."
    assert _refused(
        judge(offer, "Need a 2,000-word Italian manual in English within 5 days. Budget €300.")
    )


def test_an_event_date_holds_the_offers_notice() -> None:
    offer = "Birthday cakes, €4 per serving, minimum 14 days notice for any order."
    soon = judge(offer, "Birthday cake for 30 people for a party on 8 March 2027. Budget €200.")
    assert _refused(soon)
    assert "timeline" in (soon.refusal_reason or "")
    assert judge(
        offer, "Birthday cake for 30 people for a party on 30 March 2027. Budget €200."
    ).compatible


# --- price basis ----------------------------------------------------------------------


def test_a_measure_is_never_one() -> None:
    # The area went unread (here: dropped with the injected instruction around it).
    o = read_facts("Floor sanding, €22 per m2, Utrecht.", offer=True)
    s = read_facts("Need the floor sanded in Utrecht, budget max €900.", offer=False)
    basis = price_basis(o, s, frozenset({"need", "floor", "m2", "sand", "utrecht"}))
    assert basis.floor is None
    assert basis.unchecked is not None


def test_specs_of_one_unit_are_told_apart_by_their_noun() -> None:
    offer = "Dedicated server hosting: 8 cores, 16 GB RAM, 500 GB SSD, €40/month."
    small = judge(offer, "Need dedicated server hosting with at least 32 GB RAM, up to €60/month.")
    assert _refused(small)
    assert "32" in (small.refusal_reason or "")
    assert judge(
        offer, "Need dedicated server hosting with at least 12 GB RAM, up to €60/month."
    ).compatible


# --- opposites, exclusions, number words, places --------------------------------------


def test_a_negated_mention_does_not_hide_the_opposite() -> None:
    found = check_facts(
        read_facts("Renting my Fiat Panda, manual gearbox, €30/day.", offer=True),
        read_facts("Need a car for 2 days, must be automatic (I never drive manual).", offer=False),
        seek_onsite_required=False,
        offer_text="Renting my Fiat Panda, manual gearbox, €30/day.",
        seek_text="Need a car for 2 days, must be automatic (I never drive manual).",
    )
    assert any("manual" in r and "automatic" in r for r in found.refusals)


def test_cash_only_against_only_paying_by_transfer() -> None:
    answer = judge(
        "Gardener, hedges and lawns, €30/hr. Cash only.",
        "Need a gardener for 3 hours of hedge trimming, €120 budget. We can only pay by bank transfer.",
    )
    assert _refused(answer)


def test_an_excluded_stem_matches_the_words_it_begins() -> None:
    offer, seek = "Event photography, €900. Stills only, no video.", "Need a videographer, €1,000."
    found = check_facts(
        read_facts(offer, offer=True), read_facts(seek, offer=False),
        seek_onsite_required=False, offer_text=offer, seek_text=seek,
    )  # fmt: skip
    assert any("no video" in r for r in found.refusals)


def test_tens_as_words_are_counts() -> None:
    facts = read_facts("a cake for seventy guests", offer=False)
    assert any(q.value == 70 for q in facts.quantities)


def test_a_city_only_offer_refuses_another_city() -> None:
    offer = "Window cleaning, Utrecht city only, €20/hr."
    assert _refused(judge(offer, "Shop in Amersfoort needs window cleaning, paying €25/hr."))


def test_a_zone_code_is_a_place() -> None:
    facts = read_facts("Mobile physio, I travel anywhere inside the M25 (London).", offer=True)
    assert "m25" in {p for p, _ in facts.places}


# --- recall, once precision held ------------------------------------------------------


def test_within_days_of_a_briefing_is_a_duration() -> None:
    offer = "Explainer videos, €800 per video. Delivered within 12 days of briefing."
    assert _refused(judge(offer, "Need one explainer video within 7 days, budget €900."))
    assert judge(offer, "Need one explainer video within 20 days, budget €900.").compatible


def test_a_monthly_rate_against_a_yearly_budget() -> None:
    offer = "Website hosting plan, €20/month."
    assert judge(offer, "Need website hosting plan, 250 eur per year.").compatible
    dear = judge(offer, "Need website hosting plan, 200 eur per year.")
    assert _refused(dear)
    assert "240" in (dear.refusal_reason or "")
