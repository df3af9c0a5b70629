"""LLM providers behind one small interface: Anthropic (Messages API, JSON-schema output),
OpenAI (Chat Completions, JSON-schema output) and the offline negotiator.

:meth:`Provider.complete` **blocks** for one network round trip (up to ``timeout``
seconds). Under ``gevent.monkey.patch_all()`` the ``anthropic`` and ``openai`` clients use
patched sockets and cooperate (field notes: ten concurrent 1-second calls took 1.1 s), so
an actor greenlet may call it directly; nothing else freezes meanwhile.

Retries: the SDKs are built with ``max_retries`` bounded (default 0) because the SDKs
honour ``Retry-After`` by *sleeping* in the caller for as long as the server asks. The
node retries at the job level instead, durably, with back-off and the circuit breaker.
Every SDK error is mapped to a :class:`ProviderError` that says whether a retry can help.
"""

from __future__ import annotations

import abc
import copy
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import gevent

from mediator_actors.config import LLMProvider, Settings
from mediator_actors.errors import LLMError
from mediator_actors.model import Intent
from mediator_actors.negotiation.meaning import PhraseSimilarity, shared_similarity
from mediator_actors.negotiation.offline import OFFLINE_MODEL_ID, BatchReader, assess, prepare
from mediator_actors.negotiation.validation import ANSWER_SCHEMA, Answer

if TYPE_CHECKING:
    from mediator_actors.negotiation.prompt import Prompt

__all__ = [
    "AnthropicProvider",
    "OfflineProvider",
    "OpenAIProvider",
    "Provider",
    "ProviderError",
    "ProviderReply",
    "Usage",
    "UsageLedger",
    "anthropic_schema",
    "build_provider",
    "cost_usd",
    "wire_schema",
]

MAX_OUTPUT_TOKENS = 1024

#: Approximate list prices in USD per million tokens (input, output), for the spending
#: report only; a model missing here is counted in tokens with an unknown cost.
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "claude-sonnet-4-5": (3.0, 15.0),
    "claude-haiku-4-5": (1.0, 5.0),
    "claude-opus-4-5": (5.0, 25.0),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.0),
    "gpt-4.1-mini": (0.40, 1.60),
    OFFLINE_MODEL_ID: (0.0, 0.0),
}


class ProviderError(LLMError):
    """A provider call failed. ``transient``: a later retry may succeed; ``retry_after``:
    what the provider asked for (seconds), if anything; ``status``: HTTP status if any."""

    def __init__(
        self,
        message: str,
        *,
        transient: bool,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after
        self.status = status


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True, slots=True)
class ProviderReply:
    """The raw text of the model's answer (still untrusted) and what it cost."""

    text: str
    model_id: str
    usage: Usage = Usage()
    stop_reason: str | None = None


class Provider(Protocol):
    model_id: str
    #: True when a call spends the LLM budget (not the offline negotiator).
    metered: bool

    def complete(
        self, prompt: Prompt, offer: Intent, seek: Intent, *, timeout: float
    ) -> ProviderReply:
        """One answer for ``prompt``; blocks up to ``timeout`` s; raises ProviderError."""
        ...


def cost_usd(model_id: str, usage: Usage) -> float | None:
    prices = PRICES_PER_MTOK.get(model_id)
    if prices is None:
        return None
    return (usage.input_tokens * prices[0] + usage.output_tokens * prices[1]) / 1e6


@dataclass
class _ModelTotals:
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0


@dataclass
class UsageLedger:
    """Tokens and cost per model since start (the durable record is the negotiations table)."""

    totals: dict[str, _ModelTotals] = field(default_factory=dict)

    def record(self, model_id: str, usage: Usage) -> None:
        totals = self.totals.setdefault(model_id, _ModelTotals())
        totals.calls += 1
        totals.input_tokens += usage.input_tokens
        totals.output_tokens += usage.output_tokens
        cost = cost_usd(model_id, usage)
        totals.cost_usd = (
            None if cost is None or totals.cost_usd is None else totals.cost_usd + cost
        )

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {
            model: {
                "calls": t.calls,
                "input_tokens": t.input_tokens,
                "output_tokens": t.output_tokens,
                "cost_usd": None if t.cost_usd is None else round(t.cost_usd, 6),
            }
            for model, t in sorted(self.totals.items())
        }


