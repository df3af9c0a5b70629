"""The dispute handler: writes escalation packages after the follower's commit.

Dispute entries are applied by :class:`~mediator_actors.disputes.book.DisputeBook` in the
chain follower's transaction (through ``DisputeLifecycle``); files are not transactional, so
this actor writes ``data/disputes/<dispute_id>/package.json`` afterwards: when woken by
:class:`~mediator_actors.actors.messages.DisputesChanged`, at start (a package lost with
``data/`` or by a crash between commit and write), and every ``interval`` seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mediator_actors.actors.messages import DisputesChanged
from mediator_actors.actors.periodic import PeriodicActor
from mediator_actors.disputes import package
from mediator_actors.store import Store
from supervisors import Link

logger = logging.getLogger(__name__)


def _inline(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


class DisputeHandler(PeriodicActor):
    """Thin: one :func:`package.write_due` per round, off the hub through ``offload``."""

    def __init__(
        self,
        link: Link | None,
        *,
        store: Store,
        data_dir: Path,
        authorities: Mapping[str, str],
        interval: float,
        offload: Callable[..., Any] = _inline,
    ) -> None:
        super().__init__(link, interval=interval)
        self.store = store
        self.data_dir = data_dir
        self.authorities = dict(authorities)
        self.offload = offload
        self.written = 0

    def round(self) -> float | None:
        written: list[str] = self.offload(
            package.write_due, self.store, self.data_dir, self.authorities
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
