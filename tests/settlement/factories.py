"""Factories for the settlement tests: keys, intents and negotiation results."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from mediator_actors.config import Consensus, Settings, load_settings
from mediator_actors.model import (
    EntryRef,
    Intent,
    IntentType,
    NegotiationResult,
    Terms,
    digest_id,
)
from mediator_actors.safety.secrets import Secret
from mediator_actors.signing import MediatorKey

SEED_A = "11" * 32
SEED_B = "22" * 32
SEED_C = "33" * 32
NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z


def key(seed: str = SEED_A) -> MediatorKey:
    return MediatorKey.from_seed_hex(Secret(seed))


def ref(label: str) -> EntryRef:
    return EntryRef(digest_id("ent", label.encode()))


def intent(label: str, kind: IntentType, author: str, offered_fee: float | None = None) -> Intent:
    return Intent(
        ref=ref(label),
        author=author,
        type=kind,
        content=f"{kind.value} intent {label} by {author}",
        timestamp="2027-01-15T07:00:00.000001",
        offered_fee=offered_fee,
    )


def offer(label: str = "offer-1", author: str = "alice", fee: float | None = None) -> Intent:
    return intent(label, IntentType.OFFER, author, fee)


def seek(label: str = "seek-1", author: str = "bob", fee: float | None = None) -> Intent:
    return intent(label, IntentType.SEEK, author, fee)


def result(
    terms: Terms | None = None, reasoning: str = "Both want the same thing."
) -> NegotiationResult:
    return NegotiationResult(
        success=True,
        confidence=85,
        reasoning=reasoning,
        model_id="offline-negotiator/1",
        model_integrity_hash=digest_id("mih", b"model"),
        terms=terms
        or Terms(
            price=500.0,
            deliverables=("Rust fluid-dynamics library",),
            timeline="60 days",
            conditions=("source delivered via git",),
        ),
    )


def settings(**consensus: Any) -> Settings:
    base = load_settings({"DEV_MODE": "true"}, cwd=Path("/nonexistent-settlement-tests"))
    return replace(base, consensus=Consensus(**consensus))
