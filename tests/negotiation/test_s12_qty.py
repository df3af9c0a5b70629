"""Quantities the reader misread (session 12, helper qty): a picture's resolution read
as thousands of things, "each" with a participle read as a unit, sizes counted as items."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.fit import seek_amount
from mediator_actors.negotiation.reader import read_facts


def _values(text: str, *, offer: bool = True) -> list[float]:
    return [q.value for q in read_facts(text, offer=offer).quantities]


def test_resolution_is_not_thousands() -> None:
    text = "Wedding filming with an 8K camera rig, highlight reel included, €900 per day."
    assert 8000.0 not in _values(text)
    assert 4000.0 not in _values("Gaming setup: 4K monitors wall-mounted, 75 EUR each.")


def test_thousands_of_things_still_counted() -> None:
    # a thousands count of a thing that is no screen or camera stays a count
    facts = read_facts("We need 4K leaflets printed A5 by Friday, budget 150 GBP.", offer=False)
    assert any(q.value == 4000.0 and q.unit == "leaflet" for q in facts.quantities)
    assert 3000.0 in _values("Printing 3k postcards for 120 GBP.")


@given(
    st.sampled_from(["2", "4", "8"]),
    st.sampled_from(["video", "TV", "cameras", "UHD monitor", "PoE kit", "footage"]),
)
def test_resolution_property(digit: str, word: str) -> None:
    text = f"Offering {digit}K {word} setup for 250 GBP."
    assert float(digit) * 1000 not in _values(text)


@given(st.integers(min_value=2, max_value=99), st.sampled_from(["flyers", "labels", "mugs"]))
def test_k_counts_property(n: int, noun: str) -> None:
    text = f"We need {n}k {noun} by March, budget 900 GBP."
    assert float(n) * 1000 in _values(text, offer=False)


def test_each_with_participle_is_per_thing() -> None:
    facts = read_facts("Gift hampers packed to order, £35 each delivered.", offer=True)
    pers = [m.per for m in facts.money]
    assert pers
    assert "delivered" not in pers
    assert pers[0] in ("hamper", "item")


def test_each_with_unit_keeps_unit() -> None:
    facts = read_facts("Piano lessons €40 each session, Tuesdays.", offer=True)
    assert [m.per for m in facts.money] == ["session"]


def test_size_is_not_a_count_per_unit() -> None:
    offer = read_facts("Used office desktops, 16 GB RAM, 500 GB SSD. £300 per unit.", offer=True)
    seek = read_facts("Need 16GB RAM machines for the office, budget £1,000.", offer=False)
    counted = seek_amount(offer, seek, "item")
    assert counted is None or counted.value != 16.0


def test_count_per_unit_still_read() -> None:
    offer = read_facts("Used office desktops, 16 GB RAM. £300 per unit.", offer=True)
    seek = read_facts("Need 3 desktops with 16GB RAM, budget £1,000.", offer=False)
    counted = seek_amount(offer, seek, "item")
    assert counted is not None
    assert counted.value == 3.0


def _pers(text: str) -> list[tuple[str | None, str | None]]:
    return [(m.per, m.per2) for m in read_facts(text, offer=True).money]


def test_second_unit_after_std_kept() -> None:
    # the per person survives the full stop of "Std." and a word of tax between
    assert [p2 for _, p2 in _pers("Messehostessen, 31 €/Std. netto pro Person.")] == ["person"]
    assert [p2 for _, p2 in _pers("Stadtführung 12 €/Std. pro Person.")] == ["person"]
    assert _pers("Kayak hire 15 EUR per hour per person.") == [("hour", "person")]


def test_new_sentence_is_no_second_unit() -> None:
    assert [p2 for _, p2 in _pers("Fensterputz 24 €/Std. Pro Auftrag mindestens 2 Std.")] == [None]


def test_dozens_are_twelve_each() -> None:
    seek = read_facts("Looking for 5 dozen bread rolls for Sunday, max 40 EUR.", offer=False)
    assert [(q.value, q.unit) for q in seek.quantities] == [(60.0, "roll")]
    # "dozen eggs weekly" counts eggs, never 12 weeks
    weekly = read_facts("We want 10 dozen eggs weekly delivered, 45 GBP.", offer=False)
    assert all(q.unit != "week" for q in weekly.quantities)
    assert any(q.value == 120.0 and q.unit == "egg" for q in weekly.quantities)


def test_count_without_dozen_unchanged() -> None:
    seek = read_facts("Looking for 5 bread rolls and 12 eggs, max 10 EUR.", offer=False)
    assert sorted(q.value for q in seek.quantities) == [5.0, 12.0]


@given(st.integers(min_value=2, max_value=40), st.sampled_from(["donuts", "tulips", "scones"]))
def test_dozen_property(n: int, noun: str) -> None:
    values = _values(f"Order of {n} dozen {noun} for the shop, budget 300 GBP.", offer=False)
    assert float(n * 12) in values
    assert float(n) not in values
