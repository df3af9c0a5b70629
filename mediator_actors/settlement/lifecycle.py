"""The settlement state machine, decided only from mined chain entries.

States::

    proposed -> accepted (by one party) -> closed | rejected | expired | forfeited
    proposed ----------------------------> closed | rejected | expired | forfeited

Rules (protocol.md, "Lifecycle"; the choices protocol.md leaves open are marked *):

* **Chain time.** An entry counts at its block's ``timestamp`` (float epoch seconds), never
  the local clock. * Block timestamps are clamped to be monotonic: a block's chain time is
  the largest timestamp of the blocks applied so far (a back-dated block cannot slip a
  response in after an expiry); a non-finite timestamp leaves the clock where it was.
* **Proposals.** Every mined, valid, signed proposal is followed, ours and other
  mediators' (their reputation needs it), when the consensus mode admits it and, where
  this node knows the intents, its ``parties`` are the intents' authors. The first mined
  proposal of a settlement id wins. Malformed, unsigned, misattributed proposals and
  proposals naming one author as both parties are quarantined with the reason.
  * A proposal mined at or after its own deadline is expired on arrival.
* **Responses** count only when authored by one of the settlement's ``parties`` and mined
  strictly before ``acceptance_deadline`` (block chain time < deadline). A party's later
  response replaces its earlier one. * The settlement ends as soon as the current responses
  decide it: both accept -> ``closed``; one reject -> ``rejected`` (final: a reject cannot
  be taken back after it is mined, so the intents return to mediation at once).
* **Expiry.** ``expired`` when chain time reaches the deadline (time >= deadline) with
  the settlement still open. :meth:`SettlementBook.expire_due` must be called only with
  the timestamp of a block whose entries have *all* been applied, so a backlog never
  expires a settlement whose acceptance is still unread.
* **Challenges.** A resolution counts once its challenge and the challenged (mined)
  settlement are known, when authored by one of the settlement's parties or an allowed
  resolver (``CHALLENGE_RESOLVERS``; in poa the authority set). The first counted
  resolution decides the challenge. * A mediator's challenge of its own settlement is
  ignored. An upheld challenge forfeits an open settlement; against one already ended it
  still counts for reputation but does not change the state (ended states are final).
* **Order.** Entries apply in chain order. A response or resolution mined before what it
  refers to waits (``pending``) and is replayed, in chain order, when that arrives.
* **Closed** -> one payout claim (ours only) enqueued in the chain outbox in the same
  transaction (dedupe key ``payout:<settlement_id>``), and both intents leave mediation.
* **Own proposals never mined.** One whose deadline passes before it was posted expires
  and its outbox job is given up; one the chain refused for good ends at once through
  :meth:`SettlementBook.abandon_unposted`. Either way the pair is never proposed again.

Every function takes the caller's connection and joins its transaction, so a state change,
its reputation counters and its outbox job commit together; the returned transitions are
announced only after that commit. Each call is a handful of indexed statements plus at
most one Ed25519 verification; run it inside ``Store.write`` (already off the hub).
"""

from __future__ import annotations

import logging
import math
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from mediator_actors.config import ConsensusMode, Settings
from mediator_actors.errors import SettlementError
from mediator_actors.model import ChainEntry, IntentStatus, IntentType, pair_key
from mediator_actors.settlement import events, records, reputation
from mediator_actors.settlement.consensus import Admission, admission, authorities
from mediator_actors.settlement.entries import ProposalDraft, build_payout, clean_text
from mediator_actors.settlement.interface import Transition, TransitionKind
from mediator_actors.settlement.parsing import (
    ChallengeSeen,
    OtherProtocol,
    Parsed,
    PayoutSeen,
    ProposalSeen,
    Quarantined,
    ResponseSeen,
    parse_entry,
)
from mediator_actors.settlement.records import (
    SettlementRecord,
    SettlementState,
    get_settlement,
    orphan,
    orphan_all,
    settlements_relying_on,
)
from mediator_actors.signing import Keyring, MediatorKey
from mediator_actors.store.intents import get_intent, set_intent_status
from mediator_actors.store.jobs import CHAIN_OUTBOX, JobState

__all__ = [
    "PAYOUT_JOB_PREFIX",
    "PROPOSAL_JOB_PREFIX",
    "SettlementBook",
    "payout_job_key",
    "proposal_job_key",
]

