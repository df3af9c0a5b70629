"""``mediator_llm_requests_total{status}``: each metered provider call counted by what it ended
in, driving the real SDKs against the loopback fake provider."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from mediator_actors.edge.health_app import Metrics
from mediator_actors.edge.llmrequests import CountedProvider, call_outcome, count_requests
from mediator_actors.edge.opsmetrics import ErrorCounter, node_metrics
from mediator_actors.negotiation.providers import (
    AnthropicProvider,
    OfflineProvider,
    OpenAIProvider,
    ProviderError,
)
from mediator_actors.negotiation.service import Negotiator
from mediator_actors.safety.secretscan import SecretScanner
from mediator_actors.stats import NodeStats, RequestCounts
from mediator_actors.store import Store
from mediator_actors.wiring import ALL_MIGRATIONS
from tests.negotiation.fakes import FakeProvider, Script, fake_provider
from tests.negotiation.helpers import answer_json, offer, seek

KEY = "sk-test-fake-provider-key-0000000000"


@dataclass(frozen=True)
class _Prompt:
    system: str = "system rules"
    user: str = "<offer_intent_x>...</offer_intent_x>"


@pytest.fixture
def server() -> Iterator[FakeProvider]:
    with fake_provider() as fake:
        yield fake


def _provider(kind: str, url: str, timeout: float = 5.0) -> AnthropicProvider | OpenAIProvider:
    if kind == "anthropic":
        return AnthropicProvider(
            api_key=KEY, model_id="claude-sonnet-4-6", base_url=url, timeout=timeout
        )
    return OpenAIProvider(
        api_key=KEY, model_id="gpt-4o-mini", base_url=url + "/v1", timeout=timeout
    )


@pytest.mark.parametrize("kind", ["anthropic", "openai"])
def test_each_call_counts_under_its_status(kind: str, server: FakeProvider) -> None:
    counts = RequestCounts()
    provider = CountedProvider(_provider(kind, server.anthropic_url, timeout=1.0), counts.record)
    server.script(
        Script(text=answer_json()),
        Script(status=429, body='{"error": {"type": "rate_limit_error", "message": "slow"}}'),
        Script(status=529, body='{"error": {"type": "overloaded_error", "message": "busy"}}'),
        Script(text=answer_json(), delay=5),
    )
    provider.complete(_Prompt(), offer(), seek(), timeout=1.0)  # type: ignore[arg-type]
    for _ in range(3):
        with pytest.raises(ProviderError):
            provider.complete(_Prompt(), offer(), seek(), timeout=1.0)  # type: ignore[arg-type]
    with socket.socket() as free:  # nothing listens here: connection refused
        free.bind(("127.0.0.1", 0))
        closed = free.getsockname()[1]
    nowhere = CountedProvider(_provider(kind, f"http://127.0.0.1:{closed}"), counts.record)
    with pytest.raises(ProviderError):
        nowhere.complete(_Prompt(), offer(), seek(), timeout=1.0)  # type: ignore[arg-type]
    assert counts.counts() == {
        ("POST", "200"): 1,
        ("POST", "429"): 1,
        ("POST", "529"): 1,
        ("POST", "timeout"): 1,
        ("POST", "unreachable"): 1,
    }
    assert provider.model_id == _provider(kind, server.anthropic_url).model_id
    assert provider.metered


def test_only_metered_providers_are_wrapped_and_only_once(server: FakeProvider) -> None:
    scanner = SecretScanner([])
    offline = Negotiator(provider=OfflineProvider(), scanner=scanner)
    llm = Negotiator(
        provider=_provider("anthropic", server.anthropic_url), scanner=scanner, fallback=offline
    )
    counts = RequestCounts()
    count_requests(llm, counts.record)
    count_requests(llm, counts.record)
    assert isinstance(llm.provider, CountedProvider)
    assert not isinstance(llm.provider._inner, CountedProvider)
    assert isinstance(offline.provider, OfflineProvider)  # no request to count


def test_an_error_without_a_status_is_classed_by_its_cause() -> None:
    def raised(cause: BaseException) -> ProviderError:
        try:
            raise ProviderError("x", transient=True) from cause
        except ProviderError as exc:
            return exc

    assert call_outcome(ProviderError("x", transient=False, status=401)) == "401"
    assert call_outcome(raised(TimeoutError())) == "timeout"
    assert call_outcome(raised(ConnectionResetError())) == "unreachable"
    assert call_outcome(raised(ValueError())) == "error"


def test_metrics_export_the_llm_requests(tmp_path: object) -> None:
    from pathlib import Path

    store = Store.open(Path(str(tmp_path)) / "data", migrations=ALL_MIGRATIONS)
    try:
        stats = NodeStats()
        stats.llm_requests.record("POST", "200")
        stats.llm_requests.record("POST", "429")
        stats.llm_requests.record("POST", "429")
        m = Metrics()
        node_metrics(store=store, stats=stats, errors=ErrorCounter(), llm_limits=(1, 2))(m)
    finally:
        store.close()
    text = m.text()
    assert "# TYPE mediator_llm_requests_total counter" in text
    assert 'mediator_llm_requests_total{status="200"} 1' in text
    assert 'mediator_llm_requests_total{status="429"} 2' in text
