"""Percentages an offer adds to its price in some cases ("Broadcast rights +30%", "Express
24h: +50%", "SUV / van +20%"). The most the job costs is the price with every such
surcharge the seek does not rule out ("no broadcast"), so the price is raised by each of
them and only the seek's budget is held against the result: whether a case applies need
not be known."""

from __future__ import annotations

import re
from dataclasses import replace

from mediator_actors.negotiation.fit import PriceBasis
from mediator_actors.negotiation.reader import rough_stem
from mediator_actors.negotiation.unread import Unread

#: "30%", "12.5 %": the share a "+" before it adds.
_PERCENT = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%")
#: A surcharge for speed: its time, not only its price, would have to be proposed.
_RUSH = re.compile(
    r"\b(?:rush|express|urgent|expedited|priority|fast[- ]?track|same[- ]day|next[- ]day|"
    r"eil\w*|spoed|\d+\s*h(?:ours?|rs?)?\b)",
    re.I,
)
#: The words that name the case, less those of price.
_CASE_WORDS = re.compile(r"[^\W\d_]{3,}")
_PRICE_WORDS = frozenset(
    rough_stem(w) for w in ("surcharge", "extra", "plus", "price", "fee", "rate", "charge")
)
#: A seek ruling a case out: "no broadcast", "not for broadcast", "without a trailer".
_RULED_OUT = r"\b(?:no|not(?:\s+for)?|without|excluding|never)\s+(?:[a-z/-]+\s+)?{word}"


def percent_on_top(item: Unread) -> tuple[float, frozenset[str]] | None:
    """(the share added, the stems of the case it names) when ``item``'s only unread
    marker is a "+N%" after the words of a case; None otherwise."""
    if len(item.marks) != 1:
        return None
    kind, head, mark, tail = item.marks[0]
    match = _PERCENT.fullmatch(mark.strip())
    if kind != "amount" or match is None or not head.rstrip().endswith("+") or tail.strip(" .)"):
        return None
    if _RUSH.search(head):
        # "Express 24h: +50%": a faster time, which the proposal's timeline would not keep
        return None
    case = frozenset(rough_stem(w.lower()) for w in _CASE_WORDS.findall(head)) - _PRICE_WORDS
    if not case:
        return None
    return float(match.group(1).replace(",", ".")) / 100, case


def ruled_out(case: frozenset[str], seek_text: str) -> bool:
    """Whether the seek rules the surcharge's case out ("no broadcast")."""
    words = {rough_stem(w.lower()): w for w in _CASE_WORDS.findall(seek_text)}
    return any(
        re.search(_RULED_OUT.format(word=re.escape(words[stem])), seek_text, re.I)
        for stem in case
        if stem in words
    )


def with_surcharges(basis: PriceBasis, shares: list[tuple[str, float]]) -> PriceBasis:
    """``basis`` with its floor raised by each (clause, share) in turn."""
    if not shares or basis.floor is None or basis.refusal:
        return basis
    floor = basis.floor
    for _, share in shares:
        floor *= 1 + share
    quoted = ", ".join(f"'{clause}'" for clause, _ in shares)
    step = f"with the offer's {quoted} on top in case it applies: {floor:,.2f}"
    return replace(basis, floor=round(floor, 2), note=f"{basis.note}; {step}", step=step)
