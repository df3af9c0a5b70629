"""The read-only JSON API's view of the store (``/api/v1/...``)."""

from __future__ import annotations

import sqlite3
from typing import Any

from mediator_actors.chain.tables import entries_not_taken, read_cursor
from mediator_actors.disputes.records import (
    DisputeState,
    dispute_entries,
    get_dispute,
    list_disputes,
)
from mediator_actors.edge import business
from mediator_actors.edge.readmodel import ApiPage
from mediator_actors.negotiation.providers import Usage, cost_usd
from mediator_actors.negotiation.records import usage_by_model
from mediator_actors.settlement import reputation as reputation_table
from mediator_actors.settlement.records import count_by_state, get_settlement, settlements_page
from mediator_actors.store import NEGOTIATIONS, Store
from mediator_actors.store.intents import count_intents, intents_page


def _rowid_cursor(cursor: str | None) -> int:
    return int(cursor) if cursor is not None and cursor.isdigit() else 0


def llm_usage(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Calls, tokens and estimated cost per model, from every recorded negotiation (durable:
    it survives restarts, unlike the negotiator's in-memory ledger)."""
    return {
        model_id: {
            "negotiations": used.negotiations,
            "metered_calls": used.metered_calls,
            "input_tokens": used.input_tokens,
            "output_tokens": used.output_tokens,
            "cost_usd": cost_usd(model_id, Usage(used.input_tokens, used.output_tokens)),
        }
        for model_id, used in usage_by_model(conn).items()
    }


class StoreReadModel:
    """Implements :class:`mediator_actors.edge.readmodel.ReadModel` over the store's readers."""

    def __init__(self, store: Store, *, mediator_id: str) -> None:
        self._store = store
        self._mediator_id = mediator_id

    def stats(self) -> dict[str, Any]:
        def read(conn: sqlite3.Connection) -> dict[str, Any]:
            cursor = read_cursor(conn)
            return {
                "mediator_id": self._mediator_id,
                "intents": count_intents(conn),
                "negotiations": {k.value: v for k, v in NEGOTIATIONS.counts(conn).items()},
                "settlements": count_by_state(conn, own=True),
                "chain_next_block": cursor.next_index if cursor.stored else None,
                "entries_not_taken": entries_not_taken(conn),
                "llm_usage": llm_usage(conn),
            }

        return self._store.read(read)

    def intents(self, limit: int, cursor: str | None) -> ApiPage:
        def read(conn: sqlite3.Connection) -> ApiPage:
            rows = intents_page(conn, after=_rowid_cursor(cursor), limit=limit)
            items = [
                {
                    "intent_ref": r.intent.ref,
                    "author": r.intent.author,
                    "type": r.intent.type.value,
                    "content": r.intent.content,
                    "status": r.status.value,
                    "offered_fee": r.intent.offered_fee,
                    "branch": r.intent.branch,
                    "mined": r.intent.block_index is not None,
                    "injection_findings": list(r.intent.injection_findings),
                }
                for r in rows
            ]
            more = len(rows) == limit
            return ApiPage(items, str(rows[-1].position) if rows and more else None)

        return self._store.read(read)

    def candidates(self, limit: int, cursor: str | None) -> ApiPage:
        def read(conn: sqlite3.Connection) -> ApiPage:
            jobs = NEGOTIATIONS.page(conn, after_id=_rowid_cursor(cursor), limit=limit)
            items = [
                {
                    "offer_ref": job.payload.get("offer_ref"),
                    "seek_ref": job.payload.get("seek_ref"),
                    "similarity": job.payload.get("similarity"),
                    "priority": job.priority,
                    "negotiation": job.state.value,
                    "attempts": job.attempts,
                    "last_error": job.last_error,
                    # The decision and, for a declined pair, its reason and confidence.
                    "outcome": job.result,
                }
                for job in jobs
            ]
            more = len(jobs) == limit
            return ApiPage(items, str(jobs[-1].id) if jobs and more else None)

        return self._store.read(read)

    def settlements(self, state: str | None, limit: int, cursor: str | None) -> ApiPage:
        records, next_cursor = self._store.read(
            lambda conn: settlements_page(conn, state=state, limit=limit, cursor=cursor)
        )
        return ApiPage([r.to_json() for r in records], next_cursor)

    def settlement(self, settlement_id: str) -> dict[str, Any] | None:
        record = self._store.read(lambda conn: get_settlement(conn, settlement_id))
        return None if record is None else record.to_json()

    def disputes(self, state: str | None, limit: int, cursor: str | None) -> ApiPage:
        wanted = None if state is None else DisputeState(state)
        rows = self._store.read(lambda c: list_disputes(c, state=wanted, limit=limit, after=cursor))
        more = len(rows) == limit
        return ApiPage([r.to_json() for r in rows], rows[-1].dispute_id if rows and more else None)

    def dispute(self, dispute_id: str) -> dict[str, Any] | None:
        def read(conn: sqlite3.Connection) -> dict[str, Any] | None:
            record = get_dispute(conn, dispute_id)
            if record is None:
                return None
            return {**record.to_json(), "entries": dispute_entries(conn, dispute_id)}

        return self._store.read(read)

    def reputation(self, mediator_id: str | None) -> dict[str, Any] | None:
        wanted = mediator_id or self._mediator_id
        return self._store.read(lambda c: reputation_table.get_reputation(c, wanted)).to_json()

    # the operator's views (business.OperatorModel)

    def business(self) -> business.Business:
        return self._store.read(business.read_business)

    def recent_negotiations(self, limit: int) -> list[dict[str, Any]]:
        return self._store.read(lambda c: business.recent_negotiations(c, limit))

    def open_settlements(self, limit: int) -> list[dict[str, Any]]:
        return self._store.read(lambda c: business.open_settlements(c, limit))

    def recent_settlements(self, limit: int) -> list[dict[str, Any]]:
        return self._store.read(lambda c: business.recent_settlements(c, limit))
