"""Prices written as tiers of one amount ("Sedan up to 4 passengers: €55 per trip.
Minivan up to 8 passengers: €75 per trip", "1-49 units €42 | 50 units and more €38"):
each tier is a range of the amount with its own price, so the seek's amount picks one
tier, whose price and range are the offer's terms; the others never cap or price it."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, replace

from mediator_actors.negotiation.fit import CAPACITY_UNITS, _amounts
from mediator_actors.negotiation.reader import Facts, Money, Quantity

#: Where one tier's words end: a sentence, a ";" or "|" list, a line (a "." between
#: digits is a decimal mark).
_TIER_END = re.compile(r"[;|\n]|\.(?!\d)")
#: An open upper end right after an amount ("50 units and more", "10+ people").
_OPEN_ABOVE = re.compile(r"\s*(?:\+|and\s+(?:more|over|above|up)|or\s+more)\b|\s*\+", re.I)


#: A heading that makes each tier's price one for each item ("Price per unit:").
_PER_UNIT = re.compile(r"\bper\s+(?:unit|piece|item|pc)\b|\bunit\s+price\b|\beach\b", re.I)
#: Units counted in items, that a per-unit heading prices.
_COUNTED = frozenset({"item", "unit", "piece"})


def _line_start(text: str, index: int) -> int:
    """Where the line or sentence holding ``index`` starts."""
    cut = max(
        text.rfind("\n", 0, index), *(m.end() - 1 for m in re.finditer(r"\.(?!\d)", text[:index]))
    )
    return cut + 1


@dataclass(frozen=True, slots=True)
class Tier:
    low: float
    high: float
    price: Money
    amounts: tuple[Quantity, ...]


def _segments(text: str) -> list[tuple[int, int]]:
    cuts = [0, *(m.end() for m in _TIER_END.finditer(text)), len(text)]
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _tier(text: str, money: list[Money], amounts: list[Quantity]) -> Tier | None:
    """The tier one segment states, or None unless it is one price over a range."""
    prices = [m for m in money if not m.fee and not m.extra]
    if len(prices) != 1 or not amounts:
        return None
    low, high = 0.0, math.inf
    for q in amounts:
        if q.bound == "at_most":
            high = min(high, q.value)
        elif q.bound == "at_least" or _OPEN_ABOVE.match(text, q.span.end):
            low = max(low, q.value)
        else:
            return None  # "for 4 people": an amount, not a range
    if low == 0.0 and high == math.inf:
        return None
    return Tier(low, high, prices[0], tuple(amounts))


def _tiers(o: Facts, text: str, unit: str) -> list[Tier] | None:
    """The offer's tiers of ``unit``, one a segment, or None unless there are two or more
    and every price of the offer's own sits in one."""
    found: list[Tier] = []
    for start, end in _segments(text):
        inside = [q for q in o.quantities if q.unit == unit and start <= q.span.start < end]
        money = [m for m in o.money if start <= m.span.start < end]
        if not inside:
            continue
        tier = _tier(text, money, inside)
        if tier is None:
            return None
        found.append(tier)
    if len(found) < 2:
        return None
    priced = {id(t.price) for t in found}
    if any(not m.fee and not m.extra and id(m) not in priced for m in o.money):
        return None  # a price outside the tiers: which one applies is not known
    return found


def chosen_tier(o: Facts, s: Facts, offer_text: str) -> Facts:
    """``o`` with only the tier the seek's amount falls in, when the offer states its
    prices as tiers of an amount the seek states once; ``o`` unchanged otherwise."""
    units = {q.unit for q in o.quantities if q.bound in ("at_most", "at_least")}
    for unit in sorted(units):
        tiers = _tiers(o, offer_text, unit)
        if tiers is None:
            continue
        needs = _amounts(s, unit)
        if not needs and unit in CAPACITY_UNITS | {"person"}:
            needs = _amounts(s, "person")
        values = {q.value for q in needs}
        if len(values) != 1:
            continue  # no amount, or two the reader cannot choose between
        need = values.pop()
        fits = [t for t in tiers if t.low - 1e-9 <= need <= t.high + 1e-9]
        if not fits:
            continue  # beyond every tier: the caps refuse it as they stand
        # "up to 4" and "up to 8" both hold 3: the smallest that holds it
        least = min(t.high for t in fits)
        fits = [t for t in fits if t.high == least]
        if len(fits) != 1:
            continue
        chosen = fits[0]
        if (
            chosen.price.per is None
            and unit in _COUNTED
            and _PER_UNIT.search(
                offer_text,
                _line_start(offer_text, tiers[0].amounts[0].span.start),
                chosen.price.span.start,
            )
        ):
            # "Price per unit: 1-49 units €42 | 50 units and more €38": each tier's amount
            # is a price for each of them.
            chosen = replace(chosen, price=replace(chosen.price, per=unit))
            tiers = [chosen if t.price.span == chosen.price.span else t for t in tiers]
        dropped_money = {id(t.price) for t in tiers if t is not chosen}
        dropped = {id(q) for t in tiers if t is not chosen for q in t.amounts}
        kept = tuple(
            replace(q, bound="at_least") if q in chosen.amounts and q.bound == "about" else q
            for q in o.quantities
            if id(q) not in dropped
        )
        return replace(
            o,
            money=tuple(
                chosen.price if m.span == chosen.price.span else m
                for m in o.money
                if id(m) not in dropped_money
            ),
            quantities=kept,
        )
    return o
