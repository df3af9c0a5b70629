"""A tiny in-memory chain for the lifecycle tests: mines entries into numbered blocks and
feeds them to a SettlementBook exactly as the chain follower will (apply each mined entry
in order, then expire_due with the block's timestamp), one transaction per block."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mediator_actors.model import ChainEntry, entry_ref
from mediator_actors.settlement.entries import OutgoingEntry
from mediator_actors.settlement.interface import Transition
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.settlement.records import MIGRATIONS
from mediator_actors.settlement.reputation import MIGRATIONS as REPUTATION_MIGRATIONS
from mediator_actors.signing import MediatorKey
from mediator_actors.store import Store
from mediator_actors.store.intents import MIGRATIONS as INTENT_MIGRATIONS
from mediator_actors.store.jobs import MIGRATIONS as JOB_MIGRATIONS

ALL_MIGRATIONS = [*JOB_MIGRATIONS, *INTENT_MIGRATIONS, *MIGRATIONS, *REPUTATION_MIGRATIONS]


def open_store(path: Path) -> Store:
    return Store.open(path, migrations=ALL_MIGRATIONS)


def chain_timestamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None).isoformat()


def as_chain_entry(entry: OutgoingEntry | dict[str, Any], *, block: int, at: float) -> ChainEntry:
    payload = entry.payload() if isinstance(entry, OutgoingEntry) else entry
    stamp = chain_timestamp(at)
    # The metadata exactly as the chain returns it: through JSON and back.
    metadata = json.loads(json.dumps(payload["metadata"]))
    return ChainEntry(
        author=payload["author"],
        content=payload["content"],
        intent=payload["intent"],
        timestamp=stamp,
        metadata=metadata,
        ref=entry_ref(payload["author"], payload["content"], stamp),
        block_index=block,
    )


class Chain:
    def __init__(self, store: Store, book: SettlementBook) -> None:
        self.store = store
        self.book = book
        self.block = 0

    def mine(self, *entries: OutgoingEntry | dict[str, Any], at: float) -> list[Transition]:
        self.block += 1
        mined = [as_chain_entry(e, block=self.block, at=at) for e in entries]
        return self.replay(mined, at)

    def replay(self, mined: list[ChainEntry], at: float) -> list[Transition]:
        return self.store.write(lambda conn: self.book.apply_mined_block(conn, mined, at))


def response(author: str, settlement_id: str, accept: bool, note: str = "") -> dict[str, Any]:
    tag = "[ACCEPT]" if accept else "[REJECT]"
    return {
        "content": f"{tag} {settlement_id} {note}".strip(),
        "author": author,
        "intent": "settlement_response",
        "metadata": {
            "is_contract": True,
            "contract_type": "response",
            "response_type": "accept" if accept else "reject",
            "settlement_id": settlement_id,
            "protocol": "nlc-mediator/2",
        },
    }


def challenge(key: MediatorKey, settlement_id: str, challenge_id: str) -> dict[str, Any]:
    metadata = key.sign_metadata(
        {
            "protocol": "nlc-mediator/2",
            "contract_type": "challenge",
            "challenge_id": challenge_id,
            "settlement_id": settlement_id,
            "violated_constraints": ["price above the buyer's budget"],
            "confidence": 0.9,
        }
    )
    return {
        "content": f"[CHALLENGE] {challenge_id} against settlement {settlement_id}: the price "
        "breaks the seeker's stated budget.",
        "author": key.mediator_id,
        "intent": "settlement_challenge",
        "metadata": metadata,
    }


def resolution(author: str, challenge_id: str, upheld: bool) -> dict[str, Any]:
    outcome = "upheld" if upheld else "rejected"
    return {
        "content": f"[CHALLENGE RESOLUTION] {challenge_id}: {outcome}",
        "author": author,
        "intent": "challenge_resolution",
        "metadata": {
            "protocol": "nlc-mediator/2",
            "contract_type": "challenge_resolution",
            "challenge_id": challenge_id,
            "outcome": outcome,
        },
    }
