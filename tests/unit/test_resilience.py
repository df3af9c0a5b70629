import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.runtime.resilience import (
    Backoff,
    BreakerState,
    CircuitBreaker,
    CircuitOpenError,
)
from supervisors.backoff import Backoff as SupervisorBackoff


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_threshold_and_refuses_calls() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("chain", failure_threshold=3, reset_timeout=10, clock=clock)
    for _ in range(3):
        breaker.before_call()
        breaker.record_failure("timeout")
    assert breaker.snapshot().state is BreakerState.OPEN
    with pytest.raises(CircuitOpenError):
        breaker.before_call()


def test_half_open_lets_one_trial_through_and_closes_after_successes() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(
        "llm", failure_threshold=1, reset_timeout=5, success_threshold=2, clock=clock
    )
    breaker.record_failure("500")
    clock.now += 5
    breaker.before_call()  # the trial
    with pytest.raises(CircuitOpenError):
        breaker.before_call()  # a second caller waits while the trial is in flight
    breaker.record_success(12.0)
    assert breaker.snapshot().state is BreakerState.HALF_OPEN
    breaker.before_call()
    breaker.record_success(11.0)
    assert breaker.snapshot().state is BreakerState.CLOSED


def test_a_failed_trial_reopens_the_breaker() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("llm", failure_threshold=1, reset_timeout=5, clock=clock)
    breaker.record_failure("500")
    clock.now += 5
    breaker.before_call()
    breaker.record_failure("500 again")
    snap = breaker.snapshot()
    assert snap.state is BreakerState.OPEN
    assert snap.last_error == "500 again"


@given(st.integers(min_value=1, max_value=200), st.integers(min_value=0, max_value=2**32))
def test_backoff_stays_within_half_to_full_of_a_capped_exponential(n: int, seed: int) -> None:
    backoff = Backoff(minimum=0.05, maximum=2.0)
    delay = backoff.delay(n, random.Random(seed))
    base = min(2.0, 0.05 * 2 ** (n - 1))
    assert base / 2 <= delay <= base


@given(failures=st.integers(min_value=1, max_value=10**9))
def test_supervisor_backoff_never_overflows_however_long_the_outage(failures: int) -> None:
    # Regression: 2.0 ** (failures - 1) raised OverflowError past about 1,025 failures in a row.
    backoff = SupervisorBackoff(minimum=0.05, maximum=30.0, factor=2.0)
    delay = backoff.delay(failures, random.Random(failures))
    assert 0.0 < delay <= 30.0
    if failures >= 20:
        assert delay >= 15.0  # at the cap, equal jitter keeps it in [max/2, max]
