"""Session 12, helper price2: space-grouped thousands and parties counted in parts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.blocks import block_of
from mediator_actors.negotiation.numbers import find_numbers, token_numbers
from mediator_actors.negotiation.party import counted_party
from mediator_actors.negotiation.reader import read_facts
from mediator_actors.negotiation.tiers import nested_tiers
from tests.negotiation.helpers import decided, party_findings


def _values(text: str) -> list[float]:
    return [n.value for n in find_numbers(text)]


def test_space_grouped_thousands_beside_a_currency() -> None:
    assert _values("Forfait 2 350 € par semaine") == [2350.0]
    assert _values("Preis: CHF 3 275 pauschal") == [3275.0]
    assert _values("cena 12 400 zł brutto") == [12400.0]
    assert _values("about NOK 14 900 in total") == [14900.0]
    assert _values("total 1 250,40 EUR") == [1250.4]


def test_typographic_spaces_group_thousands() -> None:
    assert _values("2\u2009640 €") == [2640.0]
    assert _values("7\u202f310 kr") == [7310.0]
    assert _values("9\u00a0800") == [9800.0]


def test_plain_space_without_a_unit_separates_numbers() -> None:
    # "3 250 ml bottles", a count then a size: no currency or counted unit follows
    assert _values("3 250 ml bottles") == [3.0, 250.0]
    assert _values("Tables for 6 180 guests") == [6.0, 180.0]


def test_spaced_range_and_counted_words() -> None:
    assert _values("entre 2 100 - 2 600 €") == [2100.0, 2600.0]
    assert _values("a brochure of 6 300 words") == [6300.0]
    assert [n.value for n in token_numbers("6 300")] == [6300.0]
    assert [n.value for n in token_numbers("6 and 300")] == [6.0, 300.0]


@given(st.integers(min_value=1000, max_value=999_999))
def test_spaced_amount_reads_its_value(value: int) -> None:
    spaced = f"{value:,}".replace(",", " ")
    assert _values(f"Budget {spaced} €") == [float(value)]
    assert _values(f"SEK {spaced} max") == [float(value)]


def test_reader_prices_spaced_amounts() -> None:
    facts = read_facts("Location de salle : 2 350 € la soirée, ménage compris.", offer=True)
    assert [m.low for m in facts.money] == [2350.0]
    seek = read_facts("Notre budget maximum est de 3 100 € TTC.", offer=False)
    assert [m.high for m in seek.money] == [3100.0]


def test_counted_party_sums_every_counted_part() -> None:
    assert counted_party("Excursion : 41 élèves + 3 accompagnatrices") == (
        44,
        "41 élèves + 3 accompagnatrices",
    )
    assert counted_party("Wir sind 22 Schüler und 2 Lehrer") == (24, "22 Schüler und 2 Lehrer")
    assert counted_party("27 players, 3 staff and 2 parents")[0] == 32  # type: ignore[index]


def test_counted_party_declines_an_uncounted_part() -> None:
    assert counted_party("33 pupils and their teachers travel") is None
    assert counted_party("we are 15 people") is None  # one count is no list in parts
    # a part counted by a noun not read as a person: no sum that leaves it out
    assert counted_party("19 pupils and 2 teachers + 1 driver") is None
    assert counted_party("1 driver, 19 pupils and 2 teachers") is None


def test_seats_in_french_against_a_party_in_parts() -> None:
    over = party_findings(
        "Minibus avec chauffeur, 19 places, 640 € la journée, départ Nantes.",
        "Sortie de fin d'année : 21 élèves + 2 enseignants, Nantes → Angers, budget 800 €.",
    )
    assert over.refusals == ["limit: the offer has 19 seats ('19 places'), the seek's party is 23"]
    within = party_findings(
        "Minibus avec chauffeur, 19 places, 640 € la journée, départ Nantes.",
        "Sortie : 14 élèves + 2 enseignants, Nantes → Angers, budget 800 €.",
    )
    assert within.refusals == []
    assert within.checked


# --- a charge for each further block of units past what a flat price includes --------------


def test_block_of_reads_the_block_before_the_amount() -> None:
    text = "Proofreading up to 2,000 words £90. Every additional 1,000 words +£35."
    facts = read_facts(text, offer=True)
    extra = next(m for m in facts.money if m.low == 35.0)
    block = block_of(extra, text)
    assert block is not None
    assert (block.size, block.unit) == (1000.0, "word")
    flat = next(m for m in facts.money if m.low == 90.0)
    assert block_of(flat, text) is None


_PROOF = (
    "Academic proofreading for theses up to 20,000 words: £300, returned within 5 days. "
    "Each additional 5,000 words +£60."
)


def test_a_seek_within_the_included_amount_pays_the_flat_price() -> None:
    ok, _, price = decided(_PROOF, "Need proofreading for my thesis, about 18,000 words. Max £320.")
    assert ok
    assert price == 300.0


_INCLUDED = (
    "Academic proofreading: £300 flat, 20,000 words included, returned within 5 "
    "days. Each additional 5,000 words +£60."
)


def test_blocks_begun_past_the_included_amount_are_added() -> None:
    # 27,000 words: 7,000 past 20,000 begins two blocks of 5,000 (300 + 2 x 60 = 420)
    ok, why, _ = decided(
        _INCLUDED, "Need proofreading for my thesis, about 27,000 words. Max £400."
    )
    assert not ok
    assert "420" in why
    ok, _, price = decided(
        _INCLUDED, "Need proofreading for my thesis, about 27,000 words. Max £450."
    )
    assert ok
    assert price is not None
    assert price >= 420.0


# --- tiers that add parts to one another ------------------------------------------------------

_TIERS = (
    "Bike servicing in Leeds. £45 basic tune only, £70 basic tune + brake bleed, "
    "£95 basic tune + brake bleed + wheel truing. Same-day turnaround."
)


def _tier_prices(offer_text: str, seek_text: str) -> list[float]:
    o, s = read_facts(offer_text, offer=True), read_facts(seek_text, offer=False)
    return [m.low for m in nested_tiers(o, s, offer_text).money]


def test_the_tier_whose_parts_the_seek_names_is_kept() -> None:
    seek = "My road bike needs a basic tune and the brake bleed done, Leeds, up to £80."
    assert _tier_prices(_TIERS, seek) == [70.0]
    only = "Looking for a basic tune for my commuter bike, budget £50."
    assert _tier_prices(_TIERS, only) == [45.0]


def test_a_larger_tier_named_in_part_keeps_every_tier() -> None:
    # "wheels" names part of the largest tier's added "wheel truing": which tier is unclear
    seek = "Basic tune and brake bleed please, and have a look at my wheel. Max £80."
    assert _tier_prices(_TIERS, seek) == [45.0, 70.0, 95.0]


def test_a_negated_part_does_not_pick_its_tier() -> None:
    seek = "Need a basic tune, no brake bleed needed. Budget £50."
    assert _tier_prices(_TIERS, seek) == [45.0]


def test_tiers_end_to_end() -> None:
    ok, _, price = decided(
        _TIERS, "My road bike needs a basic tune and a brake bleed in Leeds. Up to £80."
    )
    assert ok
    assert price == 70.0


# --- an add-on the seek declines by name ------------------------------------------------------

_ADDON = "Garden design plans: £300 planting plan, 3D render add-on £120. Drawn within 3 weeks."


def test_an_add_on_the_seek_declines_is_left_out() -> None:
    ok, _, price = decided(
        _ADDON, "Need a planting plan for our back garden. No render needed. Max £350."
    )
    assert ok
    assert price == 300.0


def test_an_add_on_the_seek_does_not_decline_is_not_left_out() -> None:
    ok, why, _ = decided(_ADDON, "Need a planting plan for our back garden. Max £350.")
    assert not ok
    assert "£120" in why


@given(
    st.integers(min_value=2, max_value=40),
    st.integers(min_value=1, max_value=9),
    st.sampled_from(["pages", "words", "guests"]),
    st.sampled_from(["Each additional", "Every extra", "Per further"]),
)
def test_block_of_reads_any_block_size(size: int, price: int, unit: str, cue: str) -> None:
    text = f"Flat £{price}00 for the first lot. {cue} {size * 100} {unit} +£{price}5."
    facts = read_facts(text, offer=True)
    extra = next(m for m in facts.money if m.low == price * 10 + 5)
    block = block_of(extra, text)
    assert block is not None
    assert block.size == size * 100
