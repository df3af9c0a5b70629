"""What the read-only JSON API asks of the node: a :class:`ReadModel` the lead implements over
the store.

Every method is called from an HTTP handler greenlet, so an implementation must not block the
hub: SQLite reads go through ``offload.run_blocking``. Methods return JSON-ready values
(``dict``/``list``/``str``/``int``/``float``/``bool``/``None``) and never raise for "not found".
Cursors are opaque strings the implementation mints (``[A-Za-z0-9_-]{1,128}``); the API validates
their shape before passing them on, the implementation validates their meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class ApiPage:
    """One page of a list: the items and the cursor of the next page (``None`` at the end)."""

    items: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None


class ReadModel(Protocol):
    def stats(self) -> dict[str, Any]:
        """Counts for ``/api/v1/stats`` (intents, candidates, settlements by state, ...)."""
        ...

    def intents(self, limit: int, cursor: str | None) -> ApiPage: ...

    def candidates(self, limit: int, cursor: str | None) -> ApiPage: ...

    def settlements(self, state: str | None, limit: int, cursor: str | None) -> ApiPage: ...

    def settlement(self, settlement_id: str) -> dict[str, Any] | None: ...

    def disputes(self, state: str | None, limit: int, cursor: str | None) -> ApiPage: ...

    def dispute(self, dispute_id: str) -> dict[str, Any] | None:
        """The dispute with its entries (and their effects) in chain order, or None."""
        ...

    def reputation(self, mediator_id: str | None) -> dict[str, Any] | None:
        """This node's reputation for ``None``, another mediator's otherwise."""
        ...
