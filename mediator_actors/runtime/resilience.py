"""Circuit breaker and jittered exponential back-off, shared by the chain client and the LLM
providers. Plain classes with an injected clock, so tests drive time by hand."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from mediator_actors.runtime.offload import native_lock
from supervisors.backoff import Backoff

Clock = Callable[[], float]

__all__ = ["Backoff", "BreakerSnapshot", "BreakerState", "CircuitBreaker", "CircuitOpenError"]


class BreakerState(StrEnum):
    CLOSED = "closed"  # calls flow
    OPEN = "open"  # calls refused until the cool-down ends
    HALF_OPEN = "half_open"  # one trial call at a time decides


@dataclass(frozen=True, slots=True)
class BreakerSnapshot:
    state: BreakerState
    consecutive_failures: int
    opened_at: float | None
    last_latency_ms: float | None
    last_error: str | None


class CircuitOpenError(Exception):
    """Raised by :meth:`CircuitBreaker.before_call` while the breaker refuses calls."""

    def __init__(self, name: str, retry_in: float) -> None:
        self.retry_in = retry_in
        super().__init__(f"{name} circuit is open; next trial in {retry_in:.1f}s")


class CircuitBreaker:
    """Opens after ``failure_threshold`` consecutive failures; after ``reset_timeout`` one
    trial call is let through (half-open); ``success_threshold`` successes close it again."""

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 5,
        reset_timeout: float = 15.0,
        success_threshold: int = 2,
        clock: Clock = time.monotonic,
    ) -> None:
        self.name = name
        self._failure_threshold = failure_threshold
        self._reset_timeout = reset_timeout
        self._success_threshold = success_threshold
        self._clock = clock
        self._lock = native_lock()  # shared with run_blocking threads
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._successes = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False
        self._last_latency_ms: float | None = None
        self._last_error: str | None = None

    def before_call(self) -> None:
        """Raise :class:`CircuitOpenError` unless a call may go ahead now."""
        with self._lock:
            if self._state is BreakerState.OPEN:
                assert self._opened_at is not None
                waited = self._clock() - self._opened_at
                if waited < self._reset_timeout:
                    raise CircuitOpenError(self.name, self._reset_timeout - waited)
                # OPEN -> HALF_OPEN: the cool-down is over, let one trial through.
                self._state = BreakerState.HALF_OPEN
                self._successes = 0
                self._trial_in_flight = False
            if self._state is BreakerState.HALF_OPEN:
                if self._trial_in_flight:
                    raise CircuitOpenError(self.name, 0.0)
                self._trial_in_flight = True

    def record_success(self, latency_ms: float | None = None) -> None:
        with self._lock:
            self._last_latency_ms = latency_ms
            self._failures = 0
            if self._state is BreakerState.HALF_OPEN:
                self._trial_in_flight = False
                self._successes += 1
                if self._successes >= self._success_threshold:
                    # HALF_OPEN -> CLOSED
                    self._state = BreakerState.CLOSED
                    self._opened_at = None

    def record_failure(self, error: str, latency_ms: float | None = None) -> None:
        with self._lock:
            self._last_latency_ms = latency_ms
            self._last_error = error[:200]
            self._failures += 1
            if self._state is BreakerState.HALF_OPEN or self._failures >= self._failure_threshold:
                # CLOSED/HALF_OPEN -> OPEN
                self._state = BreakerState.OPEN
                self._opened_at = self._clock()
                self._trial_in_flight = False

    def snapshot(self) -> BreakerSnapshot:
        with self._lock:
            state = self._state
            cooled = self._opened_at is not None and (
                self._clock() - self._opened_at >= self._reset_timeout
            )
            if state is BreakerState.OPEN and cooled:
                state = BreakerState.HALF_OPEN
            return BreakerSnapshot(
                state=state,
                consecutive_failures=self._failures,
                opened_at=self._opened_at,
                last_latency_ms=self._last_latency_ms,
                last_error=self._last_error,
            )
