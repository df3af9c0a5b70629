"""Prices per block of an amount ("3,000 per block of up to 400 lines", "€90 per batch of
up to 50 labels"): the seek's amount is so many blocks, each begun one counted whole, and
the block's size is no cap on the amount."""

from __future__ import annotations

import math
import re
from dataclasses import replace

from mediator_actors.negotiation.reader import Facts, Quantity, canonical_unit

#: Units that are a block of some other amount.
BLOCK_UNITS = frozenset({"block", "batch", "bundle", "lot", "chunk", "tranche"})
#: "block of up to 500 lines", "batches of max. 50 labels": the words right before the size.
_BLOCK_OF = re.compile(
    r"\b(?P<u>[a-z]+?)e?s?\s+of\s+(?:up\s+to|max(?:imum)?\.?|at\s+most)\s*$", re.I
)


def counted_blocks(o: Facts, s: Facts, offer_text: str) -> tuple[Facts, Facts]:
    """(offer, seek) with the seek's amount counted in the offer's blocks and the block's
    size dropped as a cap, when the offer prices per block of an amount the seek states
    once; both unchanged otherwise."""
    units = {m.per for m in o.money if m.per in BLOCK_UNITS and not m.extra and not m.fee}
    if len(units) != 1 or any(q.unit in units for q in s.quantities):
        return o, s
    block = units.pop()
    for size in o.quantities:
        if size.bound != "at_most":
            continue
        before = _BLOCK_OF.search(offer_text[max(0, size.span.start - 30) : size.span.start])
        if before is None or canonical_unit(before.group("u")) != block:
            continue
        needs = {q.value: q for q in s.quantities if q.unit == size.unit and q.bound == "about"}
        if len(needs) != 1:
            return o, s
        need = next(iter(needs.values()))
        count = math.ceil(need.value / size.value - 1e-9)
        counted = Quantity(float(count), block, "about", need.span, need.period)
        offer = replace(o, quantities=tuple(q for q in o.quantities if q is not size))
        return offer, replace(s, quantities=(*s.quantities, counted))
    return o, s
