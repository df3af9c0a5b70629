"""The dispute book as the chain follower sees it: a typed interface disputes/ owns.

Like the settlement lifecycle (:mod:`mediator_actors.settlement.interface`), the follower
calls it inside the transaction that advances the chain cursor, once per mined block in
chain order and after the settlement lifecycle has seen the same block (a dispute sees the
settlement it names), so a dispute's opening, evidence, escalation and resolution commit
with the cursor or not at all. The :class:`DisputeChange` values it returns are announced
only after the commit. :class:`mediator_actors.disputes.book.DisputeBook` implements it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Protocol

from mediator_actors.disputes.book import DisputeChange
from mediator_actors.model import ChainEntry

__all__ = ["DisputeChange", "DisputeLifecycle"]


class DisputeLifecycle(Protocol):
    """Decides disputes from mined blocks, in the caller's transaction."""

    def apply_mined_block(
        self, conn: sqlite3.Connection, entries: Sequence[ChainEntry], block_timestamp: float
    ) -> list[DisputeChange]:
        """Apply one mined block's dispute entries in order; writes only through ``conn``
        and never commits. Never raises on entry content."""
        ...

    def retire_after_reset(self, conn: sqlite3.Connection, reason: str) -> list[DisputeChange]:
        """The chain was reset (a new genesis): retire every open dispute, in the caller's
        transaction, which moves the cursor back; nothing is deleted."""
        ...

    def retire_after_fork(
        self, conn: sqlite3.Connection, settlements: frozenset[str], reason: str
    ) -> list[DisputeChange]:
        """A fork orphaned ``settlements``: retire every unresolved dispute about them and
        never post their queued clarification or payout hold, in the caller's transaction;
        nothing is deleted."""
        ...