_CONSTRAINT_KEYWORDS = {"minimum", "maximum", "maxLength", "minLength", "maxItems", "minItems"}


def anthropic_schema() -> dict[str, Any]:
    """:data:`ANSWER_SCHEMA` as the SDK's own ``transform_schema`` shapes it for Claude
    (unsupported bounds move into descriptions, strings get ``format: text``)."""
    import anthropic

    return anthropic.transform_schema(copy.deepcopy(ANSWER_SCHEMA))


def wire_schema() -> dict[str, Any]:
    """:data:`ANSWER_SCHEMA` without numeric/length bounds, for OpenAI's strict mode,
    which does not accept them all; the node enforces the bounds itself on every answer."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in _CONSTRAINT_KEYWORDS}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(copy.deepcopy(ANSWER_SCHEMA))  # type: ignore[no-any-return]


#: A provider asking to wait longer than this is believed only up to this.
MAX_RETRY_AFTER = 3600.0
#: The whole call (connect, send, every read) must end within this multiple of the timeout.
TOTAL_DEADLINE_FACTOR = 1.5


class _DeadlineExceededError(Exception):
    """Raised into the calling greenlet when a call outlives its total deadline."""


@contextmanager
def _total_deadline(seconds: float) -> Iterator[None]:
    """Bound the *whole* call. httpx's timeout bounds each connect/read/write: a server that
    drips a byte at a time never trips it. ``gevent.Timeout`` is given an Exception
    instance, so expiry raises that (never the BaseException ``gevent.Timeout``, which
    would stop every actor); the SDKs wrap it as a connection error, mapped back below."""
    timer = gevent.Timeout(
        seconds, _DeadlineExceededError(f"no complete answer within {seconds:g}s")
    )
    timer.start()
    try:
        yield
    finally:
        timer.close()


def _retry_after(headers: Any) -> float | None:
    try:
        value = headers.get("retry-after") if headers is not None else None
        return min(MAX_RETRY_AFTER, max(0.0, float(value))) if value is not None else None
    except (TypeError, ValueError):
        return None


def _map_error(exc: Exception, name: str) -> ProviderError:
    """One mapping for both SDKs (they share the same exception shapes). Only SDKs already
    imported are consulted: an SDK's exception implies its SDK is loaded."""
    sdks = [sys.modules[name] for name in ("anthropic", "openai") if name in sys.modules]
    timeout_types = tuple(sdk.APITimeoutError for sdk in sdks)
    connection_types = tuple(sdk.APIConnectionError for sdk in sdks)
    status_types = tuple(sdk.APIStatusError for sdk in sdks)
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, _DeadlineExceededError):
            return ProviderError(f"{name}: the call timed out ({cause})", transient=True)
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, timeout_types):
        return ProviderError(f"{name}: the call timed out", transient=True)
    if isinstance(exc, connection_types):
        return ProviderError(f"{name}: connection failed ({type(exc).__name__})", transient=True)
    if isinstance(exc, status_types):
        status = exc.status_code
        retry_after = _retry_after(getattr(exc.response, "headers", None))
        transient = status in {408, 409, 429} or status >= 500
        return ProviderError(
            f"{name}: HTTP {status}", transient=transient, retry_after=retry_after, status=status
        )
    return ProviderError(f"{name}: unexpected {type(exc).__name__}", transient=True)


