"""Amounts counted in blocks, two ways offers write them.

- A price per block of an amount ("3,000 per block of up to 400 lines", "€90 per batch of
  up to 50 labels"): the seek's amount is so many blocks, each begun one counted whole,
  and the block's size is no cap on the amount (`counted_blocks`).
- A charge on top for each further block past what a flat price includes ("audit for sites
  up to 500 pages: $600 ... Each additional 500 pages +$200", "bis 2.000 Wörter 180 €, je
  weitere 1.000 Wörter +60 €", "up to 50 guests £400, every extra 10 guests £45"): the
  block is read from the words just before the amount, in its own clause; the charge is
  due once for each block begun past the included amount (`block_of`, `blocks_beyond`).
  Precision first: only a block phrase with a number and a unit, and an included amount of
  that unit the offer states once (outside the block phrase); anything else is left to the
  callers' other readings.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from mediator_actors.negotiation.numbers import NUMBER_SOURCE, token_numbers
from mediator_actors.negotiation.reader import Facts, Money, Quantity, canonical_unit

__all__ = ["Block", "block_of", "blocks_beyond", "counted_blocks"]

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


@dataclass(frozen=True)
class Block:
    """``size`` units of ``unit`` per charge, written at ``start:end`` of the offer."""

    size: float
    unit: str
    start: int
    end: int


#: "each additional 500 pages +", "every extra 10 guests:", "je weitere 1.000 Wörter",
#: "per further 100 copies", "chaque tranche supplémentaire de 500 mots", ending where the
#: amount begins (a "+", ":" or "=" between them).
_BLOCK_BEFORE = re.compile(
    r"\b(?:each|every|per|for\s+each|for\s+every|je|jede[nrs]?|pro|chaque|cada|ogni|elke|iedere?)\s+"
    r"(?:additional|extra|further|more|weitere[nr]?|zus[äa]tzliche[nr]?|suppl[ée]mentaires?|"
    r"adicionales?|aggiuntiv[ie]|extra|additionele)\s+"
    rf"(?P<n>{NUMBER_SOURCE})\s*(?P<u>[^\W\d_]{{1,20}})\.?\s*(?:[:=+]|costs?|is|at)?\s*\+?\s*$",
    re.I,
)

_CLAUSE_MARK = re.compile(r"[,;](?!\d)|\n")


def block_of(m: Money, offer_text: str) -> Block | None:
    """The block of units ``m`` is charged on, from the words just before it, or None."""
    if not offer_text or m.span.start > len(offer_text):
        return None
    start = max(0, m.span.start - 60)
    before = offer_text[start : m.span.start]
    # the clause's own words: a comma of "1,000" starts no clause
    clause_start = max((c.end() for c in _CLAUSE_MARK.finditer(before)), default=0)
    found = _BLOCK_BEFORE.search(before, clause_start)
    if found is None:
        return None
    numbers = token_numbers(found.group("n"))
    if len(numbers) != 1 or numbers[0].value <= 0:
        return None
    unit = canonical_unit(found.group("u"))
    return Block(numbers[0].value, unit, start + found.start(), start + found.end())


def blocks_beyond(
    o: Facts, needed: Quantity, extra: Money, offer_text: str
) -> tuple[int, Quantity] | None:
    """How many blocks of ``extra`` the seek's ``needed`` amount begins past the amount the
    offer includes, and that included amount; None where ``extra`` is charged on no block
    of ``needed``'s unit or the offer states no one included amount of it."""
    block = block_of(extra, offer_text)
    if block is None or block.unit != needed.unit:
        return None
    included = [
        q
        for q in o.quantities
        if q.unit == block.unit
        and q.bound in ("about", "at_most")
        and not (block.start <= q.span.start < block.end)
    ]
    if len({q.value for q in included}) != 1:
        return None
    amount = included[0].value
    beyond = max(0.0, needed.value - amount)
    return math.ceil(beyond / block.size - 1e-9), included[0]
