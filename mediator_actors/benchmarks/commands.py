"""``mediator-node benchmark``: the runbook's "run benchmark".

``SUITES`` maps a suite name to the module whose ``run(*, intents, quick)`` measures it; more
suites register by adding a line here. Suites run one after another, in name order.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable
from typing import Any, TextIO

SUITES: dict[str, str] = {
    "supervision": "mediator_actors.benchmarks.supervision",
    "chain": "mediator_actors.benchmarks.chain",
    "requests": "mediator_actors.benchmarks.requests",
    "index": "mediator_actors.benchmarks.index",
    "reading": "mediator_actors.benchmarks.reading",
    "negotiation": "mediator_actors.benchmarks.negotiation",
    "settlement": "mediator_actors.benchmarks.settlement",
    "edge": "mediator_actors.benchmarks.edge",
    "cycle": "mediator_actors.benchmarks.cycle",
    "startup": "mediator_actors.benchmarks.startup",
    "memory": "mediator_actors.benchmarks.memory",
    "restart": "mediator_actors.benchmarks.restart",
    "live": "mediator_actors.benchmarks.live",
    "targets": "mediator_actors.benchmarks.targets",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "benchmark",
        help="measure this machine: embeddings, index build, queries, recall, candidate pass",
        description="Run benchmark suites and print their figures beside reference figures.",
    )
    parser.add_argument(
        "--intents", type=_positive, default=None, help="intents to use (default 10000)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="a small, fast run (1000 intents)")
    parser.add_argument(
        "--suite",
        action="append",
        choices=sorted(SUITES),
        metavar="NAME",
        help=f"suite to run, repeatable (default: all of {', '.join(sorted(SUITES))})",
    )
    parser.set_defaults(handler=run_command)


def _positive(text: str) -> int:
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError("needs at least 2 intents")
    return value


def run_command(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    names = args.suite or sorted(SUITES)
    results: dict[str, Any] = {}
    for name in names:
        runner: Callable[..., dict[str, Any]] = importlib.import_module(SUITES[name]).run
        results[name] = runner(intents=args.intents, quick=args.quick)
    if args.json:
        out.write(json.dumps(results, indent=2, sort_keys=True, default=str) + "\n")
    else:
        for name, figures in results.items():
            out.write(format_results(name, figures))
    return 0


def format_results(name: str, figures: dict[str, Any]) -> str:
    """Human output: machine first, then each figure beside its reference and target."""
    lines = [f"== {name} =="]
    machine = figures.get("machine")
    if isinstance(machine, dict) and "cpu" in machine and "cores" in machine:
        versions = ", ".join(f"{k} {v}" for k, v in machine.get("versions", {}).items())
        lines.append(
            f"machine: {machine.get('cpu')}, {machine.get('cores')} cores, "
            f"{machine.get('memory_gb')} GiB, load {machine.get('load_average_1m')}"
        )
        lines.append(f"versions: {versions}")
    elif isinstance(machine, dict):
        lines.append("machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()))
    reference = figures.get("reference_384") or {}
    targets = figures.get("targets") or {}
    for key, value in figures.items():
        if key in {"machine", "reference_384", "targets", "suite"}:
            continue
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines.extend(f"  {json.dumps(item, sort_keys=True)}" for item in value)
            continue
        notes = []
        if key in reference:
            notes.append(f"reference {reference[key]}")
        if key in targets:
            notes.append(f"target {targets[key]}")
        suffix = f"   ({'; '.join(notes)})" if notes else ""
        lines.append(f"{key}: {value}{suffix}")
    return "\n".join(lines) + "\n"