logger = logging.getLogger(__name__)

#: Dedupe keys of this node's entries in the chain outbox: a prefix, then the settlement id.
PROPOSAL_JOB_PREFIX = "proposal:"
PAYOUT_JOB_PREFIX = "payout:"
#: Transient failures a proposal may meet before the writer quarantines it.
PROPOSAL_ATTEMPTS = 8
#: A payout claim is the fee: it outlasts a long chain outage rather than be quarantined.
PAYOUT_ATTEMPTS = 100


def proposal_job_key(settlement_id: str) -> str:
    """The chain outbox dedupe key of this node's proposal entry for ``settlement_id``."""
    return f"{PROPOSAL_JOB_PREFIX}{settlement_id}"


def payout_job_key(settlement_id: str) -> str:
    """The chain outbox dedupe key of this node's payout claim for ``settlement_id``."""
    return f"{PAYOUT_JOB_PREFIX}{settlement_id}"


def _state_change(
    row: SettlementRecord,
    state: SettlementState,
    reason: str,
    block_index: int | None,
    chain_time: float,
    *,
    payout_enqueued: bool = False,
    reputation_changed: tuple[str, ...] = (),
) -> Transition:
    """``row`` (as it was) moving to ``state``, with its intents and parties."""
    return Transition(
        TransitionKind.STATE,
        row.settlement_id,
        row.mediator_id,
        row.own,
        row.state,
        state,
        reason,
        block_index,
        chain_time,
        payout_enqueued=payout_enqueued,
        reputation_changed=reputation_changed,
        intents=(row.offer_ref, row.seek_ref),
        parties=(row.offer_party, row.seek_party),
    )


def _orphaned(row: SettlementRecord, reason: str, chain_time: float) -> Transition:
    """A settlement retired with the chain it relied on (lifecycle rule 5)."""
    return _state_change(row, SettlementState.ORPHANED, reason, None, chain_time)


def _reputation_told(moved: list[Transition]) -> list[Transition]:
    """``moved`` with the last transition naming every mediator whose reputation was
    recomputed (one reputation event for the lot)."""
    if moved:
        mediators = tuple(sorted({t.mediator_id for t in moved}))
        moved[-1] = replace(moved[-1], reputation_changed=mediators)
    return moved


