"""Does a proposal's term break a constraint one of its intents states? Pure, no I/O.

Read with the negotiation term reader (:mod:`~mediator_actors.negotiation.reader`), in this
order, the first break found wins:

* **price**: an offer's stated ask (or its least acceptable price) and a seek's stated
  budget are the constraints a price can break without any interpretation;
* **timeline**: the proposal's timeline ends after the seek's stated deadline ("by April
  18, 2027") or takes longer than its stated duration ("within 90 days");
* **place**: an intent tied to a place ("Dublin only", on site) and terms that name only
  other places;
* **quantity or capacity**: the terms deliver more of a unit than the offer states it can
  at most, or fewer than the seek states it needs at least;
* **exclusion**: an intent excludes something ("no smoking", "nut-free") that the terms
  name without any negation.

A contradiction quotes the proposal's term and the intent's sentence verbatim (bounded),
so a reader can check it against both texts. Anything the reader is unsure of (hourly
prices, a negotiable intent, another currency, a term with a negation in it, a relative
duration against a date without a reference) is not challenged: a wrong challenge costs
the challenger nothing on chain but is noise for the parties.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mediator_actors.model import Intent
from mediator_actors.negotiation.offline import reference_date, stated_terms
from mediator_actors.negotiation.reader import (
    Facts,
    StatedTerms,
    read_facts,
    read_terms,
    rough_stem,
)
from mediator_actors.negotiation.vocabulary import fold

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


def _price_break(
    terms: dict[str, Any], offer: Intent, seek: Intent, o: StatedTerms, s: StatedTerms
) -> Contradiction | None:
    price = _price(terms)
    currency = terms.get("currency", "NLC")
    if price is None or currency != "NLC":
        return None
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


#: A term with any of these in it may state the opposite of what its words name.
_NEGATION = re.compile(
    r"\b(?:no|not|non|never|without|nor|excluding|except|prohibited|forbidden|banned|"
    r"disallowed)\b|n't\b|-free\b",
    re.I,
)
_TIMELINE_CUE = re.compile(
    r"\b(?:by|before|until|within|deadline|due|no later than|deliver\w*|complete\w*|"
    r"finish\w*|in \d+|\d{4}-\d{2}-\d{2})\b",
    re.I,
)
#: Slack in days for a timeline: a day's rounding between readers is not a contradiction.
SLACK_DAYS = 1.0


def _items(terms: dict[str, Any]) -> list[str]:
    """The proposal's textual terms, each a separate item (bounded)."""
    out: list[str] = []
    for key in ("deliverables", "conditions"):
        value = terms.get(key)
        if isinstance(value, list):
            out += [v[: MAX_QUOTE * 2] for v in value[:20] if isinstance(v, str) and v.strip()]
    timeline = terms.get("timeline")
    if isinstance(timeline, str) and timeline.strip():
        out.append(timeline[: MAX_QUOTE * 2])
    return out


def _sentence_around(content: str, fragment: str) -> str:
    """The intent's sentence that holds ``fragment`` (the reader's folded span)."""
    needle = fold(fragment).lower().strip()
    for sentence in re.split(r"(?<=[.!?\n])\s+", content):
        if needle and needle in fold(sentence).lower():
            return sentence.strip()[:MAX_QUOTE]
    return fragment[:MAX_QUOTE]


def _timeline_quote(content: str) -> str:
    for sentence in re.split(r"(?<=[.!?\n])\s+", content):
        if _TIMELINE_CUE.search(sentence) and re.search(r"\d", sentence):
            return sentence.strip()[:MAX_QUOTE]
    return content[:MAX_QUOTE]


def _timeline_break(
    terms: dict[str, Any], seek: Intent, s: StatedTerms, proposed: dt.date | None
) -> Contradiction | None:
    timeline = terms.get("timeline")
    if not isinstance(timeline, str) or not timeline.strip() or _NEGATION.search(timeline):
        return None
    if s.deadline is None and s.duration_days is None:
        return None
    t = read_terms(timeline[: MAX_QUOTE * 2], offer=True, reference=proposed)
    seek_day = reference_date(seek)
    latest: list[tuple[dt.date, str]] = []
    if s.deadline is not None:
        latest.append((s.deadline, f"the seek's stated deadline {s.deadline.isoformat()}"))
    if s.duration_days is not None and seek_day is not None:
        end = seek_day + dt.timedelta(days=s.duration_days)
        latest.append((end, f"the seek's stated {s.duration_days:g} days"))
    violated = None
    if t.deadline is not None:
        for limit, what in latest:
            if (t.deadline - limit).days > SLACK_DAYS:
                violated = f"timeline ends {t.deadline.isoformat()}, after {what}"
                break
    if violated is None and t.duration_days is not None:
        if s.duration_days is not None and t.duration_days > s.duration_days + SLACK_DAYS:
            violated = (
                f"timeline of {t.duration_days:g} days, longer than the seek's stated "
                f"{s.duration_days:g} days"
            )
        elif s.deadline is not None and proposed is not None:
            # Counted from the proposal: the work cannot start before it is accepted.
            end = proposed + dt.timedelta(days=t.duration_days)
            if (end - s.deadline).days > SLACK_DAYS:
                violated = (
                    f"timeline of {t.duration_days:g} days from the proposal ends "
                    f"{end.isoformat()}, after the seek's stated deadline "
                    f"{s.deadline.isoformat()}"
                )
    if violated is None:
        return None
    return Contradiction(
        violated,
        f"timeline: {timeline.strip()[:MAX_QUOTE]}",
        _timeline_quote(seek.content),
        seek.ref,
        CONFIDENCE,
    )


