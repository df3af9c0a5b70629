"""The domain model shared by every actor: ids, chain entries, intents, terms.

Values are frozen and validated where data enters (the chain codec, the LLM answer
validator, the config), so the rest of the node can trust them.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NewType

#: sha256(author \x00 content \x00 timestamp) in hex, as protocol.md defines.
EntryRef = NewType("EntryRef", str)
#: A mediator's id: its Ed25519 public key, 64 lowercase hex characters.
MediatorId = NewType("MediatorId", str)
SettlementId = NewType("SettlementId", str)
Author = NewType("Author", str)

PROTOCOL = "nlc-mediator/1"
HEX_ID = re.compile(r"^[0-9a-f]{16,64}$")


def is_hex_id(value: object) -> bool:
    """True for a protocol id (``^[0-9a-f]{16,64}$``). Ids are validated, never rewritten."""
    return isinstance(value, str) and HEX_ID.fullmatch(value) is not None


#: Larger amounts are refused: no settlement is worth a quadrillion NLC, and floats lose
#: whole units beyond 2**53.
MAX_AMOUNT = 1e15


def protocol_amount(value: object) -> float | None:
    """A protocol amount (finite, non-negative JSON number, not a bool or string, at most
    MAX_AMOUNT), or None. Invalid amounts are refused, never "sanitised"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        amount = float(value)
    except OverflowError:  # a 5,000-digit integer
        return None
    if not math.isfinite(amount) or amount < 0 or amount > MAX_AMOUNT:
        return None
    return amount


def entry_ref(author: str, content: str, timestamp: str) -> EntryRef:
    """The protocol's entry reference, with the timestamp exactly as the chain returned it."""
    data = "\x00".join((author, content, timestamp)).encode("utf-8")
    return EntryRef(hashlib.sha256(data).hexdigest())


def canonical_json(value: Any) -> bytes:
    """Canonical JSON as protocol.md fixes it: sorted keys, no spaces, raw UTF-8, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


class IntentType(StrEnum):
    OFFER = "offer"
    SEEK = "seek"

    @property
    def opposite(self) -> IntentType:
        return IntentType.SEEK if self is IntentType.OFFER else IntentType.OFFER


class EntryKind(StrEnum):
    """What an entry is, by ``metadata.contract_type`` (protocol.md, "Kinds")."""

    INTENT = "intent"
    PROPOSAL = "proposal"
    RESPONSE = "response"
    CHALLENGE = "challenge"
    CHALLENGE_RESOLUTION = "challenge_resolution"
    PAYOUT = "payout"
    FLAG = "flag"
    DISPUTE = "dispute"
    EVIDENCE = "evidence"
    CLARIFICATION = "clarification"
    ESCALATION = "escalation"
    DISPUTE_RESOLUTION = "dispute_resolution"
    OTHER = "other"


class IntentStatus(StrEnum):
    OPEN = "open"  # may be paired
    CLOSED = "closed"  # its settlement closed: out of mediation
    ARCHIVED = "archived"  # flagged unalignable, or withdrawn


@dataclass(frozen=True, slots=True)
class ChainEntry:
    """One entry as the chain returned it, after strict parsing. ``block_index`` is None
    while the entry is pending."""

    author: str
    content: str
    intent: str
    timestamp: str
    metadata: dict[str, Any]
    ref: EntryRef
    block_index: int | None = None

    @property
    def mined(self) -> bool:
        return self.block_index is not None


@dataclass(frozen=True, slots=True)
class Intent:
    """An offer or a seek, with what the party stated it wants and will not accept."""

    ref: EntryRef
    author: str
    type: IntentType
    content: str
    timestamp: str
    desires: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()
    offered_fee: float | None = None
    branch: str | None = None
    block_index: int | None = None
    injection_findings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Terms:
    """Proposed settlement terms (protocol.md section 2, ``terms``)."""

    price: float | None
    deliverables: tuple[str, ...] = ()
    timeline: str | None = None
    conditions: tuple[str, ...] = ()
    currency: str = "NLC"

    def to_json(self) -> dict[str, Any]:
        return {
            "price": self.price,
            "currency": self.currency,
            "deliverables": list(self.deliverables),
            "timeline": self.timeline,
            "conditions": list(self.conditions),
        }


def pair_key(ref_a: str, ref_b: str) -> str:
    """The id of an offer/seek pair, order-free ((A, B) is (B, A)): the one place it is built.

    It keys the pair's negotiation job, its ``negotiations`` row, this node's proposal
    decision and its settlement."""
    low, high = sorted((ref_a, ref_b))
    return f"{low}:{high}"


def pair_refs(key: str) -> tuple[EntryRef, EntryRef]:
    """The two refs of a :func:`pair_key`, in the key's (sorted) order."""
    low, sep, high = key.partition(":")
    if not sep or not low or not high or ":" in high:
        raise ValueError(f"not a pair key: {key[:80]!r}")
    return EntryRef(low), EntryRef(high)


@dataclass(frozen=True, slots=True)
class CandidatePair:
    """An offer and a seek worth negotiating. (A, B) and (B, A) are the same pair."""

    offer_ref: EntryRef
    seek_ref: EntryRef
    similarity: float
    priority: float

    @property
    def key(self) -> str:
        """Order-free identity of the pair (:func:`pair_key`)."""
        return pair_key(self.offer_ref, self.seek_ref)


@dataclass(frozen=True, slots=True)
class NegotiationResult:
    """What a negotiation decided. ``terms`` is set only when it succeeded and passed every
    check; a failed answer never becomes a settlement."""

    success: bool
    confidence: int
    reasoning: str
    model_id: str
    model_integrity_hash: str
    terms: Terms | None = None
    failure_reason: str | None = None
    checks: tuple[str, ...] = field(default=())
    injection_findings: tuple[str, ...] = ()
