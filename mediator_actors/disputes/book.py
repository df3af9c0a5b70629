"""The dispute handler's plain class: follows protocol.md section 7 from mined entries.

:meth:`DisputeBook.apply_mined_block` runs in the chain follower's transaction, after the
settlement lifecycle has applied the same block, so a dispute's effects commit with the
cursor like every other lifecycle decision:

* ``[DISPUTE]`` by a party of one of **our** settlements (``claimant`` = author, the
  ``dispute_id`` its digest, within :data:`DISPUTE_WINDOW` after the acceptance deadline,
  at most one open dispute per claimant and settlement) opens a dispute. The payout claim
  of that settlement is held in the chain outbox while any dispute on it is open, and the
  node enqueues one signed ``[CLARIFICATION]`` (dedupe key ``clarification:<dispute_id>``).
* ``[EVIDENCE]`` by the claimant or the respondent is frozen: its entry ref, the hash of
  the entry as mined and the document's ``content_hash`` are kept.
* ``[ESCALATION]`` by the claimant or respondent to a configured authority
  (``DISPUTE_AUTHORITIES``) marks the dispute escalated; the package under
  ``data/disputes/<dispute_id>/`` is written after the commit by :mod:`package`.
* ``[DISPUTE RESOLUTION]`` by that authority, or ``withdrawn`` by the claimant, closes it.
  MP-01 has no dispute term, so outcomes move no reputation.

Everything else of these kinds is recorded with ``ignored: <reason>`` or
``quarantined: <reason>`` and never raises. At most :data:`MAX_ENTRIES_PER_BLOCK` dispute
entries are considered per block; the rest are quarantined (``over_block_budget``), so a
flood cannot stall the follower. The node never decides a dispute.

Its tables, ``disputes`` and ``dispute_entries``, are owned by :mod:`records`; the names
re-exported here (``get_dispute``, ``DisputeRecord``, ...) live there.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mediator_actors.disputes import records
from mediator_actors.disputes.records import (
    MIGRATIONS,
    DisputeRecord,
    DisputeState,
    dispute_entries,
    escalated_entries,
    escalated_ids,
    escalated_without_package,
    get_dispute,
    list_disputes,
    own_clarification_seen,
    set_package_digest,
)
from mediator_actors.model import (
    PROTOCOL,
    ChainEntry,
    canonical_json,
    digest_id,
    is_digest_id,
    joined_digest_id,
)
from mediator_actors.settlement.entries import clean_text
from mediator_actors.settlement.records import SettlementRecord, get_settlement
from mediator_actors.signing import Keyring, MediatorKey, verify_metadata
from mediator_actors.store.jobs import CHAIN_OUTBOX, DISPUTE_CLARIFICATIONS, JobState

__all__ = [
    "DISPUTE_WINDOW",
    "MIGRATIONS",
    "DisputeBook",
    "DisputeChange",
    "DisputeRecord",
    "DisputeState",
    "dispute_entries",
    "dispute_id_for",
    "escalated_entries",
    "escalated_ids",
    "escalated_without_package",
    "get_dispute",
    "list_disputes",
    "own_clarification_seen",
    "parse_authorities",
    "set_package_digest",
]

logger = logging.getLogger(__name__)

#: A dispute may be opened up to this long (chain time) after the acceptance deadline.
DISPUTE_WINDOW = 30 * 86_400.0
MAX_ENTRIES_PER_BLOCK = 100
MAX_ISSUE_CHARS = 2_000
MAX_DESCRIPTION_CHARS = 2_000
MAX_SCOPE_ITEMS = 20
MAX_AUTHOR_CHARS = 256
KINDS = (
    "dispute",
    "evidence",
    "clarification",
    "escalation",
    "dispute_resolution",
    "payout_hold",
)
EVIDENCE_TYPES = frozenset({"document", "statement", "witness", "artifact", "other"})
OUTCOMES = frozenset(
    {"claimant_favored", "respondent_favored", "compromise", "dismissed", "withdrawn"}
)
COUNTED = "counted"
INTENT_CLARIFICATION = "dispute_clarification"
INTENT_PAYOUT_HOLD = "payout_hold"
#: Clarifications the configured LLM writes after the commit (:mod:`.clarify`).
CLARIFY_JOBS = DISPUTE_CLARIFICATIONS
#: Our own entries about a dispute, read back from the chain: a queued copy is never posted.
OWN_KINDS = {"clarification": "clarification", "payout_hold": "payout_hold"}


def dispute_id_for(settlement_id: str, claimant: str) -> str:
    """``"dsp_" + b32(sha256("dispute/v2" \x00 settlement_id \x00 claimant))`` (section 7)."""
    return joined_digest_id("dsp", "dispute/v2", settlement_id, claimant)


def _valid_id(value: object, tag: str) -> bool:
    return is_digest_id(value, tag)


def _valid_content_hash(value: object) -> bool:
    return is_digest_id(value, "doc")


def parse_authorities(items: Iterable[str]) -> dict[str, str]:
    """``DISPUTE_AUTHORITIES`` entries (``id`` or ``id=Display Name``) as {id: name}.
    Raises ValueError naming a bad entry."""
    out: dict[str, str] = {}
    for item in items:
        ident, _, name = item.partition("=")
        ident, name = ident.strip(), name.strip()
        if not ident or len(ident) > MAX_AUTHOR_CHARS or any(c.isspace() for c in ident):
            raise ValueError(f"DISPUTE_AUTHORITIES entry {item!r} has no usable author id")
        out[ident] = name or ident
    return out


class DisputeChangeKind(StrEnum):
    OPENED = "opened"
    EVIDENCE = "evidence"
    ESCALATED = "escalated"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class DisputeChange:
    """What one mined entry changed, announced after the commit (monitoring, packages)."""

    kind: DisputeChangeKind
    dispute_id: str
    settlement_id: str
    parties: tuple[str, str]
    detail: str
    block_index: int
    intents: tuple[str, ...] = ()


def _entry_hash(entry: ChainEntry) -> str:
    """The hash of the entry exactly as mined: evidence frozen at that moment."""
    doc = {
        "author": entry.author,
        "content": entry.content,
        "intent": entry.intent,
        "timestamp": entry.timestamp,
        "metadata": entry.metadata,
    }
    try:
        return digest_id("doc", canonical_json(doc))
    except (TypeError, ValueError):  # pragma: no cover - the codec admits JSON values only
        return digest_id("doc", repr(doc).encode("utf-8", "replace"))


class _Skip(Exception):  # noqa: N818 - control flow, never escapes this module
    """The entry does not count; ``effect`` says why."""

    def __init__(self, effect: str) -> None:
        super().__init__(effect)
        self.effect = effect


def _ignored(why: str) -> _Skip:
    return _Skip(f"ignored: {why}")


def _quarantined(why: str) -> _Skip:
    return _Skip(f"quarantined: {why}")


def _text(metadata: Mapping[str, Any], key: str, limit: int, *, required: bool = True) -> str:
    value = metadata.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise _quarantined(f"{key} is not text")
    if len(value) > limit:
        raise _quarantined(f"{key} is over {limit} characters")
    return value


class DisputeBook:
    """Follows disputes about this node's settlements; writes only its clarifications."""

    def __init__(
        self,
        *,
        key: MediatorKey,
        retired_keys: Iterable[MediatorKey] = (),
        authorities: Mapping[str, str] | Iterable[str] = (),
        window: float = DISPUTE_WINDOW,
        clock: Callable[[], float] = time.time,
        summarize: Callable[[DisputeRecord, SettlementRecord], tuple[list[str], list[str]]]
        | None = None,
        defer_clarification: bool = False,
    ) -> None:
        self.key = key
        #: A clarification is signed by the key that proposed the settlement, retired or not.
        self.keyring = Keyring(key, tuple(retired_keys))
        self.authorities: dict[str, str] = (
            dict(authorities)
            if isinstance(authorities, Mapping)
            else parse_authorities(authorities)
        )
        self.window = window
        self.clock = clock
        self.summarize = summarize or offline_summary
        # With an LLM configured the clarification is written after the commit, by the
        # dispute handler (a model call must not hold the follower's transaction).
        self.defer_clarification = defer_clarification

    # ------------------------------------------------------------ DisputeLifecycle

    def apply_mined_block(
        self, conn: sqlite3.Connection, entries: Sequence[ChainEntry], block_timestamp: float
    ) -> list[DisputeChange]:
        """Apply one mined block's dispute entries in order; call it in the follower's
        transaction after the settlement lifecycle has applied the same block."""
        changes: list[DisputeChange] = []
        considered = 0
        for entry in entries:
            kind = entry.metadata.get("contract_type")
            if kind not in KINDS or entry.block_index is None:
                continue
            if self._seen(conn, entry.ref):
                continue
            considered += 1
            if considered > MAX_ENTRIES_PER_BLOCK:
                self._record(
                    conn,
                    entry,
                    str(kind),
                    None,
                    block_timestamp,
                    effect="quarantined: over_block_budget",
                )
                continue
            try:
                change = self._apply(conn, entry, str(kind), block_timestamp)
            except _Skip as skip:
                dispute_id = entry.metadata.get("dispute_id")
                known = isinstance(dispute_id, str) and get_dispute(conn, dispute_id) is not None
                self._record(
                    conn,
                    entry,
                    str(kind),
                    str(dispute_id) if known else None,
                    block_timestamp,
                    effect=skip.effect,
                )
                logger.info("disputes: entry %s %s", entry.ref, skip.effect)
                continue
            if change is not None:
                changes.append(change)
        self._hold_payouts(conn)
        return changes

    def retire_after_reset(self, conn: sqlite3.Connection, reason: str) -> list[DisputeChange]:
        """The chain was reset (a new genesis): every dispute not yet resolved is retired
        as ``orphaned`` with the reason (protocol.md lifecycle rule 5), nothing deleted.
        Queued clarifications are given up with the rest of the outbox by the settlement
        lifecycle's reset. Call it in the follower's transaction."""
        records.orphan_unresolved(conn, f"chain reset: {reason}"[:300], now=self.clock())
        CLARIFY_JOBS.give_up_pending(conn, f"retired: {reason}"[:300], now=self.clock())
        return []

    def retire_after_fork(
        self, conn: sqlite3.Connection, settlements: frozenset[str], reason: str
    ) -> list[DisputeChange]:
        """A fork orphaned ``settlements``: every dispute about them not yet resolved is
        retired as ``orphaned`` with the reason, as after a reset but only those
        (protocol.md lifecycle rule 5); their queued clarification and payout hold are
        never posted. Nothing deleted. Call it in the follower's transaction, after the
        settlement lifecycle's ``retire_after_fork``."""
        now = self.clock()
        why = reason[:300]
        for dispute_id in records.orphan_unresolved_of(conn, sorted(settlements), why, now=now):
            for key in (f"clarification:{dispute_id}", f"payout_hold:{dispute_id}"):
                job = CHAIN_OUTBOX.get(conn, key)
                if job is not None and job.state is JobState.PENDING:
                    CHAIN_OUTBOX.give_up(conn, job.id, f"retired: {why}", now=now)
            waiting = CLARIFY_JOBS.get(conn, dispute_id)
            if waiting is not None and waiting.state is JobState.PENDING:
                CLARIFY_JOBS.give_up(conn, waiting.id, f"retired: {why}", now=now)
        return []

    # ------------------------------------------------------------ handlers

    def _apply(
        self, conn: sqlite3.Connection, entry: ChainEntry, kind: str, chain_time: float
    ) -> DisputeChange | None:
        metadata = entry.metadata
        if metadata.get("protocol") != PROTOCOL:
            raise _ignored("not protocol " + PROTOCOL)
        if kind == "dispute":
            return self._on_dispute(conn, entry, chain_time)
        dispute_id = metadata.get("dispute_id")
        if not _valid_id(dispute_id, "dsp"):
            raise _quarantined("dispute_id is malformed")
        record = get_dispute(conn, str(dispute_id))
        if record is None:
            raise _ignored("no open dispute of ours with this dispute_id")
        if kind in OWN_KINDS:
            # Anyone can write our name as author: only our signature proves it is ours,
            # by the key that proposed the settlement.
            disputed = get_settlement(conn, record.settlement_id)
            signer = None if disputed is None else disputed.mediator_id
            if not self.keyring.owns(signer) or not (
                entry.author == signer
                and entry.metadata.get("mediator_id") == signer
                and verify_metadata(entry.metadata)
            ):
                raise _ignored(f"a {kind} is written and signed by our mediator only")
            self._record(conn, entry, kind, record.dispute_id, chain_time, effect=COUNTED)
            # Ours is on the chain (a rebuild reads it before the writer ran): never again.
            job = CHAIN_OUTBOX.get(conn, f"{OWN_KINDS[kind]}:{record.dispute_id}")
            if job is not None and job.state is JobState.PENDING:
                CHAIN_OUTBOX.complete(conn, job.id, now=self.clock(), result={"seen": entry.ref})
            waiting = CLARIFY_JOBS.get(conn, record.dispute_id) if kind == "clarification" else None
            if waiting is not None and waiting.state is JobState.PENDING:
                CLARIFY_JOBS.complete(
                    conn, waiting.id, now=self.clock(), result={"seen": entry.ref}
                )
            return None
        if record.state in (DisputeState.RESOLVED, DisputeState.ORPHANED):
            raise _ignored(f"the dispute was already {record.state.value}")
        if kind == "evidence":
            return self._on_evidence(conn, entry, record, chain_time)
        if kind == "escalation":
            return self._on_escalation(conn, entry, record, chain_time)
        return self._on_resolution(conn, entry, record, chain_time)

    def _on_dispute(
        self, conn: sqlite3.Connection, entry: ChainEntry, chain_time: float
    ) -> DisputeChange:
        m = entry.metadata
        settlement_id, dispute_id, claimant = (
            m.get("settlement_id"),
            m.get("dispute_id"),
            m.get("claimant"),
        )
        if not _valid_id(settlement_id, "stl") or not _valid_id(dispute_id, "dsp"):
            raise _quarantined("settlement_id or dispute_id is malformed")
        if not isinstance(claimant, str) or claimant != entry.author:
            raise _quarantined("claimant must be the entry's author")
        if dispute_id != dispute_id_for(str(settlement_id), claimant):
            raise _quarantined("dispute_id is not the digest of settlement_id and claimant")
        issue = _text(m, "issue", MAX_ISSUE_CHARS)
        desired = _text(m, "desired_escalation", MAX_AUTHOR_CHARS, required=False) or None
        settlement = get_settlement(conn, str(settlement_id))
        if settlement is None or not settlement.own or settlement.proposal_block is None:
            raise _ignored("not a mined settlement of this node")
        parties = (settlement.offer_party, settlement.seek_party)
        if claimant not in parties:
            raise _ignored("the claimant is not a party of the settlement")
        # Measured from the acceptance deadline: chain time every node reads alike.
        if chain_time > settlement.deadline_ts + self.window:
            raise _ignored("mined after the dispute window")
        if get_dispute(conn, str(dispute_id)) is not None:
            raise _ignored("this dispute was opened before")
        respondent = parties[1] if claimant == parties[0] else parties[0]
        now = self.clock()
        records.open_dispute(
            conn,
            dispute_id=str(dispute_id),
            settlement_id=str(settlement_id),
            claimant=claimant,
            respondent=respondent,
            issue=issue,
            desired_escalation=desired,
            entry_ref=entry.ref,
            block_index=int(entry.block_index or 0),
            chain_time=chain_time,
            now=now,
        )
        self._record(conn, entry, "dispute", str(dispute_id), chain_time, effect=COUNTED)
        record = get_dispute(conn, str(dispute_id))
        assert record is not None  # inserted just above
        signer = self.keyring.for_mediator(settlement.mediator_id)
        if signer is None:  # own, so proposed under a retired key that has since been dropped
            # One signed by another key would be invalid (protocol.md, "Key rotation").
            logger.warning(
                "disputes: %s is about settlement %s, proposed as %s, whose key this node no "
                "longer holds: no clarification or payout hold can be signed",
                record.dispute_id,
                settlement.settlement_id,
                settlement.mediator_id,
            )
        elif self.defer_clarification:
            CLARIFY_JOBS.enqueue(
                conn, record.dispute_id, {"dispute_id": record.dispute_id}, now=now
            )
        else:
            factual, interpretive = self.summarize(record, settlement)
            clarification = build_clarification(
                record, settlement, key=signer, factual=factual, interpretive=interpretive
            )
            CHAIN_OUTBOX.enqueue(
                conn,
                f"clarification:{record.dispute_id}",
                clarification,
                now=now,
                max_attempts=20,
            )
        if signer is not None:
            self._suspend_posted_claim(conn, record, settlement, signer=signer, now=now)
        return self._change(
            DisputeChangeKind.OPENED,
            record,
            entry,
            f"opened by {clean_text(claimant, 80, single_line=True)}",
            conn=conn,
        )

    def _party_only(self, entry: ChainEntry, record: DisputeRecord, what: str) -> None:
        if entry.author not in (record.claimant, record.respondent):
            raise _ignored(f"{what} must be authored by the claimant or the respondent")

    def _on_evidence(
        self, conn: sqlite3.Connection, entry: ChainEntry, record: DisputeRecord, chain_time: float
    ) -> DisputeChange:
        self._party_only(entry, record, "evidence")
        m = entry.metadata
        if m.get("evidence_type") not in EVIDENCE_TYPES:
            raise _quarantined("evidence_type is not one of " + ", ".join(sorted(EVIDENCE_TYPES)))
        _text(m, "description", MAX_DESCRIPTION_CHARS)
        content_hash = m.get("content_hash")
        if content_hash is not None and not _valid_content_hash(content_hash):
            raise _quarantined("content_hash is malformed")
        self._record(
            conn,
            entry,
            "evidence",
            record.dispute_id,
            chain_time,
            effect=COUNTED,
            content_hash=None if content_hash is None else str(content_hash),
        )
        return self._change(DisputeChangeKind.EVIDENCE, record, entry, "evidence frozen", conn=conn)

    def _on_escalation(
        self, conn: sqlite3.Connection, entry: ChainEntry, record: DisputeRecord, chain_time: float
    ) -> DisputeChange:
        self._party_only(entry, record, "an escalation")
        if record.state is DisputeState.ESCALATED:
            raise _ignored("the dispute was already escalated")
        m = entry.metadata
        authority = m.get("authority")
        if not isinstance(authority, str) or authority not in self.authorities:
            raise _ignored("the authority is not one of DISPUTE_AUTHORITIES")
        scope = m.get("scope", [])
        if (
            not isinstance(scope, list)
            or len(scope) > MAX_SCOPE_ITEMS
            or not all(isinstance(s, str) and 0 < len(s) <= MAX_ISSUE_CHARS for s in scope)
        ):
            raise _quarantined(f"scope must be a list of at most {MAX_SCOPE_ITEMS} texts")
        seq = self._record(conn, entry, "escalation", record.dispute_id, chain_time, effect=COUNTED)
        records.escalate(
            conn, record.dispute_id, authority=authority, scope=scope, seq=seq, now=self.clock()
        )
        return self._change(
            DisputeChangeKind.ESCALATED,
            record,
            entry,
            f"escalated to {self.authorities[authority]}",
            conn=conn,
        )

    def _on_resolution(
        self, conn: sqlite3.Connection, entry: ChainEntry, record: DisputeRecord, chain_time: float
    ) -> DisputeChange:
        outcome = entry.metadata.get("outcome")
        if outcome not in OUTCOMES:
            raise _quarantined("outcome is not one of " + ", ".join(sorted(OUTCOMES)))
        withdrawn = outcome == "withdrawn" and entry.author == record.claimant
        by_authority = record.authority is not None and entry.author == record.authority
        if not (withdrawn or by_authority):
            raise _ignored("only the named authority, or the claimant withdrawing, resolves it")
        self._record(
            conn, entry, "dispute_resolution", record.dispute_id, chain_time, effect=COUNTED
        )
        now = self.clock()
        records.resolve(
            conn,
            record.dispute_id,
            outcome=str(outcome),
            resolved_by=entry.author,
            block_index=entry.block_index,
            now=now,
        )
        if not records.has_unresolved(conn, record.settlement_id):
            CHAIN_OUTBOX.release(conn, f"payout:{record.settlement_id}", now=now)
        return self._change(
            DisputeChangeKind.RESOLVED, record, entry, f"resolved: {outcome}", conn=conn
        )

    # ------------------------------------------------------------ helpers

    def _suspend_posted_claim(
        self,
        conn: sqlite3.Connection,
        record: DisputeRecord,
        settlement: SettlementRecord,
        *,
        signer: MediatorKey,
        now: float,
    ) -> None:
        """Protocol section 5 allows a payout claim only while no dispute is open, and is
        silent on a claim that left before the dispute came. A claim still queued is held
        (:meth:`_hold_payouts`); one already posted or mined cannot be taken back from an
        append-only chain, so the node publishes, once per dispute, a ``[PAYOUT HOLD]``
        signed by the key that proposed (and claimed), saying its claim is suspended until
        the dispute is resolved, and never claims a second time."""
        job = CHAIN_OUTBOX.get(conn, f"payout:{record.settlement_id}")
        posted = settlement.payout_entry_ref is not None or (
            job is not None and job.state in (JobState.RUNNING, JobState.DONE)
        )
        if not posted:
            return
        CHAIN_OUTBOX.enqueue(
            conn,
            f"payout_hold:{record.dispute_id}",
            build_payout_hold(record, settlement, key=signer),
            now=now,
            max_attempts=20,
        )
        logger.info(
            "disputes: %s opened after the payout claim of %s left; a payout hold is queued",
            record.dispute_id,
            record.settlement_id,
        )

    def _hold_payouts(self, conn: sqlite3.Connection) -> None:
        """Hold the payout claim of every settlement with an open dispute (a claim enqueued
        after the dispute opened, by a closure in this block, included)."""
        now = self.clock()
        for settlement_id in records.settlements_with_unresolved(conn, limit=1000):
            CHAIN_OUTBOX.hold(
                conn, f"payout:{settlement_id}", "withheld: a dispute is open", now=now
            )

    def _seen(self, conn: sqlite3.Connection, ref: str) -> bool:
        return records.entry_seen(conn, ref)

    def _record(
        self,
        conn: sqlite3.Connection,
        entry: ChainEntry,
        kind: str,
        dispute_id: str | None,
        chain_time: float,
        *,
        effect: str,
        content_hash: str | None = None,
    ) -> int:
        raw = {
            "author": entry.author,
            "content": entry.content,
            "intent": entry.intent,
            "timestamp": entry.timestamp,
            "metadata": entry.metadata,
        }
        return records.record_entry(
            conn,
            entry_ref=entry.ref,
            dispute_id=dispute_id,
            kind=kind,
            author=entry.author,
            block_index=int(entry.block_index or 0),
            chain_time=chain_time,
            entry_hash=_entry_hash(entry),
            content_hash=content_hash,
            raw=json.dumps(raw, sort_keys=True, ensure_ascii=False),
            effect=effect[:500],
        )

    def _change(
        self,
        kind: DisputeChangeKind,
        record: DisputeRecord,
        entry: ChainEntry,
        detail: str,
        *,
        conn: sqlite3.Connection,
    ) -> DisputeChange:
        settlement = get_settlement(conn, record.settlement_id)
        return DisputeChange(
            kind,
            record.dispute_id,
            record.settlement_id,
            (record.claimant, record.respondent),
            detail,
            entry.block_index or 0,
            intents=() if settlement is None else (settlement.offer_ref, settlement.seek_ref),
        )


