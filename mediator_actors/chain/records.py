"""The follower's ports, settings, result values and pure helpers (its tables: ``tables``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mediator_actors.chain import codec, flags
from mediator_actors.chain import tables as chain_tables
from mediator_actors.chain.prose import read_prose
from mediator_actors.disputes.book import DisputeChange
from mediator_actors.model import (
    PROTOCOL,
    ChainEntry,
    EntryKind,
    EntryRef,
    canonical_json,
)
from mediator_actors.settlement import records as settlement_records
from mediator_actors.settlement.interface import Transition
from mediator_actors.store import intents as intent_table
from mediator_actors.store.database import has_table


class ChainReader(Protocol):
    def latest_block(self) -> codec.LatestBlock: ...
    def block(self, index: int) -> codec.Block: ...
    def pending(self) -> codec.EntryPage: ...
    def entries_by_author(self, author: str) -> codec.EntryPage: ...


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
    #: what the dispute book decided from the same blocks, in the same transaction
    disputes: tuple[DisputeChange, ...] = ()
    #: settlements this node challenged from the same blocks (the challenges wait in the
    #: outbox)
    challenged: tuple[str, ...] = ()
    deferred: int = 0
    blocks: int = 0
    next_index: int = 0
    caught_up: bool = True
    reset: bool = False
    error: str | None = None
    retry_in: float = 0.0
    #: the chain (or our own request budget) asked us to wait: back-pressure, not a fault
    busy: bool = False
    #: the follower already logged the error (at most once a minute): do not repeat it
    logged: bool = False

    @property
    def idle(self) -> bool:
        """Nothing new this poll: the listener may wait longer before the next one."""
        return (
            self.error is None
            and self.caught_up
            and not (
                self.blocks or self.new_intents or self.new_events or self.decided or self.disputes
            )
        )


_SETTLEMENT_KINDS = frozenset(
    {
        EntryKind.PROPOSAL,
        EntryKind.RESPONSE,
        EntryKind.CHALLENGE,
        EntryKind.CHALLENGE_RESOLUTION,
        EntryKind.PAYOUT,
        EntryKind.FLAG,
    }
)


def skip_reason(entry: ChainEntry) -> str:
    """Why an entry of no protocol kind is not taken (for ``/api/v1/stats``)."""
    metadata = entry.metadata
    contract_type = metadata.get("contract_type")
    if contract_type in ("offer", "seek"):
        return "offer_or_seek_without_is_contract"
    if contract_type is not None:
        return "unknown_contract_type"
    return "no_intent_metadata"


def prepare_entry(entry: ChainEntry, max_flags: int, plain_prose: bool = False) -> Any:
    """CPU part of ingesting one entry: ("intent", Intent, reason) / ("event", kind, raw) /
    ("skip", reason). With ``plain_prose``, an entry without intent metadata whose prose
    clearly is an offer or a seek becomes an intent (:mod:`mediator_actors.chain.prose`)."""
    kind = codec.classify(entry)
    if kind is EntryKind.INTENT:
        intent = codec.to_intent(entry)
        assert intent is not None
        # Declined for a prompt-injection attempt: archived, and flagged by this node.
        declined = flags.decline_reason(intent)
        return ("intent", intent, codec.unalignable_reason(intent, 0, max_flags) or declined)
    if kind is EntryKind.OTHER:
        reason = skip_reason(entry)
        if plain_prose and reason == "no_intent_metadata":
            reading = read_prose(entry.content)
            if reading.type is None:
                return ("skip", reading.reason)
            intent = codec.to_intent(entry, as_type=reading.type)
            assert intent is not None
            return ("intent", intent, codec.unalignable_reason(intent, 0, max_flags))
        return ("skip", reason)
    protocol = entry.metadata.get("protocol")
    if kind in _SETTLEMENT_KINDS and protocol is not None and protocol != PROTOCOL:
        return ("skip", "other_protocol")  # protocol.md: entries of other versions are ignored
    raw = {
        "author": entry.author,
        "content": entry.content,
        "intent": entry.intent,
        "timestamp": entry.timestamp,
        "metadata": entry.metadata,
    }
    return ("event", kind, canonical_json(raw).decode("utf-8"))


def prepare_entries(
    entries: Sequence[ChainEntry], max_flags: int, plain_prose: bool = False
) -> list[tuple[ChainEntry, Any]]:
    out: list[tuple[ChainEntry, Any]] = []
    for entry in entries:
        try:
            out.append((entry, prepare_entry(entry, max_flags, plain_prose)))
        except Exception as exc:  # noqa: BLE001 - one bad entry must not stop the page
            out.append((entry, exc))
    return out


#: (table, count of its rows under protocol v1 ids), each counted by the table's owner.
_ID_COLUMNS: tuple[tuple[str, Callable[[sqlite3.Connection], int]], ...] = (
    ("intents", intent_table.count_v1_refs),
    ("chain_events", chain_tables.count_v1_events),
    ("settlements", settlement_records.count_v1_ids),
)


def v1_store_problem(conn: sqlite3.Connection) -> str | None:
    """Why this store cannot be used by a v2 node (it holds protocol v1 ids), or None.

    v1 had no deployments (protocol.md), so there is nothing to convert: a v1 store's
    settlements were signed over 64-hex ids no default chain ever returned intact, and
    its intents are found again under v2 refs by reading the chain from genesis. The
    node refuses to start on one rather than mix the two; the operator moves DATA_DIR
    aside (keeping it as a record) and starts with an empty one.
    """
    for table, count_v1 in _ID_COLUMNS:
        if not has_table(conn, table):
            continue
        count = count_v1(conn)
        if count:
            return (
                f"the store holds {count} protocol v1 {table} rows (64-hex ids, which the "
                "chain's secret scanner redacts); this node speaks nlc-mediator/2 and v1 "
                "had no deployments to convert: move DATA_DIR aside (keep it as a record) "
                "and start again with an empty one; the chain is re-read under v2"
            )
    return None
