"""Tiers that add parts to one another, the seek's parts picking one.

"£60 CV only, £85 CV + cover letter" against "need my CV and a cover letter redone";
"ceremony €700, ceremony + aperitivo €1.100" against "for the ceremony and aperitivo":
each price is labelled by its clause (after the amount, or before it), the labels are
parts joined by "+", "&", "and", "with", and one label's parts hold another's. The tier
whose every part the seek names, with no larger tier's added part named at all, is the
seek's; the other tiers are alternatives, never charges the total leaves out.

Precision first: at least two labelled flat prices whose parts nest, exactly one tier
the seek names every part of with the most parts, and no word of a larger tier's added
parts in the seek; otherwise nothing changes.
"""

from __future__ import annotations

import re
from dataclasses import replace

from mediator_actors.negotiation.reader import Facts, Money, rough_stem

__all__ = ["nested_tiers"]

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