def _terms_line(settlement: SettlementRecord) -> str:
    t = settlement.terms
    parts = []
    if t.get("price") is not None:
        parts.append(f"price {t['price']} {t.get('currency', 'NLC')}")
    if t.get("deliverables"):
        parts.append("deliverables: " + "; ".join(str(d) for d in t["deliverables"]))
    if t.get("timeline"):
        parts.append(f"timeline: {t['timeline']}")
    if t.get("conditions"):
        parts.append("conditions: " + "; ".join(str(c) for c in t["conditions"]))
    return ", ".join(parts) or "no terms were stated"


def offline_summary(
    record: DisputeRecord, settlement: SettlementRecord
) -> tuple[list[str], list[str]]:
    """Factual and interpretive disagreements without a model: the claim quoted against
    the terms both parties accepted. It states what each side says; it decides nothing."""
    claim = clean_text(record.issue, 600, single_line=True)
    terms = clean_text(_terms_line(settlement), 1_200, single_line=True)
    factual = [
        f'The claimant {clean_text(record.claimant, 80, single_line=True)} states: "{claim}"',
        f"The settlement's stated terms were: {terms}.",
    ]
    interpretive = [
        "Whether what was delivered meets the stated terms quoted above, as the claimant"
        " reads them, against the respondent"
        f" {clean_text(record.respondent, 80, single_line=True)}'s reading; the mediator"
        " does not decide it.",
    ]
    return factual, interpretive


