"""Incoterms both sides state ("EXW Shenzhen only", "Delivery terms: DDP Warsaw"): which
of freight, insurance, export and import duties the seller takes on under each term.

Source: ICC Incoterms 2020, the eleven rules and their allocation of costs and risk. The
terms are ordered by how much of the way the seller carries: EXW (the buyer collects at
the seller's door) < FCA < FAS < FOB (seller clears export) < CFR/CPT (seller pays main
carriage) < CIF/CIP (and insures it) < DAP < DPU (seller delivers to the named place)
< DDP (and pays import duties). An offer whose term carries less than the seek's
requires does not meet it: its price leaves out what the seek wants paid.
"""

from __future__ import annotations

import re

__all__ = ["RANK", "stated_terms", "term_gap"]

#: Each rule -> how far the seller carries (ICC Incoterms 2020 cost allocation).
RANK: dict[str, int] = {
    "EXW": 0, "FCA": 1, "FAS": 2, "FOB": 3, "CFR": 4, "CPT": 4, "CIF": 5, "CIP": 5,
    "DAP": 6, "DPU": 7, "DAT": 7, "DDP": 8,
}  # fmt: skip

#: The rules' names written out (English, with "ex works" as German and Dutch write it).
_LONG = {
    "ex works": "EXW", "ex-works": "EXW", "ab werk": "EXW", "af fabriek": "EXW",
    "free carrier": "FCA", "free alongside ship": "FAS", "free on board": "FOB",
    "cost and freight": "CFR", "cost, insurance and freight": "CIF",
    "carriage paid to": "CPT", "carriage and insurance paid to": "CIP",
    "delivered at place": "DAP", "delivered at place unloaded": "DPU",
    "delivered duty paid": "DDP", "geliefert verzollt": "DDP",
}  # fmt: skip

# The three letters only in capitals ("fob" is also a word), as a whole word.
_CODE = re.compile(r"(?<![\w-])(?P<t>" + "|".join(RANK) + r")(?![\w-])")
_NAMED = re.compile(
    r"\b(?P<t>" + "|".join(re.escape(k) for k in sorted(_LONG, key=len, reverse=True)) + r")\b",
    re.I,
)
#: "EXW only", "only FOB", "nur ab Werk", "solo EXW": the side does not offer another term.
_ONLY = re.compile(r"\b(?:only|solely|exclusively|nur|solo|uniquement|alleen)\b", re.I)


#: Codes that are also other capitals ("FCA-regulated", "CIP cleaning", "DAT tape"): a
#: term only before a named place ("FCA Felixstowe") or after "Incoterms"/"terms".
_AMBIGUOUS = frozenset({"FCA", "FAS", "CPT", "CIP", "DAP", "DPU", "DAT"})
_PLACE_AFTER = re.compile(r"[^\S\n]+[A-Z]")
_TERMS_BEFORE = re.compile(
    r"\b(?:incoterms?(?:\s*20[12]0)?|terms|delivery|basis)\s*[:=]?\s*$", re.I
)


def stated_terms(text: str) -> dict[str, str]:
    """The Incoterms ``text`` states -> the words that state each ("EXW Shenzhen")."""
    found: dict[str, str] = {}
    for match in _CODE.finditer(text):
        term = match.group("t")
        if term in _AMBIGUOUS and not (
            _PLACE_AFTER.match(text, match.end())
            or _TERMS_BEFORE.search(text[max(0, match.start() - 30) : match.start()])
        ):
            continue
        found.setdefault(term, match.group(0))
    for match in _NAMED.finditer(text):
        found.setdefault(_LONG[match.group("t").lower()], match.group(0))
    return found


def _only_near(text: str, term_words: str) -> bool:
    """Whether an "only" stands in the sentence that states the term."""
    at = text.find(term_words)
    if at < 0:
        return False
    start = max(text.rfind(".", 0, at), text.rfind(";", 0, at), text.rfind("\n", 0, at)) + 1
    ends = [i for i in (text.find(". ", at), text.find(";", at), text.find("\n", at)) if i >= 0]
    return bool(_ONLY.search(text[start : min(ends) if ends else len(text)]))


def term_gap(offer_text: str, seek_text: str) -> tuple[str, bool] | None:
    """When the seek states a term that carries further than every term the offer states
    (EXW offered, DDP wanted): a note, and whether the offer says it gives no other term.
    None when either side states none, or the offer carries at least as far."""
    offered, wanted = stated_terms(offer_text), stated_terms(seek_text)
    if not offered or not wanted:
        return None
    best = max(offered, key=RANK.__getitem__)
    need = min(wanted, key=RANK.__getitem__)
    if RANK[best] >= RANK[need]:
        return None
    only = len(offered) == 1 and _only_near(offer_text, offered[best])
    return f"the offer states '{offered[best]}', the seek needs '{wanted[need]}'", only
