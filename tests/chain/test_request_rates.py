"""The node's request rates against a chain on the real node's defaults (simulated time)."""

from __future__ import annotations

import pytest

from mediator_actors.benchmarks.requests import run


@pytest.mark.slow
def test_polling_and_writing_stay_inside_the_chains_request_limit() -> None:
    figures = run(quick=True)
    idle, catch_up, writing = figures["idle"], figures["catch_up"], figures["writing"]
    assert isinstance(idle, dict)
    assert isinstance(catch_up, dict)
    assert isinstance(writing, dict)
    assert idle["busiest_minute_requests"] <= 10  # slower when idle
    assert catch_up["requests"] <= 20  # one GET /chain, not one request per block
    assert writing["busiest_minute_requests"] <= 50  # reads leave at least half to writes
    assert catch_up["refused_429"] == writing["refused_429"] == 0
