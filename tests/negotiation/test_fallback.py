"""LLM_FALLBACK_PROVIDER: while the primary's breaker is open or its key is refused, the
fallback answers, through the real SDKs against fake providers on loopback; every result
names the model that produced it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mediator_actors.config import ConfigError, LLMProvider, load_settings
from mediator_actors.negotiation.providers import AnthropicProvider, OfflineProvider, OpenAIProvider
from mediator_actors.negotiation.service import Negotiator, build_negotiator
from mediator_actors.runtime.resilience import CircuitBreaker
from mediator_actors.safety.secretscan import SecretScanner
from tests.negotiation.fakes import FakeProvider, Script, fake_provider
from tests.negotiation.helpers import answer_json, offer, seek

PRIMARY_KEY = "sk-ant-api03-" + "p" * 40 + "-fakeAA"
FALLBACK_KEY = "sk-proj-" + "f" * 48


@pytest.fixture
def primary() -> Iterator[FakeProvider]:
    with fake_provider() as fake:
        yield fake


@pytest.fixture
def second() -> Iterator[FakeProvider]:
    with fake_provider() as fake:
        yield fake


def _pair(primary: FakeProvider, second: FakeProvider, breaker: CircuitBreaker) -> Negotiator:
    scanner = SecretScanner([PRIMARY_KEY, FALLBACK_KEY])
    fallback = Negotiator(
        provider=OpenAIProvider(
            api_key=FALLBACK_KEY, model_id="gpt-4o-mini", base_url=second.openai_url, timeout=2
        ),
        scanner=scanner,
    )
    return Negotiator(
        provider=AnthropicProvider(
            api_key=PRIMARY_KEY,
            model_id="claude-sonnet-4-6",
            base_url=primary.anthropic_url,
            timeout=2,
        ),
        scanner=scanner,
        breaker=breaker,
        fallback=fallback,
    )


def test_a_refused_key_hands_over_to_the_fallback_which_names_its_model(
    primary: FakeProvider, second: FakeProvider
) -> None:
    primary.script(Script(status=401, body='{"error": {"type": "authentication_error"}}'))
    second.script(Script(text=answer_json()))
    negotiator = _pair(primary, second, CircuitBreaker("llm:primary"))
    first = negotiator.negotiate(offer(), seek())
    assert first.success
    assert first.model_id == "gpt-4o-mini"
    again = negotiator.negotiate(offer(), seek())
    assert again.model_id == "gpt-4o-mini"
    assert len(primary.requests) == 1  # a refused key is not asked again
    assert len(second.requests) == 2
    assert negotiator.health()["problem"] == "the provider refuses our key"


def test_an_open_breaker_uses_the_fallback_and_no_request_reaches_the_primary(
    primary: FakeProvider, second: FakeProvider
) -> None:
    primary.script(Script(status=500, body="{}"))
    second.script(Script(text=answer_json()))
    negotiator = _pair(primary, second, CircuitBreaker("llm:primary", failure_threshold=1))
    with pytest.raises(Exception, match="500"):
        negotiator.negotiate(offer(), seek())  # one outage answer opens the breaker
    assert negotiator.wait_before_call() is None  # the fallback can take calls
    result = negotiator.negotiate(offer(), seek())
    assert (result.success, result.model_id) == (True, "gpt-4o-mini")
    assert len(primary.requests) == 1


def test_the_offline_negotiator_can_be_the_fallback(primary: FakeProvider) -> None:
    primary.script(Script(status=403, body="{}"))
    negotiator = Negotiator(
        provider=AnthropicProvider(
            api_key=PRIMARY_KEY, model_id="claude-sonnet-4-6", base_url=primary.anthropic_url
        ),
        scanner=SecretScanner([PRIMARY_KEY]),
        fallback=Negotiator(provider=OfflineProvider(similarity=None), scanner=SecretScanner([])),
    )
    result = negotiator.negotiate(offer(), seek())
    assert result.model_id == "offline-negotiator/1"
    assert result.success


def test_the_fallback_is_configured_with_its_own_key(tmp_path: Path) -> None:
    env = {
        "LLM_PROVIDER": "anthropic",
        "LLM_API_KEY": PRIMARY_KEY,
        "LLM_FALLBACK_PROVIDER": "openai",
        "LLM_FALLBACK_API_KEY": FALLBACK_KEY,
    }
    settings = load_settings(env, cwd=tmp_path)
    assert settings.llm_fallback_provider is LLMProvider.OPENAI
    assert settings.llm_fallback_model == "gpt-4o-mini"
    assert FALLBACK_KEY in settings.secrets()
    negotiator = build_negotiator(settings)
    assert negotiator.fallback is not None
    assert negotiator.fallback.provider.model_id == "gpt-4o-mini"
    assert negotiator.fallback.budget is negotiator.budget  # one spending cap for both
    with pytest.raises(
        ConfigError, match="LLM_FALLBACK_PROVIDER=openai needs LLM_FALLBACK_API_KEY"
    ):
        load_settings({**env, "LLM_FALLBACK_API_KEY": ""}, cwd=tmp_path)
    offline = load_settings({**env, "LLM_FALLBACK_PROVIDER": "offline"}, cwd=tmp_path)
    assert offline.llm_fallback_model == "offline-negotiator/1"
