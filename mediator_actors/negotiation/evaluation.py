"""Measuring the offline negotiator on a labelled set of intent pairs.

Each line of the set (``tests/data/negotiation_eval.jsonl``) is
``{"id", "offer": {type, author, timestamp, content}, "seek": {...}, "compatible": bool,
"reason": str, "limits": {"price_min"?, "price_max"?, "deliver_by"?, "within_days"?}}``.
``limits`` are hand-written bounds on the total any proposal for the pair must respect
(``"per_unit": true``: the price bounds are rates; ``"currency"``: the only currency a
proposal may be in); they are checked independently of the negotiator's own parser, so a
parser bug cannot hide a violation.

Two measures: the label's (a proposal for a pair labelled compatible is right) and the
sound one, where a proposal is right only when the pair is compatible *and* its terms keep
within the limits: a deal both parties could accept as written.

Pure CPU: about a millisecond per pair.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mediator_actors.model import EntryRef, Intent, IntentType, Terms, entry_ref
from mediator_actors.negotiation.meaning import PhraseSimilarity
from mediator_actors.negotiation.offline import OFFLINE_MODEL_ID, assess
from mediator_actors.negotiation.reader import parse_date
from mediator_actors.negotiation.validation import decide

__all__ = [
    "DEFAULT_EVAL_SET",
    "EvalPair",
    "EvalReport",
    "evaluate",
    "intent_from_json",
    "limit_violations",
    "load_eval",
    "unsound_reasons",
]

DEFAULT_EVAL_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "negotiation_eval.jsonl"


@dataclass(frozen=True, slots=True)
class EvalPair:
    id: str
    offer: Intent
    seek: Intent
    compatible: bool
    reason: str
    limits: dict[str, Any]


@dataclass
class EvalReport:
    pairs: int = 0
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0
    violations: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: Proposals for compatible pairs whose terms also keep within the pair's limits.
    sound_true_positive: int = 0
    #: Every proposal that is not sound, with the reason ("h-001: price 4.5 below ...").
    unsound: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        proposed = self.true_positive + self.false_positive
        return self.true_positive / proposed if proposed else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 1.0

    @property
    def sound_precision(self) -> float:
        proposed = self.true_positive + self.false_positive
        return self.sound_true_positive / proposed if proposed else 1.0

    @property
    def sound_recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.sound_true_positive / wanted if wanted else 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "sound_precision": round(self.sound_precision, 4),
            "sound_recall": round(self.sound_recall, 4),
            "sound_true_positive": self.sound_true_positive,
            "unsound": self.unsound,
            "true_positive": self.true_positive,
            "false_positive": self.false_positive,
            "false_negative": self.false_negative,
            "true_negative": self.true_negative,
            "constraint_violations": self.violations,
            "pairs_detail": self.rows,
        }


def intent_from_json(data: dict[str, Any], *, default_type: IntentType | None = None) -> Intent:
    """An :class:`Intent` from a JSON object: an eval-set side, a chain entry
    (``metadata.contract_type``), or ``{"content": ...}`` with ``default_type``."""
    raw_metadata = data.get("metadata")
    metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
    kind = (
        data.get("type") or metadata.get("contract_type") or (default_type and default_type.value)
    )
    content = data.get("content")
    if not isinstance(content, str) or not content.strip():
        raise ValueError("an intent needs non-empty 'content' text")
    author = str(data.get("author") or "unknown")
    timestamp = str(data.get("timestamp") or "")
    desires = metadata.get("desires", data.get("desires", []))
    constraints = metadata.get("constraints", data.get("constraints", []))
    fee = metadata.get("offered_fee", data.get("offered_fee"))
    return Intent(
        ref=EntryRef(str(data["ref"]))
        if isinstance(data.get("ref"), str)
        else entry_ref(author, content, timestamp),
        author=author,
        type=IntentType(str(kind)),
        content=content,
        timestamp=timestamp,
        desires=tuple(str(d) for d in desires) if isinstance(desires, list) else (),
        constraints=tuple(str(c) for c in constraints) if isinstance(constraints, list) else (),
        offered_fee=float(fee)
        if isinstance(fee, int | float) and not isinstance(fee, bool)
        else None,
        branch=str(data["branch"]) if isinstance(data.get("branch"), str) else None,
    )


def load_eval(path: Path = DEFAULT_EVAL_SET) -> list[EvalPair]:
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            pairs.append(
                EvalPair(
                    id=str(row["id"]),
                    offer=intent_from_json(row["offer"]),
                    seek=intent_from_json(row["seek"]),
                    compatible=bool(row["compatible"]),
                    reason=str(row.get("reason", "")),
                    limits=dict(row.get("limits") or {}),
                )
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: {exc}") from exc
    return pairs


#: The offline proposal's statement of a total: "850 EUR per month x 4 months (...) = ...".
_TOTAL_LINE = re.compile(r" per [\w-]+ x (?P<n>\d+(?:\.\d+)?) ")


def limit_violations(
    pair: EvalPair,
    price: float | None,
    timeline: str | None,
    conditions: tuple[str, ...] = (),
    currency: str | None = None,
) -> list[str]:
    """How a proposal breaks the pair's hand-written limits. Limits are totals; a pair
    whose limits are rates says ``"per_unit": true``, and they are then multiplied by the
    count the proposal's total is stated for, so totals are compared with totals. A price
    in another currency than ``limits["currency"]`` breaks them whatever its amount:
    amounts in different currencies are never compared."""
    found = []
    limits = dict(pair.limits)
    wanted = limits.pop("currency", None)
    if wanted is not None and price is not None and (currency or "").upper() != wanted.upper():
        found.append(f"{pair.id}: price in {currency or 'no currency'}, the limits are in {wanted}")
        return found
    if limits.pop("per_unit", False):
        counts = [float(m["n"]) for c in conditions if (m := _TOTAL_LINE.search(c))]
        for key in ("price_min", "price_max"):
            if key in limits and counts:
                limits[key] = round(limits[key] * counts[0], 2)
    if price is not None:
        if "price_min" in limits and price < limits["price_min"] - 1e-9:
            found.append(f"{pair.id}: price {price:g} below the ask {limits['price_min']}")
        if "price_max" in limits and price > limits["price_max"] + 1e-9:
            found.append(f"{pair.id}: price {price:g} above the budget {limits['price_max']}")
    dates = [
        d for d in (parse_date(m) for m in re.findall(r"\d{4}-\d{2}-\d{2}", timeline or "")) if d
    ]
    if "deliver_by" in limits:
        deadline = dt.date.fromisoformat(limits["deliver_by"])
        found += [f"{pair.id}: timeline date {d} after {deadline}" for d in dates if d > deadline]
    if "within_days" in limits:
        for days in re.findall(r"within (\d+(?:\.\d+)?) days", timeline or ""):
            if float(days) > limits["within_days"]:
                found.append(f"{pair.id}: {days} days exceeds {limits['within_days']}")
    return found


def unsound_reasons(pair: EvalPair, terms: Terms | None, broken: list[str]) -> list[str]:
    """Why a proposal for ``pair`` is not a deal both parties could accept as written: the
    pair is labelled incompatible, its terms break the limits (``broken``), or it names
    no price where the limits bound one (nobody checked the money)."""
    if not pair.compatible:
        return [f"{pair.id}: proposed, but labelled incompatible ({pair.reason})"]
    priced = any(k in pair.limits for k in ("price_min", "price_max"))
    if priced and (terms is None or terms.price is None):
        return [f"{pair.id}: proposed with no price; the limits bound the price"]
    return list(broken)


def evaluate(
    pairs: list[EvalPair],
    *,
    min_confidence: int = 60,
    similarity: PhraseSimilarity | None = None,
) -> EvalReport:
    """Run the offline negotiator over ``pairs`` through the same decision as any model."""
    report = EvalReport()
    for pair in pairs:
        answer = assess(pair.offer, pair.seek, similarity=similarity)
        digest = hashlib.sha256(json.dumps(answer.to_json(), sort_keys=True).encode()).hexdigest()
        result = decide(
            answer,
            pair.offer,
            pair.seek,
            min_confidence=min_confidence,
            model_id=OFFLINE_MODEL_ID,
            model_integrity_hash=digest,
        )
        report.pairs += 1
        if result.success and pair.compatible:
            report.true_positive += 1
        elif result.success:
            report.false_positive += 1
        elif pair.compatible:
            report.false_negative += 1
        else:
            report.true_negative += 1
        broken: list[str] = []
        if result.success and result.terms is not None:
            broken = limit_violations(
                pair,
                result.terms.price,
                result.terms.timeline,
                result.terms.conditions,
                result.terms.currency,
            )
            report.violations += broken
        if result.success:
            why_not = unsound_reasons(pair, result.terms, broken)
            if why_not:
                report.unsound += why_not
            else:
                report.sound_true_positive += 1
        report.rows.append(
            {
                "id": pair.id,
                "expected": pair.compatible,
                "proposed": result.success,
                "confidence": result.confidence,
                "price": None if result.terms is None else result.terms.price,
                "timeline": None if result.terms is None else result.terms.timeline,
                "why": result.failure_reason or result.reasoning,
                "label": pair.reason,
            }
        )
    return report


_CORPUS_OFFER = re.compile(
    r"^I am offering (?P<svc>.+) for (?:(?!for ).)+? projects\..*?Asking (?P<ask>\d+) NLC.*?"
    r"start within (?P<start>\d+) days and deliver in (?P<weeks>\d+) weeks",
    re.S,
)
_CORPUS_SEEK = re.compile(
    r"^We need (?P<svc>.+) for an? (?:(?!for ).)+? project\..*?Budget of (?P<budget>\d+) NLC.*?"
    r"delivered by (?P<date>[A-Z][a-z]+ \d{1,2}, \d{4})",
    re.S,
)
#: The corpus has no timestamps; its pairs are judged as if written on this day.
CORPUS_REFERENCE = "2026-01-01T00:00:00"


def corpus_pairs(
    path: Path, *, pairs: int = 600, seed: int = 7, same_service: float = 0.7
) -> list[EvalPair]:
    """Held-out pairs from ``bench-corpus.jsonl``, labelled from the corpus *templates*
    (exact service string, ask <= budget, start + duration before the deadline), not by
    the negotiator's parser. ``same_service`` of them share a service."""
    import random

    offers: list[tuple[dict[str, Any], re.Match[str]]] = []
    seeks: dict[str, list[tuple[dict[str, Any], re.Match[str]]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("type") == "offer" and (m := _CORPUS_OFFER.match(row["content"])):
            offers.append((row, m))
        elif row.get("type") == "seek" and (m := _CORPUS_SEEK.match(row["content"])):
            seeks.setdefault(m["svc"], []).append((row, m))
    every_seek = [item for group in seeks.values() for item in group]
    rng = random.Random(seed)
    reference = dt.date.fromisoformat(CORPUS_REFERENCE[:10])
    result = []
    for index, (orow, om) in enumerate(rng.sample(offers, min(pairs, len(offers)))):
        pool = seeks.get(om["svc"]) if rng.random() < same_service else None
        srow, sm = rng.choice(pool or every_seek)
        deadline = dt.datetime.strptime(sm["date"], "%B %d, %Y").date()
        days = int(om["start"]) + 7 * int(om["weeks"])
        compatible = (
            om["svc"] == sm["svc"]
            and int(om["ask"]) <= int(sm["budget"])
            and reference + dt.timedelta(days=days) <= deadline
            and orow["author"] != srow["author"]
        )
        side = {"timestamp": CORPUS_REFERENCE}
        result.append(
            EvalPair(
                id=f"corpus-{index}",
                offer=intent_from_json({**orow, **side, "type": "offer"}),
                seek=intent_from_json({**srow, **side, "type": "seek"}),
                compatible=compatible,
                reason="template labels",
                limits={
                    "price_min": int(om["ask"]),
                    "price_max": int(sm["budget"]),
                    "deliver_by": deadline.isoformat(),
                },
            )
        )
    return result
