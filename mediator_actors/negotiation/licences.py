"""An offer's use licence that rules out the use a seek states.

"Personal use only", "non-commercial licence", "for private use", "editorial use only"
(and the same in French, German, Spanish, Italian, Dutch, Portuguese) on photos, fonts,
music, software or designs: the buyer may not use the work commercially. A seek that
states a commercial use ("commercial use", "our commercial ad campaign", "to resell",
"for resale", "t-shirts I will sell", "merchandise", "revente") cannot be served by it. Only the plain cases on both sides decline; anything else is left to the unread
guard ("cannot check").
"""

from __future__ import annotations

import re

__all__ = ["use_conflict"]

#: A licence limited to a use that is not commercial, on the offer.
_LIMITED_USE = re.compile(
    r"\bnon[- ]?commercial(?:\s+(?:use|usage|licen[cs]e|purposes?))?\b"
    r"|\b(?:personal|private|editorial)\s+(?:use|usage)(?:\s+only)?\b"
    r"|\bfor\s+(?:personal|private)\s+(?:use|usage|projects?)\b"
    r"|\bnot\s+for\s+(?:commercial\s+use|resale|re-?sale)\b|\bno\s+commercial\s+use\b"
    r"|\busage\s+(?:personnel|priv[ée]|non\s+commercial)\b|\bnon\s+commercial\b"
    r"|\b(?:nicht[- ]?kommerziell\w*|privatgebrauch|private\s+nutzung|nur\s+privat\w*)\b"
    r"|\buso\s+(?:personal|privado|no\s+comercial|personale|privato|non\s+commerciale|pessoal)\b"
    r"|\bniet[- ]commerci[eë]el\w*|\bpersoonlijk\s+gebruik\b|\bn[ãa]o\s+comercial\b",
    re.I,
)
#: "commercial use allowed", "commercial licence available": the limit is lifted or can be.
_LIFTED = re.compile(
    r"(?<!non-)(?<!non\s)\bcommercial\s+(?:use|usage|licen[cs]es?|rights?)\s+(?:is\s+|are\s+)?"
    r"(?:allowed|permitted|ok|available|included|on\s+request|extra|for\s+an?\s+extra|\+)"
    r"|(?<!non-)(?<!non\s)\b(?:extended|commercial|business)\s+licen[cs]es?\b"
    r"(?!\s+(?:not|unavailable))",
    re.I,
)
#: A seek's own commercial use of the work.
_COMMERCIAL_USE = re.compile(
    r"(?<!non-)(?<!non\s)\bcommercial\s+(?:[a-z]+\s+)?(?:use|usage|purposes?|licen[cs]e|"
    r"rights?|project|campaign|release|product)s?\b"
    r"|\b(?:to|and|will|we'll|i'll|plan\s+to|going\s+to)\s+(?:re-?sell|sell)\b"
    r"|\bfor\s+(?:re-?sale|resell\w*|selling|sale)\b|\bresale\b|\bmerch(?:andise)?\b"
    r"|\busage\s+commercial\b|\busage\s+commercial|\bkommerziell\w*\s+(?:nutzung|zweck\w*)\b"
    r"|\buso\s+comercial\b|\buso\s+commerciale\b|\bcommercieel\s+gebruik\b|\bweiterverkauf\b"
    r"|\brevente\b|\breventa\b|\brivendita\b|\brevenda\b|\bdoorverkoop\b",
    re.I,
)


def use_conflict(offer_text: str, seek_text: str) -> str | None:
    """The refusal when the offer's licence is limited to a use that is not commercial and
    the seek states a commercial use, resale or selling; None otherwise."""
    limited = _LIMITED_USE.search(offer_text)
    if limited is None or _LIFTED.search(offer_text):
        return None
    wanted = _COMMERCIAL_USE.search(seek_text)
    if wanted is None or _LIMITED_USE.search(seek_text):
        return None  # the seek speaks of a limited use itself: which it needs is unclear
    return f"licence: the offer allows '{limited.group(0)}', the seek states '{wanted.group(0)}'"
