"""The domain model shared by every actor: ids, chain entries, intents, terms.

Values are frozen and validated where data enters (the chain codec, the LLM answer
validator, the config), so the rest of the node can trust them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NewType

#: ``"ent_" + b32(sha256(author \x00 content \x00 timestamp))``, as protocol.md defines.
EntryRef = NewType("EntryRef", str)
#: A mediator's id: the W3C ``did:key`` of its Ed25519 public key.
MediatorId = NewType("MediatorId", str)
SettlementId = NewType("SettlementId", str)
Author = NewType("Author", str)

PROTOCOL = "nlc-mediator/2"

#: The digest-id tags of protocol.md ("Ids"). None of these shapes matches the chain's
#: secret scanner: 52 base32 characters plus a tag are neither 64 hex nor 40/43 base64.
DIGEST_TAGS = frozenset({"ent", "stl", "chl", "dsp", "mih", "doc"})
DIGEST_ID = re.compile(r"^(ent|stl|chl|dsp|mih|doc)_[a-z2-7]{52}$")
DID_KEY = re.compile(r"^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}$")
_ED25519_MULTICODEC = b"\xed\x01"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {ch: i for i, ch in enumerate(_B58)}


def b32(digest: bytes) -> str:
    """RFC 4648 base32, lowercased, without padding (52 characters for 32 bytes)."""
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()


def digest_id(tag: str, data: bytes) -> str:
    """``<tag>_<b32(sha256(data))>``."""
    if tag not in DIGEST_TAGS:
        raise ValueError(f"unknown digest-id tag {tag!r}")
    return f"{tag}_{b32(hashlib.sha256(data).digest())}"


def joined_digest_id(tag: str, *parts: str) -> str:
    """``digest_id(tag, "\x00".join(parts))`` over UTF-8, the form every v2 id uses."""
    return digest_id(tag, "\x00".join(parts).encode("utf-8"))


def is_digest_id(value: object, tag: str | None = None) -> bool:
    """True for a v2 digest id (of ``tag`` when given). Ids are validated, never rewritten."""
    if not isinstance(value, str) or DIGEST_ID.fullmatch(value) is None:
        return False
    if tag is not None and not value.startswith(tag + "_"):
        return False
    # The 52nd character carries one bit of the digest and 4 padding bits that must be
    # zero, so each digest has exactly one spelling (otherwise two ids name one digest).
    return value[-1] in "aq"


def b58encode(data: bytes) -> str:
    """Bitcoin base58 (base58btc)."""
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rem = divmod(number, 58)
        out.append(_B58[rem])
    leading = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    """Inverse of :func:`b58encode`; ``ValueError`` on a character outside the alphabet."""
    number = 0
    for ch in text:
        index = _B58_INDEX.get(ch)
        if index is None:
            raise ValueError("not base58btc")
        number = number * 58 + index
    leading = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading + body


def did_key(public_key: bytes) -> MediatorId:
    """The ``did:key`` of a 32-byte Ed25519 public key: ``did:key:z`` + base58btc(0xed01 + key)."""
    if len(public_key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return MediatorId("did:key:z" + b58encode(_ED25519_MULTICODEC + public_key))


def did_key_public(value: object) -> bytes | None:
    """The 32-byte Ed25519 key a ``did:key`` names, or None when it is not one (wrong
    pattern, wrong multicodec prefix, wrong length, or not the canonical spelling)."""
    if not isinstance(value, str) or DID_KEY.fullmatch(value) is None:
        return None
    try:
        raw = b58decode(value[len("did:key:z") :])
    except ValueError:  # pragma: no cover - the pattern admits only base58 characters
        return None
    if len(raw) != 34 or raw[:2] != _ED25519_MULTICODEC:
        return None
    key = raw[2:]
    return key if did_key(key) == value else None


def is_did_key(value: object) -> bool:
    return did_key_public(value) is not None


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
    return EntryRef(joined_digest_id("ent", author, content, timestamp))


def parse_iso_utc(text: object) -> float | None:
    """Epoch seconds of an ISO-8601 time (``Z``, an offset, or naive meaning UTC as the chain
    writes them), or None when it is not one."""
    if not isinstance(text, str) or not 10 <= len(text) <= 40:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.timestamp()
    except (OverflowError, ValueError):  # pragma: no cover - fromisoformat bounds the year
        return None


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
