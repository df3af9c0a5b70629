"""Small builders shared by the negotiation tests."""

from __future__ import annotations

import json
from typing import Any

from mediator_actors.model import Intent, IntentType, entry_ref
from mediator_actors.negotiation.fit import Findings, _party_against
from mediator_actors.negotiation.meaning import PhraseSimilarity
from mediator_actors.negotiation.offline import assess, clear_caches
from mediator_actors.negotiation.reader import read_facts
from mediator_actors.negotiation.validation import Answer, decide

TS = "2026-11-20T09:00:00"
OFFER_TEXT = (
    "I am offering cloud cost optimization for community banking projects. Asking 1240 NLC "
    "for the full engagement. Can start within 9 days and deliver in 6 weeks."
)
SEEK_TEXT = (
    "We need cloud cost optimization for a K-12 education project. Budget of 1340 NLC. "
    "Must be delivered by September 25, 2027. Weekly progress reports expected."
)


def intent(kind: str, content: str, author: str | None = None, **extra: Any) -> Intent:
    author = author or ("alice" if kind == "offer" else "bob")
    return Intent(
        ref=entry_ref(author, content, TS),
        author=author,
        type=IntentType(kind),
        content=content,
        timestamp=TS,
        **extra,
    )


def offer(content: str = OFFER_TEXT, **extra: Any) -> Intent:
    return intent("offer", content, **extra)


def seek(content: str = SEEK_TEXT, **extra: Any) -> Intent:
    return intent("seek", content, **extra)


def answer_json(**overrides: Any) -> str:
    """A valid answer for the default pair, with fields overridden."""
    terms = {
        "price": 1290,
        "currency": "NLC",
        "deliverables": ["cloud cost optimization"],
        "timeline": "deliver by 2027-09-25",
        "conditions": ["Weekly progress reports expected"],
    }
    terms.update(overrides.pop("terms", {}))
    body: dict[str, Any] = {
        "compatible": True,
        "confidence": 82,
        "reasoning": "Same service; the price sits inside ask and budget.",
        "terms": terms,
        "refusal_reason": None,
    }
    body.update(overrides)
    return json.dumps(body)


#: A Monday: the day the mechanism tests' intents are written on.
MONDAY = "2027-03-01T10:00:00"


def judge(
    offer_text: str,
    seek_text: str,
    timestamp: str = MONDAY,
    similarity: PhraseSimilarity | None = None,
) -> Answer:
    """The offline negotiator's answer for two texts written on ``timestamp``, from cold
    caches (a cached reading of an earlier test's text must not decide this one);
    ``similarity`` judges service phrases by meaning (None: words only)."""
    clear_caches()
    o = Intent(
        ref=entry_ref("o", offer_text, timestamp), author="o", type=IntentType.OFFER,
        content=offer_text, timestamp=timestamp,
    )  # fmt: skip
    s = Intent(
        ref=entry_ref("s", seek_text, timestamp), author="s", type=IntentType.SEEK,
        content=seek_text, timestamp=timestamp,
    )  # fmt: skip
    return assess(o, s, similarity=similarity)


def decided(offer_text: str, seek_text: str) -> tuple[bool, str, float | None]:
    """Whether the offline negotiator proposes ``offer_text`` for ``seek_text`` through the
    same decision as any model (local similarity, confidence 60), its reason, its price."""
    from mediator_actors.negotiation.meaning import shared_similarity

    o, s = offer(offer_text), seek(seek_text)
    result = decide(
        assess(o, s, similarity=shared_similarity()), o, s, min_confidence=60,
        model_id="offline", model_integrity_hash="h",
    )  # fmt: skip
    price = None if result.terms is None else result.terms.price
    return result.success, result.failure_reason or result.reasoning, price


def party_findings(offer_text: str, seek_text: str) -> Findings:
    """What fit's one party check (seats and caps on people) finds for the two texts."""
    found = Findings()
    _party_against(
        read_facts(offer_text, offer=True), read_facts(seek_text, offer=False), found, seek_text
    )
    return found
