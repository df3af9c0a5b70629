"""Writes this node's ``[CHALLENGE]`` against other mediators' mined proposals.

:meth:`ChallengeWriter.apply_mined_block` runs in the chain follower's transaction after
the settlement lifecycle (which admits or ignores each proposal): for every mined proposal
by **another** mediator that the lifecycle followed and whose two intents this node knows,
the terms are checked by :func:`~mediator_actors.challenges.checker.find_contradiction`; a
contradiction becomes one signed challenge in the chain outbox (dedupe key
``challenge:<settlement_id>``: at most one per settlement, across restarts), which the
chain writer posts at the chain's pace. Our own proposals are never checked. When our
challenge is read back mined (a rebuild from the chain reads it before the writer runs), a
pending job for it is completed instead of posted again.

Bounded: at most :data:`MAX_CHECKS_PER_BLOCK` proposals are read per block (about 1 ms
each); the rest go unchallenged, which costs nothing but a missed challenge.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from mediator_actors.challenges.checker import Contradiction, find_contradiction
from mediator_actors.model import PROTOCOL, ChainEntry
from mediator_actors.settlement.entries import challenge_id_for, clean_text
from mediator_actors.settlement.parsing import ProposalSeen, parse_entry
from mediator_actors.settlement.records import get_settlement
from mediator_actors.signing import Keyring, MediatorKey, verify_metadata
from mediator_actors.store.intents import get_intent
from mediator_actors.store.jobs import CHAIN_OUTBOX, JobState

__all__ = ["MAX_CHECKS_PER_BLOCK", "ChallengeWriter", "build_challenge"]

logger = logging.getLogger(__name__)

MAX_CHECKS_PER_BLOCK = 20
INTENT_CHALLENGE = "settlement_challenge"


def build_challenge(key: MediatorKey, settlement_id: str, found: Contradiction) -> dict[str, Any]:
    """The signed ``[CHALLENGE]`` entry payload (protocol.md section 4)."""
    challenge_id = challenge_id_for(settlement_id, key.mediator_id)
    term = clean_text(found.term_quote, 300, single_line=True)
    stated = clean_text(found.intent_quote, 300, single_line=True)
    metadata = key.sign_metadata(
        {
            "is_contract": True,
            "contract_type": "challenge",
            "protocol": PROTOCOL,
            "challenge_id": challenge_id,
            "settlement_id": settlement_id,
            "violated_constraints": [found.violated],
            "confidence": found.confidence,
            "contradiction": {
                "proposal_term": term,
                "intent_ref": found.intent_ref,
                "intent_text": stated,
            },
            "mediator_id": key.mediator_id,
        }
    )
    content = (
        f"[CHALLENGE] {challenge_id} against settlement {settlement_id}: {found.violated}. "
        f'The proposal states "{term}"; intent {found.intent_ref} states "{stated}". '
        f"Confidence {found.confidence:.2f}."
    )
    return {
        "content": content,
        "author": key.mediator_id,
        "intent": INTENT_CHALLENGE,
        "metadata": metadata,
    }


def _signed_by(entry: ChainEntry, key: MediatorKey) -> bool:
    return entry.metadata.get("mediator_id") == key.mediator_id and verify_metadata(entry.metadata)


class ChallengeWriter:
    """Plain class over the caller's connection; the chain follower calls it (as ChallengeWatch)."""

    def __init__(
        self,
        *,
        key: MediatorKey,
        retired_keys: Iterable[MediatorKey] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.key = key
        # A proposal under a retired key of ours is still ours: never challenged by us.
        self.keyring = Keyring(key, tuple(retired_keys))
        self.clock = clock

    def apply_mined_block(
        self, conn: sqlite3.Connection, entries: Sequence[ChainEntry], block_timestamp: float
    ) -> list[str]:
        """Enqueue challenges for this block's proposals; the settlement ids challenged."""
        challenged: list[str] = []
        checks = 0
        for entry in entries:
            kind = entry.metadata.get("contract_type")
            if kind == "challenge" and self.keyring.owns(entry.author):
                self._seen_own(conn, entry)
                continue
            if kind != "proposal" or self.keyring.owns(entry.author):
                continue
            if checks >= MAX_CHECKS_PER_BLOCK:
                logger.info("challenges: check budget spent; %s not checked", entry.ref)
                continue
            checks += 1
            sid = self._check(conn, entry)
            if sid is not None:
                challenged.append(sid)
        return challenged

    def _check(self, conn: sqlite3.Connection, entry: ChainEntry) -> str | None:
        parsed = parse_entry(entry)
        if not isinstance(parsed, ProposalSeen) or self.keyring.owns(parsed.mediator_id):
            return None
        record = get_settlement(conn, parsed.settlement_id)
        if record is None or record.proposal_entry_ref != entry.ref:
            return None  # the lifecycle did not follow this proposal (ignored or a copy)
        offer, seek = get_intent(conn, parsed.offer_ref), get_intent(conn, parsed.seek_ref)
        if offer is None or seek is None:
            return None  # we cannot quote what we have not read
        found = find_contradiction(parsed.terms, offer, seek)
        if found is None:
            return None
        payload = build_challenge(self.key, parsed.settlement_id, found)
        if CHAIN_OUTBOX.enqueue(
            conn, f"challenge:{parsed.settlement_id}", payload, now=self.clock(), max_attempts=20
        ):
            logger.info(
                "challenges: %s against settlement %s", found.violated, parsed.settlement_id
            )
            return str(parsed.settlement_id)
        return None

    def _seen_own(self, conn: sqlite3.Connection, entry: ChainEntry) -> None:
        sid = entry.metadata.get("settlement_id")
        # Anyone can write our name as author: only our signature proves it is ours.
        signer = self.keyring.for_mediator(entry.author)
        if not isinstance(sid, str) or signer is None or not _signed_by(entry, signer):
            return
        job = CHAIN_OUTBOX.get(conn, f"challenge:{sid}")
        if job is not None and job.state is JobState.PENDING:
            CHAIN_OUTBOX.complete(conn, job.id, now=self.clock(), result={"seen": entry.ref})
