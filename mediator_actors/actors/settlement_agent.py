"""The settlement agent: turns successful negotiations into signed proposals, once each.

Settlement outcomes are decided from mined entries by the settlement lifecycle, which the
chain follower calls in the transaction that advances its cursor
(``settlement.interface.SettlementLifecycle``); this actor proposes, gives up proposals
the chain refused for good, and announces.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from mediator_actors.actors.messages import (
    NegotiationSucceeded,
    OutboxQueued,
    Roles,
)
from mediator_actors.actors.periodic import PeriodicActor
from mediator_actors.monitoring import EventSink, SettlementProposed
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.settlement.proposals import (
    ProposalPolicy,
    abandon_refused_proposals,
    decide_pending_proposals,
)
from mediator_actors.store import Store
from supervisors import Link, RoleRegistry

logger = logging.getLogger(__name__)


class SettlementAgent(PeriodicActor):
    def __init__(
        self,
        link: Link | None,
        *,
        store: Store,
        book: SettlementBook,
        policy: ProposalPolicy,
        registry: RoleRegistry,
        events: EventSink,
        interval: float,
    ) -> None:
        super().__init__(link, interval=interval)
        self.store = store
        self.book = book
        self.policy = policy
        self.registry = registry
        self.events = events

    def round(self) -> float | None:
        now = time.time()
        decided, refused = self.store.write(
            lambda conn: (
                decide_pending_proposals(conn, self.book, self.policy, now=now),
                abandon_refused_proposals(conn, self.book),
            )
        )
        for settlement_id, reason in refused:
            logger.error("settlement: proposal %s will never be posted: %s", settlement_id, reason)
        proposed = [d for d in decided if d.settlement_id is not None]
        for item in decided:
            if item.settlement_id is None:
                logger.info("settlement: not proposing %s: %s", item.pair_key, item.skipped)
                continue
            # Per settlement at debug: the activity log says "settlements: N proposed".
            logger.debug("settlement: proposed %s", item.settlement_id)
            self.events.publish(
                SettlementProposed(
                    settlement_id=item.settlement_id,
                    intents=item.intents,
                    parties=item.parties,
                    pair=item.pair_key,
                    content=item.content,
                )
            )
        if proposed:
            self.registry.tell(Roles.CHAIN_WRITER, OutboxQueued())
        return 0.0 if len(decided) >= 50 else None

    def receive(self, message: Any) -> Any:
        if isinstance(message, NegotiationSucceeded):
            self.wake()
            return None
        return super().receive(message)
