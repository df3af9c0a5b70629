"""The dispute handler: writes clarifications through the LLM and escalation packages
after the follower's commit.

Dispute entries are applied by :class:`~mediator_actors.disputes.book.DisputeBook` in the
chain follower's transaction (through ``DisputeLifecycle``); files are not transactional, so
this actor writes ``data/disputes/<dispute_id>/package.json`` afterwards: when woken by
:class:`~mediator_actors.actors.messages.DisputesChanged`, at start (a package lost with
``data/`` or by a crash between commit and write), and every ``interval`` seconds. With an
LLM configured, each round first turns due clarification jobs into signed entries
(:class:`~mediator_actors.disputes.clarify.Clarifications`: the model is called from this
greenlet, cooperatively, like the negotiators do; the store offloads its own work).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mediator_actors.actors.messages import DisputesChanged
from mediator_actors.actors.periodic import PeriodicActor
from mediator_actors.disputes import package
from mediator_actors.disputes.clarify import Clarifications
from mediator_actors.store import Store
from supervisors import Link

logger = logging.getLogger(__name__)


def _inline(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


class DisputeHandler(PeriodicActor):
    """Thin: due clarifications, then one :func:`package.write_due` per round; the store
    offloads its own work, ``offload`` takes the package files."""

    def __init__(
        self,
        link: Link | None,
        *,
        store: Store,
        data_dir: Path,
        authorities: Mapping[str, str],
        interval: float,
        offload: Callable[..., Any] = _inline,
        clarifications: Clarifications | None = None,
    ) -> None:
        super().__init__(link, interval=interval)
        self.clarifications = clarifications
        self.store = store
        self.data_dir = data_dir
        self.authorities = dict(authorities)
        self.offload = offload
        self.written = 0

    def prepare(self) -> None:
        if self.clarifications is not None:
            recovered = self.clarifications.recover()
            if recovered:
                logger.info("disputes: %d clarification job(s) handed back after a stop", recovered)

    def round(self) -> float | None:
        if self.clarifications is not None:
            self.clarifications.run_due()
        written = package.write_due(
            self.store, self.data_dir, self.authorities, offload=self.offload
        )
        for dispute_id in written:
            logger.info("disputes: escalation package written for %s", dispute_id)
        self.written += len(written)
        return None

    def receive(self, message: Any) -> Any:
        if isinstance(message, DisputesChanged):
            self.wake()
            return None
        return super().receive(message)
