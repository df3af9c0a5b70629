"""The challenge writer as the chain follower sees it: a typed interface challenges/ owns.

The follower calls it inside the transaction that advances the chain cursor, once per mined
block after the settlement lifecycle, so a challenge this node decides to post waits in the
chain outbox exactly when the block that prompted it is stored.
:class:`mediator_actors.challenges.writer.ChallengeWriter` implements it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Protocol

from mediator_actors.model import ChainEntry

__all__ = ["ChallengeWatch"]


class ChallengeWatch(Protocol):
    """Checks a mined block's proposals and enqueues challenges in the caller's transaction."""

    def apply_mined_block(
        self, conn: sqlite3.Connection, entries: Sequence[ChainEntry], block_timestamp: float
    ) -> list[str]:
        """The settlement ids challenged (each challenge now waits in the outbox); writes
        only through ``conn`` and never commits."""
        ...
