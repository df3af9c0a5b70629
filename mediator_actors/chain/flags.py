"""Unalignable flags (protocol.md section 6) that no one can forge, and the node's own flags.

A mined ``[UNALIGNABLE]`` entry counts toward ``MAX_INTENT_FLAGS`` only when

* its metadata is a well-formed flag (current protocol, a valid ``intent_ref``, a reason from
  the closed set) authored by the ``mediator_id`` it names,
* its signature verifies against the metadata exactly as the chain returned it, and
* its mediator has an MP-01 reputation weight above zero from the chain (a history of
  closed settlements or upheld challenges), so a batch of fresh keys counts nothing.

Forged and unverifiable flags are quarantined with the reason and never stored here; a
mediator's second flag on the same intent is a no-op. The count is taken only when a flag
from a weighted mediator arrives, so a flood of weightless flags costs one signature check
and one insert each, never a scan. A flagger whose weight rises after its flag was mined
is counted at the next weighted flag on that intent.

The node flags, once per intent, the intents it declines because the text-safety detector
found a prompt-injection attempt aimed at the mediator (reason ``unsafe``).

This module owns the ``intent_flags`` table; every function takes the caller's connection
and joins its transaction (the chain follower's, which advances the cursor).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mediator_actors.model import PROTOCOL, ChainEntry, Intent, is_did_key, is_digest_id
from mediator_actors.safety.textsafety import InjectionSign
from mediator_actors.settlement import reputation
from mediator_actors.settlement.entries import FlagReason, build_flag
from mediator_actors.signing import MediatorKey, verify_metadata
from mediator_actors.store.database import Migration
from mediator_actors.store.jobs import CHAIN_OUTBOX

__all__ = [
    "MIGRATIONS",
    "FlagReason",
    "FlagSeen",
    "check_flag",
    "counted_flags",
    "decline_reason",
    "enqueue_own_flag",
    "record_flag",
    "unmine_after",
]

MIGRATIONS = (
    Migration(
        "flags",
        1,
        (
            """CREATE TABLE intent_flags (
                intent_ref TEXT NOT NULL,
                mediator_id TEXT NOT NULL,
                entry_ref TEXT NOT NULL,
                reason TEXT NOT NULL,
                block_index INTEGER,
                recorded_at REAL NOT NULL,
                PRIMARY KEY (intent_ref, mediator_id)
            )""",
            "CREATE INDEX intent_flags_block ON intent_flags (block_index)",
        ),
    ),
)

#: Injection signs that show an attempt to steer the mediator itself: such an intent is
#: declined and flagged ``unsafe``. Hidden characters and base64 runs stay advisory (they
#: occur in honest pasted text).
DECLINE_SIGNS = frozenset(
    {
        InjectionSign.INSTRUCTION_OVERRIDE,
        InjectionSign.ROLE_IMITATION,
        InjectionSign.DELIMITER_ESCAPE,
        InjectionSign.ANSWER_FORMAT_IMITATION,
    }
)
#: A flag has six keys; more is not a flag this node wrote or would verify.
MAX_FLAG_METADATA_KEYS = 20
_REASONS = frozenset(r.value for r in FlagReason)


@dataclass(frozen=True, slots=True)
class FlagSeen:
    """A well-formed, verified flag."""

    intent_ref: str
    mediator_id: str
    reason: FlagReason
    entry_ref: str
    block_index: int | None


def _valid_intent_ref(value: object) -> bool:
    return is_digest_id(value, "ent")


def _valid_mediator_id(value: object) -> bool:
    return is_did_key(value)


def _flag_problem(entry: ChainEntry) -> str | None:
    metadata: Mapping[str, Any] = entry.metadata
    reason = metadata.get("reason")
    mediator = metadata.get("mediator_id")
    checks = (
        (metadata.get("protocol") == PROTOCOL, "flag_wrong_protocol"),
        (len(metadata) <= MAX_FLAG_METADATA_KEYS, "flag_too_many_keys"),
        (_valid_intent_ref(metadata.get("intent_ref")), "flag_bad_intent_ref"),
        (isinstance(reason, str) and reason in _REASONS, "flag_bad_reason"),
        (_valid_mediator_id(mediator), "flag_bad_mediator_id"),
        (entry.author == mediator, "flag_author_is_not_its_mediator"),
    )
    for ok, problem in checks:
        if not ok:
            return problem
    # Last: the only costly check (one Ed25519 verification).
    return None if verify_metadata(metadata) else "flag_signature_invalid"


def check_flag(entry: ChainEntry) -> FlagSeen | str:
    """The verified flag, or the reason it must be quarantined. Never raises."""
    problem = _flag_problem(entry)
    if problem is not None:
        return problem
    metadata = entry.metadata
    return FlagSeen(
        str(metadata["intent_ref"]),
        str(metadata["mediator_id"]),
        FlagReason(metadata["reason"]),
        entry.ref,
        entry.block_index,
    )


def _weighted(conn: sqlite3.Connection, mediator_id: str) -> bool:
    return reputation.get_reputation(conn, mediator_id).weight > 0


def record_flag(conn: sqlite3.Connection, flag: FlagSeen, *, now: float) -> bool:
    """Store a verified flag (or note that it is now mined). True when the intent's count
    may have changed: a mined flag whose mediator carries weight."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO intent_flags (intent_ref, mediator_id, entry_ref, reason,"
        " block_index, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
        (
            flag.intent_ref,
            flag.mediator_id,
            flag.entry_ref,
            flag.reason.value,
            flag.block_index,
            now,
        ),
    )
    changed = cursor.rowcount == 1
    if not changed and flag.block_index is not None:
        changed = (
            conn.execute(
                "UPDATE intent_flags SET block_index = ? WHERE entry_ref = ?"
                " AND block_index IS NULL",
                (flag.block_index, flag.entry_ref),
            ).rowcount
            == 1
        )
    return changed and flag.block_index is not None and _weighted(conn, flag.mediator_id)


def counted_flags(conn: sqlite3.Connection, intent_ref: str, *, stop_at: int) -> int:
    """Mined, verified flags on ``intent_ref`` by distinct mediators of weight above zero,
    counted up to ``stop_at`` (no need to read further)."""
    count = 0
    for (mediator_id,) in conn.execute(
        "SELECT mediator_id FROM intent_flags WHERE intent_ref = ? AND block_index IS NOT NULL",
        (intent_ref,),
    ):
        if _weighted(conn, mediator_id):
            count += 1
            if count >= stop_at:
                break
    return count


def unmine_after(conn: sqlite3.Connection, fork: int) -> None:
    """The chain forked after block ``fork``: flags mined later count no more."""
    conn.execute("UPDATE intent_flags SET block_index = NULL WHERE block_index > ?", (fork,))


def decline_reason(intent: Intent) -> FlagReason | None:
    """Why this node declines to mediate ``intent`` and flags it, or None."""
    if any(sign in DECLINE_SIGNS for sign in intent.injection_findings):
        return FlagReason.UNSAFE
    return None


def enqueue_own_flag(
    conn: sqlite3.Connection, key: MediatorKey, intent_ref: str, reason: FlagReason, *, now: float
) -> bool:
    """Put this node's signed flag on ``intent_ref`` in the chain outbox, at most once per
    intent (dedupe key ``flag:<intent_ref>``). True when newly enqueued."""
    entry = build_flag(intent_ref=intent_ref, reason=reason, key=key)
    return CHAIN_OUTBOX.enqueue(
        conn, f"flag:{intent_ref}", entry.payload(), now=now, max_attempts=20
    )