def _place_break(items: list[str], pairs: Iterable[tuple[Intent, Facts]]) -> Contradiction | None:
    readings = [
        (item, read_facts(item, offer=True)) for item in items if not _NEGATION.search(item)
    ]
    named = {p for _, f in readings for p, _ in f.places}
    if not named:
        return None
    for intent, facts in pairs:
        tied = {p for p, _ in facts.places}
        if not tied or not (facts.place_restricted or facts.onsite) or facts.remote:
            continue
        if named & tied:
            continue
        item = next(i for i, f in readings if f.places)
        where = next(span.text for _, span in facts.places)
        return Contradiction(
            f"place: the terms name {', '.join(sorted(named)).title()}, the {_role(intent)}"
            f" is tied to {where}",
            item[:MAX_QUOTE],
            _sentence_around(intent.content, where),
            intent.ref,
            CONFIDENCE,
        )
    return None


def _role(intent: Intent) -> str:
    return str(intent.type.value)


def _quantity_break(
    items: list[str], offer: Intent, seek: Intent, o: Facts, s: Facts
) -> Contradiction | None:
    for item in items:
        if _NEGATION.search(item):
            continue
        for q in read_facts(item, offer=True).quantities:
            if q.bound != "about" or q.period is not None:
                continue
            for limit in o.quantities:
                if (
                    limit.unit == q.unit
                    and limit.bound == "at_most"
                    and limit.period is None
                    and q.value > limit.value + 1e-9
                ):
                    return Contradiction(
                        f"quantity: the terms deliver {q.value:g} {q.unit}, the offer states"
                        f" at most {limit.value:g}",
                        item[:MAX_QUOTE],
                        _sentence_around(offer.content, limit.span.text),
                        offer.ref,
                        CONFIDENCE,
                    )
            for need in s.quantities:
                if (
                    need.unit == q.unit
                    and need.bound == "at_least"
                    and need.period is None
                    and q.value < need.value - 1e-9
                ):
                    return Contradiction(
                        f"quantity: the terms deliver {q.value:g} {q.unit}, the seek states"
                        f" at least {need.value:g}",
                        item[:MAX_QUOTE],
                        _sentence_around(seek.content, need.span.text),
                        seek.ref,
                        CONFIDENCE,
                    )
    return None


_ALIASES = {"pet": {"pet", "dog", "cat", "puppy"}, "smok": {"smok", "smoker"}}
_WORDS = re.compile(r"[a-zA-Z][\w]*")


def _exclusion_break(
    items: list[str], pairs: Iterable[tuple[Intent, Facts]]
) -> Contradiction | None:
    plain = [(item, {rough_stem(w) for w in _WORDS.findall(fold(item))}) for item in items]
    plain = [(item, stems) for item, stems in plain if not _NEGATION.search(item)]
    for intent, facts in pairs:
        for stems, span in facts.exclusions:
            for item, named in plain:
                if all(any(a in named for a in _ALIASES.get(x, {x})) for x in stems):
                    return Contradiction(
                        f"exclusion: the {_role(intent)} states '{span.text}', the terms name it",
                        item[:MAX_QUOTE],
                        _sentence_around(intent.content, span.text),
                        intent.ref,
                        CONFIDENCE,
                    )
    return None


def find_contradiction(
    terms: dict[str, Any], offer: Intent, seek: Intent, *, proposed: dt.date | None = None
) -> Contradiction | None:
    """The first term that breaks a constraint ``offer`` or ``seek`` states, or None.
    ``proposed``: the proposal's chain date, from which a duration in the terms counts."""
    o, s = stated_terms(offer), stated_terms(seek)
    found = _price_break(terms, offer, seek, o, s)
    if found is None:
        found = _timeline_break(terms, seek, s, proposed)
    items = _items(terms)
    pairs = ((offer, o.facts), (seek, s.facts))
    if found is None:
        found = _place_break(items, pairs)
    if found is None:
        found = _quantity_break(items, offer, seek, o.facts, s.facts)
    if found is None:
        found = _exclusion_break(items, pairs)
    return found
