"""The chain listener: follows the chain into the store and tells the others after commit."""

from __future__ import annotations

import logging
from collections.abc import Callable

from mediator_actors.actors.messages import (
    DisputesChanged,
    IntentsIngested,
    IntentsLeftMediation,
    OutboxQueued,
    Roles,
)
from mediator_actors.actors.periodic import PeriodicActor
from mediator_actors.chain.follower import ChainFollower, PollResult
from mediator_actors.disputes.book import DisputeChange
from mediator_actors.monitoring import (
    EventSink,
    IntentIngested,
    dispute_event,
    transition_events,
)
from mediator_actors.settlement.interface import Transition
from mediator_actors.settlement.records import SettlementState
from supervisors import Link, RoleRegistry

logger = logging.getLogger(__name__)


#: How much slower than ``interval`` an idle listener may poll (doubling per idle poll).
IDLE_SLOWDOWN = 8


def next_poll_delay(result: PollResult, interval: float, idle_polls: int) -> tuple[float, int]:
    """(seconds until the next poll, idle polls so far) after ``result``: at once while
    catching up, as asked when busy or failing, ``interval`` doubling while idle."""
    if result.error is not None:
        return result.retry_in, 0
    if not result.caught_up:
        return 0.0, 0
    idle_polls = idle_polls + 1 if result.idle else 0
    return float(interval * min(2 ** min(idle_polls, 8), IDLE_SLOWDOWN)), idle_polls


class ChainListener(PeriodicActor):
    """Polls every ``interval`` seconds; at once again while it is catching up a backlog;
    slower while nothing changes (doubling up to ``IDLE_SLOWDOWN`` x ``interval``), so
    polling alone never eats the chain's per-client request limit."""

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
        self._idle_polls = 0

    def round(self) -> float | None:
        result = self.follower.poll_once()
        self.last_result = result
        if result.busy or (result.error is not None and result.logged):
            return result.retry_in  # the follower logged it (back-pressure, a refused key)
        if result.error is not None:
            logger.warning(
                "chain: poll failed (%s); retrying in %.1fs", result.error, result.retry_in
            )
            return result.retry_in
        self._announce(result)
        delay, self._idle_polls = next_poll_delay(result, self.interval, self._idle_polls)
        return delay

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
        self._announce_disputes(result.disputes)
        if result.challenged:
            self.registry.tell(Roles.CHAIN_WRITER, OutboxQueued())  # a challenge to post
        if result.reset:
            logger.warning("chain: reset or fork detected under the cursor; re-synced")
        for reason in result.quarantined:
            logger.error("chain: quarantined an entry: %s", reason)

    def _announce_disputes(self, changes: tuple[DisputeChange, ...]) -> None:
        """Dispute changes the dispute book committed with the cursor: events, then the handler (packages)
        and the writer (a clarification may wait in the outbox)."""
        for change in changes:
            self.events.publish(dispute_event(change))
        if changes:
            self.registry.tell(
                Roles.DISPUTE_HANDLER, DisputesChanged(tuple(c.dispute_id for c in changes))
            )
            self.registry.tell(Roles.CHAIN_WRITER, OutboxQueued())

    def _announce_settlements(self, transitions: tuple[Transition, ...]) -> None:
        """Settlement decisions the lifecycle committed with the cursor."""
        payout = ended = False
        for t in transitions:
            payout |= t.payout_enqueued
            ended |= t.state in SettlementState.terminal()
            for event in transition_events(t):
                self.events.publish(event)
            if t.state is SettlementState.CLOSED and t.own:
                # Per settlement at debug: the activity log says "N closed, N payout claims".
                logger.debug("settlement: %s closed; payout claim queued", t.settlement_id)
        if payout:
            self.registry.tell(Roles.CHAIN_WRITER, OutboxQueued())
        if ended:  # closed intents leave the index; rejected or expired ones return to it
            self.registry.tell(Roles.INDEX_KEEPER, IntentsLeftMediation(()))
