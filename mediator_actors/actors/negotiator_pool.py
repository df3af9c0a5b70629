"""The negotiator pool: a sub-supervisor of workers pulling durable negotiation jobs."""

from __future__ import annotations

import logging
import time
from typing import Any

import pykka

from mediator_actors.actors.messages import NegotiationsQueued, NegotiationSucceeded, Roles
from mediator_actors.actors.periodic import PeriodicActor
from mediator_actors.negotiation.service import (
    Negotiator,
    claim_negotiation,
    run_negotiation_job,
)
from mediator_actors.store import JobQueue, Store
from supervisors import ChildSpec, Link, RoleRegistry, StatusBoard, Supervisor, SupervisorPolicy

logger = logging.getLogger(__name__)

#: A worker's longest legitimate round: one provider call (timeout) plus its store writes.
WORKER_HEARTBEAT_TIMEOUT = 180.0


class NegotiatorWorker(PeriodicActor):
    """Claims one job at a time; goes again at once while jobs are ready."""

    def __init__(
        self,
        link: Link | None,
        *,
        store: Store,
        negotiator: Negotiator,
        registry: RoleRegistry,
        interval: float,
        recover: bool,
    ) -> None:
        super().__init__(link, interval=interval)
        self.store = store
        self.negotiator = negotiator
        self.registry = registry
        self._recover = recover

    def prepare(self) -> None:
        # Only the first worker hands back jobs a crashed pool held, before any worker claims.
        if self._recover:
            queue = JobQueue("negotiation")
            recovered = self.store.write(lambda c: queue.recover(c, now=time.time()))
            if recovered:
                logger.info(
                    "negotiation: %d jobs held by crashed workers are pending again", recovered
                )

    def round(self) -> float | None:
        claimed = claim_negotiation(self.store, now=time.time(), budget=self.negotiator.budget)
        if claimed is None:
            return None
        result = run_negotiation_job(self.store, self.negotiator, claimed)
        if result is not None and result.success:
            low, high = sorted((claimed.offer.ref, claimed.seek.ref))
            self.registry.tell(Roles.SETTLEMENT_AGENT, NegotiationSucceeded(f"{low}:{high}"))
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
    policy: SupervisorPolicy | None = None,
) -> ChildSpec:
    """The pool as one child of the root: ``size`` workers under a one_for_one supervisor."""

    def worker(n: int) -> ChildSpec:
        def start(link: Link) -> pykka.ActorRef[NegotiatorWorker]:
            return NegotiatorWorker.start(
                link,
                store=store,
                negotiator=negotiator,
                registry=registry,
                interval=interval,
                recover=n == 1,
            )

        return ChildSpec(f"negotiator-{n}", start=start, heartbeat_timeout=WORKER_HEARTBEAT_TIMEOUT)

    workers = [worker(n) for n in range(1, size + 1)]
    path = f"root/{Roles.NEGOTIATORS}"
    return ChildSpec(
        Roles.NEGOTIATORS,
        start=lambda link: _Pool.start(
            link,
            name=Roles.NEGOTIATORS,
            path=path,
            children=workers,
            policy=policy,
            registry=registry,
            board=board,
        ),
        shutdown_timeout=WORKER_HEARTBEAT_TIMEOUT,
        heartbeat_timeout=60.0,
    )
