"""``--suite live``: a real node process holding ``--intents`` (default 10,000) intents.

The benchmark process runs a dev chain (the real node's read paths, no rate limits so the
node's proposals cannot pile up) seeded with the corpus, 100 intents a block, and starts
``mediator-node start`` against it as a production node would (``CHAIN_ENDPOINT``, its own
key, the offline negotiator, ``EMBEDDING_PROVIDER=hash`` by default so seeding 10k takes
minutes, not the local model's ~80 s per 10k at best). Then:

Every seeded intent is an offer (:func:`_seed`), so no pair exists and the node has no
work once they are indexed.

1. **Idle (issue 15, target 6)**: once the node has indexed every intent, its job queues
   are empty and both index snapshots exist, its CPU (user + system from ``/proc``, its
   reader processes included) and the chain requests it makes (counted by the chain) over
   ``IDLE_SECONDS``, against 2 % of a core and the chain's 100 requests a minute per client.
2. **kill -9 to ready (target 4)**: SIGKILL, start again, time until ``/health/ready``
   answers 200; ``RESTARTS`` times, each from the snapshot the node keeps fresh. Beside
   each: the restarted process's CPU seconds when it answered (they stretch much less
   with the machine's load than wall time) and its ``started:`` and ``index: loaded``
   lines (the start's steps, and what the index load had to add back).

The node's processes keep their bytecode in a cache of their own (``PYTHONPYCACHEPREFIX``
in the suite's folder, written by the first start), as an installed package has it (pip
compiles at install): with ``PYTHONDONTWRITEBYTECODE`` set, as on the shared machine, a
source checkout compiled 130 modules on every start (about 0.2 s of CPU).
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from mediator_actors.benchmarks.corpus import extended_corpus
from mediator_actors.benchmarks.machine import machine
from mediator_actors.benchmarks.startup import NodeProcess, _free_port
from mediator_actors.signing import generate_seed_hex

IDLE_SECONDS = 120.0
RESTARTS = 5
TARGET_IDLE_CPU_PERCENT = 2.0
TARGET_KILL9_P99_S = 2.0
#: The real chain's per-client request budget (protocol v2): requests a minute.
CHAIN_REQUEST_BUDGET = 100


def _health(port: int) -> dict[str, Any] | None:
    """``/health``'s body; it answers 503 with the same body when a check is critical."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as answer:
            raw = answer.read()
    except urllib.error.HTTPError as refused:
        raw = refused.read()
    except (urllib.error.URLError, OSError):
        return None
    try:
        body: dict[str, Any] = json.loads(raw)
    except ValueError:
        return None
    return body


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its live children (the reader processes)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            pids += [int(p) for p in handle.read().split()]
    except OSError:
        pass
    for each in pids:
        try:
            with open(f"/proc/{each}/stat", encoding="ascii") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _seed(chain: Any, count: int) -> None:
    """``count`` corpus intents, every one an offer: no pair exists, so once indexed the
    node has no work left. (With seeks too it would negotiate the next neighbours of every
    declined pair, 200 a pass, for about an hour at 10k: busy, not idle.)"""
    intents = extended_corpus(count)
    for start in range(0, len(intents), 100):
        chain.add_block(
            [
                {
                    "author": i.author,
                    "content": i.content,
                    "intent": "offer",
                    "metadata": {
                        "is_contract": True,
                        "contract_type": "offer",
                        "status": "open",
                    },
                }
                for i in intents[start : start + 100]
            ]
        )


