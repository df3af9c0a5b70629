"""The intents table: every offer and seek the node has seen, with its mediation status.

The chain listener writes rows (in the transaction that advances its cursor); the index
keeper, the negotiator pool and the settlement agent read them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mediator_actors.model import EntryRef, Intent, IntentStatus, IntentType
from mediator_actors.store.database import Migration

MIGRATIONS = (
    Migration(
        "intents",
        1,
        (
            """CREATE TABLE intents (
                ref TEXT PRIMARY KEY,
                author TEXT NOT NULL,
                type TEXT NOT NULL CHECK (type IN ('offer', 'seek')),
                content TEXT NOT NULL,
                timestamp TEXT NOT NULL,
                desires TEXT NOT NULL,
                constraints TEXT NOT NULL,
                offered_fee REAL,
                branch TEXT,
                block_index INTEGER,
                injection_findings TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'closed', 'archived')),
                status_reason TEXT,
                first_seen_at REAL NOT NULL,
                updated_at REAL NOT NULL
            )""",
            "CREATE INDEX intents_open ON intents (status, type)",
            "CREATE INDEX intents_author ON intents (author)",
        ),
    ),
    Migration(
        "intents",
        2,
        (
            # A change counter kept by triggers, so a reader can tell in one row read that
            # nothing changed (the index keeper's idle round) and no writer can forget it.
            """CREATE TABLE intents_version (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                version INTEGER NOT NULL
            )""",
            "INSERT INTO intents_version (id, version) VALUES (1, 0)",
            """CREATE TRIGGER intents_version_insert AFTER INSERT ON intents
            BEGIN UPDATE intents_version SET version = version + 1 WHERE id = 1; END""",
            """CREATE TRIGGER intents_version_update AFTER UPDATE ON intents
            BEGIN UPDATE intents_version SET version = version + 1 WHERE id = 1; END""",
            """CREATE TRIGGER intents_version_delete AFTER DELETE ON intents
            BEGIN UPDATE intents_version SET version = version + 1 WHERE id = 1; END""",
        ),
    ),
)


def intents_version(conn: sqlite3.Connection) -> int:
    """A counter that grows with every insert, update and delete on ``intents``: equal
    values mean the table has not changed in between."""
    row = conn.execute("SELECT version FROM intents_version WHERE id = 1").fetchone()
    return int(row[0])


def save_intent(conn: sqlite3.Connection, intent: Intent, *, now: float) -> bool:
    """Insert an intent; a known one only learns its block once mined. True if new."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO intents (ref, author, type, content, timestamp, desires,"
        " constraints, offered_fee, branch, block_index, injection_findings, first_seen_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            intent.ref,
            intent.author,
            intent.type.value,
            intent.content,
            intent.timestamp,
            json.dumps(list(intent.desires)),
            json.dumps(list(intent.constraints)),
            intent.offered_fee,
            intent.branch,
            intent.block_index,
            json.dumps(list(intent.injection_findings)),
            now,
            now,
        ),
    )
    if cursor.rowcount == 1:
        return True
    if intent.block_index is not None:
        conn.execute(
            "UPDATE intents SET block_index = ?, updated_at = ? WHERE ref = ? AND block_index IS NULL",
            (intent.block_index, now, intent.ref),
        )
    return False


@dataclass(frozen=True, slots=True)
class KnownIntent:
    """What the follower needs to know of a stored intent: the block it was mined in."""

    block_index: int | None


def known_intent(conn: sqlite3.Connection, ref: str) -> KnownIntent | None:
    """None when the intent was never stored."""
    row = conn.execute("SELECT block_index FROM intents WHERE ref = ?", (ref,)).fetchone()
    return None if row is None else KnownIntent(row[0])


def unmine_after(conn: sqlite3.Connection, fork: int, *, now: float) -> int:
    """The chain lost every block after ``fork``: intents mined there are pending again."""
    cursor = conn.execute(
        "UPDATE intents SET block_index = NULL, updated_at = ? WHERE block_index > ?",
        (now, fork),
    )
    return cursor.rowcount


def _from_row(row: sqlite3.Row) -> Intent:
    return Intent(
        ref=EntryRef(row["ref"]),
        author=row["author"],
        type=IntentType(row["type"]),
        content=row["content"],
        timestamp=row["timestamp"],
        desires=tuple(json.loads(row["desires"])),
        constraints=tuple(json.loads(row["constraints"])),
        offered_fee=row["offered_fee"],
        branch=row["branch"],
        block_index=row["block_index"],
        injection_findings=tuple(json.loads(row["injection_findings"])),
    )


def get_intent(conn: sqlite3.Connection, ref: str) -> Intent | None:
    row = conn.execute("SELECT * FROM intents WHERE ref = ?", (ref,)).fetchone()
    return None if row is None else _from_row(row)


def get_intent_with_status(
    conn: sqlite3.Connection, ref: str
) -> tuple[Intent, IntentStatus] | None:
    """The intent and its mediation status from one read of its row (the settlement agent
    needs both for every agreement; two look-ups of the same row cost twice)."""
    row = conn.execute("SELECT * FROM intents WHERE ref = ?", (ref,)).fetchone()
    return None if row is None else (_from_row(row), IntentStatus(row["status"]))


def intent_status(conn: sqlite3.Connection, ref: str) -> IntentStatus | None:
    row = conn.execute("SELECT status FROM intents WHERE ref = ?", (ref,)).fetchone()
    return None if row is None else IntentStatus(row[0])


