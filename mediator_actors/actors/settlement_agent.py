"""The settlement agent: turns successful negotiations into signed proposals, once each.

Settlement outcomes are decided from mined entries inside the chain listener's transaction
(``SettlementBook.apply_mined_block`` is the follower's block hook); this actor proposes,
gives up proposals the chain refused for good, and announces.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from mediator_actors.actors.messages import (
    NegotiationSucceeded,
    OutboxQueued,
    Roles,
)
from mediator_actors.actors.periodic import PeriodicActor
from mediator_actors.model import EntryRef, NegotiationResult, Terms
from mediator_actors.monitoring import EventSink, SettlementProposed
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.settlement.proposals import ProposalPolicy, propose
from mediator_actors.store import Migration, Store
from supervisors import Link, RoleRegistry

logger = logging.getLogger(__name__)

#: One row per successful negotiation this node decided on: proposed, or skipped with why.
MIGRATIONS = (
    Migration(
        "settlement_agent",
        1,
        (
            """CREATE TABLE proposal_decisions (
                pair_key TEXT PRIMARY KEY,
                settlement_id TEXT,
                skipped_reason TEXT,
                decided_at REAL NOT NULL
            )""",
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class Decided:
    pair_key: str
    settlement_id: str | None
    skipped: str | None
    content: str | None
    #: (offer, seek) refs and their authors when a proposal was recorded, else empty.
    intents: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()


def _result_from_row(row: sqlite3.Row) -> NegotiationResult:
    terms = json.loads(row["terms"]) if row["terms"] else None
    return NegotiationResult(
        success=bool(row["success"]),
        confidence=int(row["confidence"]),
        reasoning=row["reasoning"] or "",
        model_id=row["model_id"],
        model_integrity_hash=row["integrity_hash"],
        terms=None
        if terms is None
        else Terms(
            price=terms.get("price"),
            deliverables=tuple(terms.get("deliverables") or ()),
            timeline=terms.get("timeline"),
            conditions=tuple(terms.get("conditions") or ()),
            currency=terms.get("currency") or "NLC",
        ),
        injection_findings=tuple(json.loads(row["injection_findings"] or "[]")),
    )


def decide_pending_proposals(
    conn: sqlite3.Connection,
    book: SettlementBook,
    policy: ProposalPolicy,
    *,
    now: float,
    limit: int = 50,
) -> list[Decided]:
    """Propose (or record why not) for successful negotiations not decided yet, in the
    caller's transaction: the decision, the settlement row and the outbox entry commit
    together, so a crash repeats nothing and loses nothing."""
    rows = conn.execute(
        "SELECT * FROM negotiations n WHERE n.success = 1 AND NOT EXISTS"
        " (SELECT 1 FROM proposal_decisions d WHERE d.pair_key = n.pair_key)"
        " ORDER BY n.created_at LIMIT ?",
        (limit,),
    ).fetchall()
    decided = []
    for row in rows:
        outcome = propose(
            conn,
            book,
            policy,
            offer_ref=EntryRef(row["offer_ref"]),
            seek_ref=EntryRef(row["seek_ref"]),
            result=_result_from_row(row),
            now=now,
        )
        settlement_id = None if outcome.draft is None else outcome.draft.settlement_id
        conn.execute(
            "INSERT OR IGNORE INTO proposal_decisions VALUES (?, ?, ?, ?)",
            (row["pair_key"], settlement_id, outcome.skipped, now),
        )
        draft = outcome.draft
        decided.append(
            Decided(
                row["pair_key"],
                settlement_id,
                outcome.skipped,
                None if draft is None else draft.entry.content,
                () if draft is None else (draft.offer_ref, draft.seek_ref),
                () if draft is None else (draft.offer_party, draft.seek_party),
            )
        )
    return decided


def abandon_refused_proposals(
    conn: sqlite3.Connection, book: SettlementBook
) -> list[tuple[str, str]]:
    """End own proposals the chain refused for good (the writer failed their outbox entry)."""
    rows = conn.execute(
        "SELECT s.settlement_id, j.last_error FROM jobs j JOIN settlements s"
        " ON j.dedupe_key = 'proposal:' || s.settlement_id"
        " WHERE j.kind = 'chain_outbox' AND j.state IN ('failed', 'quarantined')"
        " AND s.own = 1 AND s.state IN ('proposed', 'accepted')"
    ).fetchall()
    ended = []
    for settlement_id, reason in rows:
        if book.abandon_unposted(conn, settlement_id, reason or "refused") is not None:
            ended.append((settlement_id, reason or "refused"))
    return ended


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
