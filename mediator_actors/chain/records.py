"""The follower's ports, settings, result values and pure helpers (its tables: ``tables``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mediator_actors.chain import codec
from mediator_actors.model import (
    ChainEntry,
    EntryKind,
    EntryRef,
    canonical_json,
)
from mediator_actors.settlement.interface import Transition


class ChainReader(Protocol):
    def latest_block(self) -> codec.LatestBlock: ...
    def block(self, index: int) -> codec.Block: ...
    def pending(self) -> codec.EntryPage: ...


@dataclass(frozen=True, slots=True)
class IntakeLimit:
    """At most ``per_author`` new intents per author per ``window`` seconds; the rest wait."""

    per_author: int = 30
    window: float = 60.0


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll changed, for the actor to announce after the commit."""

    new_intents: tuple[EntryRef, ...] = ()
    new_intent_authors: dict[EntryRef, str] = field(default_factory=dict)
    new_events: dict[EntryKind, tuple[EntryRef, ...]] = field(default_factory=dict)
    #: Entries that are now known to be mined (first seen mined, or pending before):
    #: closure and challenge outcomes are decided from mined entries only.
    mined_intents: tuple[EntryRef, ...] = ()
    mined_events: dict[EntryKind, tuple[EntryRef, ...]] = field(default_factory=dict)
    archived: tuple[EntryRef, ...] = ()
    quarantined: tuple[str, ...] = ()
    #: what the settlement lifecycle decided from the mined blocks, committed with the cursor
    decided: tuple[Transition, ...] = ()
    deferred: int = 0
    blocks: int = 0
    next_index: int = 0
    caught_up: bool = True
    reset: bool = False
    error: str | None = None
    retry_in: float = 0.0


def prepare_entry(entry: ChainEntry, max_flags: int) -> Any:
    """CPU part of ingesting one entry: ("intent", Intent, reason) / ("event", kind, raw) / None."""
    kind = codec.classify(entry)
    if kind is EntryKind.INTENT:
        intent = codec.to_intent(entry)
        assert intent is not None
        return ("intent", intent, codec.unalignable_reason(intent, 0, max_flags))
    if kind is EntryKind.OTHER:
        return None
    raw = {
        "author": entry.author,
        "content": entry.content,
        "intent": entry.intent,
        "timestamp": entry.timestamp,
        "metadata": entry.metadata,
    }
    return ("event", kind, canonical_json(raw).decode("utf-8"))


def prepare_entries(entries: Sequence[ChainEntry], max_flags: int) -> list[tuple[ChainEntry, Any]]:
    out: list[tuple[ChainEntry, Any]] = []
    for entry in entries:
        try:
            out.append((entry, prepare_entry(entry, max_flags)))
        except Exception as exc:  # noqa: BLE001 - one bad entry must not stop the page
            out.append((entry, exc))
    return out
