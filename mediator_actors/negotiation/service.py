"""The negotiator: a plain class the pool's worker actors wrap (their job-level steps are
in :mod:`mediator_actors.negotiation.jobs`).

Blocking: :meth:`Negotiator.negotiate` makes at most one provider call and blocks for it
(each connect/read is bounded by ``timeout``, 30 s by default, and the whole call by 1.5 x
``timeout``); its own CPU work is about 5 ms (prompt, secret scan, validation, checks). Under gevent's monkey patching the Anthropic
and OpenAI SDKs cooperate, so a worker greenlet may call it directly and other actors keep
running. The offline provider is pure CPU (about a millisecond). Store calls go through
:class:`Store`, which offloads SQLite to the hub's thread pool.

Guards, in order: the prompt is built from normalised, escaped chain text; a prompt that
would carry a secret is never sent; the hourly/daily call budget (metered providers only)
raises :class:`BudgetExhaustedError` with the time to retry; the circuit breaker refuses calls
while the provider is failing; each call has an explicit timeout; an answer that echoes a
secret fails; the answer is strictly parsed and its terms checked against both intents.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from mediator_actors.config import Settings
from mediator_actors.errors import LLMError
from mediator_actors.model import Intent, IntentType, NegotiationResult
from mediator_actors.negotiation.prompt import (
    Prompt,
    build_prompt,
    injection_findings,
    intents_integrity_hash,
    model_integrity_hash,
)
from mediator_actors.negotiation.providers import (
    Provider,
    ProviderError,
    ProviderReply,
    Usage,
    UsageLedger,
    build_provider,
    make_provider,
)
from mediator_actors.negotiation.validation import (
    Answer,
    AnswerError,
    checked_answer,
    decide,
    parse_answer,
)
from mediator_actors.runtime.resilience import BreakerState, CircuitBreaker, CircuitOpenError
from mediator_actors.safety.secretscan import SecretScanner

__all__ = [
    "BudgetExhaustedError",
    "CallBudget",
    "CircuitRefusedError",
    "Negotiator",
    "Outcome",
    "build_negotiator",
]

logger = logging.getLogger(__name__)

HOUR = 3600.0
DAY = 86400.0
#: While the provider is down, one trial call per this many seconds (issue 16: "about one
#: probe per 30 s during the outage").
PROBE_INTERVAL = 30.0


class CircuitRefusedError(ProviderError):
    """The breaker refused the call: no request was sent, so no attempt is spent."""


class BudgetExhaustedError(LLMError):
    """The LLM call budget is spent; the job should wait until ``retry_at`` (epoch s)."""

    def __init__(self, window: str, limit: int, retry_at: float) -> None:
        self.retry_at = retry_at
        super().__init__(
            f"LLM budget exhausted ({limit} calls per {window}); retry at {retry_at:.0f}"
        )


class CallBudget:
    """Sliding-window caps on metered calls per hour and per day.

    In memory; :meth:`seed` with the recent metered calls from the ``negotiations`` table
    at start (:func:`~mediator_actors.negotiation.records.recent_metered_calls`) so a restart does not reset the spending cap.
    A limit of 0 means no metered call at all.
    """

    def __init__(
        self, *, per_hour: int, per_day: int, clock: Callable[[], float] = time.time
    ) -> None:
        self.per_hour = per_hour
        self.per_day = per_day
        self._clock = clock
        self._calls: deque[float] = deque()

    def seed(self, timestamps: list[float]) -> None:
        for stamp in sorted(timestamps):
            self._calls.append(stamp)
        self._trim(self._clock())

    def _trim(self, now: float) -> None:
        while self._calls and self._calls[0] <= now - DAY:
            self._calls.popleft()

    def check(self) -> None:
        """Raise :class:`BudgetExhaustedError` if a call now would break a cap."""
        now = self._clock()
        self._trim(now)
        if len(self._calls) >= self.per_day:
            oldest = self._calls[len(self._calls) - self.per_day] if self.per_day else now
            raise BudgetExhaustedError("day", self.per_day, oldest + DAY)
        hour = [t for t in self._calls if t > now - HOUR]
        if len(hour) >= self.per_hour:
            oldest = hour[len(hour) - self.per_hour] if self.per_hour else now
            raise BudgetExhaustedError("hour", self.per_hour, oldest + HOUR)

    def now(self) -> float:
        return self._clock()

    def acquire(self) -> None:
        self.check()
        self._calls.append(self._clock())

    def record(self) -> None:
        """Meter one answered call (checked before it was sent)."""
        self._calls.append(self._clock())

    def remaining(self) -> dict[str, int]:
        now = self._clock()
        self._trim(now)
        hour = sum(1 for t in self._calls if t > now - HOUR)
        return {
            "hour": max(0, self.per_hour - hour),
            "day": max(0, self.per_day - len(self._calls)),
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """A negotiation's result plus what the call cost."""

    result: NegotiationResult
    metered: bool
    usage: Usage
    latency_ms: float | None
    #: With the two intents, the model id and the template version, this rebuilds the
    #: exact prompt, so anyone holding them can recompute ``model_integrity_hash``.
    prompt_nonce: str = ""


