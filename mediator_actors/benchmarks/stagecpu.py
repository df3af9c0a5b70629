"""Where the cycle's negotiations stage spends its CPU: reading (per intent) against
judging (per pair), measured apart in one process.

The first ``intents`` of the shared corpus are read with :func:`stated_terms` (no reader
processes), then each seek is paired with its two nearest offers under the hash embedder
(brute force, as the candidate pass pairs them through the index) and every pair is
judged with :func:`assess` (``similarity=None``: under hash, words alone decide, as in the
cycle). Figures are process CPU seconds (``time.process_time``), which stretch far less
with the machine's load than wall time; ``uptime``'s load is printed beside them.

Run from any checkout (the imports are that checkout's, so two trees compare side by side)::

    PYTHONPATH=TREE python mediator_actors/benchmarks/stagecpu.py --intents 3000
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

import numpy as np

from mediator_actors.benchmarks.corpus import extended_corpus
from mediator_actors.embedding.hashing import HashEmbedder
from mediator_actors.model import Intent, IntentType
from mediator_actors.negotiation.offline import assess, stated_terms

__all__ = ["candidate_pairs", "measure"]


def candidate_pairs(intents: list[Intent], per_seek: int = 2) -> list[tuple[int, int]]:
    """(offer, seek) indexes: each seek with its ``per_seek`` nearest offers by cosine."""
    vectors = np.asarray(
        HashEmbedder(dimensions=384).embed([i.content for i in intents]), dtype=np.float32
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    is_offer = np.array([i.type is IntentType.OFFER for i in intents])
    offers, seeks = np.where(is_offer)[0], np.where(~is_offer)[0]
    if len(offers) == 0:
        return []
    pairs: set[tuple[int, int]] = set()
    for seek in seeks:
        nearest = np.argsort(-(vectors[offers] @ vectors[seek]))[:per_seek]
        pairs.update((int(offers[k]), int(seek)) for k in nearest)
    return sorted(pairs)


def measure(count: int) -> dict[str, Any]:
    """CPU per intent read and per pair judged over the corpus's first ``count`` intents."""
    intents = extended_corpus(count)
    pairs = candidate_pairs(intents)
    used = sorted({a for a, _ in pairs} | {b for _, b in pairs})
    began = time.process_time()
    for k in used:
        stated_terms(intents[k])
    read_s = time.process_time() - began
    began = time.process_time()
    agreed = sum(1 for a, b in pairs if assess(intents[a], intents[b], similarity=None).compatible)
    judge_s = time.process_time() - began
    return {
        "intents_read": len(used),
        "pairs_judged": len(pairs),
        "compatible": agreed,
        "read_cpu_s": round(read_s, 3),
        "judge_cpu_s": round(judge_s, 3),
        "read_ms_per_intent": round(1e3 * read_s / max(1, len(used)), 4),
        "judge_ms_per_pair": round(1e3 * judge_s / max(1, len(pairs)), 4),
        "load": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intents", type=int, default=3000)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.intents)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
