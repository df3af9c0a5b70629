"""Session 13, the closing audit (audit.py): a constraint read on either side that no
check consulted declines when the other side states something on its dimension that
could break it, and is not applicable when it states nothing there."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.negotiation.audit import audit
from mediator_actors.negotiation.fit import BLOCKING_COST, Findings, check_facts
from mediator_actors.negotiation.reader import read_facts
from mediator_actors.negotiation.vocabulary import fold
from tests.negotiation.helpers import decided


def _audited(offer_text: str, seek_text: str) -> Findings:
    """Only what the audit adds: a fresh Findings with nothing consulted."""
    found = Findings()
    audit(
        read_facts(offer_text, offer=True),
        read_facts(seek_text, offer=False),
        found,
        (fold(offer_text), fold(seek_text)),
        BLOCKING_COST,
    )
    return found


def _checked(offer_text: str, seek_text: str) -> Findings:
    return check_facts(
        read_facts(offer_text, offer=True),
        read_facts(seek_text, offer=False),
        seek_onsite_required=False,
        offer_text=offer_text,
        seek_text=seek_text,
    )


# --- bounded counts in another noun -----------------------------------------------------


def test_minimum_in_another_noun_declines() -> None:
    # "birds" and "ducklings" are different units: the limit check found no amount
    offer = "Khaki Campbell ducklings for sale, minimum order 12 birds, 6 GBP each."
    seek = "Looking for 4 ducklings for the pond. Budget 100 GBP."
    found = _checked(offer, seek)
    assert any("never compared" in t and cost >= BLOCKING_COST for t, cost in found.unchecked)
    proposed, why, _ = decided(offer, seek)
    assert not proposed
    assert "cannot check" in why


def test_minimum_met_in_another_noun_is_not_applicable() -> None:
    offer = "Khaki Campbell ducks for sale, minimum order 12 ducklings, 6 GBP each."
    seek = "Looking for 20 drakes for the pond. Budget 200 GBP."
    assert not [t for t, _ in _audited(offer, seek).unchecked if "never compared" in t]


def test_cap_passed_in_another_noun_declines() -> None:
    offer = "Narrowboat day trips on the canal, 300 GBP per day, up to 10 passengers."
    seek = "Hen do for 14 ladies, one day on a narrowboat. Budget 400 GBP."
    assert any("never compared" in t for t, _ in _audited(offer, seek).unchecked)


def test_cap_on_each_item_is_not_a_total() -> None:
    # "up to 6 tags/photo" limits each photo, never the count of photos
    offer = "Photo tagging, 0.05 USD per photo (up to 6 tags/photo)."
    seek = "We have 9,000 product photos to tag. Budget 600 USD."
    assert not [t for t, _ in _audited(offer, seek).unchecked if "never compared" in t]


def test_bound_the_limit_check_compared_is_left_to_it() -> None:
    # same unit on both sides: _limits compares it (a refusal), the audit adds nothing
    offer = "Kayak rental, 30 EUR per kayak per day, minimum 5 kayaks."
    seek = "Need 2 kayaks for Saturday. Budget 100 EUR."
    found = _checked(offer, seek)
    assert found.refusals
    assert not [t for t, _ in found.unchecked if "never compared" in t]


@settings(max_examples=40, deadline=None)
@given(least=st.integers(2, 60), wanted=st.integers(2, 60))
def test_minimum_in_another_noun_declines_exactly_below_it(least: int, wanted: int) -> None:
    offer = f"Rescue hens rehomed, minimum {least} birds per household, 3 GBP each."
    seek = f"We would like {wanted} hens for the allotment. Budget 500 GBP."
    flagged = any("never compared" in t for t, _ in _audited(offer, seek).unchecked)
    assert flagged == (wanted < least)


# --- exclusions the other side writes ----------------------------------------------------


def test_offer_exclusion_written_by_the_seek_declines() -> None:
    offer = "Livery yard with spaces free, 90 GBP per week. No rams or billy goats."
    seek = "Need grazing for my ram over winter. Budget 100 GBP a week."
    found = _audited(offer, seek)
    assert any("excludes" in t for t, _ in found.unchecked)


def test_offer_exclusion_both_words_needed_when_joined() -> None:
    # "no parking at Harbourside" excludes the two together, not every mention of the place
    offer = "Car valeting 40 GBP. No parking at Harbourside."
    seek = "Valet needed near Harbourside, up to 50 GBP."
    assert not [t for t, _ in _audited(offer, seek).unchecked if "excludes" in t]


def test_seek_no_x_needed_is_not_a_conflict() -> None:
    offer = "Bookkeeping 30 EUR per hour, payroll and invoicing included."
    seek = "Need a bookkeeper for 5 hours, no payroll needed. Up to 200 EUR."
    assert not [t for t, _ in _audited(offer, seek).unchecked if "excludes" in t]


def test_both_sides_exclude_the_same_thing() -> None:
    offer = "Room to let, 500 EUR a month. No smoking."
    seek = "Non-smoker looking for a room, no smoking please. Up to 600 EUR a month."
    assert not [t for t, _ in _audited(offer, seek).unchecked if "excludes" in t]


# --- language directions -------------------------------------------------------------------


def test_one_way_pair_against_the_other_way_declines() -> None:
    offer = "Translation from Dutch into English, 0.10 EUR per word."
    seek = "Need our English brochure translated into Dutch, 2,000 words. Budget 300 EUR."
    assert any("no pair of it goes" in t for t, _ in _audited(offer, seek).unchecked)
    proposed, _, _ = decided(offer, seek)
    assert not proposed


def test_pair_going_the_seek_way_is_met() -> None:
    offer = "Subtitles in Danish and Polish, 2 EUR per video minute."
    seek = "Need Polish subtitles for a 30 minute film. Budget 100 EUR."
    assert not [t for t, _ in _audited(offer, seek).unchecked if "languages" in t]


# --- payment terms of different kinds -------------------------------------------------------


def test_payment_after_against_instalments_declines() -> None:
    offer = "Kitchen fitting, 2,000 GBP, payment after completion."
    seek = "Need a kitchen fitted, budget 2,500 GBP, we would pay in 4 monthly instalments."
    assert any("payment terms" in t for t, _ in _audited(offer, seek).unchecked)


def test_a_deposit_agrees_with_instalments() -> None:
    # a deposit first leaves the rest to be spread (test_left_out holds the same)
    offer = "Kitchen fitting, 2,000 GBP, 30% deposit."
    seek = "Need a kitchen fitted, budget 2,500 GBP, we would pay in 4 monthly instalments."
    assert not [t for t, _ in _audited(offer, seek).unchecked if "payment" in t]


def test_payment_stated_on_one_side_only_is_not_applicable() -> None:
    offer = "Kitchen fitting, 2,000 GBP. 50% deposit upfront, balance on completion."
    seek = "Need a kitchen fitted in March, budget 2,500 GBP."
    assert not [t for t, _ in _audited(offer, seek).unchecked if "payment" in t]


def test_payment_compared_by_fit_is_left_to_it() -> None:
    # advance against after: check_facts refuses it, the audit adds nothing
    offer = "Kitchen fitting, 2,000 GBP. Full payment upfront."
    seek = "Need a kitchen fitted, budget 2,500 GBP, payment only after completion."
    found = _checked(offer, seek)
    assert any("payment terms" in r for r in found.refusals)
    assert not [t for t, _ in found.unchecked if "payment" in t]


def test_excluded_stem_begins_the_written_word() -> None:
    # "no boars or entires" stems to "entir"; the seek writes "entire"
    offer = "Paddock grazing for pigs, 10 GBP per week. Sows and weaners only, no boars or entires."
    seek = "Grazing wanted for my young hog, he is still entire. Up to 12 GBP a week."
    assert any("excludes" in t for t, _ in _audited(offer, seek).unchecked)
