"""Prices written as tiers, two kinds, the seek's needs picking one.

- Tiers of one amount ("Sedan up to 4 passengers: €55 per trip. Minivan up to 8
  passengers: €75 per trip", "1-49 units €42 | 50 units and more €38"): each tier is a
  range of the amount with its own price, so the seek's amount picks one tier, whose price
  and range are the offer's terms; the others never cap or price it (`chosen_tier`).
- Tiers that add parts to one another ("£60 CV only, £85 CV + cover letter" against "need
  my CV and a cover letter redone"; "ceremony €700, ceremony + aperitivo €1.100"): each
  price is labelled by its clause (after the amount, or before it), the labels are parts
  joined by "+", "&", "and", "with", and one label's parts hold another's. The tier whose
  every part the seek names, with no larger tier's added part named at all, is the seek's;
  the other tiers are alternatives, never charges the total leaves out (`nested_tiers`).
  Precision first: at least two labelled flat prices whose parts nest, exactly one tier the
  seek names every part of with the most parts, and no word of a larger tier's added parts
  in the seek; otherwise nothing changes.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, replace

from mediator_actors.negotiation.amounts import CAPACITY_UNITS, stated_amounts
from mediator_actors.negotiation.reader import Facts, Money, Quantity, rough_stem

__all__ = ["chosen_tier", "nested_tiers"]

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
        needs = stated_amounts(s, unit)
        if not needs and unit in CAPACITY_UNITS | {"person"}:
            needs = stated_amounts(s, "person")
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


#: Where a label's clause ends: a comma or semicolon (not of "1,100"), a sentence end, a
#: line end, a dash between tiers.
_CLAUSE_END = re.compile(r"[,;](?!\d)|[.!?](?!\d)|\n|\s[-\u2013\u2014]\s")
_JOINS = re.compile(r"\+|&|\band\b|\bwith\b|\bplus\b|\bet\b|\bund\b|\by\b|\be\b", re.I)
#: Words of a label that name no part: "only", "just", "both", "package", "rewrite".
_NO_PART = frozenset({"only", "just", "both", "package", "packag", "deal", "option", "from"})
_WORD = re.compile(r"[^\W\d_]{2,}")
_BRACKET = re.compile(r"\([^()]*\)")


def _parts(label: str) -> tuple[frozenset[str], ...] | None:
    """The label's parts as sets of word stems, or None where a part has no word."""
    label = _BRACKET.sub(" ", label)
    parts = []
    for raw in _JOINS.split(label):
        stems = frozenset(rough_stem(w.lower()) for w in _WORD.findall(raw)) - _NO_PART
        if not stems:
            if raw.strip():
                return None
            continue
        parts.append(stems)
    return tuple(parts) if parts else None


def _label(m: Money, offer_text: str) -> str | None:
    """The clause of ``m`` without the amount: its words after it where the clause
    starts with the amount, else its words before it."""
    if m.span.end > len(offer_text):
        return None
    after = offer_text[m.span.end : m.span.end + 60]
    end = _CLAUSE_END.search(after)
    after = after[: end.start()] if end else after
    before = offer_text[max(0, m.span.start - 60) : m.span.start]
    starts = list(_CLAUSE_END.finditer(before))
    before = before[starts[-1].end() :] if starts else before
    if _WORD.search(after) and not _WORD.search(before.split(":")[-1]):
        return after
    if _WORD.search(before) and not _WORD.search(after):
        # "String quartet for weddings: ceremony €700": the words after a colon label it
        own = before.rsplit(":", 1)[-1]
        return own if _WORD.search(own) else before
    return None


def _key(parts: tuple[frozenset[str], ...]) -> frozenset[frozenset[str]]:
    return frozenset(parts)


def nested_tiers(o: Facts, s: Facts, offer_text: str) -> Facts:
    """``o`` without the prices of the tiers the seek's parts do not pick."""
    tiers: dict[int, frozenset[frozenset[str]]] = {}
    for i, m in enumerate(o.money):
        if m.per is not None or m.extra or m.fee or m.bound != "about" or m.low != m.high:
            continue
        label = _label(m, offer_text)
        parts = None if label is None else _parts(label)
        if parts:
            tiers[i] = _key(parts)
    # keep only tiers that nest with another: "CV only" within "CV + cover letter"
    nested = {
        i: parts
        for i, parts in tiers.items()
        if any(j != i and (parts < other or other < parts) for j, other in tiers.items())
    }
    if len(nested) < 2:
        return o
    named_stems = s.positives  # the seek's words, less those it negates ("no LinkedIn")
    picked = [i for i, parts in nested.items() if all(part <= named_stems for part in parts)]
    if not picked:
        return o
    most = max(len(nested[i]) for i in picked)
    best = [i for i in picked if len(nested[i]) == most]
    if len(best) != 1:
        return o
    chosen = nested[best[0]]
    for larger in nested.values():
        if chosen < larger and any(part & named_stems for part in larger - chosen):
            return o  # a larger tier's added part named in part: which tier is unclear
    drop = {i for i in nested if i != best[0]}
    return replace(o, money=tuple(m for i, m in enumerate(o.money) if i not in drop))