def build_clarification(
    record: DisputeRecord,
    settlement: SettlementRecord,
    *,
    key: MediatorKey,
    factual: list[str],
    interpretive: list[str],
) -> dict[str, Any]:
    """The signed ``[CLARIFICATION]`` entry payload for the chain outbox."""
    metadata = key.sign_metadata(
        {
            "is_contract": True,
            "contract_type": "clarification",
            "protocol": PROTOCOL,
            "dispute_id": record.dispute_id,
            "settlement_id": record.settlement_id,
            "factual_disagreements": [clean_text(f, 1_500) for f in factual[:5]],
            "interpretive_disagreements": [clean_text(i, 1_500) for i in interpretive[:5]],
            "mediator_id": key.mediator_id,
        }
    )
    lines = [f"[CLARIFICATION] dispute {record.dispute_id} on settlement {record.settlement_id}."]
    lines += ["Factual: " + f for f in metadata["factual_disagreements"]]
    lines += ["Interpretive: " + i for i in metadata["interpretive_disagreements"]]
    lines.append("The mediator summarises; it does not decide this dispute.")
    content = "\n".join(lines)[:10_000]
    return {
        "content": content,
        "author": key.mediator_id,
        "intent": INTENT_CLARIFICATION,
        "metadata": metadata,
    }


