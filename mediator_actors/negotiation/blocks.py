"""A charge on top for each further block of units past what a flat price includes: "audit
for sites up to 500 pages: $600 ... Each additional 500 pages +$200", "bis 2.000 Wörter
180 €, je weitere 1.000 Wörter +60 €", "up to 50 guests £400, every extra 10 guests £45".

The block is read from the words just before the amount, in its own clause; the charge is
due once for each block begun past the included amount. Precision first: only a block
phrase with a number and a unit, and an included amount of that unit the offer states
once (outside the block phrase); anything else is left to the callers' other readings.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from mediator_actors.negotiation.numbers import NUMBER_SOURCE, token_numbers
from mediator_actors.negotiation.reader import Facts, Money, Quantity, canonical_unit

__all__ = ["Block", "block_of", "blocks_beyond"]


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
