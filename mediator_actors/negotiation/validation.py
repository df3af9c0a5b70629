"""Never trust the model: a strict parser for its answer and a deterministic check of the
terms it proposes against what both parties stated (threats.md section B).

- :func:`parse_answer`: exactly one JSON object, nothing around it (no fences, no second
  object, no prose), no duplicate keys, no NaN/Infinity/1e400, no unknown or missing
  fields, ``confidence`` an integer 0-100 (not ``"95"``, not ``95.0``, not ``true``),
  prices finite and non-negative, every list and string bounded.
- :func:`check_terms`: the price within the offer's ask and the seek's budget, dates within
  the stated deadlines, deliverables named by the intents, no condition that contradicts a
  party's hard condition.
- :func:`decide`: success needs a compatible answer, a confidence of at least
  ``MIN_NEGOTIATION_CONFIDENCE`` but not 100 (a red flag, never a reason to submit), and
  every check passing. Anything else is ``NegotiationResult(success=False, ...)``.

Pure CPU on bounded input (the answer is capped at :data:`MAX_ANSWER_BYTES`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, replace
from typing import Any

from mediator_actors.errors import CodecError
from mediator_actors.model import Intent, NegotiationResult, Terms
from mediator_actors.negotiation.blocks import counted_blocks
from mediator_actors.negotiation.fit import BLOCKING_COST, check_facts, price_basis, seek_amount
from mediator_actors.negotiation.reader import CURRENCIES, StatedTerms, parse_date
from mediator_actors.negotiation.tiers import chosen_tier
from mediator_actors.negotiation.vocabulary import (
    CONFLICTS,
    HARD_PATTERNS,
    HardCondition,
    fold,
    tokens,
)
from mediator_actors.safety.secretscan import redact_emails
from mediator_actors.safety.textsafety import detect_injection

__all__ = [
    "ANSWER_SCHEMA",
    "Answer",
    "AnswerError",
    "AnswerTerms",
    "check_terms",
    "checked_answer",
    "decide",
    "parse_answer",
]

MAX_ANSWER_BYTES = 32_000
MAX_REASONING = 2000
MAX_REASON = 500
MAX_ITEMS = 20
MAX_ITEM = 300
MAX_TIMELINE = 300
MAX_PRICE = 1e12
#: The confidence that is never believed: a model that is "certain" was probably told to be.
RED_FLAG_CONFIDENCE = 100
#: Share of a deliverable's words that must come from the intents.
DELIVERABLE_OVERLAP = 0.5


class AnswerError(CodecError):
    """The model's answer failed strict validation; the message says which rule."""


@dataclass(frozen=True, slots=True)
class AnswerTerms:
    price: float | None
    currency: str
    deliverables: tuple[str, ...]
    timeline: str | None
    conditions: tuple[str, ...]

    def to_terms(self) -> Terms:
        return Terms(
            price=self.price,
            deliverables=self.deliverables,
            timeline=self.timeline,
            conditions=self.conditions,
            currency=self.currency,
        )

    def to_json(self) -> dict[str, Any]:
        return self.to_terms().to_json()


@dataclass(frozen=True, slots=True)
class Answer:
    """A validated answer (from an LLM or the offline negotiator)."""

    compatible: bool
    confidence: int
    reasoning: str
    terms: AnswerTerms | None
    refusal_reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "compatible": self.compatible,
            "confidence": self.confidence,
            "reasoning": self.reasoning,
            "terms": None if self.terms is None else self.terms.to_json(),
            "refusal_reason": self.refusal_reason,
        }


_STRING_LIST = {
    "type": "array",
    "items": {"type": "string", "maxLength": MAX_ITEM},
    "maxItems": MAX_ITEMS,
}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


