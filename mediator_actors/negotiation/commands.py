"""CLI verbs ``negotiate OFFER_FILE SEEK_FILE [--json]`` and ``negotiate-eval [--json]``.

``negotiate`` runs one negotiation with the configured provider (``load_settings()``), so
it makes at most one LLM call (bounded by the provider timeout, 30 s) and counts against
nothing durable. Exit code: 0 when the intents align and the terms pass every check (the
node would propose), 1 when they do not (including an answer that fails validation: the
node would not propose either), 2 when no decision could be made: an unreadable or wrong
intent file, the provider unreachable or refusing, the spending cap, or the configuration.

``negotiate-eval`` scores the offline negotiator on the labelled set; exit 1 when a
proposal breaks a stated limit or recall falls under 0.8, 2 when the set cannot be read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Any

from mediator_actors.config import load_settings
from mediator_actors.errors import ConfigError, MediatorError
from mediator_actors.model import IntentType, NegotiationResult
from mediator_actors.negotiation.evaluation import (
    DEFAULT_EVAL_SET,
    corpus_pairs,
    evaluate,
    intent_from_json,
    load_eval,
)
from mediator_actors.negotiation.meaning import shared_similarity
from mediator_actors.negotiation.service import build_negotiator
from mediator_actors.safety.secretscan import SecretScanner

__all__ = ["EXIT_ALIGNED", "EXIT_ERROR", "EXIT_NOT_ALIGNED", "register"]

EXIT_ALIGNED = 0
EXIT_NOT_ALIGNED = 1
EXIT_ERROR = 2
MAX_FILE_BYTES = 1_000_000
RECALL_TARGET = 0.8
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def register(subparsers: Any) -> None:
    negotiate = subparsers.add_parser(
        "negotiate",
        help="run one negotiation between two intents with the configured provider",
        description="Negotiate OFFER_FILE against SEEK_FILE (prose, or JSON chain entries).",
    )
    negotiate.add_argument("offer_file", type=Path, help="the offer: prose, or a JSON entry")
    negotiate.add_argument("seek_file", type=Path, help="the seek: prose, or a JSON entry")
    negotiate.add_argument("--json", action="store_true", help="print the result as JSON")
    negotiate.set_defaults(handler=run_negotiate)
    evaluation = subparsers.add_parser(
        "negotiate-eval",
        help="score the offline negotiator's precision and recall on the labelled pairs",
    )
    evaluation.add_argument(
        "--set",
        "--file",
        dest="file",
        type=Path,
        default=DEFAULT_EVAL_SET,
        help="a labelled JSONL set (default: the templated regression set)",
    )
    evaluation.add_argument("--json", action="store_true", help="print the full report as JSON")
    evaluation.add_argument(
        "--corpus",
        type=Path,
        help="also score held-out pairs drawn from bench-corpus.jsonl (labelled from its templates)",
    )
    evaluation.add_argument(
        "--pairs", type=int, default=600, help="corpus pairs to draw (default 600)"
    )
    evaluation.set_defaults(handler=run_eval)


def _terminal(text: str) -> str:
    """Text from strangers, safe to print: no ANSI escapes, control or bidi characters."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _read_intent(path: Path, kind: IntentType) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MediatorError(f"cannot read {path}: {exc.strerror}") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise MediatorError(f"{path} is larger than {MAX_FILE_BYTES} bytes")
    text = raw.decode("utf-8", "replace")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat()
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise MediatorError(f"{path} looks like JSON but does not parse: {exc}") from exc
    if not isinstance(data, dict):
        data = {"content": text.strip(), "author": f"{kind.value}-file", "timestamp": now}
    if isinstance(data.get("entry"), dict):  # a wrapped {"block_index", "entry"} item
        data = dict(data["entry"])
    data.setdefault("timestamp", now)
    data.setdefault("author", f"{kind.value}-file")
    try:
        intent = intent_from_json(data, default_type=kind)
    except ValueError as exc:
        raise MediatorError(f"{path}: {exc}") from exc
    if intent.type is not kind:
        raise MediatorError(f"{path} is a {intent.type.value}, expected a {kind.value}")
    return intent


def _result_json(result: NegotiationResult) -> dict[str, Any]:
    return {
        "aligned": result.success,
        "confidence": result.confidence,
        "model_id": result.model_id,
        "model_integrity_hash": result.model_integrity_hash,
        "terms": None if result.terms is None else result.terms.to_json(),
        "reasoning": result.reasoning,
        "failure_reason": result.failure_reason,
        "checks": list(result.checks),
        "injection_findings": list(result.injection_findings),
    }