class Negotiator:
    """Negotiates one pair at a time per call; share one per worker (or one per pool: the
    budget, breaker and stats are then pool-wide, which is what the caps mean)."""

    def __init__(
        self,
        *,
        provider: Provider,
        scanner: SecretScanner,
        min_confidence: int = 60,
        budget: CallBudget | None = None,
        breaker: CircuitBreaker | None = None,
        timeout: float = 30.0,
        ledger: UsageLedger | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        reset_timeout: float = 15.0,
        fallback: Negotiator | None = None,
    ) -> None:
        self.provider = provider
        #: Used while this one's breaker is open or its key is refused (LLM_FALLBACK_PROVIDER).
        self.fallback = fallback
        self.scanner = scanner
        self.min_confidence = min_confidence
        self.budget = budget
        self.breaker = breaker or CircuitBreaker(
            f"llm:{provider.model_id}", reset_timeout=reset_timeout, clock=monotonic
        )
        self.timeout = timeout
        self.ledger = ledger or UsageLedger()
        self._monotonic = monotonic
        self._latencies: deque[float] = deque(maxlen=1000)
        self._reset_timeout = reset_timeout
        self._failures = 0
        #: The provider answered 401/403: "the provider refuses our key" until it answers.
        self.key_refused = False
        self.budget_exhausted = False

    def negotiate(self, offer: Intent, seek: Intent) -> NegotiationResult:
        """Decide on one pair. Blocks for one provider call (see the module docstring).

        Raises :class:`BudgetExhaustedError`, or :class:`ProviderError` (``transient`` says
        whether to retry); every answer-side failure is a ``success=False`` result instead.
        """
        return self.negotiate_outcome(offer, seek).result

    @property
    def cpu_bound(self) -> bool:
        """True when a negotiation is local CPU work (the offline provider), not a network
        call: a worker then runs its batch off the hub."""
        return not getattr(self.provider, "sends_prompt", True)

    def prepare(self, intents: Iterable[Intent]) -> None:
        """Let the provider derive what it needs from ``intents`` once for a batch of pairs
        (the offline provider reads them and embeds their service phrases together). Never
        raises: a failure here only means each pair derives it on its own."""
        hook = getattr(self.provider, "prepare", None)
        if not callable(hook):
            return
        try:
            hook(intents)
        except Exception:  # an optimisation: the pairs still negotiate without it
            logger.exception("negotiation: preparing a batch failed; pairs read on their own")

    def _primary_unavailable(self) -> bool:
        return self.key_refused or self.breaker.snapshot().state is BreakerState.OPEN

    def negotiate_outcome(self, offer: Intent, seek: Intent) -> Outcome:
        """One negotiation; with a fallback, the fallback answers while this provider's
        breaker is open or its key is refused. The result names the model that answered."""
        if self.fallback is not None and self._primary_unavailable():
            return self.fallback.negotiate_outcome(offer, seek)
        try:
            return self._negotiate(offer, seek)
        except CircuitRefusedError:
            if self.fallback is None:
                raise
            return self.fallback.negotiate_outcome(offer, seek)
        except ProviderError as exc:
            if self.fallback is not None and exc.status in (401, 403):
                logger.warning("negotiation: the provider refuses our key; using the fallback")
                return self.fallback.negotiate_outcome(offer, seek)
            raise

    def _local_answer(self) -> Callable[[Intent, Intent], Answer] | None:
        """The provider's ``answer(offer, seek)`` when it reads the intents and sends no
        prompt (the offline negotiator), else None."""
        if getattr(self.provider, "sends_prompt", True):
            return None
        answer = getattr(self.provider, "answer", None)
        return answer if callable(answer) else None

    def _framing(
        self, offer: Intent, seek: Intent, local: bool
    ) -> tuple[Prompt | None, str, tuple[str, ...]]:
        """The prompt (None for a local provider), the integrity hash and the findings."""
        model_id = self.provider.model_id
        if local:
            # Issue 15: no prompt is built for a provider that reads the intents: nothing
            # leaves the process. The hash covers the intents it read, the findings are the
            # prompt's, field by field; both are derived once per intent.
            return (
                None,
                intents_integrity_hash(model_id, offer, seek),
                injection_findings(offer, seek),
            )
        prompt = build_prompt(offer, seek)
        integrity = model_integrity_hash(model_id, prompt.template_version, prompt.full_prompt)
        return prompt, integrity, prompt.injection_findings

    def _ask(
        self,
        prompt: Prompt | None,
        local: Callable[[Intent, Intent], Answer] | None,
        offer: Intent,
        seek: Intent,
    ) -> tuple[ProviderReply, Answer | None]:
        """The provider's reply; a local provider's answer object too (its reply's text is
        that answer's JSON, which is what the scan sees)."""
        if local is not None:
            answer = local(offer, seek)
            text = json.dumps(answer.to_json())
            return ProviderReply(text=text, model_id=self.provider.model_id), answer
        if prompt is None:
            raise ValueError("a provider that is not local needs a prompt")
        return self.provider.complete(prompt, offer, seek, timeout=self.timeout), None

    def _negotiate(self, offer: Intent, seek: Intent) -> Outcome:
        model_id = self.provider.model_id
        local = self._local_answer()
        prompt, integrity, findings = self._framing(offer, seek, local is not None)
        nonce = "" if prompt is None else prompt.nonce

        def failed(reason: str, reasoning: str = "", confidence: int = 0) -> NegotiationResult:
            return NegotiationResult(
                success=False,
                confidence=confidence,
                reasoning=self.scanner.redact(reasoning),
                model_id=model_id,
                model_integrity_hash=integrity,
                failure_reason=reason,
                injection_findings=findings,
            )

        metered = self.provider.metered

        def outcome(
            result: NegotiationResult, spent: bool, usage: Usage, latency: float | None
        ) -> Outcome:
            return Outcome(result, spent, usage, latency, nonce)

        if offer.type is not IntentType.OFFER or seek.type is not IntentType.SEEK:
            return outcome(
                failed("not complementary: needs one offer and one seek"), False, Usage(), None
            )
        # A provider that reads the intents, not the prompt (offline), sends nothing: no
        # scan. What is posted is still scanned by the chain writer.
        leaks = (
            self.scanner.find(prompt.full_prompt)
            if prompt is not None and getattr(self.provider, "sends_prompt", True)
            else []
        )
        if leaks:
            kinds = ", ".join(sorted({f.kind.value for f in leaks}))
            return outcome(
                failed(f"the prompt would carry a secret ({kinds}); not sent"), False, Usage(), None
            )
        if metered:
            self._check_budget()
        try:
            self.breaker.before_call()
        except CircuitOpenError as exc:
            raise CircuitRefusedError(str(exc), transient=True, retry_after=exc.retry_in) from exc
        started = self._monotonic()
        try:
            reply, local_answer = self._ask(prompt, local, offer, seek)
        except ProviderError as exc:
            self._record_failure(exc, (self._monotonic() - started) * 1000)
            raise
        self.key_refused = False
        if metered and self.budget is not None:
            self.budget.record()  # only answered calls are metered
        latency = (self._monotonic() - started) * 1000
        self._latencies.append(latency)
        self.breaker.record_success(latency)
        self.ledger.record(reply.model_id, reply.usage)
        leaks = self.scanner.find(reply.text)
        if leaks:
            kinds = ", ".join(sorted({f.kind.value for f in leaks}))
            result = failed(f"the answer echoed a secret ({kinds}); discarded")
            return outcome(result, metered, reply.usage, latency)
        try:
            answer = (
                parse_answer(reply.text)
                if local_answer is None
                else checked_answer(local_answer, reply.text)  # no decoding of our own JSON
            )
        except AnswerError as exc:
            truncated = (
                " (the answer was truncated)"
                if reply.stop_reason in {"max_tokens", "length"}
                else ""
            )
            return outcome(
                failed(f"invalid answer: {exc}{truncated}"), metered, reply.usage, latency
            )
        result = decide(
            answer,
            offer,
            seek,
            min_confidence=self.min_confidence,
            model_id=model_id,
            model_integrity_hash=integrity,
            injection_findings=findings,
        )
        if not result.success:
            result = replace(result, reasoning=self.scanner.redact(result.reasoning))
        return outcome(result, metered, reply.usage, latency)

    def _check_budget(self) -> None:
        """Refused here, a call costs nothing; exhaustion is logged once and reported."""
        if self.budget is None:
            return
        try:
            self.budget.check()
        except BudgetExhaustedError as exc:
            if not self.budget_exhausted:
                logger.warning("negotiation: LLM call budget exhausted: %s", exc)
            self.budget_exhausted = True
            raise
        self.budget_exhausted = False

    def _record_failure(self, exc: ProviderError, latency: float) -> None:
        self._failures += 1
        if exc.status in (401, 403):
            # Our key, not the provider, is the problem: say so; jobs wait for a fix.
            self.key_refused = True
            self.breaker.record_failure(str(exc), latency)
        elif exc.status == 429:
            self.breaker.record_success(latency)
        else:
            self.breaker.record_failure(str(exc), latency)

    def wait_before_call(self) -> float | None:
        """Seconds until a call may go out (spent budget or open breaker), or None if it
        may now. A worker asks this before claiming a job, so waiting jobs stay pending."""
        if self.fallback is not None and self.fallback.wait_before_call() is None:
            return None  # the fallback can take the call now
        if not self.provider.metered:
            return None
        waits = []
        if self.budget is not None:
            try:
                self.budget.check()
            except BudgetExhaustedError as exc:
                waits.append(max(0.0, exc.retry_at - self.budget.now()))
        snap = self.breaker.snapshot()
        if snap.state is BreakerState.OPEN and snap.opened_at is not None:
            waits.append(max(0.0, self._reset_timeout - (self._monotonic() - snap.opened_at)))
        return max(waits) if waits else None

    def health(self) -> dict[str, Any]:
        """Latency percentiles, breaker state, budget and spend, for ``/health``."""
        ordered = sorted(self._latencies)

        def pct(p: float) -> float | None:
            if not ordered:
                return None
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2)

        snap = self.breaker.snapshot()
        remaining = None if self.budget is None else self.budget.remaining()
        # Spent is spent whether or not a call was refused yet: the claim loop stops
        # claiming at zero, so the refusal that sets ``budget_exhausted`` may never come.
        exhausted = self.budget_exhausted or (
            remaining is not None and min(remaining.values()) == 0
        )
        return {
            "model": self.provider.model_id,
            "metered": self.provider.metered,
            "breaker": snap.state.value,
            "consecutive_failures": snap.consecutive_failures,
            "calls": len(ordered),
            "failures": self._failures,
            "latency_ms": {"p50": pct(0.5), "p99": pct(0.99)},
            "budget_remaining": remaining,
            "budget_exhausted": exhausted,
            "problem": "the provider refuses our key" if self.key_refused else None,
            "usage": self.ledger.snapshot(),
        }