class SettlementBook:
    """Follows every settlement on the chain; proposes and claims for this node's key.

    Implements :class:`~mediator_actors.settlement.interface.SettlementLifecycle`, the
    interface the chain follower calls in the transaction that advances its cursor."""

    def __init__(
        self,
        *,
        key: MediatorKey,
        retired_keys: Iterable[MediatorKey] = (),
        resolvers: Iterable[str] = (),
        admit: Admission | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        #: Signs new proposals; ``keyring`` also holds the retired keys, which sign (and
        #: recognise as ours) only what they proposed before a rotation.
        self.key = key
        self.keyring = Keyring(key, tuple(retired_keys))
        self.resolvers = frozenset(resolvers)
        self.admit: Admission = admit if admit is not None else (lambda _metadata: None)
        self.clock = clock

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        key: MediatorKey,
        *,
        retired_keys: Iterable[MediatorKey] = (),
        clock: Callable[[], float] = time.time,
    ) -> SettlementBook:
        consensus = settings.consensus
        resolvers = (
            authorities(consensus)
            if consensus.mode is ConsensusMode.POA
            else settings.challenge_resolvers
        )
        return cls(
            key=key,
            retired_keys=retired_keys,
            resolvers=resolvers,
            admit=admission(consensus),
            clock=clock,
        )

    # ------------------------------------------------------------ proposing

    def already_proposed(self, conn: sqlite3.Connection, offer_ref: str, seek_ref: str) -> bool:
        """True when this node proposed this pair before, in any state (even rejected or
        expired): a pair is proposed at most once per node, across restarts."""
        return records.own_pair_proposed(conn, pair_key(offer_ref, seek_ref))

    def record_proposal(self, conn: sqlite3.Connection, draft: ProposalDraft) -> bool:
        """Store the proposal and enqueue its entry in the chain outbox, in the caller's
        transaction. False (and nothing written) when the pair was proposed before."""
        if draft.mediator_id != self.key.mediator_id:
            raise SettlementError("the proposal was signed by another key than this node's")
        if self.already_proposed(conn, draft.offer_ref, draft.seek_ref) or get_settlement(
            conn, draft.settlement_id
        ):
            return False
        now = self.clock()
        records.insert_settlement(
            conn,
            records.SettlementFields(
                offer_ref=draft.offer_ref,
                seek_ref=draft.seek_ref,
                offer_party=draft.offer_party,
                seek_party=draft.seek_party,
                terms=draft.terms.to_json(),
                facilitation_fee=draft.facilitation_fee,
                facilitation_fee_percent=draft.facilitation_fee_percent,
                acceptance_deadline=draft.acceptance_deadline,
                deadline_ts=draft.deadline_ts,
                consensus_mode=draft.entry.metadata.get("consensus_mode", "permissionless"),
            ),
            settlement_id=draft.settlement_id,
            mediator_id=draft.mediator_id,
            own=True,
            state_reason="proposal written to the chain outbox; waiting to be mined",
            now=now,
        )
        CHAIN_OUTBOX.enqueue(
            conn,
            proposal_job_key(draft.settlement_id),
            draft.entry.payload(),
            now=now,
            max_attempts=PROPOSAL_ATTEMPTS,
        )
        return True

    def abandon_unposted(
        self, conn: sqlite3.Connection, settlement_id: str, reason: str
    ) -> Transition | None:
        """The chain refused our proposal for good (the writer's ``failed``): end it now as
        ``expired`` with the chain's reason instead of waiting for the deadline. Only an own,
        open, never-mined proposal moves; anything else returns None."""
        row = get_settlement(conn, settlement_id)
        if row is None or not row.own or row.mined or row.state in SettlementState.terminal():
            return None
        return self._move(
            conn,
            row,
            SettlementState.EXPIRED,
            # The writer's reason says who refused: the chain, our scanner check, the deadline.
            f"the proposal was never posted: {clean_text(reason, 300, single_line=True)}",
            block_index=None,
            chain_time=events.advance_clock(conn, math.nan),
        )

    # ------------------------------------------------------------ chain resets

    def retire_after_reset(self, conn: sqlite3.Connection, reason: str) -> list[Transition]:
        """The chain was reset (a new genesis): everything the node derived from it is
        retired, never reused (protocol.md lifecycle rule 5). Every settlement that is not
        already orphaned ends ``orphaned`` with ``reason``, queued entries about them (and
        flags about intents now gone) are never posted, and reputation is recomputed from
        what the chain holds now. Nothing is deleted. Call it in the follower's transaction."""
        now = self.clock()
        chain_time = events.advance_clock(conn, math.nan)
        moved: list[Transition] = []
        for row in orphan_all(conn, reason, now=now):
            moved.append(_orphaned(row, reason, chain_time))
        # Nothing queued may name what the lost chain held: proposals, payouts, flags.
        CHAIN_OUTBOX.give_up_pending(conn, f"retired: {reason}", now=now)
        reputation.rebuild(conn, now=now)
        return _reputation_told(moved)

    def retire_after_fork(
        self, conn: sqlite3.Connection, gone: frozenset[str], reason: str
    ) -> list[Transition]:
        """A fork took entries off the chain for good (``gone``: refs of intents and
        protocol entries that were only in the replaced blocks and are neither re-mined
        nor pending). Like a reset, but only for what relied on them (protocol.md lifecycle
        rule 5): every settlement whose proposal, either intent, or any applied entry about
        it (a response, a challenge, a payout claim) is gone ends ``orphaned``; its queued
        proposal, payout claim and challenge are never posted; reputation is recomputed.
        Nothing is deleted. Call it in the follower's transaction."""
        if not gone:
            return []
        now = self.clock()
        chain_time = events.advance_clock(conn, math.nan)
        relying = settlements_relying_on(conn, gone) | events.settlements_of_entries(conn, gone)
        moved: list[Transition] = []
        for row in orphan(conn, relying, reason, now=now):
            sid = row.settlement_id
            for key in (proposal_job_key(sid), payout_job_key(sid), f"challenge:{sid}"):
                job = CHAIN_OUTBOX.get(conn, key)
                if job is not None and job.state is JobState.PENDING:
                    CHAIN_OUTBOX.give_up(conn, job.id, f"retired: {reason}", now=now)
            moved.append(_orphaned(row, reason, chain_time))
        reputation.rebuild(conn, now=now)
        return _reputation_told(moved)

    # ------------------------------------------------------------ following the chain

    def apply_mined_entry(
        self, conn: sqlite3.Connection, entry: ChainEntry, block_timestamp: float
    ) -> list[Transition]:
        """Apply one mined entry (in chain order) and return what changed. Idempotent: an
        entry applied before is a no-op. Entries that are no settlement kind are ignored;
        malformed ones are quarantined with their reason. Never raises on entry content."""
        if entry.block_index is None:
            raise SettlementError("only mined entries decide settlements")
        chain_time = events.advance_clock(conn, block_timestamp)
        parsed = parse_entry(entry)
        if parsed is None or isinstance(parsed, OtherProtocol):  # not ours to follow
            return []
        if events.already_applied(conn, entry.ref):
            return []
        if isinstance(parsed, Quarantined):
            events.quarantine(conn, entry, parsed.kind, parsed.reason, now=self.clock())
            return []
        return self._apply(conn, entry, parsed, chain_time)

    def apply_mined_block(
        self, conn: sqlite3.Connection, entries: Sequence[ChainEntry], block_timestamp: float
    ) -> list[Transition]:
        """Apply one block's entries in order, then expire what its timestamp passed: the
        order the rules need. Call it in the transaction that advances the chain cursor."""
        transitions: list[Transition] = []
        for entry in entries:
            transitions += self.apply_mined_entry(conn, entry, block_timestamp)
        return transitions + self.expire_due(conn, block_timestamp)

    def expire_due(self, conn: sqlite3.Connection, chain_time: float) -> list[Transition]:
        """Expire every open settlement whose deadline chain time has reached. Call it with
        the timestamp of the last block whose entries have all been applied."""
        now_chain = events.advance_clock(conn, chain_time)
        return [
            self._move(
                conn,
                row,
                SettlementState.EXPIRED,
                f"no decision before the acceptance deadline {row.acceptance_deadline}",
                block_index=None,
                chain_time=now_chain,
            )
            for row in records.due_for_expiry(conn, now_chain)
        ]

    # ------------------------------------------------------------ handlers

    def _apply(
        self, conn: sqlite3.Connection, entry: ChainEntry, parsed: Parsed, chain_time: float
    ) -> list[Transition]:
        def log(kind: str, **ids: str | None) -> events.Event:
            return events.add_event(conn, entry, chain_time, kind=kind, now=self.clock(), **ids)

        if isinstance(parsed, ProposalSeen):
            ev = log("proposal", settlement_id=parsed.settlement_id)
            return self._on_proposal(conn, parsed, entry, ev)
        if isinstance(parsed, ChallengeSeen):
            ev = log(
                "challenge", settlement_id=parsed.settlement_id, challenge_id=parsed.challenge_id
            )
            return self._on_challenge(conn, parsed, entry, ev)
        if isinstance(parsed, PayoutSeen):
            self._on_payout(conn, parsed, entry, log("payout", settlement_id=parsed.settlement_id))
            return []
        if isinstance(parsed, ResponseSeen):
            value = "accept" if parsed.accept else "reject"
            return self._on_response(
                conn, log("response", settlement_id=parsed.settlement_id, value=value)
            )
        value = "upheld" if parsed.upheld else "rejected"
        return self._on_resolution(
            conn, log("resolution", challenge_id=parsed.challenge_id, value=value)
        )

    def _on_proposal(
        self,
        conn: sqlite3.Connection,
        p: ProposalSeen,
        entry: ChainEntry,
        ev: events.Event,
    ) -> list[Transition]:
        seq, chain_time = ev.seq, ev.chain_time
        row = get_settlement(conn, p.settlement_id)
        if row is not None and row.proposal_block is not None:
            events.set_effect(
                conn, seq, "ignored: a proposal with this settlement_id was mined before"
            )
            return []
        # A proposal under a retired key of ours is still ours: its closure is claimed.
        own = self.keyring.owns(p.mediator_id)
        if not own:
            problem = self.admit(p.metadata) or self._parties_problem(conn, p)
            if problem is not None:
                events.set_effect(conn, seq, f"ignored: {problem}")
                return []
        now = self.clock()
        fields = records.SettlementFields(
            offer_ref=p.offer_ref,
            seek_ref=p.seek_ref,
            offer_party=p.offer_party,
            seek_party=p.seek_party,
            terms=p.terms,
            facilitation_fee=p.facilitation_fee,
            facilitation_fee_percent=p.facilitation_fee_percent,
            acceptance_deadline=p.acceptance_deadline,
            deadline_ts=p.deadline_ts,
            consensus_mode=p.consensus_mode,
        )
        if row is None:
            records.insert_settlement(
                conn,
                fields,
                settlement_id=p.settlement_id,
                mediator_id=p.mediator_id,
                own=own,
                state_reason="proposal mined",
                proposal_entry_ref=entry.ref,
                proposal_block=entry.block_index,
                now=now,
            )
        else:
            # The mined entry is what every node follows: its fields win over our draft's.
            records.record_mined_proposal(
                conn,
                p.settlement_id,
                fields,
                proposal_entry_ref=entry.ref,
                proposal_block=entry.block_index,
                now=now,
            )
        events.set_effect(conn, seq, events.COUNTED)
        reputation.mark_seen(conn, p.mediator_id, block_index=entry.block_index, now=now)
        reputation.bump(conn, p.mediator_id, reputation.Counter.PROPOSALS, now=now)
        record = get_settlement(conn, p.settlement_id)
        assert record is not None  # written just above
        transitions = [
            Transition(
                TransitionKind.PROPOSAL_MINED,
                p.settlement_id,
                p.mediator_id,
                own,
                None if row is None else row.state,
                record.state,
                f"proposal mined in block {entry.block_index}",
                entry.block_index,
                chain_time,
                reputation_changed=(p.mediator_id,),
                intents=(record.offer_ref, record.seek_ref),
                parties=(record.offer_party, record.seek_party),
            )
        ]
        if record.state not in SettlementState.terminal() and chain_time >= p.deadline_ts:
            transitions.append(
                self._move(
                    conn,
                    record,
                    SettlementState.EXPIRED,
                    "the proposal was mined after its own acceptance deadline",
                    block_index=entry.block_index,
                    chain_time=chain_time,
                )
            )
        # Entries that waited for this proposal, in chain order. On an ended settlement
        # responses are ignored with their reason; challenge resolutions still count.
        return transitions + self._replay(
            conn,
            events.pending_for_settlement(
                conn, p.settlement_id, records.challenge_ids_of(conn, p.settlement_id)
            ),
        )

    def _on_response(self, conn: sqlite3.Connection, ev: events.Event) -> list[Transition]:
        row = get_settlement(conn, ev.settlement_id or "")
        if row is None or row.proposal_block is None:
            return []  # stays pending until the proposal is mined
        problem = _response_problem(row, ev)
        if problem is not None:
            return self._ignored(conn, ev, problem)
        offer = ev.value if ev.author == row.offer_party else row.offer_response
        seek = ev.value if ev.author == row.seek_party else row.seek_response
        records.set_responses(conn, row.settlement_id, offer=offer, seek=seek, now=self.clock())
        events.set_effect(conn, ev.seq, events.COUNTED)
        if "reject" in (offer, seek):
            state, reason = SettlementState.REJECTED, f"rejected by party {_shown(ev.author)}"
        elif offer == seek == "accept":
            state, reason = SettlementState.CLOSED, "both parties accepted before the deadline"
        elif "accept" in (offer, seek):
            state, reason = SettlementState.ACCEPTED, f"accepted by party {_shown(ev.author)}"
        else:  # pragma: no cover - a counted response is an accept or a reject
            state, reason = row.state, ""
        if state is row.state:
            return []
        return [
            self._move(
                conn, row, state, reason, block_index=ev.block_index, chain_time=ev.chain_time
            )
        ]

    def _on_challenge(
        self, conn: sqlite3.Connection, c: ChallengeSeen, entry: ChainEntry, ev: events.Event
    ) -> list[Transition]:
        if not records.insert_challenge(
            conn,
            challenge_id=c.challenge_id,
            settlement_id=c.settlement_id,
            challenger=c.challenger,
            entry_ref=entry.ref,
            block_index=ev.block_index,
            chain_time=ev.chain_time,
        ):
            events.set_effect(conn, ev.seq, "ignored: this challenge was mined before")
            return []
        events.set_effect(conn, ev.seq, events.COUNTED)
        reputation.mark_seen(conn, c.challenger, block_index=entry.block_index, now=self.clock())
        return self._replay(conn, events.pending_resolutions(conn, c.challenge_id))

    def _on_resolution(self, conn: sqlite3.Connection, ev: events.Event) -> list[Transition]:
        challenge = records.get_challenge(conn, ev.challenge_id)
        if challenge is None:
            return []  # pending until the challenge is mined
        row = get_settlement(conn, challenge.settlement_id)
        if row is None or row.proposal_block is None:
            return []  # pending until the challenged settlement is mined
        if challenge.outcome is not None:
            return self._ignored(conn, ev, "the challenge was already resolved")
        if challenge.challenger == row.mediator_id:
            return self._ignored(conn, ev, "a mediator cannot challenge its own settlement")
        if ev.author not in (row.offer_party, row.seek_party) and ev.author not in self.resolvers:
            return self._ignored(conn, ev, "the author may not resolve this challenge")
        upheld = ev.value == "upheld"
        records.resolve_challenge(
            conn,
            challenge.challenge_id,
            outcome=ev.value,
            resolved_by=ev.author,
            block_index=ev.block_index,
            chain_time=ev.chain_time,
        )
        events.set_effect(conn, ev.seq, events.COUNTED)
        changed: tuple[str, ...] = ()
        if upheld:
            now = self.clock()
            reputation.bump(
                conn, challenge.challenger, reputation.Counter.UPHELD_SUBMITTED, now=now
            )
            reputation.bump(conn, row.mediator_id, reputation.Counter.UPHELD_AGAINST, now=now)
            changed = (challenge.challenger, row.mediator_id)
        transitions = [
            Transition(
                TransitionKind.CHALLENGE_RESOLVED,
                row.settlement_id,
                row.mediator_id,
                row.own,
                row.state,
                row.state,
                f"challenge {ev.challenge_id} {ev.value} by {_shown(ev.author)}",
                ev.block_index,
                ev.chain_time,
                challenge_id=ev.challenge_id,
                upheld=upheld,
                reputation_changed=changed,
                intents=(row.offer_ref, row.seek_ref),
                parties=(row.offer_party, row.seek_party),
            )
        ]
        if upheld and row.state not in SettlementState.terminal():
            transitions.append(
                self._move(
                    conn,
                    row,
                    SettlementState.FORFEITED,
                    f"challenge {ev.challenge_id} upheld by {_shown(ev.author)}",
                    block_index=ev.block_index,
                    chain_time=ev.chain_time,
                )
            )
        return transitions

    def _on_payout(
        self, conn: sqlite3.Connection, p: PayoutSeen, entry: ChainEntry, ev: events.Event
    ) -> None:
        problem = _payout_problem(get_settlement(conn, p.settlement_id), p)
        if problem is None and not records.record_payout(
            conn, p.settlement_id, p.mediator_id, entry.ref, now=self.clock()
        ):
            problem = "a payout claim for this settlement was mined before"
        events.set_effect(
            conn, ev.seq, events.COUNTED if problem is None else f"ignored: {problem}"
        )

    # ------------------------------------------------------------ state changes

    def _move(
        self,
        conn: sqlite3.Connection,
        row: SettlementRecord,
        state: SettlementState,
        reason: str,
        *,
        block_index: int | None,
        chain_time: float,
    ) -> Transition:
        """Move a settlement to ``state`` with its side effects, all in this transaction."""
        now = self.clock()
        final = state in SettlementState.terminal()
        records.set_state(
            conn,
            row.settlement_id,
            state,
            reason,
            decided_block=block_index if final else None,
            decided_chain_time=chain_time if final else None,
            now=now,
        )
        payout = False
        changed: tuple[str, ...] = ()
        mined = row.proposal_block is not None
        if state is SettlementState.CLOSED:
            for ref in (row.offer_ref, row.seek_ref):
                set_intent_status(
                    conn,
                    ref,
                    IntentStatus.CLOSED,
                    reason=f"settlement {row.settlement_id} closed",
                    now=now,
                )
            reputation.bump(conn, row.mediator_id, reputation.Counter.CLOSURES, now=now)
            changed = (row.mediator_id,)
            # Signed by the key that proposed it (protocol.md, "Key rotation"), retired or not.
            signer = self.keyring.for_mediator(row.mediator_id) if row.own else None
            if signer is not None:
                claim = build_payout(
                    settlement_id=row.settlement_id,
                    amount=row.facilitation_fee,
                    # The fee was computed in the terms' currency: the claim names it.
                    currency=row.terms.get("currency") or "NLC",
                    key=signer,
                )
                payout = CHAIN_OUTBOX.enqueue(
                    conn,
                    payout_job_key(row.settlement_id),
                    claim.payload(),
                    now=now,
                    max_attempts=PAYOUT_ATTEMPTS,
                )
            elif row.own:
                logger.warning(
                    "settlement %s closed, but no key of this node signs as %s (retired and "
                    "dropped?): its payout claim cannot be written; put the key back in "
                    "MEDIATOR_RETIRED_KEYS_FILE and rebuild, or forgo the fee",
                    row.settlement_id,
                    row.mediator_id,
                )
        elif state in (SettlementState.REJECTED, SettlementState.FORFEITED) and mined:
            reputation.bump(conn, row.mediator_id, reputation.Counter.FORFEITED, now=now)
            changed = (row.mediator_id,)
        elif state is SettlementState.EXPIRED and row.own and not mined:
            # Not posted yet (the chain was unreachable): posting it now would only write
            # an entry that every node expires on arrival.
            job = CHAIN_OUTBOX.get(conn, proposal_job_key(row.settlement_id))
            if job is not None and job.state is JobState.PENDING:
                CHAIN_OUTBOX.give_up(conn, job.id, "expired before it could be posted", now=now)
        return _state_change(
            row,
            state,
            reason,
            block_index,
            chain_time,
            payout_enqueued=payout,
            reputation_changed=changed,
        )

    # ------------------------------------------------------------ events and helpers

    def _parties_problem(self, conn: sqlite3.Connection, p: ProposalSeen) -> str | None:
        for ref, kind, party in (
            (p.offer_ref, IntentType.OFFER, p.offer_party),
            (p.seek_ref, IntentType.SEEK, p.seek_party),
        ):
            known = get_intent(conn, ref)
            if known is not None and (known.type is not kind or known.author != party):
                return f"intent {ref} is not a {kind.value} by {_shown(party)}"
        return None

    def _ignored(self, conn: sqlite3.Connection, ev: events.Event, why: str) -> list[Transition]:
        events.set_effect(conn, ev.seq, f"ignored: {why}")
        return []

    def _dispatch(self, conn: sqlite3.Connection, ev: events.Event) -> list[Transition]:
        if ev.kind == "response":
            return self._on_response(conn, ev)
        if ev.kind == "resolution":
            return self._on_resolution(conn, ev)
        return []

    def _replay(self, conn: sqlite3.Connection, waiting: list[events.Event]) -> list[Transition]:
        transitions: list[Transition] = []
        for ev in waiting:
            transitions += self._dispatch(conn, ev)
        return transitions