def run_negotiate(args: argparse.Namespace) -> int:
    settings = load_settings()
    scanner = SecretScanner(settings.secrets())
    try:
        offer = _read_intent(args.offer_file, IntentType.OFFER)
        seek = _read_intent(args.seek_file, IntentType.SEEK)
        negotiator = build_negotiator(settings)
        result = negotiator.negotiate(offer, seek)
    except ConfigError:
        raise  # the CLI prints every problem and exits 2
    except MediatorError as exc:
        # No decision was made: a script must not read this as "not aligned".
        print(f"mediator-node: negotiate: {scanner.redact(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    payload = scanner.redact_value(_result_json(result))
    if args.json:
        print(json.dumps(payload, indent=2, ensure_ascii=True))
        return EXIT_ALIGNED if result.success else EXIT_NOT_ALIGNED
    decision = "ALIGNED" if result.success else "NOT ALIGNED"
    print(
        f"Decision: {decision} (confidence {result.confidence}, model {_terminal(result.model_id)})"
    )
    if payload["terms"] is not None:
        terms = payload["terms"]
        print("Terms:")
        price = (
            "none stated" if terms["price"] is None else f"{terms['price']:g} {terms['currency']}"
        )
        print(f"  price: {price}")
        print(f"  timeline: {_terminal(terms['timeline'] or 'none stated')}")
        for label in ("deliverables", "conditions"):
            print(f"  {label}:")
            for item in terms[label] or ["(none)"]:
                print(f"    - {_terminal(item)}")
    if payload["failure_reason"]:
        print(f"Why not: {_terminal(payload['failure_reason'])}")
    if payload["reasoning"]:
        print(f"Reasoning: {_terminal(payload['reasoning'])}")
    if payload["injection_findings"]:
        print(f"Injection findings (advisory): {', '.join(payload['injection_findings'])}")
    print(f"Model integrity hash: {result.model_integrity_hash}")
    return EXIT_ALIGNED if result.success else EXIT_NOT_ALIGNED


def run_eval(args: argparse.Namespace) -> int:
    if args.file == DEFAULT_EVAL_SET and not DEFAULT_EVAL_SET.is_file():
        # The labelled sets live in the source tree's tests/data/, not in an installed
        # package (the image, pip install .): say so rather than print a site-packages path.
        print(
            "mediator-node: negotiate-eval: the default set tests/data/negotiation_eval.jsonl "
            "ships with the source tree, not the installed package: run it from a checkout "
            "or pass --set FILE",
            file=sys.stderr,
        )
        return EXIT_ERROR
    try:
        pairs = load_eval(args.file)
    except (OSError, ValueError) as exc:
        # No evaluation ran: 2, as negotiate's unreadable file; 1 means a target was missed.
        print(
            f"mediator-node: negotiate-eval: cannot load the evaluation set: {exc}", file=sys.stderr
        )
        return EXIT_ERROR
    report = evaluate(pairs, similarity=shared_similarity())
    corpus = None
    if args.corpus is not None:
        try:
            corpus = evaluate(corpus_pairs(args.corpus, pairs=max(1, min(args.pairs, 5000))))
        except (OSError, ValueError, KeyError) as exc:
            raise MediatorError(f"cannot read the corpus: {exc}") from exc
    met = all(
        not r.violations and r.recall >= RECALL_TARGET for r in (report, corpus) if r is not None
    )
    if args.json:
        held_out = None
        if corpus is not None:
            held_out = {k: v for k, v in corpus.to_json().items() if k != "pairs_detail"}
        print(json.dumps({**report.to_json(), "corpus": held_out, "targets_met": met}, indent=2))
        return 0 if met else 1
    print(f"Offline negotiator on {report.pairs} labelled pairs ({args.file.name})")
    print(
        f"  precision {report.precision:.3f}   recall {report.recall:.3f} (target >= {RECALL_TARGET})"
    )
    print(
        f"  proposed and compatible {report.true_positive}, proposed but not {report.false_positive}, "
        f"missed {report.false_negative}, correctly refused {report.true_negative}"
    )
    print(f"  proposals breaking a stated limit: {len(report.violations)}")
    for line in report.violations:
        print(f"    - {_terminal(line)}")
    # A proposal is sound when the pair is compatible and its terms keep within the limits.
    print(
        f"  sound precision {report.sound_precision:.3f}   sound recall {report.sound_recall:.3f} "
        f"({report.sound_true_positive} sound of {report.true_positive + report.false_positive} proposed)"
    )
    for line in report.unsound:
        print(f"    unsound {_terminal(line)[:300]}")
    for row in report.rows:
        if row["expected"] != row["proposed"]:
            print(
                f"  {'missed' if row['expected'] else 'wrong'} {row['id']}: {_terminal(str(row['why']))[:300]}"
            )
    if corpus is not None:
        print(f"Held-out corpus pairs: {corpus.pairs} (labelled from the corpus templates)")
        print(f"  precision {corpus.precision:.3f}   recall {corpus.recall:.3f}")
        print(
            f"  sound precision {corpus.sound_precision:.3f}   sound recall {corpus.sound_recall:.3f}"
        )
        print(f"  proposals breaking a stated limit: {len(corpus.violations)}")
    print("targets met" if met else "TARGETS NOT MET", file=sys.stdout)
    return 0 if met else 1