def build_negotiator(
    settings: Settings,
    *,
    base_url: str | None = None,
    timeout: float = 30.0,
    fallback_base_url: str | None = None,
    clock: Callable[[], float] | None = None,
) -> Negotiator:
    """A negotiator wired from the settings: provider, secret scanner over the node's own
    secrets, the hourly/daily budget, a breaker and ``MIN_NEGOTIATION_CONFIDENCE``; and the
    ``LLM_FALLBACK_PROVIDER`` negotiator, sharing the scanner and the budget.

    ``clock`` (seconds) drives the budget's windows and the breakers' cool-downs together;
    by default wall time for the budget (it is seeded from stored timestamps) and the
    monotonic clock for the breakers. A test passes one clock to run an outage in node time."""
    wall = clock or time.time
    mono = clock or time.monotonic
    provider = build_provider(settings, base_url=base_url, timeout=timeout)
    scanner = SecretScanner(settings.secrets())
    budget = CallBudget(
        per_hour=settings.llm_max_calls_per_hour,
        per_day=settings.llm_max_calls_per_day,
        clock=wall,
    )
    fallback = None
    if settings.llm_fallback_provider is not None:
        key = settings.llm_fallback_api_key.reveal() if settings.llm_fallback_api_key else ""
        second = make_provider(
            settings.llm_fallback_provider,
            api_key=key,
            model_id=settings.llm_fallback_model or "",
            base_url=fallback_base_url,
            timeout=timeout,
        )
        fallback = Negotiator(
            provider=second,
            scanner=scanner,
            min_confidence=settings.min_negotiation_confidence,
            budget=budget if second.metered else None,
            breaker=CircuitBreaker(
                f"llm:{second.model_id}", reset_timeout=PROBE_INTERVAL, clock=mono
            ),
            timeout=timeout,
            monotonic=mono,
            reset_timeout=PROBE_INTERVAL,
        )
    return Negotiator(
        provider=provider,
        scanner=scanner,
        min_confidence=settings.min_negotiation_confidence,
        # The offline negotiator spends nothing: no budget, so a zero cap never blocks it.
        budget=budget if provider.metered else None,
        breaker=CircuitBreaker(
            f"llm:{provider.model_id}", reset_timeout=PROBE_INTERVAL, clock=mono
        ),
        timeout=timeout,
        fallback=fallback,
        monotonic=mono,
        reset_timeout=PROBE_INTERVAL,
    )
