"""The settlement lifecycle as the chain follower sees it: a typed interface settlement/ owns.

The chain follower (:mod:`mediator_actors.chain.follower`) stores a batch of blocks and
advances its cursor in one transaction. Inside that transaction, once per mined block in
chain order, it calls :meth:`SettlementLifecycle.apply_mined_block`. What the lifecycle
decides there (responses counted, acceptance, rejection, expiry by chain time, closure with
its payout claim and both intents leaving mediation, challenge outcomes, reputation)
therefore commits with the cursor or not at all: a crash never loses a decision or makes
one twice. The :class:`Transition` values it returns are announced only after the commit.
After a chain reset (a new genesis) the follower calls
:meth:`SettlementLifecycle.retire_after_reset` inside the transaction that moves the cursor
back, with the same guarantee; after a fork, once the new branch is read, it calls
:meth:`SettlementLifecycle.retire_after_fork` with what the fork took off the chain.

:class:`mediator_actors.settlement.lifecycle.SettlementBook` implements it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from mediator_actors.model import ChainEntry, MediatorId
from mediator_actors.settlement.records import SettlementState

__all__ = ["SettlementLifecycle", "Transition", "TransitionKind"]


class TransitionKind(StrEnum):
    PROPOSAL_MINED = "proposal_mined"  # a proposal is on the chain (state: proposed or expired)
    STATE = "state"  # the settlement moved to ``state``
    CHALLENGE_RESOLVED = "challenge_resolved"  # ``upheld`` says how


@dataclass(frozen=True, slots=True)
class Transition:
    """Something to announce once the transaction that produced it has committed."""

    kind: TransitionKind
    settlement_id: str
    mediator_id: MediatorId
    own: bool
    previous: SettlementState | None
    state: SettlementState
    reason: str
    block_index: int | None
    chain_time: float
    challenge_id: str | None = None
    upheld: bool | None = None
    payout_enqueued: bool = False
    reputation_changed: tuple[str, ...] = ()
    #: The settlement's (offer, seek) refs and their authors, for monitoring filters.
    intents: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "settlement_id": self.settlement_id,
            "mediator_id": self.mediator_id,
            "own": self.own,
            "previous": None if self.previous is None else self.previous.value,
            "state": self.state.value,
            "reason": self.reason,
            "block_index": self.block_index,
            "chain_time": self.chain_time,
            "challenge_id": self.challenge_id,
            "upheld": self.upheld,
            "payout_enqueued": self.payout_enqueued,
            "reputation_changed": list(self.reputation_changed),
            "intents": list(self.intents),
            "parties": list(self.parties),
        }


class SettlementLifecycle(Protocol):
    """Decides settlements from mined blocks, in the caller's transaction."""

    def apply_mined_block(
        self, conn: sqlite3.Connection, entries: Sequence[ChainEntry], block_timestamp: float
    ) -> list[Transition]:
        """Apply one mined block's entries in chain order, then expire what its timestamp
        passed. ``conn`` is inside the transaction that advances the chain cursor; the
        implementation writes only through it and never commits. Never raises on entry
        content (malformed entries are quarantined with their reason)."""
        ...

    def retire_after_reset(self, conn: sqlite3.Connection, reason: str) -> list[Transition]:
        """The chain was reset (a new genesis): retire everything derived from the lost
        chain (protocol.md lifecycle rule 5), in the caller's transaction, which moves the
        cursor back; nothing is deleted and the implementation never commits."""
        ...

    def retire_after_fork(
        self, conn: sqlite3.Connection, gone: frozenset[str], reason: str
    ) -> list[Transition]:
        """A fork took entries off the chain for good: ``gone`` holds the refs of the
        intents and protocol entries that only the replaced blocks carried and that the new
        branch carries neither mined nor pending. Retire what relied on them (lifecycle
        rule 5), in the caller's transaction; nothing is deleted, never commits."""
        ...
