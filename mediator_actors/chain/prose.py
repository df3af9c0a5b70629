"""Reading plain prose on the chain as an offer or a seek (opt-in: ``INTAKE_PLAIN_PROSE``).

Most people write on a NatLangChain node without ``is_contract`` metadata. With the
setting on, an entry without intent metadata is read as an intent when its prose clearly
is one: rules on its opening clause and its cues, with a confidence. Prose that is both,
neither, a question, a mediator's own kind (``[PROPOSED SETTLEMENT]`` ...) or too short is
left alone with the reason.

Pure, deterministic and linear in the text (bounded regexes over at most the first 2,000
characters); no model is loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mediator_actors.model import IntentType

#: Prose read with at least this confidence becomes an intent.
MIN_CONFIDENCE = 0.7
_HEAD = 2_000

_OFFER_OPENING = re.compile(
    r"^\s*(?:i\s+am\s+|i'm\s+|we\s+are\s+|we're\s+)?(?:offering|selling|providing|"
    r"available\s+for|for\s+sale|for\s+hire|i\s+(?:can|will)\s+(?:provide|deliver|build|"
    r"offer|write|design|translate)|we\s+(?:can|will)\s+(?:provide|deliver|build|offer)|"
    r"i\s+offer|we\s+offer|offer\s*:)",
    re.IGNORECASE,
)
_SEEK_OPENING = re.compile(
    r"^\s*(?:i\s+am\s+|i'm\s+|we\s+are\s+|we're\s+)?(?:looking\s+for|seeking|searching\s+for|"
    r"hiring|wanted\s*:|want\s+to\s+(?:buy|hire)|in\s+need\s+of|"
    r"(?:i|we)\s+(?:need|want|require|would\s+like)|need(?:ed)?\s*:|seek\s*:)",
    re.IGNORECASE,
)
_OFFER_CUE = re.compile(
    r"\b(?:offering|selling|for\s+sale|for\s+hire|asking\s+(?:price|for)?|my\s+rate|"
    r"i\s+(?:can|will)\s+deliver|available\s+(?:now|from|for))\b",
    re.IGNORECASE,
)
_SEEK_CUE = re.compile(
    r"\b(?:looking\s+for|seeking|wanted|budget|need(?:ed)?\s+by|i\s+need|we\s+need|"
    r"willing\s+to\s+pay|hiring)\b",
    re.IGNORECASE,
)
_TERMS = re.compile(
    r"\b\d[\d,.]*\s*(?:nlc|usd|eur|gbp|dollars?|euros?)\b|[$€£]\s*\d|\b(?:within|by)\s+"
    r"\w+|\b\d+\s*(?:days?|weeks?|months?|hours?)\b",
    re.IGNORECASE,
)
_TAGGED = re.compile(r"^\s*\[[A-Z][A-Z ]{2,30}\]")
_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True, slots=True)
class ProseReading:
    """What the rules read: an intent type with its confidence, or None with the reason."""

    type: IntentType | None
    confidence: float
    reason: str


def read_prose(content: str) -> ProseReading:
    """Read ``content`` as an offer, a seek, or neither (with the reason)."""
    text = content[:_HEAD]
    if _TAGGED.match(text):
        return ProseReading(None, 0.0, "protocol_tagged")  # [ACCEPT], [PAYOUT], ...
    if len(_WORD.findall(text)) < 5:
        return ProseReading(None, 0.0, "too_short")
    first = re.split(r"(?<=[.!?])\s+|\n", text.strip(), maxsplit=1)[0]
    if first.rstrip().endswith("?"):
        return ProseReading(None, 0.0, "a_question")
    offer_open = bool(_OFFER_OPENING.match(first))
    seek_open = bool(_SEEK_OPENING.match(first))
    offer_cues = len(_OFFER_CUE.findall(text))
    seek_cues = len(_SEEK_CUE.findall(text))
    if offer_open == seek_open:  # neither opening, or (rarely) both
        return ProseReading(None, 0.0, "ambiguous_prose")
    kind = IntentType.OFFER if offer_open else IntentType.SEEK
    against = seek_cues if offer_open else offer_cues
    confidence = 0.6 + (0.25 if _TERMS.search(text) else 0.0) + (0.1 if against == 0 else 0.0)
    confidence -= 0.2 * min(against, 2)
    confidence = round(max(0.0, min(confidence, 0.95)), 2)
    if confidence < MIN_CONFIDENCE:
        return ProseReading(None, confidence, "ambiguous_prose")
    return ProseReading(kind, confidence, "plain_prose")
