"""The settlement agent's round reads only undecided successes, and never repeats a decision.

``negotiations.decided`` (negotiations v3, filled for older stores by the settlement agent's
v2) lets the round read the undecided successes through a partial index instead of every
negotiation the node ever held."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mediator_actors.model import EntryRef, Intent, IntentType, NegotiationResult, Terms
from mediator_actors.negotiation.providers import Usage
from mediator_actors.negotiation.records import (
    DECISION_MIGRATIONS,
    MIGRATIONS,
    UNDECIDED_QUERY,
    record_decision,
    record_outcome,
    undecided_successes,
)
from mediator_actors.negotiation.service import Outcome
from mediator_actors.store import Store
from mediator_actors.store.jobs import MIGRATIONS as JOB_MIGRATIONS
from mediator_actors.wiring import ALL_MIGRATIONS

TS = "2026-03-01T10:00:00"


def _intent(ref: str, kind: IntentType) -> Intent:
    return Intent(ref=EntryRef(ref), author=ref, type=kind, content=f"{ref} text", timestamp=TS)


def _outcome(success: bool) -> Outcome:
    result = NegotiationResult(
        success=success,
        confidence=80 if success else 30,
        reasoning="fits" if success else "does not fit",
        model_id="offline",
        model_integrity_hash="h",
        terms=Terms(price=10.0) if success else None,
        failure_reason=None if success else "price",
    )
    return Outcome(result=result, metered=False, usage=Usage(), latency_ms=None)


def _negotiate(conn: sqlite3.Connection, job_id: int, pair: int, *, success: bool) -> str:
    offer, seek = _intent(f"o{pair}", IntentType.OFFER), _intent(f"s{pair}", IntentType.SEEK)
    record_outcome(
        conn, job_id=job_id, offer=offer, seek=seek, outcome=_outcome(success), now=job_id
    )
    return str(
        conn.execute("SELECT pair_key FROM negotiations WHERE job_id = ?", (job_id,)).fetchone()[0]
    )


def test_only_undecided_successes_come_back_oldest_first(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)
    try:
        keys = store.write(
            lambda c: [_negotiate(c, job, job, success=job % 3 != 0) for job in range(1, 10)]
        )
        store.write(lambda c: record_decision(c, keys[0], settlement_id="s1", skipped=None, now=20))
        store.write(
            lambda c: record_decision(c, keys[3], settlement_id=None, skipped="fee", now=21)
        )
        undecided = store.read(lambda c: undecided_successes(c, limit=50))
        # successes are jobs 1, 2, 4, 5, 7, 8; 1 and 4 are decided
        assert [r.pair_key for r in undecided] == [keys[1], keys[4], keys[6], keys[7]]
        assert [r.pair_key for r in store.read(lambda c: undecided_successes(c, limit=2))] == [
            keys[1],
            keys[4],
        ]
    finally:
        store.close()


def test_a_pair_negotiated_again_after_its_decision_stays_decided(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)
    try:
        key = store.write(lambda c: _negotiate(c, 1, 1, success=True))
        store.write(lambda c: record_decision(c, key, settlement_id="s1", skipped=None, now=5))
        store.write(lambda c: _negotiate(c, 2, 1, success=True))  # the same pair, a new job
        assert store.read(lambda c: undecided_successes(c, limit=50)) == []
        flags = store.read(
            lambda c: [r[0] for r in c.execute("SELECT decided FROM negotiations ORDER BY job_id")]
        )
        # The new row's flag is unset (the negotiations table does not read the decisions
        # table); the round's look-up in the decisions table still keeps it decided.
        assert flags == [1, 0]
    finally:
        store.close()


def test_the_round_reads_through_the_partial_index(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)
    try:
        plan = store.read(
            lambda c: " ".join(
                str(row[3]) for row in c.execute(f"EXPLAIN QUERY PLAN {UNDECIDED_QUERY}", (50,))
            )
        )
        assert "negotiations_undecided" in plan
        assert "TEMP B-TREE" not in plan  # no sort of the whole history each round
    finally:
        store.close()


def test_a_store_from_before_the_flag_keeps_its_decisions(tmp_path: Path) -> None:
    # A store written before negotiations v3 / settlement_agent v2 existed.
    old = [m for m in (*JOB_MIGRATIONS, *MIGRATIONS, *DECISION_MIGRATIONS) if m.version == 1]
    old += [m for m in MIGRATIONS if m.version == 2]
    store = Store.open(tmp_path / "data", migrations=old)
    try:

        def old_rows(c: sqlite3.Connection) -> None:
            for job in (1, 2, 3):
                c.execute(
                    "INSERT INTO negotiations (job_id, pair_key, offer_ref, seek_ref, success,"
                    " confidence, reasoning, model_id, integrity_hash, injection_findings,"
                    " checks, created_at) VALUES (?, ?, 'o', 's', 1, 80, 'r', 'm', 'h', '[]',"
                    " '[]', ?)",
                    (job, f"pair{job}", job),
                )
            c.execute("INSERT INTO proposal_decisions VALUES ('pair1', 's1', NULL, 9)")
            c.execute("INSERT INTO proposal_decisions VALUES ('pair3', NULL, 'fee', 9)")

        store.write(old_rows)
    finally:
        store.close()
    store = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)
    try:
        assert [r.pair_key for r in store.read(lambda c: undecided_successes(c, limit=50))] == [
            "pair2"
        ]
        assert (
            store.read(
                lambda c: c.execute(
                    "SELECT COUNT(*) FROM negotiations WHERE decided = 1"
                ).fetchone()[0]
            )
            == 2
        )
    finally:
        store.close()
