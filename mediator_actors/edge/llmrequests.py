"""LLM provider calls by status (``mediator_llm_requests_total``), counted around the provider.

:class:`CountedProvider` wraps a metered provider (Anthropic, OpenAI) and tells its hook what
each call ended in: ``200`` for an answer, the HTTP status the provider answered
(``ProviderError.status``: 401, 429, 529 ...), ``timeout`` or ``unreachable`` from the SDK's
exception class in the error's cause chain, else ``error``. The offline negotiator makes no
request and is left alone. Counts live in :class:`mediator_actors.stats.RequestCounts`, which
bounds the labels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mediator_actors.model import Intent
from mediator_actors.negotiation.prompt import Prompt
from mediator_actors.negotiation.providers import Provider, ProviderError, ProviderReply
from mediator_actors.negotiation.service import Negotiator

#: (method, outcome), as :data:`mediator_actors.chain.client.RequestHook`.
Hook = Callable[[str, str], None]


def call_outcome(exc: BaseException) -> str:
    """What a failed provider call ended in (see the module docstring)."""
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return str(status)
    cause: BaseException | None = exc
    seen = 0
    while cause is not None and seen < 10:  # a cycle in the chain must not loop
        name = type(cause).__name__.lower()
        if "timeout" in name or "deadline" in name:
            return "timeout"
        if "connection" in name:
            return "unreachable"
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    return "error"


class CountedProvider:
    """A provider whose every call is counted; everything else is the wrapped provider's."""

    def __init__(self, inner: Provider, record: Hook) -> None:
        self._inner = inner
        self._record = record
        self.model_id = inner.model_id
        self.metered = inner.metered

    def __getattr__(self, name: str) -> Any:  # sends_prompt and whatever a provider adds
        return getattr(self._inner, name)

    def complete(
        self, prompt: Prompt, offer: Intent, seek: Intent, *, timeout: float
    ) -> ProviderReply:
        try:
            reply = self._inner.complete(prompt, offer, seek, timeout=timeout)
        except ProviderError as exc:
            self._record("POST", call_outcome(exc))
            raise
        except Exception:
            self._record("POST", "error")
            raise
        self._record("POST", "200")
        return reply


def count_requests(negotiator: Negotiator, record: Hook) -> None:
    """Wrap the negotiator's metered providers, its fallback's too, in :class:`CountedProvider`."""
    current: Negotiator | None = negotiator
    while current is not None:
        if current.provider.metered and not isinstance(current.provider, CountedProvider):
            current.provider = CountedProvider(current.provider, record)
        current = current.fallback
