"""An offer's price list: several flat prices, each naming its own item.

"bridal bouquet €160 / buttonhole €12 / table centrepiece €45" against "1 bridal bouquet,
4 buttonholes, 8 table centrepieces" is a sum over the lines the seek names, each line
times the seek's count of its item. A line is taken only when the seek names every word
of it; a count the seek states is used by exactly one line or the list is not summed
(precision first). A list the reader cannot tie to the seek's counts ("broek inkorten
€12, rits vervangen €18" against "3 pairs of trousers") leaves any one of its prices
short of the request: :func:`is_price_list` lets the caller refuse to check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mediator_actors.negotiation.charges import is_charge
from mediator_actors.negotiation.reader import Facts, Money, Quantity, rough_stem
from mediator_actors.negotiation.vocabulary import fold

__all__ = ["ListTotal", "is_price_list", "list_lines", "price_list_total", "same_unit_part"]

#: Rough stems that name no item ("per", "each", "only", "the" ...).
_NAMELESS = frozenset(
    {"und", "and", "the", "for", "with", "incl", "per", "from", "each", "only", "just", "flat"}
    | {"price", "pric", "rate", "cost", "anywher", "anywhere", "our", "your", "all", "any"}
)


def _norm(stems: frozenset[str]) -> frozenset[str]:
    """Rough stems with a final "e" dropped: ``rough_stem`` leaves "buttonhole" whole
    but "buttonholes" as "buttonhol"."""
    return frozenset(w[:-1] if w.endswith("e") and len(w) > 3 else w for w in stems)


def _own_contexts(o: Facts) -> dict[int, frozenset[str]]:
    """Each price's own words: where a clause runs on over the price before it ("• bridal
    bouquet €160 • buttonhole €12" read as one clause), only the words it adds."""
    own: dict[int, frozenset[str]] = {}
    before: frozenset[str] | None = None
    for m in sorted(o.money, key=lambda m: m.span.start):
        ctx = frozenset(m.context)
        own[id(m)] = ctx - before if before is not None and before < ctx else ctx
        before = ctx
    return own


def _words(m: Money, own: dict[int, frozenset[str]]) -> frozenset[str]:
    return _norm(own.get(id(m), frozenset(m.context)) - _NAMELESS)


def list_lines(o: Facts, currency: str | None) -> list[Money]:
    """The offer's flat prices (one amount, no unit, no fee, extra or bound) that each
    name an item of their own, when there are at least two of them; else []."""
    own = _own_contexts(o)
    lines = [
        m
        for m in o.money
        if m.per is None
        and m.low == m.high
        and m.bound == "about"
        and not (m.fee or m.extra or m.alternative)
        and m.currency in (None, currency)
        and _words(m, own)
    ]
    if len(lines) < 2 or len({_words(m, own) for m in lines}) != len(lines):
        return []
    return lines


def is_price_list(o: Facts, currency: str | None) -> bool:
    """Whether the offer prices several named items each at a flat amount."""
    return bool(list_lines(o, currency))


def _stems(q: Quantity) -> frozenset[str]:
    return _norm(frozenset(rough_stem(w) for w in re.findall(r"[^\W\d_]{3,}", q.span.text.lower())))


@dataclass(frozen=True, slots=True)
class ListTotal:
    total: float
    step: str  # how the total was summed, each line quoted
    counts: tuple[Quantity, ...]  # the seek's counts the total used


def price_list_total(
    o: Facts, s: Facts, currency: str | None, counts: list[Quantity]
) -> ListTotal | None:
    """The sum of the offer's list lines the seek names (each by all its words), each
    times the one seek count in ``counts`` whose words hold the line's, else once; None
    unless at least one count is used, every count in ``counts`` is used by exactly one
    line, and no line the seek names in part is left out (it may be the one meant)."""
    lines = list_lines(o, currency)
    if not lines or any(oq.unit == q.unit for q in counts for oq in o.quantities):
        # "5 pages €1.200" for "a 7-page site": the offer's own count makes a line a
        # package, never a price for each
        return None
    named = _norm(s.positives)
    own = _own_contexts(o)
    parts: list[str] = []
    used: list[Quantity] = []
    total = 0.0
    for m in lines:
        words = _words(m, own)
        matching = [q for q in counts if words <= _stems(q)]
        if len(matching) > 1:
            return None
        if matching:
            q = matching[0]
            total += m.low * q.value
            used.append(q)
            parts.append(f"'{q.span.text}' at '{m.span.text}'")
        elif words <= named or (words & named and is_charge(m)):
            # "delivery anywhere on the lake 60" for "including delivery": a charge on
            # the order the seek names is due once
            total += m.low
            parts.append(f"'{m.span.text}' once")
        elif words & named and not any(words & _stems(q) for q in counts):
            return None  # named in part only, and by none of the counts: which item is meant
    if not used or len(set(map(id, used))) != len(used) or len(used) != len(counts):
        return None
    return ListTotal(total, " + ".join(parts), tuple(used))


#: Where a price line's words after its amount end.
_LINE_END = re.compile(r"[,;.\n•|()]|\s[-\u2013]\s")  # a hyphen or an en dash between words


def _named_after(text: str, m: Money) -> str:
    """The words right after the price, up to its line's end ("28 €/m² laying")."""
    rest = _LINE_END.split(text[m.span.end : m.span.end + 60])[0]
    return " ".join(w for w in re.findall(r"[^\W\d_]{4,}", rest.lower()))


def same_unit_part(
    o: Facts, note: str, unit: str, currency: str | None, offer_text: str
) -> Money | None:
    """Another of the offer's rates by the same ``unit`` that the total in ``note`` left
    out, when either rate is named by the words after it ("28 €/m² laying, 6 €/m² removing
    old tiles"): a second part of the same work or another grade of it, which the reader
    cannot tell apart; None when no such rate is left out."""
    text = fold(offer_text)
    taken = [m for m in o.money if f"'{m.span.text}'" in note and m.per == unit]
    if len(taken) != 1:
        return None
    for m in o.money:
        if m is taken[0] or m.per != unit or m.per2 is not None or m.alternative:
            continue
        if m.bound != "about" or m.currency not in (None, currency) or f"'{m.span.text}'" in note:
            continue
        if _named_after(text, m) or _named_after(text, taken[0]):
            return m
    return None
