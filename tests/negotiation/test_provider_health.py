"""``llmProvider`` in ``/health`` follows what the provider on loopback does to our calls:
a refused key (401/403) makes it unhealthy with the reason, whatever the breaker says; a
spent call budget degrades it; the node as a whole is only degraded (the provider is
outside it). After the key is fixed and the node restarted, the waiting jobs run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mediator_actors.actors.health_reporter import HealthReporter
from mediator_actors.edge.health_app import HealthApp
from mediator_actors.edge.hub import EventHub
from mediator_actors.edge.server import EdgeServer, Limits
from mediator_actors.health.report import Resources, SnapshotBox
from mediator_actors.negotiation.jobs import claim_negotiation, run_negotiation_job
from mediator_actors.negotiation.providers import AnthropicProvider
from mediator_actors.negotiation.service import CallBudget, Negotiator
from mediator_actors.safety.secretscan import SecretScanner
from mediator_actors.stats import NodeStats
from mediator_actors.store import Store
from mediator_actors.wiring import ALL_MIGRATIONS
from supervisors import StatusBoard
from tests.edge.fakes import MemoryReadModel
from tests.negotiation.fakes import FakeProvider, Script, fake_provider
from tests.negotiation.helpers import answer_json, offer, seek
from tests.negotiation.test_jobs import QUEUE
from tests.waiting import wait_until

KEY = "sk-ant-api03-" + "h" * 40 + "-fakeAA"
CALM = Resources(5.0, 100.0, 1000.0, 1.0, 100.0, 50.0)
REFUSED = Script(status=401, body='{"error": {"type": "authentication_error"}}')


class Node:
    """The parts of a node that /health needs: store, reporter, box and the edge server."""

    def __init__(self, store: Store, negotiator: Negotiator) -> None:
        self.store = store
        self.stats = NodeStats(index_loaded=True, llm_offline=False)
        self.stats.llm_health = negotiator.health
        self.box = SnapshotBox()
        self.reporter = HealthReporter.start(
            None,
            box=self.box,
            board=StatusBoard(),
            store=store,
            stats=self.stats,
            readiness=lambda: (True, False, False),
            started_at=time.time(),
            events=EventHub(),
            sampler=lambda: CALM,
            interval=0.05,
        )
        self.server = EdgeServer(
            HealthApp(self.box, read_model=MemoryReadModel()),
            "127.0.0.1",
            0,
            limits=Limits(header_timeout_s=0.5, io_timeout_s=2.0),
        )
        self.server.start()

    def health(self) -> dict[str, Any]:
        host, port = self.server.address
        resp = requests.get(f"http://{host}:{port}/health", timeout=5)
        body: dict[str, Any] = resp.json()
        body["http"] = resp.status_code
        return body

    def wait_for_llm(self, status: str) -> dict[str, Any]:
        seen: dict[str, Any] = {}

        def reached() -> bool:
            seen.update(self.health())
            return bool(seen["components"]["llmProvider"]["status"] == status)

        wait_until(reached, timeout=10, what=f"llmProvider {status}")
        return seen

    def stop(self) -> None:
        self.server.stop(timeout=1)
        self.reporter.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)
    yield db
    db.close()


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with fake_provider() as fake:
        yield fake


def negotiator(server: FakeProvider, budget: CallBudget | None = None) -> Negotiator:
    return Negotiator(
        provider=AnthropicProvider(
            api_key=KEY, model_id="claude-sonnet-4-6", base_url=server.anthropic_url, timeout=2
        ),
        scanner=SecretScanner([KEY]),
        budget=budget,
    )


def enqueue(store: Store) -> None:
    from mediator_actors.store.intents import save_intent

    o, s = offer(), seek()

    def step(conn: Any) -> None:
        save_intent(conn, o, now=1.0)
        save_intent(conn, s, now=1.0)
        QUEUE.enqueue(conn, f"{o.ref}:{s.ref}", {"offer_ref": o.ref, "seek_ref": s.ref}, now=1.0)

    store.write(step)


def job_state(store: Store) -> tuple[str, int]:
    row = store.read(lambda conn: conn.execute("SELECT state, attempts FROM jobs").fetchone())
    return str(row[0]), int(row[1])


def test_a_refused_key_makes_llm_provider_unhealthy_and_the_fixed_key_drains_the_job(
    store: Store, provider: FakeProvider
) -> None:
    provider.script(REFUSED)
    enqueue(store)
    first = negotiator(provider)
    node = Node(store, first)
    try:
        assert node.wait_for_llm("healthy")["status"] == "healthy"
        now = time.time()
        claimed = claim_negotiation(store, now=now, negotiator=first)
        assert claimed is not None
        assert run_negotiation_job(store, first, claimed, clock=lambda: now) is None
        report = node.wait_for_llm("unhealthy")
        llm = report["components"]["llmProvider"]
        assert llm["detail"] == "the provider refuses our key"
        # The provider is outside the node: the node is degraded (200), not unhealthy.
        assert (report["status"], report["http"]) == ("degraded", 200)
        assert "llmProvider unhealthy: the provider refuses our key" in report["problems"]
        assert KEY not in str(report)
        assert job_state(store) == ("pending", 0)  # waits, no attempt spent
    finally:
        node.stop()
    # The operator fixes the key and restarts the node: a new negotiator, the same store.
    provider.scripts.clear()
    provider.script(Script(text=answer_json()))
    fixed = negotiator(provider)
    node = Node(store, fixed)
    try:
        assert node.wait_for_llm("healthy")["status"] == "healthy"
        later = time.time() + 301  # the refused-key wait is over
        claimed = claim_negotiation(store, now=later, negotiator=fixed)
        assert claimed is not None
        result = run_negotiation_job(store, fixed, claimed, clock=lambda: later)
        assert result is not None
        assert result.success
        assert job_state(store)[0] == "done"
        assert node.wait_for_llm("healthy")["components"]["llmProvider"]["detail"] == "provider"
    finally:
        node.stop()


def test_a_spent_call_budget_degrades_llm_provider_with_the_reason(
    store: Store, provider: FakeProvider
) -> None:
    provider.script(Script(text=answer_json()))
    enqueue(store)
    budget = CallBudget(per_hour=1, per_day=10)
    live = negotiator(provider, budget)
    node = Node(store, live)
    try:
        node.wait_for_llm("healthy")
        now = time.time()
        claimed = claim_negotiation(store, now=now, budget=budget, negotiator=live)
        assert claimed is not None
        assert run_negotiation_job(store, live, claimed, clock=lambda: now) is not None
        # The answered call spent the hour's only call: no refusal has happened yet, and
        # the budget is still reported spent.
        report = node.wait_for_llm("degraded")
        assert report["components"]["llmProvider"]["detail"] == "LLM call budget exhausted"
        assert report["status"] == "degraded"
        assert len(provider.requests) == 1
    finally:
        node.stop()
