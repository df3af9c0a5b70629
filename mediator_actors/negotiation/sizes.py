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

from mediator_actors.negotiation.glossary import in_english
from mediator_actors.negotiation.reader import Facts, Span, canonical_unit

__all__ = ["names_space", "size_alternatives", "space_area"]

#: Spaces let, rented or stored in, measured by their floor area: a bigger one holds what
#: a smaller one would, so the area a seek needs is a least one ("storage ~10 m² for my
#: furniture" is met by a 12 m² garage). A rug, a tile or a banner of 10 m² is a thing of
#: that size instead, and no other size is it.
_SPACE = re.compile(
    r"\b(?:storage\s+(?:unit|space|room|box)|store\s+room|storeroom|garage|lock-?up|warehouse|unit|room|office|"
    r"studio|workshop|space|cellar|basement|loft|attic|shed|container|locker|stand|booth|"
    r"pitch|flat|apartment|desk\s+space|hall|venue|plot)s?\b",
    re.I,
)
#: Words of a thing of a size, not of a space: "a 10 m² rug for the living room".
_THING = re.compile(
    r"\b(?:rug|carpet|tile|tiles|tiling|shel(?:f|ves|ving)|racking|rack|banner|tarp|tarpaulin|sheet|panel|panels|canvas|"
    r"print|mural|fabric|vinyl|turf|lawn|artificial\s+grass|paving|decking|flooring|"
    r"laminate|wallpaper|glass|mirror|solar|roof|roofing|painting|paint|screed|plaster)\b",
    re.I,
)
#: Characters either side of a size that may name what it measures.
_AROUND = 40


#: What a seek may call the space it needs: "need storage ~10 m²".
_SOUGHT_SPACE = re.compile(r"\bstorage\b", re.I)


def space_area(text: str, span: Span, *, sought: bool = False) -> bool:
    """Whether the area at ``span`` of ``text`` (the folded prose a reading came from)
    measures a space: a space word beside it (for a seek, "storage" too), no thing of a
    size (in English after the glossary: "Lagerraum 10 m²")."""
    if not text or span.end > len(text) or text[span.start : span.end] != span.text:
        return False  # not the prose the reading came from: nothing is assumed
    near = in_english(text[max(0, span.start - _AROUND) : span.end + _AROUND])
    space = _SPACE.search(near) or (sought and _SOUGHT_SPACE.search(near))
    return bool(space) and not _THING.search(near)


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


def names_space(phrase: str) -> bool:
    """Whether ``phrase`` (in English after the glossary) names a space to let or rent."""
    english = in_english(phrase)
    return bool(_SPACE.search(english)) and not _THING.search(english)
