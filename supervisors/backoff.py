"""Jittered exponential back-off between restarts (and between retries elsewhere)."""

from __future__ import annotations

import math
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
        base = min(self.maximum, self.minimum * self.factor ** self._exponent(failures))
        draw = (rng or random).random()
        return base / 2 + draw * base / 2

    def _exponent(self, failures: int) -> int:
        # Past the exponent that reaches the cap, a larger one changes nothing but can overflow
        # a float (2.0 ** 1024): a retry loop through a day-long outage would crash the caller.
        exponent = max(0, failures - 1)
        if self.factor <= 1.0:
            return exponent  # a non-growing factor cannot overflow
        if self.minimum <= 0.0 or self.maximum <= self.minimum:
            return 0  # the delay is pinned at minimum (zero) or at the cap from the start
        return min(exponent, math.ceil(math.log(self.maximum / self.minimum, self.factor)) + 1)
