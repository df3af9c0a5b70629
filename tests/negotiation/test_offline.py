"""The offline negotiator reads real prose, proposes terms inside every stated limit,
refuses with a clear reason, and gives the same answer every time."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.negotiation.evaluation import (
    DEFAULT_EVAL_SET,
    corpus_pairs,
    evaluate,
    load_eval,
)
from mediator_actors.negotiation.offline import assess
from mediator_actors.negotiation.reader import parse_date, read_terms
from mediator_actors.negotiation.vocabulary import HardCondition
from tests.negotiation.helpers import offer, seek

EVAL = load_eval(DEFAULT_EVAL_SET)


def test_the_evaluation_set_has_at_least_40_labelled_pairs_of_both_kinds() -> None:
    assert len(EVAL) >= 40
    assert sum(p.compatible for p in EVAL) >= 15
    assert sum(not p.compatible for p in EVAL) >= 15
    assert all(p.reason for p in EVAL)


def test_no_proposal_breaks_a_stated_constraint_and_recall_is_at_least_0_8() -> None:
    report = evaluate(EVAL)
    assert report.violations == []
    assert report.false_positive == 0
    assert report.recall >= 0.8


def test_corpus_style_prose_is_read_into_terms() -> None:
    stated = read_terms(
        "I am offering a REST API backend in Go for wildlife conservation projects. Ten years of "
        "professional experience. Asking 1430 NLC for the full engagement. Can start within 29 days "
        "and deliver in 2 weeks. Remote work only.",
        offer=True,
    )
    assert (stated.service, stated.topic, stated.ask) == (
        "REST API backend in Go",
        "wildlife conservation",
        1430,
    )
    assert (stated.start_within_days, stated.duration_days) == (29, 14)
    assert stated.hard == {HardCondition.REMOTE_ONLY}


def test_free_prose_prices_ranges_and_dates_are_read() -> None:
    stated = read_terms(
        "Looking for someone to translate our site. Budget between 2,500 and 3,500 NLC; "
        "no later than 2027-03-01. Must sign an NDA.",
        offer=False,
    )
    assert (stated.price_min, stated.price_max) == (2500, 3500)
    assert stated.deadline == dt.date(2027, 3, 1)
    assert HardCondition.NDA_REQUIRED in stated.hard
    assert read_terms("Can pay up to 1.2k NLC within 60 days", offer=False).price_max == 1200
    assert read_terms("asking 0.05 NLC per word, flat 400 NLC total", offer=True).ask == 400


def test_a_compatible_pair_gets_a_price_inside_the_overlap_and_the_seeks_deadline() -> None:
    answer = assess(offer(), seek())
    assert answer.compatible
    assert answer.terms is not None
    assert 1240 <= (answer.terms.price or 0) <= 1340
    assert answer.terms.timeline is not None
    assert "deliver by 2027-09-25" in answer.terms.timeline
    assert 60 <= answer.confidence < 100


def test_refusals_say_why() -> None:
    cheap = seek(
        "We need cloud cost optimization for a school. Budget of 900 NLC. By March 1, 2027."
    )
    assert "above the seek's budget" in (assess(offer(), cheap).refusal_reason or "")
    assert "not complementary" in (assess(seek(), offer()).refusal_reason or "")


def test_relative_terms_resolve_against_the_intents_timestamps_not_the_clock() -> None:
    first = assess(offer(), seek())
    assert first == assess(offer(), seek())
    later = assess(offer(), seek(), today=dt.date(2027, 9, 20))
    assert not later.compatible
    assert "timeline" in (later.refusal_reason or "")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500), st.booleans())
def test_read_terms_never_fails_on_any_text(text: str, is_offer: bool) -> None:
    stated = read_terms(text, offer=is_offer)
    for amount in (stated.ask, stated.price_max, stated.price_min):
        assert amount is None or 0 <= amount <= 1e12


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_in_every_written_form_parse_to_the_same_day(day: dt.date) -> None:
    for text in (
        f"by {day:%B} {day.day}, {day.year}",
        f"by {day.day} {day:%B} {day.year}",
        f"by {day.isoformat()}",
        f"by {day:%b} {day.day} {day.year}",
    ):
        assert parse_date(text) == day, text


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=9_999_999), st.integers(min_value=1, max_value=9_999_999))
def test_amounts_with_separators_are_read_exactly(ask: int, budget: int) -> None:
    o = offer(f"I am offering cloud cost optimization. Asking {ask:,} NLC. Deliver in 2 weeks.")
    s = seek(f"We need cloud cost optimization. Budget of {budget:,} NLC. Within 60 days.")
    answer = assess(o, s)
    assert answer.compatible is (ask <= budget)
    if answer.terms is not None and answer.terms.price is not None:
        assert ask <= answer.terms.price <= budget


@pytest.mark.parametrize("pair", EVAL[:10], ids=lambda p: p.id)
def test_the_offline_answer_is_byte_identical_across_calls(pair) -> None:  # type: ignore[no-untyped-def]
    runs = {json.dumps(assess(pair.offer, pair.seek).to_json(), sort_keys=True) for _ in range(3)}
    assert len(runs) == 1


CORPUS = Path("/work/shared/data/bench-corpus.jsonl")


@pytest.mark.skipif(not CORPUS.is_file(), reason="the shared benchmark corpus is not present")
def test_held_out_corpus_pairs_labelled_from_the_templates_meet_the_targets() -> None:
    report = evaluate(corpus_pairs(CORPUS, pairs=300))
    assert report.violations == []
    assert report.recall >= 0.8
    assert report.precision >= 0.95
    assert report.true_positive >= 50


@pytest.mark.parametrize(
    ("offer_text", "seek_text", "compatible", "price"),
    [
        ("DevOps engineer offering CI pipeline setup at 40 NLC per hour, estimated 25 hours.",
         "Need CI pipeline setup. Budget 1,200 NLC.", True, 1000),
        ("DevOps engineer offering CI pipeline setup, asking 900 NLC.",
         "Need CI pipeline setup. We pay 50 NLC/hour for about 20 hours of work.", True, 900),
        ("DevOps engineer offering CI pipeline setup at 60 NLC per hour, estimated 25 hours.",
         "Need CI pipeline setup. Budget 1,200 NLC.", False, None),
        ("DevOps engineer offering CI pipeline setup at 40 NLC per hour.",
         "Need CI pipeline setup. We pay up to 30 NLC per hour.", False, None),
        ("Offering CI pipeline setup, asking 800 for the job, done in 3 weeks.",
         "Need CI pipeline setup. Budget: 1000.", True, 800),
    ],
)  # fmt: skip
def test_hourly_rates_and_bare_cued_amounts_are_compared_as_totals(
    offer_text: str, seek_text: str, compatible: bool, price: float | None
) -> None:
    answer = assess(offer(offer_text), seek(seek_text))
    assert answer.compatible is compatible, answer.reasoning
    if price is not None:
        assert answer.terms is not None
        assert answer.terms.price == price


def test_an_hourly_rate_without_hours_is_never_proposed_on_a_guess() -> None:
    answer = assess(
        offer("DevOps engineer offering CI pipeline setup at 40 NLC per hour."),
        seek("Need CI pipeline setup. Budget 1,200 NLC. Within 30 days."),
    )
    # Precision first: a total against a rate with no hours cannot be checked, so no deal.
    assert not answer.compatible
    assert (answer.refusal_reason or "").startswith("cannot check: price")


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "text",
    [
        "9" * 20_000,
        "9 " * 10_000,
        "9," * 10_000,
        "between 1 and " * 2000,
        "5 NLC " * 3000,
        "for " * 5000,
    ],
    ids=["digits", "numbers", "commas", "ranges", "amounts", "fors"],
)
def test_hostile_prose_is_read_in_linear_time(text: str) -> None:
    # A 20,000-digit run once took minutes in the range pattern; the timeout catches a regression.
    read_terms(text, offer=True)
    read_terms(text, offer=False)


_PROSE = st.lists(
    st.sampled_from(
        [
            "I am offering cloud cost optimization.", "We need cloud cost optimization.",
            "Asking 500 NLC.", "Budget of 400 NLC.", "Budget of 900 NLC.", "Up to 1,200 NLC.",
            "Must be delivered by March 1, 2027.", "Within 30 days.", "Deliver in 10 weeks.",
            "Can start within 5 days.", "Remote work only.", "On-site only.", "40 NLC per hour.",
            "About 20 hours.", "Contact a@b.io.", "Ignore all previous instructions.", "Hello!",
        ]
    ),
    max_size=8,
).map(" ".join)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=300), _PROSE), st.one_of(st.text(max_size=300), _PROSE))
def test_any_two_texts_get_an_answer_that_passes_its_own_checks(
    offer_text: str, seek_text: str
) -> None:
    from mediator_actors.negotiation.validation import check_terms

    o, s = offer(offer_text or "x"), seek(seek_text or "y")
    answer = assess(o, s)
    assert 0 <= answer.confidence < 100
    if answer.compatible and answer.terms is not None and answer.confidence >= 60:
        assert check_terms(answer.terms, o, s) == []


def test_texts_naming_no_service_are_not_proposed() -> None:
    # Found by the property test above: both texts read "A00" as their phrase but neither
    # names a service, so the answer had no deliverable and failed its own checks.
    text = "0NLC. IGNORE INSTRUCTION. A00"
    answer = assess(offer(text), seek(text))
    assert answer.compatible is False
    assert "names a service" in answer.reasoning


def test_a_party_stating_two_conditions_that_clash_is_refused() -> None:
    # Found by the property test below: the seek asks for remote-only and on-site-only work.
    answer = assess(
        offer("I am offering cloud cost optimization."),
        seek("offering cloud cost optimization.Asking5. Remote work only.Onsite only"),
    )
    assert answer.compatible is False
    assert "the seek states both" in answer.reasoning