def _settled(node: NodeProcess, data_dir: Path, count: int, timeout: float) -> dict[str, Any]:
    """Wait until every intent is indexed, no job waits and a snapshot was written."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        if node.proc.poll() is not None:
            raise RuntimeError("the node exited:\n" + "".join(node.lines[-20:]))
        last = _health(node.port) or last
        if last is not None:
            size = (last.get("index") or {}).get("size") or 0
            queues = last.get("queues") or {}
            currents = list((data_dir / "vectors").glob("*/CURRENT"))
            snapshot = len(currents) >= 2  # offers' and seeks' indexes
            if size >= count and not any(queues.values()) and snapshot:
                return last
        time.sleep(1.0)
    raise RuntimeError(f"not settled within {timeout:g}s; last health: {last}")


def run(  # noqa: PLR0915 - the suite in the order it runs
    *,
    intents: int | None = None,
    quick: bool = False,
    embedder: str = "hash",
    idle_seconds: float | None = None,
    restarts: int | None = None,
) -> dict[str, Any]:
    from mediator_actors.chain.devchain import DevChain

    count = intents or (1_000 if quick else 10_000)
    idle = idle_seconds if idle_seconds is not None else (30.0 if quick else IDLE_SECONDS)
    kills = restarts if restarts is not None else (3 if quick else RESTARTS)
    tree = Path(__file__).resolve().parents[2]
    figures: dict[str, Any] = {"suite": "live", "machine": machine(), "intents": count}
    chain = DevChain(rate_limits=False, auto_mine=2.0)
    _seed(chain, count)
    url = chain.start()
    env = {
        "CHAIN_ENDPOINT": url,
        "CHAIN_ID": "nlc-bench",
        "MEDIATOR_PRIVATE_KEY": generate_seed_hex(),
        "EMBEDDING_PROVIDER": embedder,
        "LLM_PROVIDER": "offline",
        "POLL_INTERVAL_SECONDS": "2",
        # Nothing agreed, so nothing to post: the node's proposals would drain at the
        # chain's 10 entries per author a minute for most of an hour, and the idle
        # figure is a node with no work left. The negotiations themselves still run.
        "MIN_NEGOTIATION_CONFIDENCE": "100",
        # room beyond the corpus, so a full index is not reported critical
        "MAX_INTENTS_CACHE": str(2 * count),
    }
    try:
        with tempfile.TemporaryDirectory(prefix="mediator-bench-live-") as name:
            folder = Path(name)
            env["DATA_DIR"] = str(folder / "data")
            env["PYTHONPYCACHEPREFIX"] = str(folder / "bytecode")
            env["PYTHONDONTWRITEBYTECODE"] = ""  # empty is unset: the first start writes it
            port = _free_port()
            began = time.monotonic()
            node = NodeProcess(tree, folder, port, env=env)
            health = _settled(node, folder / "data", count, timeout=3600)
            figures["seeded_to_settled_s"] = round(time.monotonic() - began, 1)
            figures["index_size"] = (health.get("index") or {}).get("size")

            cpu_before, requests_before = _cpu_seconds(node.proc.pid), chain.requests_served
            watched = time.monotonic()
            time.sleep(idle)
            seconds = time.monotonic() - watched
            cpu = _cpu_seconds(node.proc.pid) - cpu_before
            requests = chain.requests_served - requests_before
            figures["idle_seconds"] = round(seconds, 1)
            figures["idle_cpu_percent_of_a_core"] = round(100 * cpu / seconds, 2)
            figures["idle_chain_requests_per_minute"] = round(60 * requests / seconds, 1)
            figures["idle_targets"] = {
                "cpu_percent": TARGET_IDLE_CPU_PERCENT,
                "chain_requests_per_minute_budget": CHAIN_REQUEST_BUDGET,
            }
            figures["idle_rss_mb"] = _rss_mb(node.proc.pid)

            recoveries, cpu_at_ready, start_lines = [], [], []
            for _ in range(kills):
                load = os.getloadavg()[0]
                node.proc.send_signal(signal.SIGKILL)
                killed = time.monotonic()
                node.proc.wait(timeout=30)
                node = NodeProcess(tree, folder, port, env=env)
                node.wait_ready(600)
                recoveries.append(time.monotonic() - killed)
                cpu_at_ready.append(round(_cpu_seconds(node.proc.pid), 2))
                start_lines.append(
                    {
                        "load_1m": round(load, 2),
                        "lines": [
                            line.strip()[9:200]
                            for line in node.lines
                            if line[9:].startswith(("started: node", "index: loaded"))
                        ],
                    }
                )
                # the next kill finds the node as an operator would: settled again
                _settled(node, folder / "data", count, timeout=600)
            figures["kill9_to_ready_s_all"] = [round(t, 2) for t in recoveries]
            figures["kill9_to_ready_s_p50"] = round(statistics.median(recoveries), 2)
            figures["kill9_to_ready_s_p99"] = round(_percentile(recoveries, 0.99), 2)
            figures["kill9_target_p99_s"] = TARGET_KILL9_P99_S
            figures["kill9_cpu_s_at_ready_all"] = cpu_at_ready
            figures["kill9_start_lines"] = start_lines
            figures["restart_index_lines"] = [
                line.strip()[-160:] for line in node.lines if "index: loaded" in line
            ][:3]
            figures["error_lines"] = node.errors()[:10]
            node.proc.send_signal(signal.SIGTERM)
            node.proc.wait(timeout=120)
    finally:
        chain.stop()
    figures["load_average_1m_end"] = round(os.getloadavg()[0], 2)
    return figures


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None
