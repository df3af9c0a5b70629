"""Chain ingestion throughput: a backlog of intents in mined blocks, chain to durable store.

The dev chain serves the backlog on loopback; a fresh :class:`ChainFollower` catches up
through the real HTTP client, the strict codec, intent extraction and injection checks,
and the SQLite store (WAL, synchronous=FULL), exactly as after an outage. The baseline,
measured in the same run, is the transport alone: fetching and JSON-decoding every block.
Target: >= 1,000 intents/s.
"""

from __future__ import annotations

from mediator_actors.runtime.patching import ensure_patched

ensure_patched()

import json  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import requests  # noqa: E402

from mediator_actors.benchmarks.machine import machine  # noqa: E402
from mediator_actors.chain.client import ChainClient  # noqa: E402
from mediator_actors.chain.devchain import DevChain  # noqa: E402
from mediator_actors.chain.follower import (  # noqa: E402
    MIGRATIONS,
    ChainFollower,
    IntakeLimit,
)
from mediator_actors.runtime.offload import run_blocking  # noqa: E402
from mediator_actors.store import Store  # noqa: E402
from mediator_actors.store.intents import MIGRATIONS as INTENT_MIGRATIONS  # noqa: E402
from mediator_actors.store.intents import count_intents  # noqa: E402
from mediator_actors.store.jobs import MIGRATIONS as JOB_MIGRATIONS  # noqa: E402

_GOODS = (
    "oak bookshelves",
    "a Rust CFD solver",
    "logo design",
    "German translation",
    "garden care",
)


def _entries(count: int, authors: int = 200) -> list[dict[str, Any]]:
    out = []
    for n in range(count):
        kind = "offer" if n % 2 else "seek"
        verb = "Offering" if kind == "offer" else "Looking for"
        content = (
            f"{verb} {_GOODS[n % len(_GOODS)]}, lot {n}. Budget at most {100 + n % 900} NLC; "
            f"must be delivered within {7 + n % 60} days. Contact party {n % authors}."
        )
        metadata = {
            "is_contract": True,
            "contract_type": kind,
            "status": "open",
            "offered_fee": 1.0,
        }
        out.append(
            {
                "author": f"party-{n % authors}",
                "content": content,
                "intent": kind,
                "metadata": metadata,
            }
        )
    return out


def run(*, intents: int | None = None, quick: bool = False) -> dict[str, object]:
    total = intents or (1_000 if quick else 10_000)
    blocks = 10 if quick else 100
    per_block = max(1, total // blocks)
    chain = DevChain(rate_limits=False)
    entries = _entries(per_block * blocks)
    started = time.perf_counter()
    for b in range(blocks):
        chain.add_block(entries[b * per_block : (b + 1) * per_block])
    seed_s = time.perf_counter() - started
    url = chain.start()
    try:
        # Baseline: the transport alone (HTTP + JSON decode of every block).
        session = requests.Session()
        started = time.perf_counter()
        for index in range(chain.length):
            json.loads(session.get(f"{url}/block/{index}", timeout=10).content)
        baseline_s = time.perf_counter() - started
        session.close()

        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(
                Path(tmp), migrations=[*JOB_MIGRATIONS, *INTENT_MIGRATIONS, *MIGRATIONS]
            )
            client = ChainClient(url, offload=run_blocking)
            follower = ChainFollower(
                store=store,
                client=client,
                offload=run_blocking,
                intake=IntakeLimit(per_author=10**9),  # measure throughput, not the budget
            )
            polls: list[float] = []
            started = time.perf_counter()
            while True:
                t0 = time.perf_counter()
                result = follower.poll_once()
                polls.append(time.perf_counter() - t0)
                if result.error:
                    raise RuntimeError(result.error)
                if result.caught_up:
                    break
            ingest_s = time.perf_counter() - started
            stored = sum(store.read(count_intents).values())
            client.close()
            store.close()
    finally:
        chain.stop()
    ingested = per_block * blocks
    return {
        "benchmark": "chain_ingestion",
        "intents": ingested,
        "blocks": blocks,
        "stored_intents": stored,
        "ingest_seconds": round(ingest_s, 3),
        "intents_per_second": round(ingested / ingest_s, 1),
        "target_intents_per_second": 1_000,
        "meets_target": ingested / ingest_s >= 1_000,
        "baseline_transport_seconds": round(baseline_s, 3),
        "baseline_transport_intents_per_second": round(ingested / baseline_s, 1),
        "ingest_vs_transport_ratio": round(ingest_s / baseline_s, 2),
        "polls": len(polls),
        "poll_median_seconds": round(statistics.median(polls), 4),
        "poll_max_seconds": round(max(polls), 4),
        "seed_seconds": round(seed_s, 3),
        "machine": machine(),
    }


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(run(), indent=2))
