"""Restart latency of a crashed child, and the store's durable commit rate.

Restart latency is measured from the crash (the ``tell`` that makes the child raise) to the
moment its next incarnation is RUNNING on the status board, through the real supervisor
with its default back-off policy for a first failure (0.025-0.05 s of jitter included).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gevent.event

from mediator_actors.benchmarks.machine import machine
from mediator_actors.store import Store, probe
from supervisors import (
    ChildSpec,
    ChildState,
    ChildStatus,
    Intensity,
    Ping,
    RoleRegistry,
    StatusBoard,
    SupervisedActor,
    Supervisor,
    SupervisorPolicy,
)


@dataclass(frozen=True)
class _Crash:
    pass


class _Crasher(SupervisedActor):
    def handle(self, message: Any) -> Any:
        if isinstance(message, _Crash):
            raise RuntimeError("benchmark crash")
        return super().handle(message)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@contextlib.contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """The crashes are on purpose: keep their tracebacks out of the benchmark's output."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def restart_latency(crashes: int) -> dict[str, float]:
    with _quiet("pykka", "supervisors"):
        return _restart_latency(crashes)


def _restart_latency(crashes: int) -> dict[str, float]:
    running = gevent.event.Event()

    def on_change(status: ChildStatus) -> None:
        if status.path == "root/crasher" and status.state is ChildState.RUNNING:
            running.set()

    registry = RoleRegistry()
    # A healthy-period reset of 0 keeps every crash a "first failure": the figure is the
    # restart path itself, not a back-off grown by the benchmark's own crash loop.
    policy = SupervisorPolicy(
        intensity=Intensity(max_restarts=crashes * 2, within_seconds=1e9), reset_after=0.0
    )
    root = Supervisor.start(
        name="root",
        children=[ChildSpec("crasher", start=_Crasher.start)],
        policy=policy,
        registry=registry,
        board=StatusBoard(on_change=on_change),
    )
    root.ask(Ping(), timeout=10)
    latencies = []
    try:
        for _ in range(crashes):
            ref = registry.get("crasher")
            while ref is None:
                running.wait(1)
                ref = registry.get("crasher")
            running.clear()
            began = time.perf_counter()
            ref.tell(_Crash())
            if not running.wait(10):
                raise RuntimeError("the child was not restarted within 10 s")
            latencies.append((time.perf_counter() - began) * 1000)
    finally:
        root.stop(timeout=10)
    return {
        "restart_crashes": crashes,
        "restart_p50_ms": round(statistics.median(latencies), 2),
        "restart_p99_ms": round(_percentile(latencies, 0.99), 2),
        "restart_max_ms": round(max(latencies), 2),
        "restart_target_p99_ms": 250.0,
    }


def commit_rate(commits: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder), migrations=probe.MIGRATIONS)
        try:
            began = time.perf_counter()
            for i in range(commits):

                def insert(conn: sqlite3.Connection, value: str = str(i)) -> None:
                    probe.insert_probe(conn, value, value)

                store.write(insert)
            elapsed = time.perf_counter() - began
        finally:
            store.close()
    return {"store_commits": commits, "store_commits_per_s": round(commits / elapsed, 1)}


def run(*, intents: int | None = None, quick: bool = False) -> dict[str, object]:
    """Crash a child 200 times (20 with ``quick``) and time durable single-row commits."""
    crashes = 20 if quick else 200
    return {
        **restart_latency(crashes),
        **commit_rate(200 if quick else 1000),
        "machine": machine(("gevent", "pykka")),
    }