class _SdkProvider(abc.ABC):
    """What both SDK providers share: the client's settings, and the negotiation call as
    one :meth:`complete_json` in the provider's own schema dialect."""

    metered = True
    sends_prompt = True

    def __init__(
        self,
        *,
        api_key: str,
        model_id: str,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 0,
    ) -> None:
        self.model_id = model_id
        self._client = self._make_client(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max(0, min(max_retries, 3)),
        )

    @abc.abstractmethod
    def _make_client(self, **settings: Any) -> Any:
        """The SDK's client, imported only now."""

    @abc.abstractmethod
    def _answer_schema(self) -> dict[str, Any]:
        """The negotiation answer's schema in this SDK's dialect."""

    def complete(
        self, prompt: Prompt, offer: Intent, seek: Intent, *, timeout: float
    ) -> ProviderReply:
        return self.complete_json(
            system=prompt.system,
            user=prompt.user,
            name="negotiation_answer",
            schema=self._answer_schema(),
            timeout=timeout,
        )

    @abc.abstractmethod
    def complete_json(
        self, *, system: str, user: str, name: str, schema: dict[str, Any], timeout: float
    ) -> ProviderReply:
        """One answer in a JSON ``schema``: the negotiation's (:meth:`complete`) or the
        dispute clarification's, through one client, deadline and error mapping."""


class AnthropicProvider(_SdkProvider):
    """Claude through the Messages API with ``output_config`` JSON-schema output."""

    def _make_client(self, **settings: Any) -> Any:
        import anthropic  # only once this provider is configured: 1.5 s of imports

        return anthropic.Anthropic(**settings)

    def _answer_schema(self) -> dict[str, Any]:
        return anthropic_schema()

    def complete_json(
        self, *, system: str, user: str, name: str, schema: dict[str, Any], timeout: float
    ) -> ProviderReply:
        import anthropic

        try:
            with _total_deadline(timeout * TOTAL_DEADLINE_FACTOR):
                message = self._client.messages.create(
                    model=self.model_id,
                    max_tokens=MAX_OUTPUT_TOKENS,
                    system=system,
                    messages=[{"role": "user", "content": user}],
                    output_config={"format": {"type": "json_schema", "schema": schema}},
                    timeout=timeout,
                )
        except (anthropic.AnthropicError, _DeadlineExceededError) as exc:
            raise _map_error(exc, "anthropic") from exc
        text = "".join(
            getattr(block, "text", "") for block in message.content if block.type == "text"
        )
        usage = Usage(message.usage.input_tokens or 0, message.usage.output_tokens or 0)
        return ProviderReply(
            text=text, model_id=self.model_id, usage=usage, stop_reason=message.stop_reason
        )


class OpenAIProvider(_SdkProvider):
    """OpenAI Chat Completions with ``response_format`` JSON-schema (strict) output."""

    def _make_client(self, **settings: Any) -> Any:
        import openai  # only once this provider is configured: 0.6 s of imports

        return openai.OpenAI(**settings)

    def _answer_schema(self) -> dict[str, Any]:
        return wire_schema()

    def complete_json(
        self, *, system: str, user: str, name: str, schema: dict[str, Any], timeout: float
    ) -> ProviderReply:
        import openai

        try:
            with _total_deadline(timeout * TOTAL_DEADLINE_FACTOR):
                completion = self._client.chat.completions.create(
                    model=self.model_id,
                    messages=[
                        {"role": "system", "content": system},
                        {"role": "user", "content": user},
                    ],
                    response_format={
                        "type": "json_schema",
                        "json_schema": {"name": name, "strict": True, "schema": schema},
                    },
                    max_completion_tokens=MAX_OUTPUT_TOKENS,
                    timeout=timeout,
                )
        except (openai.OpenAIError, _DeadlineExceededError) as exc:
            raise _map_error(exc, "openai") from exc
        if not completion.choices:
            raise ProviderError("openai: the answer has no choices", transient=True)
        choice = completion.choices[0]
        refusal = getattr(choice.message, "refusal", None)
        text = choice.message.content or ""
        if refusal and not text:
            text = json.dumps({"refused": str(refusal)[:200]})  # fails validation, with a reason
        usage = Usage(
            completion.usage.prompt_tokens if completion.usage else 0,
            completion.usage.completion_tokens if completion.usage else 0,
        )
        return ProviderReply(
            text=text,
            model_id=self.model_id,
            usage=usage,
            stop_reason=choice.finish_reason,
        )


