"""Benchmark: negotiations per second through the real Anthropic SDK against a loopback
fake provider that answers after a fixed latency (500 ms), for pool sizes 1, 4 and 16.

Concurrency is one gevent greenlet per pool worker, as the pool's worker actors run under
``patch_all``. The target is >= 80 % of ``pool size / latency``; the ideal figure is
reported beside the measured one. Memory is the process RSS before and after each size.
Also reported: the offline negotiator's own rate (the CPU cost of a negotiation without a
network: prompt, parse, validation, constraint check).

Bounded: about 4 s of measurement with ``quick=True``, about 6 s otherwise.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from typing import Any

import gevent
from gevent import monkey
from gevent.pywsgi import WSGIServer

from mediator_actors.benchmarks.machine import machine
from mediator_actors.model import Intent, IntentType, entry_ref
from mediator_actors.negotiation.providers import AnthropicProvider, OfflineProvider
from mediator_actors.negotiation.service import Negotiator
from mediator_actors.safety.secretscan import SecretScanner

__all__ = ["run"]

LATENCY = 0.5
POOL_SIZES = (1, 4, 16)
TARGET_RATIO = 0.8
_TS = "2026-11-20T09:00:00"
_OFFER = (
    "I am offering cloud cost optimization for community banking projects. Asking 1240 NLC "
    "for the full engagement. Can start within 9 days and deliver in 6 weeks."
)
_SEEK = (
    "We need cloud cost optimization for a K-12 education project. Budget of 1340 NLC. "
    "Must be delivered by September 25, 2027. Weekly progress reports expected."
)
_ANSWER = json.dumps(
    {
        "compatible": True,
        "confidence": 82,
        "reasoning": "Same service; the price sits inside ask and budget.",
        "terms": {
            "price": 1290,
            "currency": "NLC",
            "deliverables": ["cloud cost optimization"],
            "timeline": "deliver by 2027-09-25",
            "conditions": [],
        },
        "refusal_reason": None,
    }
)


def _intent(kind: IntentType, content: str, author: str) -> Intent:
    return Intent(
        ref=entry_ref(author, content, _TS),
        author=author,
        type=kind,
        content=content,
        timestamp=_TS,
    )


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    gevent.sleep(LATENCY)
    body = {
        "id": "msg_bench",
        "type": "message",
        "role": "assistant",
        "model": "bench",
        "content": [{"type": "text", "text": _ANSWER}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1000, "output_tokens": 120},
    }
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]


def _rss_mb() -> float | None:
    try:
        import psutil

        return round(psutil.Process(os.getpid()).memory_info().rss / 2**20, 1)
    except ImportError:  # pragma: no cover
        return None


def _pool_round(negotiator: Negotiator, size: int, rounds: int) -> dict[str, Any]:
    offer = _intent(IntentType.OFFER, _OFFER, "alice")
    seek = _intent(IntentType.SEEK, _SEEK, "bob")
    latencies: list[float] = []
    failures = 0

    def worker() -> None:
        nonlocal failures
        for _ in range(rounds):
            started = time.perf_counter()
            result = negotiator.negotiate(offer, seek)
            latencies.append(time.perf_counter() - started)
            failures += 0 if result.success else 1

    rss_before = _rss_mb()
    started = time.perf_counter()
    gevent.joinall([gevent.spawn(worker) for _ in range(size)], raise_error=True)
    elapsed = time.perf_counter() - started
    rate = size * rounds / elapsed
    ideal = size / LATENCY
    ordered = sorted(latencies)
    return {
        "pool_size": size,
        "negotiations": size * rounds,
        "seconds": round(elapsed, 3),
        "negotiations_per_second": round(rate, 2),
        "ideal_per_second": ideal,
        "ratio_to_ideal": round(rate / ideal, 3),
        "target_met": rate >= TARGET_RATIO * ideal,
        "latency_ms_p50": round(statistics.median(ordered) * 1000, 1),
        "latency_ms_p99": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000, 1),
        "failed_answers": failures,
        "rss_mb_before": rss_before,
        "rss_mb_after": _rss_mb(),
    }


def _offline_rate(iterations: int) -> dict[str, Any]:
    negotiator = Negotiator(provider=OfflineProvider(), scanner=SecretScanner(["x" * 32]))
    offer = _intent(IntentType.OFFER, _OFFER, "alice")
    seek = _intent(IntentType.SEEK, _SEEK, "bob")
    times = []
    for _ in range(iterations):
        started = time.perf_counter()
        negotiator.negotiate(offer, seek)
        times.append(time.perf_counter() - started)
    return {
        "iterations": iterations,
        "negotiations_per_second": round(iterations / sum(times), 1),
        "ms_p50": round(statistics.median(times) * 1000, 3),
        "ms_p99": round(sorted(times)[int(0.99 * len(times))] * 1000, 3),
    }


def run(*, intents: int | None = None, quick: bool = False) -> dict[str, object]:
    """Measure and return the figures. ``intents`` is unused (one fixed pair is enough:
    the network latency dominates); the benchmark verb passes it to every module."""
    if not monkey.is_module_patched("socket"):
        raise RuntimeError("run the negotiation benchmark under gevent.monkey.patch_all()")
    rounds = 2 if quick else 3
    server = WSGIServer(("127.0.0.1", 0), _app, log=None, error_log=None)
    server.start()
    try:
        provider = AnthropicProvider(
            api_key="bench-key-not-a-secret",
            model_id="claude-sonnet-4-6",
            base_url=f"http://127.0.0.1:{server.server_port}",
            timeout=10.0,
        )
        negotiator = Negotiator(provider=provider, scanner=SecretScanner([]), timeout=10.0)
        negotiator.negotiate(
            _intent(IntentType.OFFER, _OFFER, "a"), _intent(IntentType.SEEK, _SEEK, "b")
        )
        pools = [_pool_round(negotiator, size, rounds) for size in POOL_SIZES]
    finally:
        server.stop(timeout=1)

    return {
        "benchmark": "negotiation",
        "provider_latency_ms": LATENCY * 1000,
        "target": f">= {TARGET_RATIO:.0%} of pool_size / latency",
        "pools": pools,
        "offline": _offline_rate(100 if quick else 300),
        "machine": machine(("gevent", "anthropic", "openai", "httpx")),
    }


if __name__ == "__main__":  # pragma: no cover
    monkey.patch_all()
    print(json.dumps(run(quick=False), indent=2))
