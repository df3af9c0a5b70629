"""Does a proposal's price break a constraint one of its intents states? Pure, no I/O.

Read with the negotiation term reader (:func:`~mediator_actors.negotiation.reader.read_terms`):
an offer's stated ask (or its least acceptable price) and a seek's stated budget are the
constraints a price can break without any interpretation. A contradiction quotes the
proposal's price and the sentence of the intent that states the limit, verbatim (bounded),
so a reader can check it against both texts. Anything the reader is unsure of (hourly
prices, a negotiable intent, another currency) is not challenged: a wrong challenge costs
the challenger nothing on chain but is noise for the parties.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from mediator_actors.model import Intent
from mediator_actors.negotiation.reader import read_terms

#: A numeric limit read from the party's own sentence: high, not certain (the reader may
#: misread a number that is not a price).
CONFIDENCE = 0.9
MAX_QUOTE = 300
_SENTENCE = re.compile(r"[^.!?\n]*\d[^.!?\n]*[.!?]?")


@dataclass(frozen=True, slots=True)
class Contradiction:
    """A term that breaks a stated constraint, with both quotes and a confidence 0..1."""

    violated: str  # e.g. "price below the offer's stated ask"
    term_quote: str  # from the proposal
    intent_quote: str  # from the intent
    intent_ref: str
    confidence: float


def _quote(content: str, number: float) -> str:
    """The intent's sentence that names ``number`` (or its first sentence with a number)."""
    shown = f"{number:,.0f}" if float(number).is_integer() else f"{number}"
    plain = shown.replace(",", "")
    sentences = [s.strip() for s in _SENTENCE.findall(content) if s.strip()]
    for s in sentences:
        if plain in s.replace(",", "").replace(" ", ""):
            return str(s[:MAX_QUOTE])
    return str(sentences[0] if sentences else content)[:MAX_QUOTE]


def _price(terms: dict[str, Any]) -> float | None:
    value = terms.get("price")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def find_contradiction(terms: dict[str, Any], offer: Intent, seek: Intent) -> Contradiction | None:
    """The first price term that breaks the offer's ask or the seek's budget, or None."""
    price = _price(terms)
    currency = terms.get("currency", "NLC")
    if price is None or currency != "NLC":
        return None
    o = read_terms(offer.content, offer=True, desires=offer.desires, constraints=offer.constraints)
    s = read_terms(seek.content, offer=False, desires=seek.desires, constraints=seek.constraints)
    quote = f"price {price:g} NLC"
    floor = o.ask if o.ask is not None else o.price_min
    # Only a limit stated in NLC (or with no currency, "Budget: 500") is compared.
    o_nlc, s_nlc = o.currency in (None, "NLC"), s.currency in (None, "NLC")
    if floor is not None and o_nlc and not o.hourly and not o.negotiable and price < floor:
        return Contradiction(
            "price below the offer's stated ask",
            quote,
            _quote(offer.content, floor),
            offer.ref,
            CONFIDENCE,
        )
    budget = s.price_max
    if budget is not None and s_nlc and not s.hourly and not s.negotiable and price > budget:
        return Contradiction(
            "price above the seek's stated budget",
            quote,
            _quote(seek.content, budget),
            seek.ref,
            CONFIDENCE,
        )
    return None