def build_payout_hold(
    record: DisputeRecord, settlement: SettlementRecord, *, key: MediatorKey
) -> dict[str, Any]:
    """The signed ``[PAYOUT HOLD]`` entry payload: this node's claim on a settlement that
    is now disputed stays suspended until the dispute is resolved (not a protocol v2 kind:
    nodes that do not know it ignore it; see docs/architecture.md)."""
    metadata = key.sign_metadata(
        {
            "is_contract": True,
            "contract_type": "payout_hold",
            "protocol": PROTOCOL,
            "dispute_id": record.dispute_id,
            "settlement_id": record.settlement_id,
            "claim_entry_ref": settlement.payout_entry_ref,
            "mediator_id": key.mediator_id,
        }
    )
    claim = (
        f"claim {settlement.payout_entry_ref}"
        if settlement.payout_entry_ref is not None
        else "claim (posted, not yet mined)"
    )
    content = (
        f"[PAYOUT HOLD] settlement {record.settlement_id}: the mediator's payout {claim} is "
        f"suspended while dispute {record.dispute_id} is open, and stands only as that "
        "dispute's resolution leaves it. It is not claimed again. The mediator does not "
        "decide this dispute."
    )
    return {
        "content": content,
        "author": key.mediator_id,
        "intent": INTENT_PAYOUT_HOLD,
        "metadata": metadata,
    }
