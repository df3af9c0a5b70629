"""Mechanisms from the second near-miss pass (issue 16, precision first): unchecked
conditions stated as hard, clock hours in 24-hour form and as "after"/"before", and
ranges of weekdays. Every pair is written for these tests, never copied from a set."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.demands import hard_stated, restrictions
from mediator_actors.negotiation.meaning import PhraseSimilarity
from mediator_actors.negotiation.reader import read_facts, read_terms
from tests.negotiation.helpers import judge

# --- a condition nobody could check, stated as hard --------------------------------------


def test_hard_words_anywhere_in_the_sentence_harden_it() -> None:
    text = "Twins need a sitter. Sitter MUST be calm with twins, non-negotiable. £40."
    assert hard_stated("Sitter MUST be calm with twins", text)
    assert hard_stated("a quiet flat is essential", "a quiet flat is essential")
    assert hard_stated("the cleaner has to bring supplies", "the cleaner has to bring supplies")


def test_a_plain_must_or_a_bare_required_is_not_hard() -> None:
    assert not hard_stated("must be tidy", "Need a gardener, must be tidy. £60.")
    assert not hard_stated("Attribution required", "Need photos. Attribution required.")


def test_a_hard_unchecked_condition_declines_and_one_met_in_words_does_not() -> None:
    seek = "Garden clearance in Cork, one day, €300. The team has to take the green waste away."
    silent = judge("Garden clearance in Cork, €250 per day.", seek)
    assert not silent.compatible
    assert "cannot check" in (silent.refusal_reason or "")
    met = judge("Garden clearance in Cork, €250 per day, we take the green waste away.", seek)
    assert met.compatible
    assert met.confidence >= 60


def test_a_soft_unchecked_condition_still_only_costs() -> None:
    seek = "Garden clearance in Cork, one day, €300. Ideally the green waste goes."
    answer = judge("Garden clearance in Cork, €250 per day.", seek)
    assert answer.compatible


def test_who_must_is_not_what_is_restricted() -> None:
    found = restrictions("The movers have to dismantle the wardrobe.", offer=False)
    assert found
    assert all("mover" not in group for group in found[0].alternatives)


# --- clock hours: 24-hour ranges, "after 18:00", "before 8am" ----------------------------


def test_after_is_an_earliest_start_and_before_a_latest_end() -> None:
    after = read_facts("Need tutoring after 18:00 on weekdays.", offer=False)
    assert after.clock_from is not None
    assert after.clock_from[0] == 18.0
    before = read_facts("Need the office cleaned before 7am.", offer=False)
    assert before.clock_until is not None
    assert before.clock_until[0] == 7.0


def test_a_seek_starting_when_the_offer_stops_declines_by_hours() -> None:
    offer = "Piano lessons, 09:00\u201314:00 only, £30 per hour."
    late = judge(offer, "Piano lessons for my son, 1 hour, after 17:30, £40.")
    assert not late.compatible
    assert "hours" in (late.refusal_reason or "")
    assert judge(offer, "Piano lessons for my son, 1 hour at 10:00, £40.").compatible


def test_a_seek_done_before_the_offer_starts_declines_by_hours() -> None:
    offer = "Window cleaning from 11am, $8 per window."
    early = judge(offer, "10 windows cleaned before 9am, $100.")
    assert not early.compatible
    assert "hours" in (early.refusal_reason or "")


def test_a_clock_without_minutes_or_am_pm_is_no_time() -> None:
    facts = read_facts("Need a van for after 3 people leave, before 5 boxes arrive.", offer=False)
    assert facts.clock_from is None
    assert facts.clock_until is None


# --- ranges of weekdays --------------------------------------------------------------------

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def test_monday_to_friday_is_every_weekday() -> None:
    facts = read_facts("Available Monday to Friday, 8:00-13:00.", offer=True)
    assert facts.days == frozenset(_KEYS[:5])
    assert read_facts("Open Fri-Sun.", offer=True).days == frozenset({"fri", "sat", "sun"})


@given(st.integers(0, 6), st.integers(0, 6), st.sampled_from(["to", "-", "through", "\u2013"]))
def test_a_day_range_names_the_days_between_in_week_order(a: int, b: int, joiner: str) -> None:
    facts = read_facts(f"Lessons {_DAYS[a]} {joiner} {_DAYS[b]}, £20.", offer=True)
    span = (b - a) % 7 + 1
    assert facts.days == frozenset(_KEYS[(a + i) % 7] for i in range(span))


# --- several unchecked conditions add up -------------------------------------------------


def test_four_unchecked_conditions_decline_together() -> None:
    offer = "Website testing, $400 per project."
    seek = (
        "Need website testing, $500. Reports must be in plain English. "
        "Tests must cover old browsers. Results must be shared weekly. "
        "Bugs must be filed in Jira."
    )
    answer = judge(offer, seek)
    assert not answer.compatible
    assert "4 conditions" in (answer.refusal_reason or "")
    three = judge(offer, seek.removesuffix(" Bugs must be filed in Jira."))
    assert three.compatible
    one = judge(offer, "Need website testing, $500. Reports must be in plain English.")
    assert one.compatible


# --- a share in percent on both sides ------------------------------------------------------


def test_a_bounded_percent_is_held_against_the_offers_percent() -> None:
    seek = "Need 20 kg of beeswax pellets, at least 95% pure wax, £120."
    assert judge("Beeswax pellets, 99% pure wax, £5 per kg.", seek).compatible
    low = judge("Beeswax pellets, 80% pure wax, £5 per kg.", seek)
    assert not low.compatible
    assert "cannot check" in (low.refusal_reason or "")


def test_a_range_in_percent_must_sit_wholly_inside_a_french_bound() -> None:
    seek = "Besoin de 3 stères de bois, moins de 20 % d'humidité, budget 300 €."
    assert judge("Bois de chêne, humidité 12-16 %, 80 € le stère.", seek).compatible
    assert not judge("Bois de chêne, humidité 18-24 %, 80 € le stère.", seek).compatible


def test_a_share_of_money_is_no_spec() -> None:
    # "15% of first-year salary", "30% deposit": price terms, read (or not) as money
    facts = read_terms("Tech recruitment, 15% of first-year salary.", offer=True)
    assert not any("15%" in u.clause for u in facts.unread)


@given(st.integers(1, 99), st.integers(1, 99))
def test_percent_bounds_agree_with_arithmetic(bound: int, stated: int) -> None:
    seek = f"Need 10 bars of soap, at least {bound}% olive oil, €60."
    answer = judge(f"Olive oil soap bars, {stated}% olive oil, €5 each.", seek)
    assert answer.compatible == (stated >= bound)


# --- a lead time in weeks before the seek's event, in French -------------------------------


def test_a_french_event_date_and_lead_time_are_read() -> None:
    seek = read_terms(
        "Notre fête est le 12 juin 2027, il faut un traiteur. Budget 900 €.", offer=False
    )
    assert seek.facts.event_date is not None
    assert (seek.facts.event_date.month, seek.facts.event_date.day) == (6, 12)
    offer = read_terms("Traiteur à Lyon, 600 €. Réservez au moins 3 semaines avant.", offer=True)
    assert offer.duration_days == 21


def test_a_french_lead_time_declines_an_event_too_soon() -> None:
    offer = "Traiteur à Lyon, 600 €. Merci de réserver au moins 3 semaines avant l'événement."
    soon = judge(offer, "Traiteur pour notre fête à Lyon, la fête est le 10 mars 2027. 900 €.")
    assert not soon.compatible
    assert "timeline" in (soon.refusal_reason or "")
    assert judge(
        offer, "Traiteur pour notre fête à Lyon, la fête est le 10 mai 2027. 900 €."
    ).compatible


# --- the same object under another service verb -------------------------------------------


def test_another_service_verb_on_the_same_object_declines() -> None:
    offer = "Bike repairs in Ghent: brakes, gears, punctures. From €20."
    rent = judge(offer, "Want to rent 2 bikes in Ghent for a weekend, €60.", similarity=_meaning())
    assert not rent.compatible
    assert "different services" in (rent.refusal_reason or "")
    fix = judge(offer, "My bike needs a brake repair in Ghent, €40.", similarity=_meaning())
    assert fix.compatible


def test_training_as_a_purpose_is_no_service_verb() -> None:
    # "GPU time for rent" against "GPU-hours for a training run": renting is the service
    answer = judge(
        "GPU time for rent: 2 USD per GPU-hour.",
        "Need 100 GPU-hours for a training run, budget 300 USD.",
        similarity=_meaning(),
    )
    assert answer.compatible


def _meaning() -> PhraseSimilarity:
    from mediator_actors.negotiation.meaning import shared_similarity

    return shared_similarity()