#: The JSON schema both providers are asked to follow (strict structured output: every
#: field required, nullable ones as ``anyOf`` with null, no additional properties). The
#: bounds are advisory for the model; :func:`parse_answer` enforces them.
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["compatible", "confidence", "reasoning", "terms", "refusal_reason"],
    "properties": {
        "compatible": {"type": "boolean"},
        "confidence": {"type": "integer", "minimum": 0, "maximum": 100},
        "reasoning": {"type": "string", "maxLength": MAX_REASONING},
        "terms": _nullable(
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["price", "currency", "deliverables", "timeline", "conditions"],
                "properties": {
                    "price": _nullable({"type": "number", "minimum": 0}),
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    "deliverables": _STRING_LIST,
                    "timeline": _nullable({"type": "string", "maxLength": MAX_TIMELINE}),
                    "conditions": _STRING_LIST,
                },
            }
        ),
        "refusal_reason": _nullable({"type": "string", "maxLength": MAX_REASON}),
    },
}


def _reject_constant(name: str) -> None:
    raise AnswerError(f"the answer contains {name}, which is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise AnswerError(f"the answer repeats the field {key!r}")
        result[key] = value
    return result


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise AnswerError(f"the answer contains a number out of range ({text[:20]})")
    return value


def _fields(obj: Any, where: str, required: set[str]) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise AnswerError(f"{where} must be a JSON object")
    unknown = set(obj) - required
    if unknown:
        raise AnswerError(f"{where} has unknown fields: {', '.join(sorted(unknown))[:200]}")
    missing = required - set(obj)
    if missing:
        raise AnswerError(f"{where} lacks fields: {', '.join(sorted(missing))}")
    return obj


def _text(value: Any, where: str, limit: int, *, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise AnswerError(f"{where} must be a string")
    if len(value) > limit:
        raise AnswerError(f"{where} is longer than {limit} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AnswerError(f"{where} contains a lone surrogate") from exc
    return value


def _texts(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise AnswerError(f"{where} must be a list of strings")
    if len(value) > MAX_ITEMS:
        raise AnswerError(f"{where} has more than {MAX_ITEMS} items")
    return tuple(str(_text(item, f"{where}[{i}]", MAX_ITEM)) for i, item in enumerate(value))


def parse_answer(text: str) -> Answer:  # noqa: PLR0912 - one flat pass of rules reads best
    """Parse and strictly validate a model's answer, or raise :class:`AnswerError`."""
    if not isinstance(text, str) or not text.strip():
        raise AnswerError("the answer is empty")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_ANSWER_BYTES:
        raise AnswerError(f"the answer is larger than {MAX_ANSWER_BYTES} bytes")
    body = text.strip()
    if not body.startswith("{"):
        raise AnswerError("the answer must be exactly one JSON object (no fences or prose)")
    decoder = json.JSONDecoder(
        object_pairs_hook=_no_duplicates, parse_constant=_reject_constant, parse_float=_finite_float
    )
    try:
        obj, end = decoder.raw_decode(body)
    except AnswerError:
        raise
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise AnswerError(f"the answer is not valid JSON: {str(exc)[:120]}") from exc
    if body[end:].strip():
        raise AnswerError("the answer has content after its JSON object (two objects, or prose)")
    top = _fields(
        obj, "the answer", {"compatible", "confidence", "reasoning", "terms", "refusal_reason"}
    )
    if not isinstance(top["compatible"], bool):
        raise AnswerError("compatible must be true or false")
    confidence = top["confidence"]
    if isinstance(confidence, bool) or not isinstance(confidence, int):
        raise AnswerError("confidence must be an integer from 0 to 100")
    if not 0 <= confidence <= 100:
        raise AnswerError(f"confidence {confidence} is outside 0-100")
    terms = None
    if top["terms"] is not None:
        t = _fields(
            top["terms"], "terms", {"price", "currency", "deliverables", "timeline", "conditions"}
        )
        price = t["price"]
        if price is not None:
            if isinstance(price, bool) or not isinstance(price, int | float):
                raise AnswerError("terms.price must be a number or null")
            if not (math.isfinite(price) and 0 <= price <= MAX_PRICE):
                raise AnswerError("terms.price must be finite, non-negative and at most 1e12")
        if t["currency"] not in CURRENCIES:
            raise AnswerError("terms.currency must be NLC or an ISO 4217 code the reader knows")
        terms = AnswerTerms(
            price=None if price is None else float(price),
            currency=str(t["currency"]),
            deliverables=_texts(t["deliverables"], "terms.deliverables"),
            timeline=_text(t["timeline"], "terms.timeline", MAX_TIMELINE, nullable=True),
            conditions=_texts(t["conditions"], "terms.conditions"),
        )
    return Answer(
        compatible=top["compatible"],
        confidence=confidence,
        reasoning=str(_text(top["reasoning"], "reasoning", MAX_REASONING)),
        terms=terms,
        refusal_reason=_text(top["refusal_reason"], "refusal_reason", MAX_REASON, nullable=True),
    )


def _plain_text(value: object, limit: int) -> bool:
    """A str that :func:`_text` accepts as it is (bounded, no lone surrogate)."""
    if type(value) is not str or len(value) > limit:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _plain_texts(values: object) -> bool:
    return (
        type(values) is tuple
        and len(values) <= MAX_ITEMS
        and all(_plain_text(v, MAX_ITEM) for v in values)
    )


def _plainly_valid(answer: Answer, text: str) -> bool:
    """True when :func:`parse_answer` of ``text`` (the answer's own ``json.dumps``, which
    is ASCII) cannot fail: every type exact and every bound held."""
    plain = (
        len(text) <= MAX_ANSWER_BYTES
        and text.isascii()
        and type(answer.compatible) is bool
        and type(answer.confidence) is int
        and 0 <= answer.confidence <= 100
        and _plain_text(answer.reasoning, MAX_REASONING)
        and (answer.refusal_reason is None or _plain_text(answer.refusal_reason, MAX_REASON))
    )
    if not plain:
        return False
    terms = answer.terms
    if terms is None:
        return True
    price = terms.price
    if price is not None and not (
        type(price) in (int, float) and math.isfinite(price) and 0 <= price <= MAX_PRICE
    ):
        return False
    return (
        type(terms.currency) is str
        and terms.currency in CURRENCIES
        and _plain_texts(terms.deliverables)
        and _plain_texts(terms.conditions)
        and (terms.timeline is None or _plain_text(terms.timeline, MAX_TIMELINE))
    )


def checked_answer(answer: Answer, text: str) -> Answer:
    """``parse_answer(text)`` where ``text`` is ``json.dumps(answer.to_json())``, without
    decoding it again when nothing in it can fail (a local provider's answer: issue 15, no
    per-pair JSON round trip); anything else goes through :func:`parse_answer`, so the
    answer, or the error and its message, are the same as after the round trip."""
    if not _plainly_valid(answer, text):
        return parse_answer(text)
    terms = answer.terms
    if terms is not None and terms.price is not None and type(terms.price) is not float:
        # JSON gives an int back; parse_answer stores every price as a float
        terms = AnswerTerms(
            price=float(terms.price),
            currency=terms.currency,
            deliverables=terms.deliverables,
            timeline=terms.timeline,
            conditions=terms.conditions,
        )
        answer = Answer(
            compatible=answer.compatible,
            confidence=answer.confidence,
            reasoning=answer.reasoning,
            terms=terms,
            refusal_reason=answer.refusal_reason,
        )
    return answer


def _stated(intent: Intent) -> StatedTerms:
    # The same parsed form the offline negotiator judges (read once per intent).
    from mediator_actors.negotiation.offline import stated_terms

    return stated_terms(intent)


def _reference(offer: Intent, seek: Intent) -> dt.date | None:
    days = []
    for intent in (offer, seek):
        try:
            days.append(dt.datetime.fromisoformat(intent.timestamp.replace("Z", "")).date())
        except ValueError:
            continue
    return max(days) if days else None


_ISO_OR_PROSE_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}|[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]+ \d{4}"
)
_DURATION = re.compile(r"\b(\d+(?:\.\d+)?)\s+(business days?|days?|weeks?|months?)\b", re.I)
_UNIT_DAYS = {"b": 1.4, "d": 1, "w": 7, "m": 30}


def _check_price(
    terms: AnswerTerms,
    o: StatedTerms,
    s: StatedTerms,
    seek_words: frozenset[str],
    texts: tuple[str, str],
) -> list[str]:
    """The price against the offer's floor and the seek's ceiling on the basis both
    stated (per-unit prices multiplied out), in the currency both stated."""
    basis = price_basis(o.facts, s.facts, seek_words, texts[1], texts[0])
    if basis.refusal:
        return [basis.refusal]
    found = []
    if basis.currency is not None and terms.currency != basis.currency:
        found.append(f"currency {terms.currency} is not the {basis.currency} both intents state")
    if terms.price is None:
        if basis.floor is not None and basis.ceiling is not None:
            found.append("the terms name no price although both intents state one")
        return found
    if basis.unchecked:
        return [*found, basis.unchecked]
    cur = basis.currency or "NLC"
    floor, ceiling = basis.floor, basis.ceiling
    count = seek_amount(o.facts, s.facts, basis.per) if basis.per else None
    rate_named = basis.per is not None and any(
        f"price per {basis.per}" in c for c in terms.conditions
    )
    if count is not None and count.value > 0 and not rate_named:
        # Rates and a known count: the terms' price is the total (terms that mean a rate
        # say "price per <unit>" in their conditions).
        floor = None if floor is None else round(floor * count.value, 2)
        ceiling = None if ceiling is None else round(ceiling * count.value, 2)
    # A price on the basis of units the terms do not name is held to the total's bounds;
    # a rate is held to the rates.
    if floor is not None and terms.price < floor - 1e-9:
        found.append(f"price {terms.price:g} {cur} is below the offer's ask of {floor:g} {cur}")
    if ceiling is not None and terms.price > ceiling + 1e-9:
        found.append(f"price {terms.price:g} {cur} is above the seek's budget of {ceiling:g} {cur}")
    return found


def _check_timeline(
    terms: AnswerTerms, o: StatedTerms, s: StatedTerms, today: dt.date | None
) -> list[str]:
    timeline = terms.timeline or ""
    dates = [d for d in (parse_date(m) for m in _ISO_OR_PROSE_DATE.findall(timeline)) if d]
    durations = [float(n) * _UNIT_DAYS[unit[0].lower()] for n, unit in _DURATION.findall(timeline)]
    limited = s.deadline is not None or s.duration_days is not None
    if limited and not dates and not durations:
        return ["the seek states a deadline; the timeline must carry a date or a duration"]
    found = []
    latest = today + dt.timedelta(days=s.duration_days) if today and s.duration_days else None
    for day in dates:
        if s.deadline is not None and day > s.deadline:
            found.append(
                f"timeline date {day.isoformat()} is after the seek's deadline {s.deadline.isoformat()}"
            )
        if latest is not None and day > latest:
            found.append(
                f"timeline date {day.isoformat()} is later than the seek's {s.duration_days:g} days"
            )
        if today is not None and day < today:
            found.append(f"timeline date {day.isoformat()} is before the intents were written")
    if durations:
        days = max(durations)
        if s.duration_days is not None and days > s.duration_days:
            found.append(f"timeline of {days:g} days exceeds the seek's {s.duration_days:g} days")
        if (
            s.deadline is not None
            and today is not None
            and today + dt.timedelta(days=days) > s.deadline
        ):
            found.append(
                f"timeline of {days:g} days ends after the seek's deadline {s.deadline.isoformat()}"
            )
    # The offer's own schedule: a delivery date it cannot make breaks its stated limit.
    if today is not None and o.duration_days is not None and dates:
        earliest = today + dt.timedelta(days=(o.start_within_days or 0) + o.duration_days)
        if max(dates) < earliest:
            found.append(
                f"timeline ends {max(dates).isoformat()}, before the offer can deliver "
                f"({earliest.isoformat()})"
            )
    return found


def _check_text(terms: AnswerTerms, offer: Intent, seek: Intent) -> list[str]:
    found = []
    if not terms.deliverables:
        found.append("the terms name no deliverable")
    named = tokens(" ".join([offer.content, seek.content, *offer.desires, *seek.desires]))
    for item in terms.deliverables:
        words = tokens(item)
        if not words or len(words & named) / len(words) < DELIVERABLE_OVERLAP:
            found.append(f"deliverable {fold(item)[:80]!r} is not named by either intent")
    # Terms are published on the chain: no instructions, contact details or links in them.
    for item in (*terms.deliverables, *terms.conditions, terms.timeline or ""):
        if detect_injection(item):
            found.append(f"term {fold(item)[:60]!r} reads as an instruction to a model")
        elif redact_emails(item) != item or re.search(r"https?://|www\.", item):
            found.append(f"term {fold(item)[:60]!r} carries contact details or a link")
    return found


def _check_conditions(terms: AnswerTerms, o: StatedTerms, s: StatedTerms) -> list[str]:
    stated = o.hard | s.hard
    proposed = {
        kind
        for kind, pattern in HARD_PATTERNS
        if any(pattern.search(fold(c)) for c in terms.conditions)
    }
    return [
        f"condition '{mine.value}' contradicts a party's '{theirs.value}'"
        for a, b in CONFLICTS
        for mine, theirs in ((a, b), (b, a))
        if mine in proposed and theirs in stated
    ]


def check_terms(terms: AnswerTerms, offer: Intent, seek: Intent) -> list[str]:
    """Every way ``terms`` break what ``offer`` or ``seek`` stated; empty when none."""
    o, s = _stated(offer), _stated(seek)
    # the same tier the negotiator chose (offline.assess)
    o = replace(o, facts=chosen_tier(o.facts, s.facts, offer.content))
    o_facts, s_facts = counted_blocks(o.facts, s.facts, offer.content)
    o, s = replace(o, facts=o_facts), replace(s, facts=s_facts)
    facts = check_facts(
        o.facts,
        s.facts,
        seek_onsite_required=HardCondition.ONSITE_ONLY in s.hard,
        offer_text=offer.content,
        seek_text=seek.content,
    )
    return [
        *facts.refusals,
        # A constraint the reader cannot check and the deal cannot be judged without
        # (an in-person offer whose place it cannot read, a language pair unstated)
        # never passes silently, whoever proposed the terms.
        *(text for text, cost in facts.unchecked if cost >= BLOCKING_COST),
        *_check_price(terms, o, s, tokens(seek.content), (offer.content, seek.content)),
        *_check_timeline(terms, o, s, _reference(offer, seek)),
        *_check_text(terms, offer, seek),
        *_check_conditions(terms, o, s),
    ]


def decide(
    answer: Answer,
    offer: Intent,
    seek: Intent,
    *,
    min_confidence: int,
    model_id: str,
    model_integrity_hash: str,
    injection_findings: tuple[str, ...] = (),
) -> NegotiationResult:
    """Turn a validated answer into the node's decision; only a clean answer succeeds."""

    def failed(reason: str, checks: tuple[str, ...] = ()) -> NegotiationResult:
        return NegotiationResult(
            success=False,
            confidence=answer.confidence,
            reasoning=answer.reasoning,
            model_id=model_id,
            model_integrity_hash=model_integrity_hash,
            terms=None,
            failure_reason=reason,
            checks=checks,
            injection_findings=injection_findings,
        )

    if not answer.compatible:
        return failed(f"not compatible: {answer.refusal_reason or 'no reason given'}")
    if answer.confidence >= RED_FLAG_CONFIDENCE:
        return failed("confidence 100 is a red flag (no honest reading of prose is certain)")
    if answer.confidence < min_confidence:
        return failed(f"confidence {answer.confidence} is below the minimum of {min_confidence}")
    if answer.terms is None:
        return failed("the answer is compatible but proposes no terms")
    violations = tuple(check_terms(answer.terms, offer, seek))
    if violations:
        return failed(
            "the terms break a stated constraint: " + "; ".join(violations)[:1500], violations
        )
    return NegotiationResult(
        success=True,
        confidence=answer.confidence,
        reasoning=answer.reasoning,
        model_id=model_id,
        model_integrity_hash=model_integrity_hash,
        terms=answer.terms.to_terms(),
        failure_reason=None,
        checks=("price", "timeline", "deliverables", "conditions"),
        injection_findings=injection_findings,
    )