class OfflineProvider:
    """The deterministic offline negotiator as a provider: it reads the intents, not the
    prompt, so no chain text can instruct it. Unmetered; pure CPU (about a millisecond)."""

    metered = False
    #: it reads the intents; the prompt never leaves the process (no scan needed)
    sends_prompt = False

    def __init__(
        self,
        *,
        model_id: str = OFFLINE_MODEL_ID,
        similarity: PhraseSimilarity | Literal["shared"] | None = "shared",
        reader: BatchReader | Literal["shared"] | None = "shared",
    ) -> None:
        self.model_id = model_id
        # Large batches of unread intents are read on the other cores (None: here only).
        self._reader = reader
        # Service fit by meaning: the process-wide local model unless a port is given
        # (None: words only). Loaded on first use, not here.
        self._similarity = similarity

    def _phrases(self) -> PhraseSimilarity | None:
        if self._similarity == "shared":
            self._similarity = shared_similarity()
        # Under the hash embedder (model missing, or the cycle's meaning="index") no cosine
        # reaches a threshold: words alone decide, exactly as with no similarity, without
        # embedding every phrase and taking cosines nobody can pass (issue 15).
        if not getattr(self._similarity, "meaningful", True):
            self._similarity = None
        return self._similarity

    def prepare(self, intents: Iterable[Intent]) -> int:
        """Read ``intents`` and embed their service phrases in one batch before their pairs
        are judged (the same answers as without; fewer, larger embedder calls)."""
        if self._reader == "shared":
            from mediator_actors.negotiation.readpool import shared_reader_pool

            self._reader = shared_reader_pool()
        return prepare(intents, self._phrases(), reader=self._reader)

    def answer(self, offer: Intent, seek: Intent) -> Answer:
        """The offline answer for the pair, as an object: the negotiator judges it without
        building a prompt or decoding JSON (it still scans the answer's JSON text)."""
        return assess(offer, seek, similarity=self._phrases())

    def complete(
        self, prompt: Prompt, offer: Intent, seek: Intent, *, timeout: float
    ) -> ProviderReply:
        """:meth:`answer` as a reply's JSON text, for callers that hold a prompt."""
        return ProviderReply(
            text=json.dumps(self.answer(offer, seek).to_json()), model_id=self.model_id
        )


def make_provider(
    kind: LLMProvider,
    *,
    api_key: str,
    model_id: str,
    base_url: str | None = None,
    timeout: float = 30.0,
    max_retries: int = 0,
) -> AnthropicProvider | OpenAIProvider | OfflineProvider:
    """A provider of ``kind`` with its own key and model."""
    if kind is LLMProvider.ANTHROPIC:
        return AnthropicProvider(
            api_key=api_key,
            model_id=model_id,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
        )
    if kind is LLMProvider.OPENAI:
        return OpenAIProvider(
            api_key=api_key,
            model_id=model_id,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
        )
    return OfflineProvider(model_id=model_id or OFFLINE_MODEL_ID)


def build_provider(
    settings: Settings, *, base_url: str | None = None, timeout: float = 30.0, max_retries: int = 0
) -> AnthropicProvider | OpenAIProvider | OfflineProvider:
    """The provider ``LLM_PROVIDER``/``LLM_MODEL`` name, with the configured key."""
    key = settings.llm_api_key.reveal() if settings.llm_api_key is not None else ""
    return make_provider(
        settings.llm_provider,
        api_key=key,
        model_id=settings.llm_model,
        base_url=base_url,
        timeout=timeout,
        max_retries=max_retries,
    )
