"""How the cycle's cost grows: ``--suite cycle`` at several sizes, each in a fresh process
(so each peak memory is its own), a power-law fit per stage, and a PNG plot.

``python -m mediator_actors.benchmarks.scaling --sizes 1000,5000,10000,20000 --runs 1
--out figures.json --png docs/benchmarks-scaling.png``. Results are appended to ``--out``
as each run ends, so a long series that is cut short keeps what it measured; ``--plot-only``
redraws from that file.

The fit is least squares of log(seconds) on log(n): exponent 1.0 is linear, about 1.1 over
1k-20k is n log n, 2.0 quadratic.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

STAGES = (
    "ingestion",
    "embedding_and_index_build",
    "candidate_pass",
    "negotiations",
    "proposals",
)
_CHILD = (
    "import json, sys\n"
    "from mediator_actors.runtime.patching import ensure_patched\n"
    "ensure_patched()\n"
    "from mediator_actors.benchmarks.cycle import run\n"
    "print(json.dumps(run(intents=int(sys.argv[1]), local=False), default=str))\n"
)


def fit_exponent(sizes: Sequence[float], values: Sequence[float]) -> float | None:
    """The slope of log(value) on log(size): the growth exponent (None if undefined)."""
    points = [(math.log(n), math.log(v)) for n, v in zip(sizes, values, strict=True) if v > 0]
    if len(points) < 2 or len({x for x, _ in points}) < 2:
        return None
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    num = sum((x - mean_x) * (y - mean_y) for x, y in points)
    den = sum((x - mean_x) ** 2 for x, _ in points)
    return round(num / den, 3)


def growth_label(exponent: float | None) -> str:
    if exponent is None:
        return "unknown"
    if exponent < 0.85:
        return "sublinear"
    if exponent <= 1.05:
        return "linear"
    if exponent <= 1.25:
        return "n log n"
    if exponent <= 1.8:
        return "faster than n log n"
    return "quadratic or worse"


def run_one(size: int) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - this module's child, fixed arguments
        [sys.executable, "-c", _CHILD, str(size)],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return {"intents": size, "error": done.stderr[-1500:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians per size and stage, the fitted exponents, the peak memory per size."""
    good = [r for r in runs if "error" not in r]
    sizes = sorted({int(r["intents"]) for r in good})
    table: dict[str, dict[str, Any]] = {}
    for size in sizes:
        mine = [r for r in good if int(r["intents"]) == size]
        row: dict[str, Any] = {"runs": len(mine)}
        for stage in (*STAGES, "total"):
            key = "total_s" if stage == "total" else f"stage_{stage}_s"
            row[stage] = round(statistics.median(float(r[key]) for r in mine), 3)
        row["peak_mb"] = statistics.median(float(r["peak_mb"]) for r in mine)
        row["pairs"] = statistics.median(int(r["candidate_pairs"]) for r in mine)
        row["load"] = [r["machine"]["load_average_1m"] for r in mine]
        table[str(size)] = row
    exponents = {
        stage: fit_exponent(sizes, [table[str(n)][stage] for n in sizes])
        for stage in (*STAGES, "total", "peak_mb")
    }
    return {
        "sizes": sizes,
        "table": table,
        "exponents": exponents,
        "growth": {k: growth_label(v) for k, v in exponents.items() if k != "peak_mb"},
    }


def plot(summary: dict[str, Any], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = summary["sizes"]
    table = summary["table"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    for stage in (*STAGES, "total"):
        exponent = summary["exponents"][stage]
        left.plot(
            sizes,
            [table[str(n)][stage] for n in sizes],
            marker="o",
            linewidth=2.5 if stage == "total" else 1.5,
            label=f"{stage} (n^{exponent})",
        )
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("intents")
    left.set_ylabel("seconds (median)")
    left.set_title("cycle stage time")
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    right.plot(sizes, [table[str(n)]["peak_mb"] for n in sizes], marker="o", color="tab:red")
    right.set_xlabel("intents")
    right.set_ylabel("peak resident MB (VmHWM)")
    right.set_title(f"peak memory (n^{summary['exponents']['peak_mb']})")
    right.grid(True, alpha=0.3)
    loads = sorted({x for n in sizes for x in table[str(n)]["load"]})
    fig.suptitle(
        f"hash embedder, offline negotiator; 1-min load {loads[0]}-{loads[-1]}" if loads else ""
    )
    fig.tight_layout()
    fig.savefig(png, dpi=90)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,10000,20000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("cycle-scaling.json"))
    parser.add_argument("--png", type=Path, default=None)
    parser.add_argument("--plot-only", action="store_true")
    args = parser.parse_args(argv)
    runs: list[dict[str, Any]] = json.loads(args.out.read_text()) if args.out.exists() else []
    if not args.plot_only:
        for _ in range(args.runs):
            for size in (int(s) for s in args.sizes.split(",")):
                runs.append(run_one(size))
                args.out.write_text(json.dumps(runs, indent=1, default=str))
    summary = summarise(runs)
    print(json.dumps(summary, indent=1))
    if args.png is not None and summary["sizes"]:
        plot(summary, args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
