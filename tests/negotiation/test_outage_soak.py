"""Issue 16's outage test, in the node's clock: a provider on loopback answers HTTP 500 for
five minutes, then refuses connections for two, then hangs for two, then recovers. The
negotiator is built as the node builds it (``build_negotiator``: the real Anthropic SDK
through ``base_url``, the budget, the breaker), with one injected clock, and the jobs run
through the pool's own steps (claim a batch, negotiate, settle). Nothing sleeps: the clock
moves five seconds a round; only the hanging phase costs real time (a 0.3 s timeout per
probe)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediator_actors.config import load_settings
from mediator_actors.negotiation.jobs import claim_negotiations, run_negotiation_jobs
from mediator_actors.negotiation.service import PROBE_INTERVAL, Negotiator, build_negotiator
from mediator_actors.store import Store
from mediator_actors.wiring import ALL_MIGRATIONS
from tests.negotiation.fakes import FakeProvider, Script, fake_provider
from tests.negotiation.helpers import answer_json, offer, seek
from tests.negotiation.test_jobs import QUEUE

KEY = "sk-ant-api03-" + "s" * 40 + "-fakeAA"
START = 1_800_000_000.0
ROUND = 5.0  # node seconds between the pool's rounds
JOBS = 12
PER_HOUR = 200


class NodeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)
    yield db
    db.close()


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with fake_provider() as fake:
        yield fake


def enqueue_pairs(store: Store, count: int) -> None:
    from mediator_actors.store.intents import save_intent

    def step(conn: sqlite3.Connection) -> None:
        for n in range(count):
            o, s = offer(author=f"offerer{n}"), seek(author=f"seeker{n}")
            save_intent(conn, o, now=START)
            save_intent(conn, s, now=START)
            payload = {"offer_ref": o.ref, "seek_ref": s.ref, "similarity": 0.9}
            QUEUE.enqueue(conn, f"{o.ref}:{s.ref}", payload, now=START)

    store.write(step)


def states(store: Store) -> Counter[str]:
    rows = store.read(lambda conn: conn.execute("SELECT state FROM jobs").fetchall())
    return Counter(str(row[0]) for row in rows)


def run_for(store: Store, negotiator: Negotiator, clock: NodeClock, seconds: float) -> None:
    """The pool's rounds for ``seconds`` of node time; no job may ever be lost."""
    end = clock.now + seconds
    while clock.now < end:
        claimed = claim_negotiations(
            store, now=clock(), limit=4, budget=negotiator.budget, negotiator=negotiator
        )
        run_negotiation_jobs(store, negotiator, claimed, clock=clock)
        seen = states(store)
        assert seen["failed"] == seen["quarantined"] == 0, seen
        assert sum(seen.values()) == JOBS
        clock.now += ROUND


def test_an_outage_of_500s_refusals_and_hangs_loses_no_job_spends_no_budget_and_drains(
    tmp_path: Path, store: Store, provider: FakeProvider
) -> None:
    settings = load_settings(
        {
            "LLM_PROVIDER": "anthropic",
            "LLM_API_KEY": KEY,
            "LLM_MAX_CALLS_PER_HOUR": str(PER_HOUR),
            "LLM_MAX_CALLS_PER_DAY": "2000",
        },
        cwd=tmp_path,
    )
    clock = NodeClock()
    negotiator = build_negotiator(
        settings, base_url=provider.anthropic_url, timeout=0.3, clock=clock
    )
    assert negotiator.budget is not None
    enqueue_pairs(store, JOBS)

    provider.script(Script(status=500, body='{"error": {"type": "api_error"}}'))
    run_for(store, negotiator, clock, 300)
    probes_500 = len(provider.requests)
    # Five failures open the breaker; then one trial per PROBE_INTERVAL (30 s).
    assert probes_500 <= 5 + 300 / PROBE_INTERVAL + 1, probes_500
    assert probes_500 >= 300 / PROBE_INTERVAL - 1, probes_500

    provider.refuse()
    failures = negotiator.health()["failures"]
    run_for(store, negotiator, clock, 120)
    refused_probes = negotiator.health()["failures"] - failures
    assert 1 <= refused_probes <= 120 / PROBE_INTERVAL + 1, refused_probes

    provider.scripts.clear()
    provider.script(Script(text=answer_json(), delay=3.0))  # hangs past the 0.3 s timeout
    provider.resume()
    before = len(provider.requests)
    run_for(store, negotiator, clock, 120)
    assert 1 <= len(provider.requests) - before <= 120 / PROBE_INTERVAL + 1

    # Nine minutes of outage: every job still waiting, no attempt burnt, no call metered.
    assert states(store) == Counter({"pending": JOBS})
    attempts = store.read(lambda conn: conn.execute("SELECT MAX(attempts) FROM jobs").fetchone())
    assert attempts[0] == 0
    assert negotiator.budget.remaining()["hour"] == PER_HOUR

    provider.scripts.clear()
    provider.script(Script(text=answer_json()))
    recovered_at = clock.now
    while states(store)["done"] < JOBS:
        assert clock.now - recovered_at <= 180, f"not drained: {states(store)}"
        run_for(store, negotiator, clock, ROUND)
    assert states(store) == Counter({"done": JOBS})
    rows = store.read(
        lambda conn: conn.execute("SELECT success, metered FROM negotiations").fetchall()
    )
    assert [tuple(r) for r in rows] == [(1, 1)] * JOBS
    # Only the answered calls are metered.
    assert negotiator.budget.remaining()["hour"] == PER_HOUR - JOBS
    assert negotiator.health()["breaker"] == "closed"
