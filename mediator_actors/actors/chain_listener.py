"""The chain listener: follows the chain into the store and tells the others after commit."""

from __future__ import annotations

import logging
from collections.abc import Callable

from mediator_actors.actors.messages import (
    IntentsIngested,
    IntentsLeftMediation,
    OutboxQueued,
    Roles,
)
from mediator_actors.actors.periodic import PeriodicActor
from mediator_actors.chain.follower import ChainFollower, PollResult
from mediator_actors.monitoring import EventSink, IntentIngested, transition_events
from mediator_actors.settlement.interface import Transition
from mediator_actors.settlement.records import SettlementState
from supervisors import Link, RoleRegistry

logger = logging.getLogger(__name__)


class ChainListener(PeriodicActor):
    """Polls every ``interval`` seconds; at once again while it is catching up a backlog."""

    def __init__(
        self,
        link: Link | None,
        *,
        follower: ChainFollower,
        registry: RoleRegistry,
        events: EventSink,
        interval: float,
        paused: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__(link, interval=interval, paused=paused)
        self.follower = follower
        self.registry = registry
        self.events = events
        self.last_result: PollResult | None = None

    def round(self) -> float | None:
        result = self.follower.poll_once()
        self.last_result = result
        if result.error is not None:
            logger.warning(
                "chain: poll failed (%s); retrying in %.1fs", result.error, result.retry_in
            )
            return result.retry_in
        self._announce(result)
        return None if result.caught_up else 0.0

    def _announce(self, result: PollResult) -> None:
        # Everything below is already committed: these messages only wake the others.
        if result.new_intents or result.mined_intents:
            self.registry.tell(
                Roles.INDEX_KEEPER, IntentsIngested(result.new_intents + result.mined_intents)
            )
        if result.archived:
            self.registry.tell(Roles.INDEX_KEEPER, IntentsLeftMediation(result.archived))
        for ref in result.new_intents:
            author = result.new_intent_authors.get(ref)
            self.events.publish(
                IntentIngested(intents=(ref,), parties=() if author is None else (author,))
            )
        self._announce_settlements(result.decided)
        if result.reset:
            logger.warning("chain: reset or fork detected under the cursor; re-synced")
        for reason in result.quarantined:
            logger.error("chain: quarantined an entry: %s", reason)

    def _announce_settlements(self, transitions: tuple[Transition, ...]) -> None:
        """Settlement decisions the lifecycle committed with the cursor."""
        payout = ended = False
        for t in transitions:
            payout |= t.payout_enqueued
            ended |= t.state in SettlementState.terminal()
            for event in transition_events(t):
                self.events.publish(event)
            if t.state is SettlementState.CLOSED and t.own:
                logger.info("settlement: %s closed; payout claim queued", t.settlement_id)
        if payout:
            self.registry.tell(Roles.CHAIN_WRITER, OutboxQueued())
        if ended:  # closed intents leave the index; rejected or expired ones return to it
            self.registry.tell(Roles.INDEX_KEEPER, IntentsLeftMediation(()))
