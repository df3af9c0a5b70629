"""The negotiation job steps the pool's worker actors run: claim durable "negotiation" jobs,
negotiate them, and settle each outcome (recorded in ``negotiations``, which
:mod:`mediator_actors.negotiation.records` owns) in the same transaction that completes its
job. Store calls go through :class:`Store` (off the hub).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from mediator_actors.model import Intent, NegotiationResult
from mediator_actors.negotiation.providers import ProviderError
from mediator_actors.negotiation.records import record_outcome
from mediator_actors.negotiation.service import (
    BudgetExhaustedError,
    CallBudget,
    CircuitRefusedError,
    Negotiator,
    Outcome,
)
from mediator_actors.runtime.resilience import Backoff
from mediator_actors.safety.textsafety import escape_for_log
from mediator_actors.store import NEGOTIATIONS, Job, JobQueue, Store
from mediator_actors.store.intents import get_intent

logger = logging.getLogger(__name__)

#: Between attempts of a failed negotiation job: 5 s doubling to 15 min, jittered.
JOB_BACKOFF = Backoff(minimum=5.0, maximum=900.0)
#: How long a job waits when the provider refuses our key (a restart re-reads it).
KEY_REFUSED_WAIT = 300.0


@dataclass(frozen=True, slots=True)
class ClaimedNegotiation:
    job: Job
    offer: Intent
    seek: Intent


def claim_negotiations(
    store: Store,
    *,
    now: float,
    limit: int = 1,
    queue: JobQueue | None = None,
    budget: CallBudget | None = None,
    negotiator: Negotiator | None = None,
) -> list[ClaimedNegotiation]:
    """Claim up to ``limit`` ready negotiation jobs with both intents loaded, in one
    transaction.

    Nothing is claimed while ``budget`` is spent or ``negotiator`` could not call now
    (:meth:`Negotiator.wait_before_call`), so waiting jobs keep their attempts. A job
    whose payload is malformed or whose intents are unknown ends ``failed`` with its reason.
    """
    queue = queue or NEGOTIATIONS
    if budget is not None:
        try:
            budget.check()
        except BudgetExhaustedError:
            return []
    if negotiator is not None and negotiator.wait_before_call() is not None:
        return []

    def step(conn: sqlite3.Connection) -> list[ClaimedNegotiation]:
        claimed: list[ClaimedNegotiation] = []
        while len(claimed) < limit:
            jobs = queue.claim(conn, now=now, limit=limit - len(claimed))
            if not jobs:
                break
            for job in jobs:
                offer_ref, seek_ref = job.payload.get("offer_ref"), job.payload.get("seek_ref")
                offer = get_intent(conn, offer_ref) if isinstance(offer_ref, str) else None
                seek = get_intent(conn, seek_ref) if isinstance(seek_ref, str) else None
                if offer is None or seek is None:
                    queue.give_up(
                        conn, job.id, "payload names an unknown or invalid intent", now=now
                    )
                    continue
                claimed.append(ClaimedNegotiation(job, offer, seek))
        return claimed

    return store.write(step)


def claim_negotiation(
    store: Store,
    *,
    now: float,
    queue: JobQueue | None = None,
    budget: CallBudget | None = None,
    negotiator: Negotiator | None = None,
) -> ClaimedNegotiation | None:
    """The next ready job, as :func:`claim_negotiations` with a limit of one; or None."""
    claimed = claim_negotiations(
        store, now=now, limit=1, queue=queue, budget=budget, negotiator=negotiator
    )
    return claimed[0] if claimed else None


Step = Callable[[sqlite3.Connection], None]
_T = TypeVar("_T")


class Offload(Protocol):
    """Runs a call elsewhere and returns its result (e.g. the hub's native thread pool)."""

    def __call__(self, fn: Callable[[], _T], /) -> _T: ...


def negotiate_job(
    negotiator: Negotiator,
    claimed: ClaimedNegotiation,
    *,
    clock: Callable[[], float] = time.time,
    queue: JobQueue | None = None,
    backoff: Backoff = JOB_BACKOFF,
    attempt: Outcome | Exception | None = None,
) -> tuple[NegotiationResult | None, Step]:
    """Negotiate a claimed job; return the result (None if it will retry) and the durable
    step that settles the job, for the caller to run in a write transaction.

    - outcome (success or a reasoned failure) → recorded in ``negotiations`` and the job
      completed, together;
    - budget exhausted or breaker open → back to pending, the attempt refunded;
    - transient provider error → ``fail`` with back-off (at least the provider's
      ``Retry-After``); quarantined after ``max_attempts``;
    - permanent provider error (auth, bad request) → ``give_up`` with the reason.

    ``attempt``: the negotiation already made elsewhere (:func:`attempt_negotiation`),
    its outcome or what it raised; None to make it here.
    """
    queue = queue or NEGOTIATIONS
    job = claimed.job
    try:
        if attempt is None:
            outcome = negotiator.negotiate_outcome(claimed.offer, claimed.seek)
        elif isinstance(attempt, Exception):
            raise attempt
        else:
            outcome = attempt
    except (BudgetExhaustedError, CircuitRefusedError) as exc:
        if isinstance(exc, BudgetExhaustedError):
            wait = max(1.0, exc.retry_at - clock())
        else:
            wait = max(1.0, exc.retry_after or 0.0)
        error, now = str(exc), clock()
        # Waiting for budget or a cooling breaker is not the job's fault.
        return None, lambda conn: queue.defer(conn, job.id, error, now=now, retry_in=wait)
    except ProviderError as exc:
        now, error = clock(), str(exc)
        if exc.transient:
            # A provider outage is not the job's fault: it waits, burning no attempt, and
            # drains when the provider answers again (the breaker spaces the probes).
            wait = max(exc.retry_after or 0.0, backoff.delay(min(job.attempts, 6)))

            def retry(conn: sqlite3.Connection) -> None:
                queue.defer(conn, job.id, error, now=now, retry_in=wait)
                logger.warning("negotiation: job %d waits %.0f s: %s", job.id, wait, error)

            return None, retry
        if exc.status in (401, 403):
            # Our key is refused: wait for the key to be fixed and the node restarted.
            logger.error("negotiation: the provider refuses our key; job %d waits", job.id)
            return None, lambda conn: queue.defer(
                conn, job.id, error, now=now, retry_in=KEY_REFUSED_WAIT
            )
        logger.error("negotiation: gave up: job %d: %s", job.id, error)
        return None, lambda conn: queue.give_up(conn, job.id, error, now=now)
    except Exception as exc:  # a bug or bad data: retried, then quarantined with its reason
        now = clock()
        message = negotiator.scanner.redact(f"{type(exc).__name__}: {exc}")
        logger.exception("negotiation: job %d raised", job.id)
        delay = backoff.delay(job.attempts)

        def fail(conn: sqlite3.Connection) -> None:
            queue.fail(conn, job.id, message, now=now, retry_in=delay)

        return None, fail
    now = clock()
    result = outcome.result
    summary: dict[str, Any] = {"success": result.success, "confidence": result.confidence}
    if not result.success:
        # Why a pair was not proposed: one debug line per declined candidate (the activity
        # log counts them by reason), and the reason kept with the job for /api/v1/candidates.
        reason = negotiator.scanner.redact(result.failure_reason or "no reason given")[:500]
        summary["reason"] = reason
        # Escaping the line's three fields is ~0.1 ms, paid per declined pair even when
        # debug is off (0.6 CPU-s of the 10k cycle): only when the line is logged.
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "negotiation: declined offer %s / seek %s (confidence %d): %s",
                escape_for_log(claimed.offer.ref, limit=80),
                escape_for_log(claimed.seek.ref, limit=80),
                result.confidence,
                escape_for_log(reason),
            )

    def finish(conn: sqlite3.Connection) -> None:
        record_outcome(
            conn, job_id=job.id, offer=claimed.offer, seek=claimed.seek, outcome=outcome, now=now
        )
        queue.complete(conn, job.id, now=now, result=summary)

    return outcome.result, finish


