"""Follows a NatLangChain node from a durable cursor into the store.

One :meth:`ChainFollower.poll_once` reads ``/block/latest``, then each new ``/block/<i>`` in
order (at most ``blocks_per_poll``), then ``/pending``. Intents and protocol events are
written in the **same transaction** that advances the cursor, so a crash never skips or
double-counts anything; everything is keyed by ``entry_ref`` and idempotent. In the same
transaction each mined block goes, in chain order, to the settlement lifecycle
(:class:`~mediator_actors.settlement.interface.SettlementLifecycle`), so acceptance, expiry,
closure, payout claims and reputation commit with the cursor; ``PollResult.decided`` carries
what it decided, to announce after the commit. The challenge watch
(:class:`~mediator_actors.challenges.interface.ChallengeWatch`) and the dispute book
(:class:`~mediator_actors.disputes.interface.DisputeLifecycle`) see each block after the
settlement lifecycle, in the same transaction (``PollResult.challenged``,
``PollResult.disputes``).

- Chain reset or fork under the cursor (length shrank, or the block at the cursor has a
  different hash / the next block does not link to it) -> the common prefix is found from
  the stored block hashes, rows from the lost blocks become "unmined", the cursor moves back.
  A reset (a new genesis) retires everything at once. A fork that keeps the genesis notes
  what the replaced blocks carried (``chain_lost``); once the new branch and the pool are
  read, whatever is on the chain again (re-mined or pending) stays, and the rest is retired
  as for a reset but only that (lifecycle rule 5): its intents leave mediation, their queued
  flags are never posted, the settlement lifecycle's ``retire_after_fork`` orphans the
  settlements that relied on it, and the dispute book's retires the disputes about those.
- Hostile data: a rejected entry is quarantined with its reason at once (the codec is
  deterministic); an entry or page that *fails to process* is retried on later polls and
  quarantined after ``max_attempts``, and the rest goes on. Nothing depends on the local
  clock except the per-author intake budget, whose excess waits in a durable table.
- The chain being down is reported as ``PollResult.error`` with ``retry_in`` (back-off).
- A block the chain's secret scanner refuses to send (its ``block`` mode, for an entry that
  looks like a credential, usually a stranger's) is stepped past at once: recorded in
  ``chain_skipped`` with the reason ``blocked_by_chain_scanner`` (``/api/v1/stats``), its
  entries unread, its hash learnt from the next block's ``previous_hash``. A refused tip
  is counted from ``/stats``; a refused pending pool is read again once it changes.

Blocking: ``poll_once`` does up to ``blocks_per_poll + 2`` HTTP requests (each bounded by
the client's deadline) and one store write per ``blocks_per_commit`` blocks; CPU work
(intent extraction, injection checks) goes through the injected ``offload``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import sqlite3
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mediator_actors.chain import codec, flags
from mediator_actors.chain import tables as chain_tables
from mediator_actors.chain.client import (
    AUTH_PROBLEM,
    ChainAuthError,
    ChainBlockedError,
    ChainBusyError,
)
from mediator_actors.chain.records import ChainReader, IntakeLimit, PollResult, prepare_entries
from mediator_actors.chain.tables import record_quarantine, record_skipped
from mediator_actors.challenges.interface import ChallengeWatch
from mediator_actors.disputes.book import DisputeChange
from mediator_actors.disputes.interface import DisputeLifecycle
from mediator_actors.errors import ChainError, CodecError
from mediator_actors.model import (
    ChainEntry,
    EntryKind,
    EntryRef,
    Intent,
    IntentStatus,
    parse_iso_utc,
)
from mediator_actors.runtime.resilience import Backoff
from mediator_actors.safety.textsafety import escape_for_log
from mediator_actors.settlement.interface import SettlementLifecycle, Transition
from mediator_actors.settlement.records import SettlementState
from mediator_actors.store import Store
from mediator_actors.store.intents import (
    archive_intents,
    archive_open_intents,
    known_intent,
    mined_after,
    save_intent,
    set_intent_status,
    unmine_after,
)
from mediator_actors.store.jobs import CHAIN_OUTBOX, JobState

__all__ = ["MIGRATIONS", "ChainFollower", "ChainReader", "IntakeLimit", "PollResult"]

logger = logging.getLogger(__name__)

#: Longest the pending pool goes unread while caught up, whatever ``/block/latest`` says.
POOL_REFRESH = 30.0
#: ``chain_skipped`` reason of a block the chain's secret scanner refused to send.
BLOCKED_BY_SCANNER = "blocked_by_chain_scanner"

#: The tables the follower writes in its transaction: the chain's own and the flags'.
MIGRATIONS = (*chain_tables.MIGRATIONS, *flags.MIGRATIONS)
#: Called inside the transaction that first stores an intent this node declines (reason
#: ``unsafe``), so the node's own flag on it commits with it.
DeclinedHook = Callable[[sqlite3.Connection, Intent, float], object]


@dataclass(slots=True)
class _Batch:
    """Everything one transaction applies."""

    entries: list[tuple[ChainEntry, Any]] = field(default_factory=list)  # (entry, prepared)
    rejected: list[codec.Rejected] = field(default_factory=list)
    blocks: list[tuple[int, str]] = field(default_factory=list)
    #: (chain timestamp, entries) of each mined block, in chain order, for the settlement
    #: lifecycle
    mined: list[tuple[float, tuple[ChainEntry, ...]]] = field(default_factory=list)
    # (key, ref, block_index, reason, detail, final)
    failures: list[tuple[str, str | None, int | None, str, str, bool]] = field(default_factory=list)
    #: blocks the chain's scanner refused to send: stepped past, recorded in chain_skipped
    refused: list[int] = field(default_factory=list)
    next_index: int | None = None
    last_hash: str | None = None


@dataclass(slots=True)
class _Changes:
    new_intents: list[EntryRef] = field(default_factory=list)
    #: each new intent's author, for the monitoring events' party filter
    new_intent_authors: dict[EntryRef, str] = field(default_factory=dict)
    new_events: dict[EntryKind, list[EntryRef]] = field(default_factory=dict)
    mined_intents: list[EntryRef] = field(default_factory=list)
    mined_events: dict[EntryKind, list[EntryRef]] = field(default_factory=dict)
    archived: list[EntryRef] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    admitted: dict[str, int] = field(default_factory=dict)
    #: entries seen for the first time and not taken, by reason
    skipped: dict[str, int] = field(default_factory=dict)
    decided: list[Transition] = field(default_factory=list)
    disputes: list[DisputeChange] = field(default_factory=list)
    challenged: list[str] = field(default_factory=list)

    def result(
        self,
        *,
        next_index: int,
        caught_up: bool,
        deferred: int = 0,
        blocks: int = 0,
        reset: bool = False,
    ) -> PollResult:
        """The poll's :class:`PollResult`: what changed, frozen, and where the cursor is."""
        return PollResult(
            new_intents=tuple(self.new_intents),
            new_intent_authors=dict(self.new_intent_authors),
            new_events={k: tuple(v) for k, v in self.new_events.items()},
            mined_intents=tuple(self.mined_intents),
            mined_events={k: tuple(v) for k, v in self.mined_events.items()},
            archived=tuple(self.archived),
            quarantined=tuple(self.quarantined),
            decided=tuple(self.decided),
            disputes=tuple(self.disputes),
            challenged=tuple(self.challenged),
            deferred=deferred,
            blocks=blocks,
            next_index=next_index,
            caught_up=caught_up,
            reset=reset,
        )


