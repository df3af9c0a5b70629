"""The providers drive the real Anthropic and OpenAI SDKs against a loopback fake, send
JSON-schema output settings, and map every failure to a ProviderError that says whether
a retry can help."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from mediator_actors.negotiation.providers import (
    AnthropicProvider,
    OfflineProvider,
    OpenAIProvider,
    ProviderError,
    Usage,
    UsageLedger,
    anthropic_schema,
    cost_usd,
    wire_schema,
)
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


def _provider(
    kind: str, server: FakeProvider, timeout: float = 5.0
) -> AnthropicProvider | OpenAIProvider:
    if kind == "anthropic":
        return AnthropicProvider(
            api_key=KEY,
            model_id="claude-sonnet-4-6",
            base_url=server.anthropic_url,
            timeout=timeout,
        )
    return OpenAIProvider(
        api_key=KEY, model_id="gpt-4o-mini", base_url=server.openai_url, timeout=timeout
    )


@pytest.mark.parametrize("kind", ["anthropic", "openai"])
def test_a_valid_reply_comes_back_as_text_with_its_token_usage(
    kind: str, server: FakeProvider
) -> None:
    server.script(Script(text=answer_json()))
    reply = _provider(kind, server).complete(_Prompt(), offer(), seek(), timeout=5)  # type: ignore[arg-type]
    assert json.loads(reply.text)["confidence"] == 82
    assert reply.usage == Usage(1200, 150)


def test_anthropic_requests_carry_the_json_schema_output_config(server: FakeProvider) -> None:
    server.script(Script(text=answer_json()))
    _provider("anthropic", server).complete(_Prompt(), offer(), seek(), timeout=5)  # type: ignore[arg-type]
    request = server.requests[-1]
    assert request["path"] == "/v1/messages"
    assert request["body"]["output_config"] == {
        "format": {"type": "json_schema", "schema": anthropic_schema()}
    }
    assert request["body"]["system"] == "system rules"
    headers = request["headers"]
    assert KEY in (headers.get("HTTP_X_API_KEY", "") + headers.get("HTTP_AUTHORIZATION", ""))
    assert headers["HTTP_X_STAINLESS_TIMEOUT"] == "5"  # the explicit timeout reached the wire
    assert headers["HTTP_X_STAINLESS_RETRY_COUNT"] == "0"


def test_openai_requests_carry_a_strict_json_schema_response_format(server: FakeProvider) -> None:
    server.script(Script(text=answer_json()))
    _provider("openai", server).complete(_Prompt(), offer(), seek(), timeout=5)  # type: ignore[arg-type]
    body = server.requests[-1]["body"]
    assert server.requests[-1]["path"] == "/v1/chat/completions"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


@pytest.mark.parametrize("kind", ["anthropic", "openai"])
@pytest.mark.parametrize(
    ("script", "transient", "retry_after", "status"),
    [
        (
            Script(status=500, body='{"error": {"type": "api_error", "message": "boom"}}'),
            True,
            None,
            500,
        ),
        (
            Script(
                status=429,
                body='{"error": {"type": "rate_limit_error"}}',
                headers={"Retry-After": "7"},
            ),
            True,
            7.0,
            429,
        ),
        (Script(status=401, body='{"error": {"type": "authentication_error"}}'), False, None, 401),
        (Script(status=400, body='{"error": {"type": "invalid_request_error"}}'), False, None, 400),
    ],
)
def test_http_failures_map_to_errors_that_say_whether_to_retry(
    kind: str,
    script: Script,
    transient: bool,
    retry_after: float | None,
    status: int,
    server: FakeProvider,
) -> None:
    server.script(script)
    with pytest.raises(ProviderError) as caught:
        _provider(kind, server).complete(_Prompt(), offer(), seek(), timeout=5)  # type: ignore[arg-type]
    assert (caught.value.transient, caught.value.retry_after, caught.value.status) == (
        transient,
        retry_after,
        status,
    )
    assert len(server.requests) == 1  # max_retries=0: the SDK never sleeps on Retry-After
    assert KEY not in str(caught.value)


@pytest.mark.parametrize("kind", ["anthropic", "openai"])
def test_a_slow_provider_times_out_as_a_transient_error(kind: str, server: FakeProvider) -> None:
    server.script(Script(text=answer_json(), delay=5))
    with pytest.raises(ProviderError, match="timed out") as caught:
        _provider(kind, server, timeout=0.3).complete(_Prompt(), offer(), seek(), timeout=0.3)  # type: ignore[arg-type]
    assert caught.value.transient


def test_the_offline_provider_answers_from_the_intents_without_a_network() -> None:
    reply = OfflineProvider().complete(_Prompt(), offer(), seek(), timeout=1)  # type: ignore[arg-type]
    assert json.loads(reply.text)["compatible"] is True
    assert reply.usage == Usage()


def test_tokens_and_cost_are_accounted_per_model() -> None:
    ledger = UsageLedger()
    ledger.record("claude-sonnet-4-5", Usage(1_000_000, 100_000))
    ledger.record("claude-sonnet-4-5", Usage(0, 0))
    ledger.record("mystery-model", Usage(10, 10))
    snapshot = ledger.snapshot()
    assert snapshot["claude-sonnet-4-5"] == {
        "calls": 2,
        "input_tokens": 1_000_000,
        "output_tokens": 100_000,
        "cost_usd": 4.5,
    }
    assert snapshot["mystery-model"]["cost_usd"] is None
    assert cost_usd("gpt-4o-mini", Usage(1_000_000, 0)) == pytest.approx(0.15)


def test_the_wire_schema_keeps_the_shape_but_drops_bounds_the_node_enforces_itself() -> None:
    schema = wire_schema()
    assert schema["additionalProperties"] is False
    assert "maximum" not in json.dumps(schema)
    terms = schema["properties"]["terms"]["anyOf"]
    assert terms[1] == {"type": "null"}
    assert terms[0]["additionalProperties"] is False
    claude = anthropic_schema()
    assert claude["properties"]["confidence"]["type"] == "integer"
    assert "maximum: 100" in claude["properties"]["confidence"]["description"]
    assert set(schema["required"]) == {
        "compatible",
        "confidence",
        "reasoning",
        "terms",
        "refusal_reason",
    }


@pytest.mark.parametrize("kind", ["anthropic", "openai"])
def test_a_dripping_body_is_cut_off_by_the_total_deadline(kind: str, server: FakeProvider) -> None:
    # One byte every 0.1 s never trips a 0.3 s read timeout; the total deadline does.
    server.script(Script(text=answer_json(), drip=0.1))
    started = time.monotonic()
    with pytest.raises(ProviderError, match="no complete answer within") as caught:
        _provider(kind, server, timeout=0.3).complete(_Prompt(), offer(), seek(), timeout=0.3)  # type: ignore[arg-type]
    assert caught.value.transient
    assert time.monotonic() - started < 2


def test_a_huge_retry_after_is_believed_only_up_to_an_hour(server: FakeProvider) -> None:
    server.script(Script(status=429, body="{}", headers={"Retry-After": "99999999"}))
    with pytest.raises(ProviderError) as caught:
        _provider("openai", server).complete(_Prompt(), offer(), seek(), timeout=5)  # type: ignore[arg-type]
    assert caught.value.retry_after == 3600


@pytest.mark.parametrize("kind", ["anthropic", "openai"])
def test_a_provider_that_is_down_is_a_transient_connection_error(kind: str) -> None:
    with fake_provider() as server:
        down = _provider(kind, server)
    with pytest.raises(ProviderError, match="connection failed") as caught:
        down.complete(_Prompt(), offer(), seek(), timeout=2)  # type: ignore[arg-type]
    assert caught.value.transient
