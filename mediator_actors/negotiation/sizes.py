"""Prices by size that the seek's one size picks among.

"Skip hire: 6-yard £230, 8-yard £270" against "8 yard skip needed": each price is labelled
by a number of one unit written right before it, and the seek names exactly one of those
numbers with that unit; the other sizes' prices are alternatives, never charges the total
leaves out.

Precision first: at least two prices must carry labels of the same unit with different
numbers, the seek must write that unit with exactly one number, and it must be one of the
labels; otherwise nothing changes.
"""

from __future__ import annotations

import re
from dataclasses import replace

from mediator_actors.negotiation.reader import Facts, canonical_unit

__all__ = ["size_alternatives"]

#: A size right before a price: "6-yard £230", "10 m² unit: €110" is not one (a noun between).
_LABEL = re.compile(r"(?<![\w.,])(?P<n>\d+(?:[.,]\d+)?)\s*-?\s*(?P<u>[^\W\d_]+)\s*[:=]?\s*$")


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def size_alternatives(o: Facts, offer_text: str, seek_text: str) -> Facts:
    """``o`` without the prices of the sizes the seek does not name."""
    labels: dict[int, tuple[float, str]] = {}
    for i, m in enumerate(o.money):
        if m.per is not None or m.extra or m.fee:
            continue
        hit = _LABEL.search(offer_text[max(0, m.span.start - 16) : m.span.start])
        if hit:
            labels[i] = (_number(hit.group("n")), canonical_unit(hit.group("u")))
    units = {u for _, u in labels.values()}
    if len(units) != 1 or len(labels) < 2:
        return o
    unit = units.pop()
    sizes = {n for n, _ in labels.values()}
    if len(sizes) != len(labels):
        return o
    named = {
        _number(m.group(1))
        for m in re.finditer(r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s*-?\s*([^\W\d_]+)", seek_text)
        if canonical_unit(m.group(2)) == unit
    }
    if len(named) != 1 or not named <= sizes:
        return o
    wanted = named.pop()
    drop = {i for i, (n, _) in labels.items() if n != wanted}
    return replace(o, money=tuple(m for i, m in enumerate(o.money) if i not in drop))
