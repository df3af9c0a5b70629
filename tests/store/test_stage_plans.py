"""Issue 15 target 5: the settlement agent's round costs the same per agreement however
large the store grows. Every statement it runs is a search on an index (no table scan, no
sort of a whole table), and it runs a fixed number of them per agreement."""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

from mediator_actors.config import ConsensusMode
from mediator_actors.model import IntentStatus
from mediator_actors.negotiation.providers import Usage
from mediator_actors.negotiation.records import record_outcome
from mediator_actors.negotiation.service import Outcome
from mediator_actors.settlement.consensus import ConsensusSigner
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.settlement.proposals import ProposalPolicy, decide_pending_proposals
from mediator_actors.store import Store
from mediator_actors.store.intents import save_intent, set_intent_status
from mediator_actors.wiring import ALL_MIGRATIONS
from tests.settlement import factories as f
from tests.store.plans import Trace, plan_problems, traced_write

POLICY = ProposalPolicy(2.0, 72, ConsensusSigner(ConsensusMode.PERMISSIONLESS))
#: The round's statements for one agreement that becomes a proposal: each intent's row,
#: the own-pair check (before building and again before the insert), the settlement-id
#: check, the settlement and outbox inserts, the decision and its flag.
PER_PROPOSAL = 9


def _agreements(conn: sqlite3.Connection, pairs: int, *, archived: int = 0) -> None:
    outcome = Outcome(result=f.result(), metered=False, usage=Usage(), latency_ms=None)
    for n in range(pairs):
        offer = f.offer(f"offer-{n}", author=f"alice-{n}")
        seek = f.seek(f"seek-{n}", author=f"bob-{n}")
        for intent in (offer, seek):
            save_intent(conn, intent, now=f.NOW)
        if n < archived:
            set_intent_status(conn, seek.ref, IntentStatus.ARCHIVED, reason="flagged", now=f.NOW)
        record_outcome(conn, job_id=n + 1, offer=offer, seek=seek, outcome=outcome, now=f.NOW + n)


def _round(store: Store) -> tuple[list[str | None], Trace]:
    book = SettlementBook(key=f.key(), clock=lambda: f.NOW)
    decided, trace = traced_write(
        store,
        lambda c: decide_pending_proposals(c, book, POLICY, now=f.NOW, limit=10**6),
    )
    return [d.skipped for d in decided], trace


def test_every_statement_of_the_round_searches_an_index(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)
    try:
        store.write(lambda c: _agreements(c, 6, archived=2))
        skipped, trace = _round(store)
        assert skipped.count(None) == 4  # four proposals, two skips (an archived seek)
        assert all(s is None or "archived" in s for s in skipped)
        assert plan_problems(store, trace) == []
    finally:
        store.close()


def test_the_round_runs_a_fixed_number_of_statements_per_agreement(tmp_path: Path) -> None:
    counts = []
    for pairs in (3, 24):
        store = Store.open(tmp_path / f"data{pairs}", migrations=ALL_MIGRATIONS)
        try:
            store.write(functools.partial(_agreements, pairs=pairs))
            skipped, trace = _round(store)
            assert skipped == [None] * pairs
            run = sum(trace.counts.values())
            counts.append(run)
        finally:
            store.close()
    # One read of the undecided successes a round, then the same statements per agreement:
    # no scan per proposal, no re-reading of what was settled before.
    assert counts == [1 + 3 * PER_PROPOSAL, 1 + 24 * PER_PROPOSAL]


def test_the_plan_check_finds_a_scan_and_a_sort(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)
    try:
        _, trace = traced_write(
            store,
            lambda c: [
                c.execute("SELECT ref FROM intents WHERE content = 'x'").fetchall(),
                c.execute("SELECT ref FROM intents WHERE ref = 'x'").fetchall(),
                c.execute(
                    "SELECT ref FROM intents WHERE status = 'open' ORDER BY content"
                ).fetchall(),
            ],
        )
        problems = plan_problems(store, trace)
        assert len(problems) == 2
        assert "content = 'x'" in problems[0]
        assert "ORDER BY content" in problems[1]
        assert plan_problems(store, trace, small=frozenset({"intents"}))[0].startswith(
            "SELECT ref FROM intents WHERE status"
        )
    finally:
        store.close()
