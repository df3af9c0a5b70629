"""Turning a successful negotiation into a recorded proposal, in one transaction.

:func:`decide_pending_proposals` is the settlement agent's round: every successful
negotiation not decided yet becomes a proposal or a recorded skip
(:func:`mediator_actors.negotiation.records.record_decision`). :func:`propose` is what it
calls for each one: it loads
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
from mediator_actors.negotiation.records import record_decision, undecided_successes
from mediator_actors.settlement.consensus import ConsensusSigner
from mediator_actors.settlement.entries import ProposalDraft, build_proposal
from mediator_actors.settlement.lifecycle import SettlementBook, proposal_job_key
from mediator_actors.settlement.records import open_own_settlement_ids
from mediator_actors.store.intents import get_intent_with_status
from mediator_actors.store.jobs import CHAIN_OUTBOX, JobState


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
    # One read of each row gives the intent and its status (same transaction, same row).
    first, second = get_intent_with_status(conn, offer_ref), get_intent_with_status(conn, seek_ref)
    if first is None or second is None:
        return "an intent of the pair is unknown to this node"
    if first[0].type is not IntentType.OFFER:
        first, second = second, first
    (offer, offer_status), (seek, seek_status) = first, second
    if offer.type is not IntentType.OFFER or seek.type is not IntentType.SEEK:
        return "a proposal pairs one offer with one seek"
    for intent, status in ((offer, offer_status), (seek, seek_status)):
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


# --------------------------------------------------------------------------- the agent's round


@dataclass(frozen=True, slots=True)
class Decided:
    """What the agent decided for one successful negotiation, to announce after commit."""

    pair_key: str
    settlement_id: str | None
    skipped: str | None
    content: str | None
    #: (offer, seek) refs and their authors when a proposal was recorded, else empty.
    intents: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()


def decide_pending_proposals(
    conn: sqlite3.Connection,
    book: SettlementBook,
    policy: ProposalPolicy,
    *,
    now: float,
    limit: int = 50,
) -> list[Decided]:
    """Propose (or record why not) for successful negotiations not decided yet, oldest
    first, in the caller's transaction: the decision, the settlement row and the outbox
    entry commit together, so a crash repeats nothing and loses nothing."""
    decided = []
    for negotiation in undecided_successes(conn, limit=limit):
        outcome = propose(
            conn,
            book,
            policy,
            offer_ref=negotiation.offer_ref,
            seek_ref=negotiation.seek_ref,
            result=negotiation.result,
            now=now,
        )
        settlement_id = None if outcome.draft is None else outcome.draft.settlement_id
        record_decision(
            conn,
            negotiation.pair_key,
            settlement_id=settlement_id,
            skipped=outcome.skipped,
            now=now,
        )
        draft = outcome.draft
        decided.append(
            Decided(
                negotiation.pair_key,
                settlement_id,
                outcome.skipped,
                None if draft is None else draft.entry.content,
                () if draft is None else (draft.offer_ref, draft.seek_ref),
                () if draft is None else (draft.offer_party, draft.seek_party),
            )
        )
    return decided


def abandon_refused_proposals(
    conn: sqlite3.Connection, book: SettlementBook
) -> list[tuple[str, str]]:
    """End own proposals the chain refused for good (the writer failed their outbox entry)."""
    ended: list[tuple[str, str]] = []
    for settlement_id in open_own_settlement_ids(conn):
        job = CHAIN_OUTBOX.get(conn, proposal_job_key(settlement_id))
        if job is None or job.state not in (JobState.FAILED, JobState.QUARANTINED):
            continue
        reason = job.last_error or "refused"
        if book.abandon_unposted(conn, settlement_id, reason) is not None:
            ended.append((settlement_id, reason))
    return ended
