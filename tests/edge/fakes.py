"""An in-memory ReadModel for tests only; the node's implementation lives over the store."""

from __future__ import annotations

from typing import Any

from mediator_actors.edge.readmodel import ApiPage


class MemoryReadModel:
    def __init__(self, **lists: list[dict[str, Any]]) -> None:
        self.lists = {"intents": [], "candidates": [], "settlements": [], **lists}
        self.dispute_list: list[dict[str, Any]] = []
        self.reputations: dict[str | None, dict[str, Any]] = {
            None: {"mediator": "self", "score": 1.0}
        }
        self.calls: list[tuple[str, Any]] = []

    def _page(self, items: list[dict[str, Any]], limit: int, cursor: str | None) -> ApiPage:
        start = int(cursor) if cursor and cursor.isdigit() else 0
        chunk = items[start : start + limit]
        more = start + limit < len(items)
        return ApiPage(chunk, str(start + limit) if more else None)

    def stats(self) -> dict[str, Any]:
        return {k: len(v) for k, v in self.lists.items()}

    def intents(self, limit: int, cursor: str | None) -> ApiPage:
        self.calls.append(("intents", (limit, cursor)))
        return self._page(self.lists["intents"], limit, cursor)

    def candidates(self, limit: int, cursor: str | None) -> ApiPage:
        return self._page(self.lists["candidates"], limit, cursor)

    def settlements(self, state: str | None, limit: int, cursor: str | None) -> ApiPage:
        self.calls.append(("settlements", (state, limit, cursor)))
        items = [s for s in self.lists["settlements"] if state is None or s.get("state") == state]
        return self._page(items, limit, cursor)

    def settlement(self, settlement_id: str) -> dict[str, Any] | None:
        return next((s for s in self.lists["settlements"] if s.get("id") == settlement_id), None)

    def disputes(self, state: str | None, limit: int, cursor: str | None) -> ApiPage:
        items = [d for d in self.dispute_list if state is None or d.get("state") == state]
        return self._page(items, limit, cursor)

    def dispute(self, dispute_id: str) -> dict[str, Any] | None:
        return next((d for d in self.dispute_list if d.get("dispute_id") == dispute_id), None)

    def reputation(self, mediator_id: str | None) -> dict[str, Any] | None:
        return self.reputations.get(mediator_id)
