"""``--suite startup``: what an operator waits for, on real processes.

- ``mediator-node --version`` wall time (every verb pays the CLI's imports);
- SIGTERM to exit while a backlog of intents is being embedded (the drain);
- kill -9 to ready: the process is killed, started again, and timed until
  ``/health/ready`` answers 200 (store open, index loaded or rebuilt, every actor up).

The node runs in dev mode on its embedded dev chain, seeded with ``--intents`` corpus
intents (default 1,500), the local embedding model and the offline negotiator: the defaults
a new user gets. Also runnable against another checkout for a before/after comparison:
``python -m mediator_actors.benchmarks.startup --tree /path/to/checkout``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from mediator_actors.benchmarks.corpus import load_corpus
from mediator_actors.benchmarks.machine import machine

DEFAULT_INTENTS = 1_500
_ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL)\b|Traceback")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed_chain(data_dir: Path, count: int) -> int:
    """Mine ``count`` corpus intents into the dev chain's state file, 100 a block."""
    from mediator_actors.chain.devchain import DevChain

    data_dir.mkdir(parents=True, exist_ok=True)
    chain = DevChain(state_file=data_dir / "devchain.json")
    intents = load_corpus(count).intents
    for start in range(0, len(intents), 100):
        chain.add_block(
            [
                {
                    "author": i.author,
                    "content": i.content,
                    "intent": i.type.value,
                    "metadata": {
                        "is_contract": True,
                        "contract_type": i.type.value,
                        "status": "open",
                    },
                }
                for i in intents[start : start + 100]
            ]
        )
    return len(intents)


class NodeProcess:
    """``mediator-node start`` in a folder, its stderr collected by a thread."""

    def __init__(
        self, tree: Path, folder: Path, port: int, *, env: dict[str, str] | None = None
    ) -> None:
        base = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
        base.update(
            PYTHONPATH=str(tree),
            HEALTH_PORT=str(port),
            WS_PORT="0",
            LOG_FORMAT="text",
            LOG_LEVEL="info",
            POLL_INTERVAL_SECONDS="0.5",
        )
        base.update(env or {})
        env = base
        self.port = port
        self.lines: list[str] = []
        self.began = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mediator_actors", "start"],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    def ready(self) -> bool:
        url = f"http://127.0.0.1:{self.port}/health/ready"
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return int(answer.status) == 200
        except (urllib.error.URLError, OSError):
            return False

    def wait_ready(self, timeout: float) -> float:
        """Seconds from spawn until ready."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the node exited:\n" + "".join(self.lines[-20:]))
            if self.ready():
                return time.monotonic() - self.began
            time.sleep(0.02)
        raise RuntimeError(f"not ready within {timeout:g}s:\n" + "".join(self.lines[-20:]))

    def wait_for_line(self, needle: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(needle in line for line in self.lines):
                return
            time.sleep(0.05)
        raise RuntimeError(f"{needle!r} not logged within {timeout:g}s")

    def errors(self) -> list[str]:
        return [line.rstrip() for line in self.lines if _ERROR_LINE.search(line)]


def version_seconds(tree: Path, runs: int) -> list[float]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    times = []
    for _ in range(runs):
        began = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "mediator_actors", "--version"],
            cwd=tree,  # -m puts the cwd first on sys.path: it must be the tree measured
            env=env,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        times.append(time.monotonic() - began)
    return times


def run(
    *, intents: int | None = None, quick: bool = False, tree: Path | None = None
) -> dict[str, Any]:
    tree = tree or Path(__file__).resolve().parents[2]
    count = intents or (300 if quick else DEFAULT_INTENTS)
    restarts = 3 if quick else 5
    figures: dict[str, Any] = {"suite": "startup", "machine": machine(), "tree": str(tree)}
    version = version_seconds(tree, 3 if quick else 7)
    figures["version_s_median"] = round(statistics.median(version), 3)
    figures["version_s_all"] = [round(t, 3) for t in version]
    with tempfile.TemporaryDirectory(prefix="mediator-bench-startup-") as name:
        folder = Path(name)
        figures["backlog_intents"] = seed_chain(folder / "data", count)
        port = _free_port()

        # The drain: SIGTERM while the backlog is being embedded.
        node = NodeProcess(tree, folder, port)
        node.wait_ready(300)
        node.wait_for_line("index: loaded", 300)
        time.sleep(3.0)  # well into the embedding of the backlog
        embedding = not any("candidate pairs queued" in line for line in node.lines)
        began = time.monotonic()
        node.proc.send_signal(signal.SIGTERM)
        code = node.proc.wait(timeout=120)
        figures["drain_s"] = round(time.monotonic() - began, 2)
        figures["drain_exit_code"] = code
        figures["drain_while_embedding"] = embedding
        figures["drain_error_lines"] = node.errors()[:10]

        # kill -9 to ready, repeated; the first start after the drain is the warm-up.
        node = NodeProcess(tree, folder, port)
        figures["start_to_ready_s"] = round(node.wait_ready(300), 2)
        recoveries = []
        for _ in range(restarts):
            node.proc.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            node.proc.wait(timeout=30)
            node = NodeProcess(tree, folder, port)
            node.wait_ready(300)
            recoveries.append(time.monotonic() - killed)
        node.proc.send_signal(signal.SIGTERM)
        node.proc.wait(timeout=120)
        figures["kill9_to_ready_s_median"] = round(statistics.median(recoveries), 2)
        figures["kill9_to_ready_s_all"] = [round(t, 2) for t in recoveries]
        figures["load_average_1m_after"] = round(os.getloadavg()[0], 2)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=None, help="checkout to measure")
    parser.add_argument("--intents", type=int, default=None)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    figures = run(intents=args.intents, quick=args.quick, tree=args.tree)
    print(json.dumps(figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
