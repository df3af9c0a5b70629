"""Jittered exponential back-off between restarts (and between retries elsewhere)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """``delay(n)`` for the n-th consecutive failure (n >= 1): exponential, capped, jittered.

    The jitter draws from [base/2, base] ("equal jitter"): restarts of many children spread
    out, and a delay is never zero.
    """

    minimum: float = 0.05
    maximum: float = 30.0
    factor: float = 2.0

    def delay(self, failures: int, rng: random.Random | None = None) -> float:
        base = min(self.maximum, self.minimum * self.factor ** max(0, failures - 1))
        draw = (rng or random).random()
        return base / 2 + draw * base / 2
