"""Turning a successful negotiation into a recorded proposal, in one transaction.

:func:`propose` is what the settlement actor calls when a negotiation succeeded: it loads
both intents, checks they are still open and the pair was never proposed by this node,
builds and signs the entry, stores the settlement and enqueues the entry in the chain
outbox. Anything that must not become a proposal is a skip with its reason, never a raise,
so one bad result cannot crash-loop the actor. Run it inside ``Store.write``; it costs a
few indexed reads and one or two Ed25519 signatures.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from mediator_actors.config import Settings
from mediator_actors.errors import SettlementError
from mediator_actors.model import Intent, IntentStatus, IntentType, NegotiationResult
from mediator_actors.settlement.consensus import ConsensusSigner
from mediator_actors.settlement.entries import ProposalDraft, build_proposal
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.store.intents import get_intent, intent_status


@dataclass(frozen=True, slots=True)
class ProposalPolicy:
    """What every proposal of this node carries: fee, acceptance window, consensus fields."""

    fee_percent: float
    window_hours: float
    consensus: ConsensusSigner

    @classmethod
    def from_settings(cls, settings: Settings, book: SettlementBook) -> ProposalPolicy:
        return cls(
            fee_percent=settings.facilitation_fee_percent,
            window_hours=settings.acceptance_window_hours,
            consensus=ConsensusSigner.from_settings(settings, book.key),
        )


@dataclass(frozen=True, slots=True)
class ProposalOutcome:
    """``draft`` when a proposal was recorded (announce it after the commit), else
    ``skipped`` says why nothing was written."""

    draft: ProposalDraft | None = None
    skipped: str | None = None


def _open_pair(
    conn: sqlite3.Connection, book: SettlementBook, offer_ref: str, seek_ref: str
) -> tuple[Intent, Intent] | str:
    """The (offer, seek) to propose, or why the pair must not be proposed."""
    first, second = get_intent(conn, offer_ref), get_intent(conn, seek_ref)
    if first is None or second is None:
        return "an intent of the pair is unknown to this node"
    offer, seek = (first, second) if first.type is IntentType.OFFER else (second, first)
    if offer.type is not IntentType.OFFER or seek.type is not IntentType.SEEK:
        return "a proposal pairs one offer with one seek"
    for intent in (offer, seek):
        status = intent_status(conn, intent.ref)
        if status is not IntentStatus.OPEN:
            return f"intent {intent.ref} is {status} and out of mediation"
    if book.already_proposed(conn, offer.ref, seek.ref):
        return "this node proposed this pair before"
    return offer, seek


def propose(
    conn: sqlite3.Connection,
    book: SettlementBook,
    policy: ProposalPolicy,
    *,
    offer_ref: str,
    seek_ref: str,
    result: NegotiationResult,
    now: float,
) -> ProposalOutcome:
    """Record a proposal for the pair (either order) unless it must not be made."""
    if not result.success or result.terms is None:
        return ProposalOutcome(skipped="the negotiation did not succeed")
    pair = _open_pair(conn, book, offer_ref, seek_ref)
    if isinstance(pair, str):
        return ProposalOutcome(skipped=pair)
    offer, seek = pair
    try:
        draft = build_proposal(
            offer=offer,
            seek=seek,
            result=result,
            key=book.key,
            consensus=policy.consensus,
            fee_percent=policy.fee_percent,
            window_hours=policy.window_hours,
            now=now,
        )
    except SettlementError as exc:
        return ProposalOutcome(skipped=f"not a valid proposal: {exc}")
    if not book.record_proposal(conn, draft):
        return ProposalOutcome(skipped="this node proposed this pair before")
    return ProposalOutcome(draft=draft)
