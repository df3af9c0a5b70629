"""The read-only JSON API's view of the store (``/api/v1/...``)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from mediator_actors.edge.readmodel import ApiPage
from mediator_actors.negotiation.providers import Usage, cost_usd
from mediator_actors.settlement import reputation as reputation_table
from mediator_actors.settlement.records import count_by_state, get_settlement, settlements_page
from mediator_actors.store import NEGOTIATIONS, Store
from mediator_actors.store.intents import count_intents


def _rowid_cursor(cursor: str | None) -> int:
    return int(cursor) if cursor is not None and cursor.isdigit() else 0


def llm_usage(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Calls, tokens and estimated cost per model, from every recorded negotiation (durable:
    it survives restarts, unlike the negotiator's in-memory ledger)."""
    usage: dict[str, dict[str, Any]] = {}
    for model_id, calls, metered, tokens_in, tokens_out in conn.execute(
        "SELECT model_id, COUNT(*), SUM(metered), SUM(input_tokens), SUM(output_tokens)"
        " FROM negotiations GROUP BY model_id"
    ):
        usage[model_id] = {
            "negotiations": calls,
            "metered_calls": metered,
            "input_tokens": tokens_in,
            "output_tokens": tokens_out,
            "cost_usd": cost_usd(model_id, Usage(tokens_in, tokens_out)),
        }
    return usage


class StoreReadModel:
    """Implements :class:`mediator_actors.edge.readmodel.ReadModel` over the store's readers."""

    def __init__(self, store: Store, *, mediator_id: str) -> None:
        self._store = store
        self._mediator_id = mediator_id

    def stats(self) -> dict[str, Any]:
        def read(conn: sqlite3.Connection) -> dict[str, Any]:
            cursor = conn.execute("SELECT next_index FROM chain_cursor").fetchone()
            return {
                "mediator_id": self._mediator_id,
                "intents": count_intents(conn),
                "negotiations": {k.value: v for k, v in NEGOTIATIONS.counts(conn).items()},
                "settlements": count_by_state(conn, own=True),
                "chain_next_block": None if cursor is None else cursor[0],
                "llm_usage": llm_usage(conn),
            }

        return self._store.read(read)

    def intents(self, limit: int, cursor: str | None) -> ApiPage:
        def read(conn: sqlite3.Connection) -> ApiPage:
            rows = conn.execute(
                "SELECT rowid, ref, author, type, content, status, offered_fee, branch,"
                " block_index, injection_findings FROM intents WHERE rowid > ?"
                " ORDER BY rowid LIMIT ?",
                (_rowid_cursor(cursor), limit),
            ).fetchall()
            items = [
                {
                    "intent_ref": r["ref"],
                    "author": r["author"],
                    "type": r["type"],
                    "content": r["content"],
                    "status": r["status"],
                    "offered_fee": r["offered_fee"],
                    "branch": r["branch"],
                    "mined": r["block_index"] is not None,
                    "injection_findings": json.loads(r["injection_findings"]),
                }
                for r in rows
            ]
            more = len(rows) == limit
            return ApiPage(items, str(rows[-1]["rowid"]) if rows and more else None)

        return self._store.read(read)

    def candidates(self, limit: int, cursor: str | None) -> ApiPage:
        def read(conn: sqlite3.Connection) -> ApiPage:
            rows = conn.execute(
                "SELECT id, payload, state, priority, attempts, last_error FROM jobs"
                " WHERE kind = ? AND id > ? ORDER BY id LIMIT ?",
                (NEGOTIATIONS.kind, _rowid_cursor(cursor), limit),
            ).fetchall()
            items = []
            for r in rows:
                payload = json.loads(r["payload"])
                items.append(
                    {
                        "offer_ref": payload.get("offer_ref"),
                        "seek_ref": payload.get("seek_ref"),
                        "similarity": payload.get("similarity"),
                        "priority": r["priority"],
                        "negotiation": r["state"],
                        "attempts": r["attempts"],
                        "last_error": r["last_error"],
                    }
                )
            more = len(rows) == limit
            return ApiPage(items, str(rows[-1]["id"]) if rows and more else None)

        return self._store.read(read)

    def settlements(self, state: str | None, limit: int, cursor: str | None) -> ApiPage:
        items, next_cursor = self._store.read(
            lambda conn: settlements_page(conn, state=state, limit=limit, cursor=cursor)
        )
        return ApiPage(items, next_cursor)

    def settlement(self, settlement_id: str) -> dict[str, Any] | None:
        record = self._store.read(lambda conn: get_settlement(conn, settlement_id))
        return None if record is None else record.to_json()

    def reputation(self, mediator_id: str | None) -> dict[str, Any] | None:
        wanted = mediator_id or self._mediator_id
        return self._store.read(lambda c: reputation_table.get_reputation(c, wanted)).to_json()
