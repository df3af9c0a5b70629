"""The term reader's cost per text and its identity check (issue 15, target 1).

``mediator-node benchmark --suite reading`` (or ``python -m
mediator_actors.benchmarks.reading time``) prints the median and mean ms per
text of :func:`read_terms` (both sides: offer and seek) on a sample of the shared corpus
and on the dev-set prose in ``tests/data``, with the machine and versions.

``python -m mediator_actors.benchmarks.reading golden`` writes a SHA-256 (16 hex digits)
of a stable serialisation of every text's readings to ``tests/data/reader_golden.json``;
``tests/negotiation/test_reader_identity.py`` compares against it, so a speed-up that
changes any reading fails. ``--dump FILE`` writes the full serialisations (kept out of
git) for diffing when it does.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import enum
import hashlib
import json
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mediator_actors.benchmarks.corpus import corpus_path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
GOLDEN = DATA / "reader_golden.json"
#: Held-out sets that must never be opened (reading them invalidates their measurement).
NEVER_READ = frozenset(
    {
        "negotiation_heldout5.jsonl",
        "negotiation_heldout9.jsonl",
        "negotiation_heldout10.jsonl",
        "negotiation_heldout24.jsonl",
    }
)
#: Corpus intents carry no chain timestamp; the benchmark loader gives them this one.
CORPUS_REFERENCE = dt.date(2026, 1, 1)

#: (name, content, reference): name is stable across runs ("dev:h7-001:offer").
Text = tuple[str, str, dt.date | None]


def dev_files() -> list[Path]:
    return sorted(p for p in DATA.glob("negotiation_*.jsonl") if p.name not in NEVER_READ)


def dev_texts() -> list[Text]:
    """Every offer and seek content of the dev, rules, eval and held-out sets allowed."""
    out: list[Text] = []
    for path in dev_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            for side in ("offer", "seek"):
                part = row[side]
                stamp = str(part.get("timestamp") or "")
                try:
                    ref: dt.date | None = dt.datetime.fromisoformat(stamp.replace("Z", "")).date()
                except ValueError:
                    ref = None
                out.append((f"{path.stem}:{row['id']}:{side}", str(part["content"]), ref))
    return out


def corpus_texts(count: int, *, start: int = 0, step: int = 1) -> list[Text]:
    """``count`` corpus contents from line ``start``, every ``step``-th ([] without it)."""
    path = corpus_path()
    if path is None:
        return []
    out: list[Text] = []
    with path.open(encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            if index < start or (index - start) % step:
                continue
            out.append((f"corpus:{index}", str(json.loads(line)["content"]), CORPUS_REFERENCE))
            if len(out) >= count:
                break
    return out


def golden_texts() -> list[Text]:
    """The fixed texts of the identity check: all dev prose plus 400 corpus texts spread
    over the benchmark set."""
    return dev_texts() + corpus_texts(400, step=25)


def _plain(value: Any) -> Any:  # noqa: PLR0911 - one case per kind of value
    """A JSON value for ``value`` that does not depend on hash order or object ids."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, frozenset | set):
        items = [_plain(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)  # exact: 0.1 + 0.2 is not 0.3
    if value is None or isinstance(value, bool | int | str):
        return value
    raise TypeError(f"cannot serialise {type(value).__name__}")


def serialise(text: str, reference: dt.date | None) -> str:
    """Both sides' readings of ``text`` as one canonical JSON line."""
    from mediator_actors.negotiation.reader import read_terms

    sides = {
        side: _plain(read_terms(text, offer=side == "offer", reference=reference))
        for side in ("offer", "seek")
    }
    return json.dumps(sides, sort_keys=True, ensure_ascii=True)


def digest(serialised: str) -> str:
    return hashlib.sha256(serialised.encode()).hexdigest()[:16]


def digests(texts: list[Text]) -> Iterator[tuple[str, str, str]]:
    """(name, digest, serialisation) of each text."""
    for name, content, reference in texts:
        line = serialise(content, reference)
        yield name, digest(line), line


def write_golden(path: Path = GOLDEN, dump: Path | None = None) -> int:
    rows = list(digests(golden_texts()))
    path.write_text(json.dumps({n: d for n, d, _ in rows}, indent=0) + "\n", encoding="utf-8")
    if dump is not None:
        dump.write_text("".join(f"{n}\t{s}\n" for n, _, s in rows), encoding="utf-8")
    return len(rows)


def time_texts(texts: list[Text], *, rounds: int = 1) -> dict[str, float]:
    """Median and mean ms per text of reading both sides of each text (the memo of
    :func:`read_terms` cleared first, so every text is read afresh)."""
    from mediator_actors.negotiation.reader import read_terms

    samples: list[float] = []
    cpu: list[float] = []  # CPU time of this thread: less moved by other load on the machine
    for _ in range(rounds):
        read_terms.cache_clear()
        for _, content, reference in texts:
            began, began_cpu = time.perf_counter(), time.thread_time()
            read_terms(content, offer=True, reference=reference)
            read_terms(content, offer=False, reference=reference)
            cpu.append((time.thread_time() - began_cpu) * 1000 / 2)
            samples.append((time.perf_counter() - began) * 1000 / 2)
    return {
        "median_ms": round(statistics.median(samples), 4),
        "mean_ms": round(statistics.fmean(samples), 4),
        "cpu_median_ms": round(statistics.median(cpu), 4),
        "cpu_mean_ms": round(statistics.fmean(cpu), 4),
        "texts": len(texts),
    }


#: Non-ASCII prose: its first reading builds tables once per process (text safety's).
WARM: list[Text] = [
    (
        "warm:0",
        "Caf\u00e9 \u00fcber M\u00fcnchen, 50 \u20ac pro Stunde \u2014 ab 1. M\u00e4rz.",
        None,
    )
]


def run(*, intents: int | None = None, quick: bool = False) -> dict[str, Any]:
    """The ``reading`` suite: ``intents`` corpus texts (2,000; 200 with ``quick``) and every
    dev-set text, each read on both sides."""
    from mediator_actors.benchmarks.machine import machine

    # Warm the compiled patterns and memos on texts outside the measured samples, and the
    # one-off tables of non-ASCII prose (about 0.9 s, once per process).
    time_texts([*corpus_texts(50, start=10_000), *WARM])
    corpus = corpus_texts(intents or (200 if quick else 2000))
    dev = dev_texts()
    return {
        "suite": "reading",
        "corpus": time_texts(corpus),
        "dev": time_texts(dev),
        "machine": machine(()),
    }


def main(argv: list[str] | None = None) -> int:
    from mediator_actors.runtime.patching import ensure_patched

    ensure_patched()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    timing = sub.add_parser("time")
    timing.add_argument("--corpus", type=int, default=2000)
    gold = sub.add_parser("golden")
    gold.add_argument("--out", type=Path, default=GOLDEN)
    gold.add_argument("--dump", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.command == "golden":
        print(write_golden(args.out, args.dump), "texts")
    else:
        print(json.dumps(run(intents=args.corpus), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