def attempt_negotiation(negotiator: Negotiator, claimed: ClaimedNegotiation) -> Outcome | Exception:
    """One negotiation's outcome, or what it raised (for :func:`negotiate_job` to handle)."""
    try:
        return negotiator.negotiate_outcome(claimed.offer, claimed.seek)
    except Exception as exc:  # noqa: BLE001 - negotiate_job sorts it as a direct call would
        return exc


def run_negotiation_jobs(
    store: Store,
    negotiator: Negotiator,
    claimed: Sequence[ClaimedNegotiation],
    *,
    clock: Callable[[], float] = time.time,
    queue: JobQueue | None = None,
    backoff: Backoff = JOB_BACKOFF,
    offload: Offload | None = None,
) -> list[NegotiationResult | None]:
    """Negotiate each claimed job in turn, then settle them all in one transaction (one
    durable commit for the batch instead of one per job).

    The provider first prepares the batch's intents together (:meth:`Negotiator.prepare`).
    ``offload`` (e.g. :func:`~mediator_actors.runtime.offload.run_blocking`) runs that and
    the negotiations off the calling greenlet; the commit stays with the caller."""

    def attempt_all() -> list[Outcome | Exception]:
        # only the provider's work: job handling and its log lines stay with the caller
        negotiator.prepare(i for item in claimed for i in (item.offer, item.seek))
        return [attempt_negotiation(negotiator, item) for item in claimed]

    attempts: list[Outcome | Exception | None] = (
        list(offload(attempt_all)) if offload is not None else [None] * len(claimed)
    )
    if offload is None:
        negotiator.prepare(i for item in claimed for i in (item.offer, item.seek))
    done = [
        negotiate_job(negotiator, item, clock=clock, queue=queue, backoff=backoff, attempt=attempt)
        for item, attempt in zip(claimed, attempts, strict=True)
    ]
    results = [result for result, _ in done]
    steps = [step for _, step in done]

    def settle(conn: sqlite3.Connection) -> None:
        for step in steps:
            step(conn)

    if steps:
        store.write(settle)
    return results


def run_negotiation_job(
    store: Store,
    negotiator: Negotiator,
    claimed: ClaimedNegotiation,
    *,
    clock: Callable[[], float] = time.time,
    queue: JobQueue | None = None,
    backoff: Backoff = JOB_BACKOFF,
) -> NegotiationResult | None:
    """Negotiate one claimed job and settle it durably (see :func:`negotiate_job`)."""
    return run_negotiation_jobs(
        store, negotiator, [claimed], clock=clock, queue=queue, backoff=backoff
    )[0]
