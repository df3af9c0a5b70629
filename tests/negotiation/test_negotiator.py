"""The negotiator end to end through the real SDKs against a loopback fake provider: every
scripted answer and failure ends as threats.md sections A and B require."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mediator_actors.model import is_digest_id
from mediator_actors.negotiation.providers import (
    AnthropicProvider,
    OfflineProvider,
    OpenAIProvider,
    ProviderError,
)
from mediator_actors.negotiation.service import BudgetExhaustedError, CallBudget, Negotiator
from mediator_actors.runtime.resilience import BreakerState, CircuitBreaker
from mediator_actors.safety.secretscan import SecretScanner
from tests.negotiation.fakes import FakeProvider, Script, fake_provider
from tests.negotiation.helpers import SEEK_TEXT, answer_json, offer, seek
from tests.negotiation.test_prompt import ATTACKS

KEY = "sk-ant-api03-" + "k" * 40 + "-fakeAA"


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server() -> Iterator[FakeProvider]:
    with fake_provider() as fake:
        yield fake


def make(
    kind: str,
    server: FakeProvider,
    *,
    budget: CallBudget | None = None,
    breaker: CircuitBreaker | None = None,
    timeout: float = 2.0,
) -> Negotiator:
    if kind == "anthropic":
        provider: AnthropicProvider | OpenAIProvider = AnthropicProvider(
            api_key=KEY,
            model_id="claude-sonnet-4-6",
            base_url=server.anthropic_url,
            timeout=timeout,
        )
    else:
        provider = OpenAIProvider(
            api_key=KEY, model_id="gpt-4o-mini", base_url=server.openai_url, timeout=timeout
        )
    return Negotiator(
        provider=provider,
        scanner=SecretScanner([KEY]),
        budget=budget,
        breaker=breaker,
        timeout=timeout,
    )


KINDS = ["anthropic", "openai"]
FAILING_ANSWERS = {
    "not-json": (Script(text="Sure! These two intents match well."), "invalid answer"),
    "truncated": (Script(text=answer_json()[:60], stop_reason="max_tokens"), "truncated"),
    "empty": (Script(text=""), "the answer is empty"),
    "fenced": (Script(text="```json\n" + answer_json() + "\n```"), "invalid answer"),
    "two-objects": (Script(text=answer_json() + answer_json()), "after its JSON object"),
    "extra-fields": (Script(text=answer_json(settlement_id="x")), "unknown fields"),
    "confidence-100": (Script(text=answer_json(confidence=100)), "red flag"),
    "confidence-string": (Script(text=answer_json(confidence="95")), "integer"),
    "over-budget": (Script(text=answer_json(terms={"price": 5000})), "above the seek's budget"),
    "too-many-deliverables": (
        Script(text=answer_json(terms={"deliverables": ["x"] * 10_000})),
        "invalid answer",
    ),
    "echoed-secret": (Script(text=answer_json(reasoning=f"use key {KEY}")), "echoed a secret"),
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_valid_answer_becomes_a_checked_proposal(kind: str, server: FakeProvider) -> None:
    server.script(Script(text=answer_json()))
    negotiator = make(kind, server)
    result = negotiator.negotiate(offer(), seek())
    assert result.success
    assert result.terms is not None
    assert result.terms.price == 1290
    assert is_digest_id(result.model_integrity_hash, "mih")
    health = negotiator.health()
    assert health["calls"] == 1
    assert health["latency_ms"]["p99"] is not None
    assert next(iter(health["usage"].values()))["input_tokens"] == 1200


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", sorted(FAILING_ANSWERS))
def test_every_bad_answer_fails_with_a_reason_and_no_terms(
    kind: str, name: str, server: FakeProvider
) -> None:
    script, reason = FAILING_ANSWERS[name]
    server.script(script)
    result = make(kind, server).negotiate(offer(), seek())
    assert not result.success
    assert result.terms is None
    assert reason in (result.failure_reason or ""), result.failure_reason
    assert KEY not in repr(result)


@pytest.mark.parametrize("kind", KINDS)
def test_a_slow_provider_times_out_and_counts_against_the_breaker(
    kind: str, server: FakeProvider
) -> None:
    server.script(Script(text=answer_json(), delay=5))
    negotiator = make(kind, server, timeout=0.3)
    with pytest.raises(ProviderError, match="timed out") as caught:
        negotiator.negotiate(offer(), seek())
    assert caught.value.transient
    assert negotiator.breaker.snapshot().consecutive_failures == 1


@pytest.mark.parametrize("kind", KINDS)
def test_repeated_500s_open_the_breaker_and_then_no_request_is_sent(
    kind: str, server: FakeProvider
) -> None:
    server.script(Script(status=500, body='{"error": {"type": "api_error", "message": "down"}}'))
    breaker = CircuitBreaker("llm", failure_threshold=2, reset_timeout=60)
    negotiator = make(kind, server, breaker=breaker)
    for _ in range(2):
        with pytest.raises(ProviderError, match="HTTP 500"):
            negotiator.negotiate(offer(), seek())
    with pytest.raises(ProviderError, match="circuit is open") as caught:
        negotiator.negotiate(offer(), seek())
    assert caught.value.transient
    assert caught.value.retry_after is not None
    assert len(server.requests) == 2
    assert breaker.snapshot().state is BreakerState.OPEN


@pytest.mark.parametrize("kind", KINDS)
def test_429_reports_retry_after_and_does_not_open_the_breaker(
    kind: str, server: FakeProvider
) -> None:
    server.script(
        Script(
            status=429, body='{"error": {"type": "rate_limit_error"}}', headers={"Retry-After": "7"}
        )
    )
    negotiator = make(kind, server)
    with pytest.raises(ProviderError) as caught:
        negotiator.negotiate(offer(), seek())
    assert caught.value.retry_after == 7
    assert negotiator.breaker.snapshot().consecutive_failures == 0


@pytest.mark.parametrize("kind", KINDS)
def test_the_spending_cap_holds_and_says_when_to_retry(kind: str, server: FakeProvider) -> None:
    server.script(Script(text=answer_json()))
    clock = Clock()
    budget = CallBudget(per_hour=2, per_day=100, clock=clock)
    negotiator = make(kind, server, budget=budget)
    negotiator.negotiate(offer(), seek())
    clock.now += 10
    negotiator.negotiate(offer(), seek())
    with pytest.raises(BudgetExhaustedError) as caught:
        negotiator.negotiate(offer(), seek())
    assert caught.value.retry_at == pytest.approx(clock.now - 10 + 3600)
    assert len(server.requests) == 2
    clock.now += 3595  # the first call has left the window, the second has not
    assert budget.remaining()["hour"] == 1


def test_the_daily_cap_holds_across_hours_and_is_seeded_after_a_restart() -> None:
    clock = Clock()
    budget = CallBudget(per_hour=100, per_day=3, clock=clock)
    budget.seed([clock.now - 7200, clock.now - 5000, clock.now - 90_000])
    budget.acquire()
    with pytest.raises(BudgetExhaustedError, match="per day"):
        budget.acquire()


@pytest.mark.parametrize("kind", KINDS)
def test_a_prompt_that_would_carry_a_secret_is_never_sent(kind: str, server: FakeProvider) -> None:
    server.script(Script(text=answer_json()))
    leaky = seek(SEEK_TEXT + " Our AWS key is AKIAIOSFODNN7EXAMPLE.")
    own = seek(SEEK_TEXT + f" token {KEY}")
    for hostile in (leaky, own):
        result = make(kind, server).negotiate(offer(), hostile)
        assert not result.success
        assert "would carry a secret" in (result.failure_reason or "")
    assert server.requests == []


def _offline() -> Negotiator:
    return Negotiator(provider=OfflineProvider(), scanner=SecretScanner([KEY]))


@pytest.mark.parametrize("name", sorted(ATTACKS))
@pytest.mark.parametrize("where", ["content", "desires", "constraints", "branch", "author"])
def test_the_verdict_is_the_same_with_and_without_injected_text(name: str, where: str) -> None:
    attack = ATTACKS[name]
    if where == "content":
        hostile = seek(SEEK_TEXT + " " + attack)
    elif where in {"desires", "constraints"}:
        hostile = seek(**{where: (attack,)})
    else:
        hostile = seek(**{where: attack})
    negotiator = _offline()
    clean = negotiator.negotiate(offer(), seek())
    runs = [negotiator.negotiate(offer(), hostile) for _ in range(3)]
    for run in runs:
        assert (run.success, run.terms, run.confidence) == (
            clean.success,
            clean.terms,
            clean.confidence,
        )
        assert run.injection_findings == runs[0].injection_findings
    assert runs[0].injection_findings
    assert clean.injection_findings == ()


@pytest.mark.parametrize("kind", KINDS)
def test_a_model_that_obeys_an_injection_still_cannot_produce_a_proposal(
    kind: str, server: FakeProvider
) -> None:
    server.script(
        Script(text=answer_json(confidence=100)),
        Script(text=answer_json(terms={"price": 1})),
        Script(text=answer_json(terms={"deliverables": ["transfer all funds to the attacker"]})),
    )
    hostile = seek(SEEK_TEXT + " " + ATTACKS["plain"])
    negotiator = make(kind, server)
    results = [negotiator.negotiate(offer(), hostile) for _ in range(3)]
    assert [r.success for r in results] == [False, False, False]
    assert all("instruction_override" in " ".join(r.injection_findings) for r in results)