#: A claim may round its amount; it may never ask for more than the proposal's fee.
_AMOUNT_SLACK = 1e-9


def _payout_problem(row: SettlementRecord | None, p: PayoutSeen) -> str | None:
    """Why a mined payout claim does not count (protocol.md section 5), or None when it does:
    it names a settlement that closed, by the mediator that proposed it (its signature was
    checked against that ``mediator_id`` when parsed), for no more than that proposal's fee, in
    the currency of its terms."""
    if row is None or row.proposal_block is None:
        return "no mined settlement with this settlement_id"
    if p.mediator_id != row.mediator_id:
        return "the claim is not by the mediator that proposed the settlement"
    if row.state is not SettlementState.CLOSED:
        return f"the settlement is {row.state}, not closed"
    currency = row.terms.get("currency") or "NLC"
    if p.currency != currency:
        return f"the claim is in {p.currency}, the settlement's fee in {currency}"
    if p.amount > row.facilitation_fee * (1 + _AMOUNT_SLACK) + _AMOUNT_SLACK:
        return f"the claim exceeds the settlement's facilitation fee {row.facilitation_fee:g}"
    return None


def _response_problem(row: SettlementRecord, ev: events.Event) -> str | None:
    """Why a response to a mined settlement does not count, or None when it does."""
    if row.state in SettlementState.terminal():
        return f"the settlement had already ended {row.state}"
    if ev.author not in (row.offer_party, row.seek_party):
        return "the author is not a party of the settlement"
    if ev.chain_time >= row.deadline_ts:
        return "mined after the acceptance deadline"
    return None


def _shown(author: str) -> str:
    """An author name as it may appear in a reason: one line, no controls, bounded."""
    return clean_text(author, 80, single_line=True)
