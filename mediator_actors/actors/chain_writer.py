"""The chain writer: the one path for every entry the node writes (the outbox drainer)."""

from __future__ import annotations

import logging
import time
from typing import Any

from mediator_actors.actors.messages import OutboxQueued
from mediator_actors.actors.periodic import PeriodicActor
from mediator_actors.chain.writer import ChainWriter as OutboxDrainer
from mediator_actors.chain.writer import seconds_until
from supervisors import Link

logger = logging.getLogger(__name__)


class ChainWriterActor(PeriodicActor):
    """Drains the outbox at the chain's pace; woken by ``OutboxQueued``."""

    def __init__(self, link: Link | None, *, drainer: OutboxDrainer, interval: float) -> None:
        super().__init__(link, interval=interval)
        self.drainer = drainer

    def prepare(self) -> None:
        recovered = self.drainer.recover()
        if recovered:
            logger.info(
                "chain: %d outbox entries held by a previous writer are pending again", recovered
            )

    def round(self) -> float | None:
        result = self.drainer.drain_once()
        for key, reason in result.failed:
            logger.error("chain: %s will never be posted: %s", key, reason)
        if result.error is not None:
            logger.warning("chain: writing failed (%s)", result.error)
        # Sleep until the next entry is ready, but never past the regular interval.
        return min(self.interval, seconds_until(self.drainer.next_ready_at(), time.time()))

    def receive(self, message: Any) -> Any:
        if isinstance(message, OutboxQueued):
            self.wake()
            return None
        return super().receive(message)
