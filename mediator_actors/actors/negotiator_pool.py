"""The negotiator pool: a sub-supervisor of workers pulling durable negotiation jobs."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pykka

from mediator_actors.actors.messages import (
    NegotiationsQueued,
    NegotiationSucceeded,
    Roles,
)
from mediator_actors.actors.periodic import PeriodicActor
from mediator_actors.model import pair_key
from mediator_actors.monitoring import EventSink, NegotiationAligned, NegotiationFailed
from mediator_actors.negotiation.jobs import claim_negotiations, run_negotiation_jobs
from mediator_actors.negotiation.service import Negotiator
from mediator_actors.runtime.offload import run_blocking
from mediator_actors.store import NEGOTIATIONS, Store
from supervisors import ChildSpec, Link, RoleRegistry, StatusBoard, Supervisor, SupervisorPolicy

logger = logging.getLogger(__name__)

#: A worker's longest legitimate round: one provider call (timeout) plus its store writes.
WORKER_HEARTBEAT_TIMEOUT = 180.0


class NegotiatorWorker(PeriodicActor):
    """Claims up to ``batch`` jobs a round and settles them in one commit; goes again at
    once while jobs are ready."""

    def __init__(
        self,
        link: Link | None,
        *,
        store: Store,
        negotiator: Negotiator,
        registry: RoleRegistry,
        interval: float,
        recover: bool,
        events: EventSink,
        batch: int = 1,
        paused: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__(link, interval=interval, paused=paused)
        self.events = events
        self.batch = batch
        self.store = store
        self.negotiator = negotiator
        self.registry = registry
        self._recover = recover

    def prepare(self) -> None:
        # Only the first worker hands back jobs a crashed pool held, before any worker claims.
        if self._recover:
            recovered = self.store.write(lambda c: NEGOTIATIONS.recover(c, now=time.time()))
            if recovered:
                logger.info(
                    "negotiation: %d jobs held by crashed workers are pending again", recovered
                )

    def round(self) -> float | None:
        claimed = claim_negotiations(
            self.store,
            now=time.time(),
            limit=self.batch,
            budget=self.negotiator.budget,
            negotiator=self.negotiator,
        )
        if not claimed:
            return None
        # The offline negotiator is CPU work: off the hub, so probes and actors keep
        # running; a network provider's call cooperates with the hub and stays here.
        offload = run_blocking if self.negotiator.cpu_bound else None
        results = run_negotiation_jobs(self.store, self.negotiator, claimed, offload=offload)
        for item, result in zip(claimed, results, strict=True):
            if result is None:
                continue  # it will be retried; nothing was decided
            key = pair_key(item.offer.ref, item.seek.ref)
            intents = (item.offer.ref, item.seek.ref)
            parties = (item.offer.author, item.seek.author)
            self.events.publish(
                NegotiationAligned(
                    pair=key, intents=intents, parties=parties, confidence=result.confidence
                )
                if result.success
                else NegotiationFailed(
                    pair=key,
                    intents=intents,
                    parties=parties,
                    confidence=result.confidence,
                    reason=result.failure_reason,
                )
            )
            if result.success:
                self.registry.tell(Roles.SETTLEMENT_AGENT, NegotiationSucceeded(key))
        return 0.0

    def receive(self, message: Any) -> Any:
        if isinstance(message, NegotiationsQueued):
            self.wake()
            return None
        return super().receive(message)


class _Pool(Supervisor):
    """The pool's supervisor: wakes every worker when jobs are queued."""

    def handle(self, message: Any) -> Any:
        if isinstance(message, NegotiationsQueued):
            for name in self.worker_names:
                self.registry.tell(name, message)
            return None
        return super().handle(message)

    @property
    def worker_names(self) -> list[str]:
        return [name for name in self.registry.roles() if name.startswith("negotiator-")]


def pool_spec(
    *,
    size: int,
    store: Store,
    negotiator: Negotiator,
    registry: RoleRegistry,
    board: StatusBoard,
    interval: float,
    events: EventSink,
    batch: int = 1,
    policy: SupervisorPolicy | None = None,
    paused: Callable[[], bool] = lambda: False,
) -> ChildSpec:
    """The pool as one child of the root: ``size`` workers under a one_for_one supervisor.

    ``batch`` jobs per round suit a provider that answers in milliseconds (the offline
    negotiator); a remote provider gets 1, so a slow call never holds other jobs back."""

    def worker(n: int) -> ChildSpec:
        def start(link: Link) -> pykka.ActorRef[NegotiatorWorker]:
            return NegotiatorWorker.start(
                link,
                store=store,
                negotiator=negotiator,
                registry=registry,
                interval=interval,
                recover=n == 1,
                events=events,
                batch=batch,
                paused=paused,
            )

        return ChildSpec(f"negotiator-{n}", start=start, heartbeat_timeout=WORKER_HEARTBEAT_TIMEOUT)

    workers = [worker(n) for n in range(1, size + 1)]
    # Workers are independent: they stop together, so a drain waits for the slowest one,
    # not for each in turn.
    chosen = policy or SupervisorPolicy(parallel_shutdown=True)
    return _Pool.spec(
        Roles.NEGOTIATORS,
        parent_path="root",
        children=workers,
        policy=chosen,
        registry=registry,
        board=board,
    )