def iter_intents(
    conn: sqlite3.Connection, *, status: IntentStatus | None = IntentStatus.OPEN
) -> Iterator[Intent]:
    """Intents in the order they were first seen, filtered by status (None: all)."""
    if status is None:
        rows = conn.execute("SELECT * FROM intents ORDER BY first_seen_at, ref")
    else:
        rows = conn.execute(
            "SELECT * FROM intents WHERE status = ? ORDER BY first_seen_at, ref", (status.value,)
        )
    for row in rows:
        yield _from_row(row)


@dataclass(frozen=True, slots=True)
class IntentHead:
    """What the candidate pass reads of an intent: no prose, no JSON columns."""

    ref: EntryRef
    author: str
    type: IntentType
    offered_fee: float | None


def open_intent_heads(conn: sqlite3.Connection) -> list[IntentHead]:
    """The open intents as :func:`iter_intents` gives them (same order), without content,
    desires, constraints or findings: decoding those was 0.18 of the candidate pass's
    ~1 CPU-s at 10k, and the pass needs none of them."""
    rows = conn.execute(
        "SELECT ref, author, type, offered_fee FROM intents WHERE status = 'open' "
        "ORDER BY first_seen_at, ref"
    ).fetchall()
    return [
        IntentHead(EntryRef(ref), author, IntentType(kind), fee) for ref, author, kind, fee in rows
    ]


@dataclass(frozen=True, slots=True)
class ListedIntent:
    """An intent with its mediation status and its position in arrival order (a cursor)."""

    position: int
    intent: Intent
    status: IntentStatus


def intents_page(conn: sqlite3.Connection, *, after: int, limit: int) -> list[ListedIntent]:
    """Every intent in arrival order, ``limit`` at a time after the position ``after``."""
    rows = conn.execute(
        "SELECT rowid AS position, * FROM intents WHERE rowid > ? ORDER BY rowid LIMIT ?",
        (after, limit),
    ).fetchall()
    return [
        ListedIntent(row["position"], _from_row(row), IntentStatus(row["status"])) for row in rows
    ]


def open_refs_and_types(conn: sqlite3.Connection) -> list[tuple[EntryRef, IntentType]]:
    """Ref and type of every open intent, in the order they were first seen."""
    rows = conn.execute(
        "SELECT ref, type FROM intents WHERE status = 'open' ORDER BY first_seen_at, ref"
    ).fetchall()
    return [(EntryRef(ref), IntentType(kind)) for ref, kind in rows]


def intent_contents(conn: sqlite3.Connection, refs: Iterable[str]) -> dict[EntryRef, str]:
    """The content of each of ``refs`` that is stored (what an embedder reads), by ref."""
    wanted = list(dict.fromkeys(refs))
    found: dict[EntryRef, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for ref, content in conn.execute(
            f"SELECT ref, content FROM intents WHERE ref IN ({marks})",  # noqa: S608 - only placeholders are interpolated
            chunk,
        ):
            found[EntryRef(ref)] = content
    return found


def set_intent_status(
    conn: sqlite3.Connection, ref: str, status: IntentStatus, *, reason: str, now: float
) -> bool:
    """Move an intent to ``status``; True if it changed."""
    cursor = conn.execute(
        "UPDATE intents SET status = ?, status_reason = ?, updated_at = ? WHERE ref = ? AND status != ?",
        (status.value, reason, now, ref, status.value),
    )
    return cursor.rowcount == 1


def count_intents(conn: sqlite3.Connection) -> dict[str, int]:
    counts = {status.value: 0 for status in IntentStatus}
    for status, count in conn.execute("SELECT status, COUNT(*) FROM intents GROUP BY status"):
        counts[status] = count
    return counts


def count_by_type(conn: sqlite3.Connection) -> dict[str, int]:
    """Intents ever stored, by type (only the types present)."""
    rows = conn.execute("SELECT type, COUNT(*) FROM intents GROUP BY type")
    return {str(kind): int(n) for kind, n in rows}


def archive_open_intents(conn: sqlite3.Connection, reason: str, *, now: float) -> list[EntryRef]:
    """Take every open intent out of mediation with ``reason`` (a chain reset); their refs.
    Nothing is deleted."""
    refs = [EntryRef(r[0]) for r in conn.execute("SELECT ref FROM intents WHERE status = 'open'")]
    conn.execute(
        "UPDATE intents SET status = 'archived', status_reason = ?, updated_at = ?"
        " WHERE status = 'open'",
        (reason, now),
    )
    return refs


def mined_after(conn: sqlite3.Connection, block_index: int) -> dict[str, int]:
    """Intents mined in a block after ``block_index`` (a fork replaces them): ref -> block."""
    return {
        str(r[0]): int(r[1])
        for r in conn.execute(
            "SELECT ref, block_index FROM intents WHERE block_index > ?", (block_index,)
        )
    }


def archive_intents(
    conn: sqlite3.Connection, refs: Iterable[str], reason: str, *, now: float
) -> list[EntryRef]:
    """Take these intents out of mediation with ``reason`` (gone from the chain after a
    fork), whatever their status; the refs that changed. Nothing is deleted."""
    changed = []
    for ref in refs:
        cursor = conn.execute(
            "UPDATE intents SET status = 'archived', status_reason = ?, updated_at = ?"
            " WHERE ref = ? AND status != 'archived'",
            (reason, now, ref),
        )
        if cursor.rowcount == 1:
            changed.append(EntryRef(ref))
    return changed


def count_v1_refs(conn: sqlite3.Connection) -> int:
    """Intents stored under protocol v1 refs (64-hex, no underscore)."""
    row = conn.execute(
        "SELECT COUNT(*) FROM intents WHERE ref NOT LIKE '%\\_%' ESCAPE '\\'"
    ).fetchone()
    return int(row[0])
