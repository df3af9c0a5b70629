"""Service fit by meaning: the cosine of the two service phrases under an embedder.

The local model (all-MiniLM-L6-v2, int8) places "wedding photographer" near "someone to
shoot our ceremony and the portraits after" (0.64) and "plumbing repair" far from
"kitchen design" (0.20). Thresholds were calibrated on ``tests/data/negotiation_dev.jsonl``
(see docs/benchmarks.md); the hash embedder carries no meaning, so under it only the
words decide (its threshold is out of reach).

Each phrase is embedded once and kept (bounded), so judging a pair costs two lookups; a
batch of pairs embeds its missing phrases in one call (:meth:`ServiceSimilarity.prepare`),
which gives the same vectors as one call per phrase (padding is masked out) at a fraction
of the per-call overhead.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable
from typing import Protocol

import numpy as np

from mediator_actors.embedding.base import Embedder, EmbedderError
from mediator_actors.runtime.offload import native_lock

__all__ = ["PhraseSimilarity", "ServiceSimilarity", "phrase_key", "shared_similarity"]

logger = logging.getLogger(__name__)

#: Cosine at or above which two service phrases fit on meaning alone, per embedder family.
THRESHOLDS = {"local": 0.5, "hash": 2.0}
#: For the openings of two intents (more context, so higher cosines between unrelated ones).
GIST_THRESHOLDS = {"local": 0.6, "hash": 2.0}
#: Cosine that, with a shared distinguishing word, is enough ("dashboard" in both).
WITH_SHARED_WORD = {"local": 0.35, "hash": 2.0}
CACHE_SIZE = 20_000


def phrase_key(phrase: str) -> str:
    """The form a phrase is embedded and cached under."""
    return phrase.strip().lower()[:300]


class PhraseSimilarity(Protocol):
    def cosine(self, a: str, b: str) -> float: ...

    def fits(self, cosine: float, *, shared_word: bool, gist: bool = False) -> bool: ...


class ServiceSimilarity:
    """Cosines of service phrases under ``embedder``, each phrase embedded once."""

    def __init__(self, *, embedder: Embedder) -> None:
        self._embedder = embedder
        family = "hash" if embedder.id.startswith("hash") else "local"
        self._threshold = THRESHOLDS[family]
        self._with_word = WITH_SHARED_WORD[family]
        self._gist = GIST_THRESHOLDS[family]
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = native_lock()  # shared with run_blocking threads

    @property
    def embedder_id(self) -> str:
        return self._embedder.id

    @property
    def meaningful(self) -> bool:
        """False when no cosine can reach a threshold (a cosine is at most 1): the hash
        embedder carries no meaning, so embedding phrases under it decides nothing."""
        return min(self._threshold, self._with_word, self._gist) <= 1.0

    def prepare(self, phrases: Iterable[str]) -> int:
        """Embed the phrases not yet kept, all in one embedder call; how many were new."""
        with self._lock:
            missing = list(
                dict.fromkeys(k for k in map(phrase_key, phrases) if k not in self._cache)
            )
        missing = missing[-CACHE_SIZE:]
        if not missing:
            return 0
        try:
            vectors = np.asarray(self._embedder.embed(missing), dtype=np.float32)
        except EmbedderError as exc:
            logger.warning("negotiation: service embedding failed, words only: %s", exc)
            return 0
        with self._lock:
            for key, vector in zip(missing, vectors, strict=True):
                self._cache[key] = vector
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return len(missing)

    def _vector(self, phrase: str) -> np.ndarray | None:
        key = phrase_key(phrase)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        try:
            vector = np.asarray(self._embedder.embed([key])[0], dtype=np.float32)
        except EmbedderError as exc:
            logger.warning("negotiation: service embedding failed, words only: %s", exc)
            return None
        with self._lock:
            self._cache[key] = vector
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector

    def cosine(self, a: str, b: str) -> float:
        va, vb = self._vector(a), self._vector(b)
        if va is None or vb is None:
            return 0.0
        return float(np.clip(va @ vb, -1.0, 1.0))

    def fits(self, cosine: float, *, shared_word: bool, gist: bool = False) -> bool:
        if gist:
            return cosine >= self._gist
        return cosine >= self._threshold or (shared_word and cosine >= self._with_word)


_shared: dict[str, ServiceSimilarity] = {}
_shared_lock = native_lock()  # shared with run_blocking threads


def shared_similarity() -> ServiceSimilarity:
    """One process-wide similarity over the local model (hash embedder if it is missing),
    loaded on first use (about 0.3 s)."""
    with _shared_lock:
        if "local" not in _shared:
            from mediator_actors.embedding.hashing import HashEmbedder
            from mediator_actors.embedding.local import shared_local_embedder

            embedder: Embedder
            try:
                embedder = shared_local_embedder()  # the keeper's model, not a second
            except EmbedderError as exc:
                logger.warning(
                    "negotiation: local model unavailable, service fit by words: %s", exc
                )
                embedder = HashEmbedder()
            _shared["local"] = ServiceSimilarity(embedder=embedder)
        return _shared["local"]
