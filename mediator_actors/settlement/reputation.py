"""MP-01 reputation for every mediator seen on the chain, from mined entries alone.

``weight = (closures + 2 * upheld_challenges_submitted)
           / (1 + upheld_challenges_against + forfeited)``

* ``closures``: the mediator's settlements that ended ``closed``;
* ``upheld_challenges_submitted``: its challenges upheld by an allowed resolver;
* ``upheld_challenges_against``: upheld challenges against its settlements;
* ``forfeited``: its settlements that ended ``forfeited`` or ``rejected``.

A mediator is *seen* once one of its proposals is admitted or one of its challenges is
mined. With all four counts zero it has no history: weight 0, displayed as ``"new"``.

The counters are kept current by :mod:`lifecycle` in the same transaction as the state
change that moves them, and :func:`recompute` derives them from the settlement and
challenge tables alone, so the two can be compared (and the table rebuilt) at any time.
Every function takes the caller's connection; each is one or two indexed statements.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mediator_actors.model import MediatorId
from mediator_actors.settlement import records
from mediator_actors.store.database import Migration

NEW = "new"

MIGRATIONS = (
    Migration(
        "reputation",
        1,
        (
            """CREATE TABLE reputation (
                mediator_id TEXT PRIMARY KEY,
                proposals INTEGER NOT NULL DEFAULT 0,
                closures INTEGER NOT NULL DEFAULT 0,
                upheld_submitted INTEGER NOT NULL DEFAULT 0,
                upheld_against INTEGER NOT NULL DEFAULT 0,
                forfeited INTEGER NOT NULL DEFAULT 0,
                first_seen_block INTEGER,
                updated_at REAL NOT NULL
            )""",
        ),
    ),
)


class Counter(StrEnum):
    PROPOSALS = "proposals"
    CLOSURES = "closures"
    UPHELD_SUBMITTED = "upheld_submitted"
    UPHELD_AGAINST = "upheld_against"
    FORFEITED = "forfeited"


def mp01_weight(closures: int, upheld_submitted: int, upheld_against: int, forfeited: int) -> float:
    return (closures + 2 * upheld_submitted) / (1 + upheld_against + forfeited)


@dataclass(frozen=True, slots=True)
class Reputation:
    mediator_id: MediatorId
    closures: int = 0
    upheld_submitted: int = 0
    upheld_against: int = 0
    forfeited: int = 0
    proposals: int = 0

    @property
    def is_new(self) -> bool:
        return not (self.closures or self.upheld_submitted or self.upheld_against or self.forfeited)

    @property
    def weight(self) -> float:
        return mp01_weight(
            self.closures, self.upheld_submitted, self.upheld_against, self.forfeited
        )

    @property
    def display(self) -> str:
        return NEW if self.is_new else f"{self.weight:.3f}"

    def counts(self) -> tuple[int, int, int, int, int]:
        return (
            self.closures,
            self.upheld_submitted,
            self.upheld_against,
            self.forfeited,
            self.proposals,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "mediator_id": self.mediator_id,
            "weight": self.weight,
            "display": self.display,
            "closures": self.closures,
            "upheld_challenges_submitted": self.upheld_submitted,
            "upheld_challenges_against": self.upheld_against,
            "forfeited": self.forfeited,
            "proposals": self.proposals,
        }


def _from_row(row: sqlite3.Row) -> Reputation:
    return Reputation(
        mediator_id=MediatorId(row["mediator_id"]),
        closures=row["closures"],
        upheld_submitted=row["upheld_submitted"],
        upheld_against=row["upheld_against"],
        forfeited=row["forfeited"],
        proposals=row["proposals"],
    )


def mark_seen(
    conn: sqlite3.Connection, mediator_id: str, *, block_index: int | None, now: float
) -> bool:
    """Start tracking a mediator (all counts zero: "new"); True if it was unknown."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO reputation (mediator_id, first_seen_block, updated_at)"
        " VALUES (?, ?, ?)",
        (mediator_id, block_index, now),
    )
    return cursor.rowcount == 1


def bump(conn: sqlite3.Connection, mediator_id: str, counter: Counter, *, now: float) -> None:
    """Add one to ``counter`` for ``mediator_id`` (tracking it if it was unknown)."""
    mark_seen(conn, mediator_id, block_index=None, now=now)
    column = Counter(counter).value  # a closed set: never text from outside
    conn.execute(
        f"UPDATE reputation SET {column} = {column} + 1, updated_at = ?"  # noqa: S608
        " WHERE mediator_id = ?",
        (now, mediator_id),
    )


def get_reputation(conn: sqlite3.Connection, mediator_id: str) -> Reputation:
    """The mediator's reputation; an unknown mediator is "new" with weight 0."""
    row = conn.execute("SELECT * FROM reputation WHERE mediator_id = ?", (mediator_id,)).fetchone()
    return Reputation(MediatorId(mediator_id)) if row is None else _from_row(row)


def list_reputations(
    conn: sqlite3.Connection, *, limit: int = 100, after: str | None = None
) -> list[Reputation]:
    """Every tracked mediator in id order, ``limit`` at a time after the cursor ``after``."""
    rows = conn.execute(
        "SELECT * FROM reputation WHERE mediator_id > ? ORDER BY mediator_id LIMIT ?",
        (after or "", max(1, min(limit, 1000))),
    )
    return [_from_row(row) for row in rows]


def recompute(conn: sqlite3.Connection) -> dict[MediatorId, Reputation]:
    """Every mediator's reputation derived from scratch from the settlement and challenge
    tables (which :mod:`lifecycle` fills from mined entries only)."""
    counts: dict[str, dict[str, int]] = {}

    def add(mediator: str, counter: Counter, amount: int = 1) -> None:
        entry = counts.setdefault(mediator, dict.fromkeys([c.value for c in Counter], 0))
        entry[counter.value] += amount

    for mediator, state, n in records.mined_outcomes(conn):
        add(mediator, Counter.PROPOSALS, n)
        if state is records.SettlementState.CLOSED:
            add(mediator, Counter.CLOSURES, n)
        elif state in (records.SettlementState.FORFEITED, records.SettlementState.REJECTED):
            add(mediator, Counter.FORFEITED, n)
    for challenger in records.challengers(conn):
        add(challenger, Counter.PROPOSALS, 0)
    for challenger, mediator in records.upheld_challenges(conn):
        add(challenger, Counter.UPHELD_SUBMITTED)
        add(mediator, Counter.UPHELD_AGAINST)
    return {
        MediatorId(m): Reputation(
            mediator_id=MediatorId(m),
            closures=c["closures"],
            upheld_submitted=c["upheld_submitted"],
            upheld_against=c["upheld_against"],
            forfeited=c["forfeited"],
            proposals=c["proposals"],
        )
        for m, c in counts.items()
    }


def rebuild(conn: sqlite3.Connection, *, now: float) -> int:
    """Replace the counters with :func:`recompute`'s; the number of mediators written."""
    fresh = recompute(conn)
    conn.execute("DELETE FROM reputation")
    for rep in fresh.values():
        conn.execute(
            "INSERT INTO reputation (mediator_id, proposals, closures, upheld_submitted,"
            " upheld_against, forfeited, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                rep.mediator_id,
                rep.proposals,
                rep.closures,
                rep.upheld_submitted,
                rep.upheld_against,
                rep.forfeited,
                now,
            ),
        )
    return len(fresh)