def _reject_ident(rej: codec.Rejected) -> str:
    return rej.ref or hashlib.sha256(rej.preview.encode("utf-8", "replace")).hexdigest()


def _inline(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


class ChainFollower:
    """Plain class; the lead's actor calls :meth:`poll_once` on a timer."""

    def __init__(
        self,
        *,
        store: Store,
        client: ChainReader,
        clock: Callable[[], float] = time.time,
        offload: Callable[..., Any] = _inline,
        max_flags: int = 5,
        blocks_per_poll: int = 50,
        blocks_per_commit: int = 10,
        intake: IntakeLimit | None = None,
        max_attempts: int = 3,
        backoff: Backoff | None = None,
        read_pending: bool = True,
        settlement: SettlementLifecycle | None = None,
        challenges: ChallengeWatch | None = None,
        disputes: DisputeLifecycle | None = None,
        on_declined: DeclinedHook | None = None,
        plain_prose: bool = False,
        own_authors: tuple[str, ...] = (),
    ) -> None:
        #: Our own author ids: read back from a block the chain's scanner refuses.
        self._own_authors = own_authors
        self._plain_prose = plain_prose
        #: Whether refs a fork replaced wait to be found again or retired (None: look).
        self._lost_due: bool | None = None
        self._pool_read_since_fork = True
        self._store = store
        self._client = client
        self._clock = clock
        self._offload = offload
        self._max_flags = max_flags
        self._blocks_per_poll = blocks_per_poll
        self._blocks_per_commit = blocks_per_commit
        self._intake = intake or IntakeLimit()
        self._max_attempts = max_attempts
        self._backoff = backoff or Backoff(minimum=1.0, maximum=60.0)
        self._read_pending = read_pending
        self._settlement = settlement
        self._challenges = challenges
        self._disputes = disputes
        self._on_declined = on_declined
        self._failures = 0
        #: The latest block index the chain reported (for the chain lag metric).
        self.chain_head: int | None = None
        self._budget: dict[str, deque[float]] = {}
        self._known_pending: set[str] = set()
        self._pool_seen: tuple[int, int] | None = None
        self._pool_read_at = -math.inf
        self._auth_logged_at = -math.inf

    # --- public ---------------------------------------------------------------------

    def cursor(self) -> tuple[int, str | None, int]:
        """(next block index, hash of the block before it, resets seen)."""

        cursor = self._store.read(chain_tables.read_cursor)
        return cursor.next_index, cursor.last_hash, cursor.resets

    def poll_once(self) -> PollResult:
        """Catch up by at most ``blocks_per_poll`` blocks, then read the pending pool."""
        try:
            result = self._poll()
        except ChainBusyError as exc:
            # Back-pressure: wait as asked; not a failure, so the back-off does not grow.
            wait = exc.retry_after if exc.retry_after is not None else self._backoff.delay(1)
            logger.info("chain: %s; next poll in %.1fs", escape_for_log(str(exc)), wait)
            return PollResult(
                error=str(exc)[:300], retry_in=wait, caught_up=False, busy=True, logged=True
            )
        except ChainAuthError as exc:
            # Nothing can be read until the operator fixes the key: say so once a minute,
            # not once a poll; /health shows it meanwhile.
            self._failures += 1
            retry = self._backoff.delay(self._failures)
            now = self._clock()
            if now - self._auth_logged_at >= 60.0:
                self._auth_logged_at = now
                logger.error("chain: %s; nothing is read until it is fixed", AUTH_PROBLEM)
            return PollResult(error=str(exc)[:300], retry_in=retry, caught_up=False, logged=True)
        except (ChainError, CodecError) as exc:
            self._failures += 1
            retry = self._backoff.delay(self._failures)
            logger.warning(
                "chain: poll failed (%s); retrying in %.1fs", escape_for_log(str(exc)), retry
            )
            return PollResult(error=str(exc)[:300], retry_in=retry, caught_up=False)
        self._failures = 0
        self._auth_logged_at = -math.inf
        return result

    # --- the poll -------------------------------------------------------------------

    def _poll(self) -> PollResult:
        next_index, last_hash, _ = self.cursor()
        latest = self._client.latest_block()
        self.chain_head = latest.index
        if latest.chain_length < next_index or (
            latest.index == next_index - 1
            and last_hash is not None
            and latest.hash is not None  # a tip the scanner refused cannot be compared
            and latest.hash != last_hash
        ):
            return self._resync(next_index, latest, _Changes())
        changes = _Changes()
        if self._lost_due is None:
            self._lost_due = self._store.read(chain_tables.any_lost)
        self._admit_deferred(changes)  # waiting intents go first: intake stays FIFO per author
        done = 0
        stalled = False
        while not stalled and next_index <= latest.index and done < self._blocks_per_poll:
            batch = _Batch()
            stop = min(
                latest.index + 1,
                next_index + self._blocks_per_commit,
                next_index + self._blocks_per_poll - done,
            )
            expected_prev = last_hash
            for index in range(next_index, stop):
                block = self._fetch_block(index, batch)
                if block is None:
                    if batch.refused[-1:] == [index] or batch.failures[-1][5]:
                        # refused by the scanner, or quarantined for good: step past it
                        expected_prev = None
                        continue
                    stalled = True  # retry this block on a later poll, not in a tight loop
                    break
                if expected_prev is not None and block.previous_hash != expected_prev:
                    if index == next_index and not batch.blocks:
                        return self._resync(next_index, latest, changes)
                    break  # the chain moved under us mid-batch: commit what links, look again
                if expected_prev is None and index > 0:
                    # The block before was stepped past unread (refused by the scanner or
                    # quarantined): its hash, as the chain links it, for fork checks.
                    batch.blocks.append((index - 1, block.previous_hash))
                batch.entries.extend(
                    self._offload(
                        prepare_entries, block.entries, self._max_flags, self._plain_prose
                    )
                )
                batch.rejected.extend(block.rejected)
                batch.blocks.append((index, block.hash))
                batch.mined.append((block.timestamp, block.entries))
                batch.next_index, batch.last_hash = index + 1, block.hash
                expected_prev = block.hash
            if batch.next_index is None and not batch.failures:
                break
            self._commit(batch, changes)
            if batch.next_index is None:
                break
            done += batch.next_index - next_index
            next_index, last_hash = batch.next_index, batch.last_hash
        caught_up = next_index > latest.index
        self._read_pool(latest, caught_up=caught_up, changes=changes)
        if (
            caught_up
            and self._lost_due
            and (
                self._pool_read_since_fork or latest.pending_entries == 0 or not self._read_pending
            )
        ):
            self._settle_lost(changes)
        deferred = self._store.read(chain_tables.count_deferred)
        return changes.result(
            deferred=deferred, blocks=done, next_index=next_index, caught_up=caught_up
        )

    def _read_pool(self, latest: codec.LatestBlock, *, caught_up: bool, changes: _Changes) -> None:
        # Only what is new: the pool is read when it holds entries and changed (its size,
        # or a block was mined from it) since the last read, and at least every
        # POOL_REFRESH seconds in case the node's count is wrong or missing.
        pool = (latest.pending_entries, latest.index)
        now = self._clock()
        changed = pool != self._pool_seen and latest.pending_entries > 0
        stale = now - self._pool_read_at >= POOL_REFRESH
        if caught_up and self._read_pending and (changed or stale):
            if self._ingest_pending(changes):
                self._pool_read_at, self._pool_seen = now, pool
                self._pool_read_since_fork = True
        elif caught_up:
            self._pool_seen = pool
        if changes.skipped:  # once per poll, never per entry
            logger.info(
                "chain: %d entries seen and not taken (%s)",
                sum(changes.skipped.values()),
                ", ".join(f"{r}: {n}" for r, n in sorted(changes.skipped.items())),
            )

    def _fetch_block(self, index: int, batch: _Batch) -> codec.Block | None:
        """A block, or None after recording a page-level failure (quarantined at the limit)
        or the scanner's refusal (``batch.refused``)."""
        try:
            block = self._client.block(index)
            if block.index != index:
                raise CodecError(f"asked for block {index}, got {block.index}")
            return block
        except ChainBlockedError:
            # It will be refused every time: waiting cannot help, so step past it now.
            batch.refused.append(index)
            batch.next_index, batch.last_hash = index + 1, None
            self._read_own_entries(index, batch)
            return None
        except CodecError as exc:
            key = f"block:{index}"
            final = self._attempts(key) + 1 >= self._max_attempts
            batch.failures.append((key, None, index, "bad_block", str(exc)[:500], final))
            if final:
                # Poison page: keep its reason, move past it so the follower never loops.
                batch.next_index, batch.last_hash = index + 1, None
            return None

    def _read_own_entries(self, index: int, batch: _Batch) -> None:
        """What can still be read of a refused block: the entries of ``own_authors`` (our
        proposals, payout claims, flags) mined in it, from ``/entries/author/<id>``, so a
        stranger's entry beside ours cannot make our settlement look never proposed.
        Applied as the block in chain order, at the latest of their own timestamps (a lower
        bound of the block's time, so nothing expires early). Others' entries stay unread:
        a response's time decides whether it counts, and that bound could not tell."""
        ours: list[ChainEntry] = []
        for author in self._own_authors:
            try:
                page = self._client.entries_by_author(author)
            except (ChainError, CodecError) as exc:
                logger.info(
                    "chain: our entries in block %d are not readable either: %s", index, exc
                )
                return
            ours += [e for e in page.entries if e.block_index == index]
        times = [t for t in (parse_iso_utc(e.timestamp) for e in ours) if t is not None]
        if not ours or not times:
            return
        ours.sort(key=lambda e: e.timestamp)
        batch.entries.extend(
            self._offload(prepare_entries, ours, self._max_flags, self._plain_prose)
        )
        batch.mined.append((max(times), tuple(ours)))

    def _attempts(self, key: str) -> int:
        return self._store.read(lambda c: chain_tables.quarantine_attempts(c, key))

    def _ingest_pending(self, changes: _Changes) -> bool:
        try:
            page = self._client.pending()
        except ChainBusyError:
            return False  # read it on a later poll
        except ChainBlockedError:
            # A pending entry the scanner will not send: read the pool again once it
            # changes; what is mined from it is read from its block (or skipped with it).
            logger.info("chain: the pending pool is refused by the chain's secret scanner")
            return True
        except (ChainError, CodecError) as exc:
            # Blocks were committed; a bad pool only delays pending intake.
            logger.warning("chain: pending pool unreadable: %s", escape_for_log(str(exc)))
            return False
        fresh = [e for e in page.entries if e.ref not in self._known_pending]
        batch = _Batch(
            rejected=[r for r in page.rejected if _reject_ident(r) not in self._known_pending]
        )
        batch.entries = self._offload(prepare_entries, fresh, self._max_flags, self._plain_prose)
        if not batch.entries and not batch.rejected:
            return True
        self._commit(batch, changes)
        if len(self._known_pending) > 200_000:
            self._known_pending.clear()
        self._known_pending.update(e.ref for e in fresh)
        self._known_pending.update(_reject_ident(r) for r in batch.rejected)
        return True

    # --- the transaction ------------------------------------------------------------

    def _commit(self, batch: _Batch, changes: _Changes) -> None:
        now = self._clock()
        budgets = {a: self._remaining(a, now) for a in {e.author for e, _ in batch.entries}}
        local = _Changes()

        def apply(conn: sqlite3.Connection) -> None:
            for entry, prepared in batch.entries:
                self._apply_entry(conn, entry, prepared, budgets=budgets, out=local, now=now)
            if self._lost_due:
                # On the chain again after a fork (re-mined, or pending): never retired.
                chain_tables.found_again(conn, [e.ref for e, _ in batch.entries], now=now)
            for rej in batch.rejected:
                # Keyed by ref *and* reason: a hostile page may reuse a good entry's ref.
                key = f"entry:{_reject_ident(rej)}:{rej.reason}"
                if record_quarantine(
                    conn,
                    key=key,
                    ref=rej.ref,
                    block_index=rej.block_index,
                    reason=rej.reason,
                    detail=rej.detail,
                    preview=rej.preview,
                    now=now,
                    final=True,
                ):
                    local.quarantined.append(key)
            self._record_refused(conn, batch.refused, local, now=now)
            for key, ref, index, reason, detail, final in batch.failures:
                if record_quarantine(
                    conn,
                    key=key,
                    ref=ref,
                    block_index=index,
                    reason=reason,
                    detail=detail,
                    now=now,
                    final=final,
                ):
                    local.quarantined.append(key)
            # Decisions follow from mined entries: they commit with the cursor. Per block,
            # settlements first: a challenge or dispute in the same block sees the
            # settlement it names.
            for timestamp, entries in batch.mined:
                if self._settlement is not None:
                    local.decided.extend(
                        self._settlement.apply_mined_block(conn, entries, timestamp)
                    )
                if self._challenges is not None:
                    local.challenged.extend(
                        self._challenges.apply_mined_block(conn, entries, timestamp)
                    )
                if self._disputes is not None:
                    local.disputes.extend(
                        self._disputes.apply_mined_block(conn, entries, timestamp)
                    )
            for index, block_hash in batch.blocks:
                chain_tables.record_block(conn, index, block_hash)
            if batch.next_index is not None:
                chain_tables.advance_cursor(conn, batch.next_index, batch.last_hash, now=now)

        self._store.write(apply)
        # Only after the commit: spend the intake budget and report.
        for author, count in local.admitted.items():
            self._budget.setdefault(author, deque()).extend([now] * count)
        changes.new_intents += local.new_intents
        changes.new_intent_authors.update(local.new_intent_authors)
        for kind, refs in local.new_events.items():
            changes.new_events.setdefault(kind, []).extend(refs)
        changes.mined_intents += local.mined_intents
        for kind, refs in local.mined_events.items():
            changes.mined_events.setdefault(kind, []).extend(refs)
        changes.archived += local.archived
        changes.quarantined += local.quarantined
        changes.decided += local.decided
        changes.disputes += local.disputes
        changes.challenged += local.challenged
        for reason, count in local.skipped.items():
            changes.skipped[reason] = changes.skipped.get(reason, 0) + count

    @staticmethod
    def _record_refused(
        conn: sqlite3.Connection, refused: list[int], out: _Changes, *, now: float
    ) -> None:
        """Blocks the chain's scanner refused: in chain_skipped once each, with the reason."""
        for index in refused:
            if record_skipped(
                conn, f"block:{index}", BLOCKED_BY_SCANNER, block_index=index, now=now
            ):
                out.skipped[BLOCKED_BY_SCANNER] = out.skipped.get(BLOCKED_BY_SCANNER, 0) + 1
                logger.warning(
                    "chain: block %d refused by the chain's secret scanner (block mode);"
                    " stepped past, its entries are not read",
                    index,
                )

    def _apply_entry(
        self,
        conn: sqlite3.Connection,
        entry: ChainEntry,
        prepared: Any,
        *,
        budgets: dict[str, int],
        out: _Changes,
        now: float,
    ) -> None:
        if isinstance(prepared, Exception):
            key = entry.ref
            attempts = chain_tables.quarantine_attempts(conn, key)
            if record_quarantine(
                conn,
                key=key,
                ref=entry.ref,
                block_index=entry.block_index,
                reason=f"processing_failed:{type(prepared).__name__}",
                detail=str(prepared)[:500],
                now=now,
                final=attempts + 1 >= self._max_attempts,
            ):
                out.quarantined.append(key)
        elif prepared is None:
            return
        elif prepared[0] == "skip":
            if record_skipped(conn, entry.ref, prepared[1], block_index=entry.block_index, now=now):
                out.skipped[prepared[1]] = out.skipped.get(prepared[1], 0) + 1
        elif prepared[0] == "event":
            self._apply_event(conn, entry, prepared[1], prepared[2], out=out, now=now)
        else:
            self._apply_intent(conn, prepared[1], prepared[2], budgets=budgets, out=out, now=now)

    def _apply_event(
        self,
        conn: sqlite3.Connection,
        entry: ChainEntry,
        kind: EntryKind,
        raw: str,
        *,
        out: _Changes,
        now: float,
    ) -> None:
        if kind is EntryKind.FLAG and not self._apply_flag(conn, entry, out=out, now=now):
            return
        mined = False
        if chain_tables.save_event(
            conn,
            ref=entry.ref,
            kind=kind,
            author=entry.author,
            block_index=entry.block_index,
            raw=raw,
            now=now,
        ):
            out.new_events.setdefault(kind, []).append(entry.ref)
            mined = entry.block_index is not None
        elif entry.block_index is not None:
            mined = chain_tables.mark_event_mined(conn, entry.ref, entry.block_index, now=now)
        if mined:
            out.mined_events.setdefault(kind, []).append(entry.ref)

    def _apply_flag(
        self, conn: sqlite3.Connection, entry: ChainEntry, *, out: _Changes, now: float
    ) -> bool:
        """Verify a flag and count it; False (quarantined with the reason) when forged."""
        flag = flags.check_flag(entry)
        if isinstance(flag, str):
            key = f"flag:{entry.ref}"
            if record_quarantine(
                conn,
                key=key,
                ref=entry.ref,
                block_index=entry.block_index,
                reason=flag,
                detail="an unverifiable flag never counts toward MAX_INTENT_FLAGS",
                preview=entry.content[:200],
                now=now,
                final=True,
            ):
                out.quarantined.append(key)
            logger.info("chain: flag %s quarantined: %s", entry.ref, flag)
            return False
        if (
            flags.record_flag(conn, flag, now=now)
            and flags.counted_flags(conn, flag.intent_ref, stop_at=self._max_flags)
            >= self._max_flags
            and set_intent_status(
                conn, flag.intent_ref, IntentStatus.ARCHIVED, reason="flagged", now=now
            )
        ):
            out.archived.append(EntryRef(flag.intent_ref))
        return True

    def _apply_intent(
        self,
        conn: sqlite3.Connection,
        intent: Intent,
        reason: str | None,
        *,
        budgets: dict[str, int],
        out: _Changes,
        now: float,
    ) -> None:
        known = known_intent(conn, intent.ref)
        if known is not None and known.block_index is None and intent.block_index is not None:
            out.mined_intents.append(intent.ref)  # save_intent below records the block
        if known is None:
            if chain_tables.is_deferred(conn, intent.ref):
                # it waits its turn; it may have been mined meanwhile
                if intent.block_index is not None:
                    chain_tables.update_deferred(conn, intent)
                return
            if budgets.get(intent.author, 0) <= 0:
                chain_tables.defer_intent(conn, intent, now=now)
                return
            budgets[intent.author] -= 1
            out.admitted[intent.author] = out.admitted.get(intent.author, 0) + 1
        if save_intent(conn, intent, now=now):
            out.new_intents.append(intent.ref)
            out.new_intent_authors[intent.ref] = intent.author
            if intent.block_index is not None:
                out.mined_intents.append(intent.ref)
            if reason is not None and set_intent_status(
                conn, intent.ref, IntentStatus.ARCHIVED, reason=reason, now=now
            ):
                out.archived.append(intent.ref)
                if reason in flags.OWN_FLAG_REASONS and self._on_declined is not None:
                    self._on_declined(conn, intent, now)

    # --- intake budget --------------------------------------------------------------

    def _remaining(self, author: str, now: float) -> int:
        window = self._budget.get(author)
        if window is None:
            return self._intake.per_author
        while window and window[0] <= now - self._intake.window:
            window.popleft()
        return self._intake.per_author - len(window)

    def _admit_deferred(self, changes: _Changes) -> None:
        """Move waiting intents into the intents table as their authors' budgets allow."""
        waiting = self._store.read(lambda c: chain_tables.deferred_intents(c, limit=5000))
        if not waiting:
            return
        now = self._clock()
        budgets: dict[str, int] = {}
        chosen: list[tuple[int, Intent]] = []
        for item in waiting:
            author = item.intent.author
            if author not in budgets:
                budgets[author] = self._remaining(author, now)
            if budgets[author] > 0:
                budgets[author] -= 1
                chosen.append((item.seq, item.intent))
        if not chosen:
            return
        local = _Changes()

        def apply(conn: sqlite3.Connection) -> None:
            for seq, intent in chosen:
                chain_tables.admit_deferred(conn, seq)
                local.admitted[intent.author] = local.admitted.get(intent.author, 0) + 1
                if save_intent(conn, intent, now=now):
                    local.new_intents.append(intent.ref)
                    local.new_intent_authors[intent.ref] = intent.author
                    if intent.block_index is not None:
                        local.mined_intents.append(intent.ref)
                    reason = codec.unalignable_reason(intent, 0, self._max_flags) or (
                        flags.decline_reason(intent)
                    )
                    if reason and set_intent_status(
                        conn, intent.ref, IntentStatus.ARCHIVED, reason=reason, now=now
                    ):
                        local.archived.append(intent.ref)
                        if reason in flags.OWN_FLAG_REASONS and self._on_declined is not None:
                            self._on_declined(conn, intent, now)

        self._store.write(apply)
        for author, count in local.admitted.items():
            self._budget.setdefault(author, deque()).extend([now] * count)
        changes.new_intents += local.new_intents
        changes.new_intent_authors.update(local.new_intent_authors)
        changes.mined_intents += local.mined_intents
        changes.archived += local.archived

    # --- reset / fork ---------------------------------------------------------------

    def _settle_lost(self, changes: _Changes) -> None:
        """The new branch and the pool are read: retire what a fork took off the chain."""
        now = self._clock()
        archived: list[EntryRef] = []
        decided: list[Any] = []
        disputes: list[DisputeChange] = []
        gone: dict[str, str] = {}

        def apply(conn: sqlite3.Connection) -> None:
            gone.update(chain_tables.take_gone(conn, now=now))
            by_reason: dict[str, set[str]] = {}
            for ref, why in gone.items():
                by_reason.setdefault(why, set()).add(ref)
            for why, refs in by_reason.items():
                archived.extend(archive_intents(conn, sorted(refs), f"gone: {why}", now=now))
                for ref in sorted(refs):  # our flag on an intent that is gone: never posted
                    job = CHAIN_OUTBOX.get(conn, f"flag:{ref}")
                    if job is not None and job.state is JobState.PENDING:
                        CHAIN_OUTBOX.give_up(conn, job.id, f"retired: {why}", now=now)
                if self._settlement is None:
                    continue
                moved = self._settlement.retire_after_fork(conn, frozenset(refs), why)
                decided.extend(moved)
                if self._disputes is not None:  # disputes about what was just orphaned
                    orphaned = frozenset(
                        t.settlement_id for t in moved if t.state is SettlementState.ORPHANED
                    )
                    disputes.extend(self._disputes.retire_after_fork(conn, orphaned, why))

        self._store.write(apply)
        self._lost_due = False
        changes.archived += archived
        changes.decided += decided
        changes.disputes += disputes
        if gone:
            logger.warning(
                "chain: %d entries of replaced blocks are not on the chain now: %d intents"
                " left mediation, %d settlement changes",
                len(gone),
                len(archived),
                len(decided),
            )

    def _hash_at(self, index: int) -> str | None:
        """The chain's hash of block ``index``; None when its scanner refuses the block."""
        try:
            return self._client.block(index).hash
        except ChainBlockedError:
            return None

    def _resync(
        self, next_index: int, latest: codec.LatestBlock, changes: _Changes, *, max_walk: int = 64
    ) -> PollResult:
        """The chain under the cursor changed: find the common prefix and move back to it.

        ``changes`` already committed in this poll are still reported."""
        stored = self._store.read(
            lambda c: chain_tables.block_hashes(c, since=next_index - max_walk)
        )
        fork = -1
        # A new genesis means a wiped chain: no need to walk back block by block.
        genesis = latest.hash if latest.index == 0 and latest.hash is not None else self._hash_at(0)
        walk = range(min(next_index - 1, latest.index), max(-1, next_index - 1 - max_walk), -1)
        # (A genesis the scanner refuses to send is not known to differ: walk back.)
        new_genesis = genesis is not None and stored.get(0) not in (None, genesis)
        if new_genesis:
            walk = range(0)
        for index in walk:
            ours = stored.get(index)
            theirs = (
                latest.hash
                if index == latest.index and latest.hash is not None
                else self._hash_at(index)
            )
            if ours is not None and ours == theirs:
                fork = index
                break
        last_hash = stored.get(fork) if fork >= 0 else None
        now = self._clock()
        # A new genesis: the whole chain the node followed is gone (a memory-backed node
        # restarted, a wipe). Everything derived from it is retired (lifecycle rule 5).
        wiped = new_genesis
        reason = f"the chain was reset (a new genesis under block {next_index - 1})"
        fork_reason = f"the chain forked: the blocks after {fork} were replaced"
        decided: list[Transition] = []
        disputes: list[DisputeChange] = []
        gone: list[EntryRef] = []
        lost: dict[str, int] = {}

        def apply(conn: sqlite3.Connection) -> None:
            if wiped:
                # Out of mediation, never deleted: the record and the reason stay.
                gone.extend(archive_open_intents(conn, f"gone: {reason}", now=now))
                if self._settlement is not None:
                    decided.extend(self._settlement.retire_after_reset(conn, reason))
                if self._disputes is not None:
                    disputes.extend(self._disputes.retire_after_reset(conn, reason))
            else:
                # A fork: what the replaced blocks carried waits for the new branch.
                lost.update(mined_after(conn, fork))
                lost.update(chain_tables.events_mined_after(conn, fork))
                chain_tables.record_lost(conn, lost, fork_reason, now=now)
            chain_tables.forget_blocks_after(conn, fork, now=now)
            flags.unmine_after(conn, fork)
            unmine_after(conn, fork, now=now)
            chain_tables.rewind_cursor(conn, fork + 1, last_hash, now=now)

        self._store.write(apply)
        self._known_pending.clear()
        if lost:
            self._lost_due = True
            self._pool_read_since_fork, self._pool_seen = False, None
        changes.archived += gone
        changes.decided += decided
        changes.disputes += disputes
        logger.warning(
            "chain: reset or fork under the cursor at %d; re-syncing from block %d%s",
            next_index,
            fork + 1,
            f"; {len(gone)} intents left mediation and {len(decided)} settlements were orphaned"
            if wiped
            else f"; {len(lost)} entries the replaced blocks carried wait for the new branch",
        )
        return changes.result(reset=True, next_index=fork + 1, caught_up=False)
