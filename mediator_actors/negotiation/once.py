"""A charge the offer itself says is due once: "one-time setup fee $200", "delivery +
collection €60 flat", "einmalige Einrichtungsgebühr 50 €", "frais de dossier unique".

A one-off charge beside a rate per day or month may fall due on each of them ("£60
call-out" for each of 3 visits), so the reader never adds it once to such a count on its
own. Where the offer's own words around the charge say it is due once, it is: a hire of
4 days pays its flat delivery once, 3 months of hosting its one-time setup fee once.
Precision first: the word must stand in the charge's own stretch of the offer (between
the prices either side of it, within its sentence), so that "€95 per day flat" does not
make the delivery beside it once.
"""

from __future__ import annotations

import re

from mediator_actors.negotiation.reader import Facts, Money

__all__ = ["stated_once"]

#: Words that make a charge due once per order, in the languages the reader reads.
_ONCE = re.compile(
    r"\b(?:one[\s-]?(?:time|off)|once|flat|single\s+fee"
    r"|einmalig\w*|pauschal\w*|unique|forfait\w*|une\s+fois|[úu]nic[oa]|una\s+vez"
    r"|eenmalig\w*|una\s+tantum)\b",
    re.I,
)
#: Words that make it due again: "flat €20 per visit", "once a week".
_AGAIN = re.compile(
    r"\b(?:per|each|every|a|an|pro|je|par|por|al|la)\s+(?:day|night|week|month|year|visit"
    r"|hour|tag|woche|monat|jour|semaine|mois|d[ií]a|semana|mes)\b"
    r"|\bonce\s+(?:a|per|every)\b|\b(?:daily|weekly|monthly|yearly|annual\w*)\b",
    re.I,
)
#: Where a sentence or clause ends: the charge's stretch never reaches past one.
_SENTENCE = re.compile(r"[.!?;,\n](?:\s|$)|\n")


def stated_once(o: Facts, charge: Money, offer_text: str) -> bool:
    """Whether the offer's words around ``charge`` (no other price between) mark it as
    due once on the order, and none mark it as due again per a span of time or visit."""
    start, end = charge.span.start, charge.span.end
    if offer_text[start:end].casefold() != charge.span.text.casefold():
        return False  # the span is not this text's: nothing to read around it
    left = max([m.span.end for m in o.money if m.span.end <= start] + [0])
    right = min([m.span.start for m in o.money if m.span.start >= end] + [len(offer_text)])
    before = offer_text[left:start]
    after = offer_text[end:right]
    cut = list(_SENTENCE.finditer(before))
    if cut:
        before = before[cut[-1].end() :]
    stop = _SENTENCE.search(after)
    if stop:
        after = after[: stop.start()]
    stretch = f"{before} {charge.span.text} {after}"
    return _ONCE.search(stretch) is not None and _AGAIN.search(stretch) is None
