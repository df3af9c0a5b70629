"""The demo's narration while payout claims wait for the dev chain's per-author limit."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediator_actors.demo import Narrator
from mediator_actors.settlement.lifecycle import PAYOUT_JOB_PREFIX
from mediator_actors.store import Store
from mediator_actors.store.jobs import CHAIN_OUTBOX
from mediator_actors.wiring import ALL_MIGRATIONS


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path, migrations=ALL_MIGRATIONS)
    yield s
    s.close()


def _queue_payouts(store: Store, *settlement_ids: str) -> None:
    for sid in settlement_ids:
        store.write(
            lambda c, sid=sid: CHAIN_OUTBOX.enqueue(
                c, f"{PAYOUT_JOB_PREFIX}{sid}", {"content": f"[PAYOUT] {sid}"}, now=0.0
            )
        )


def _post_one(store: Store) -> None:
    def post(conn: sqlite3.Connection) -> None:
        (job,) = CHAIN_OUTBOX.claim(conn, now=1.0)
        CHAIN_OUTBOX.complete(conn, job.id, now=1.0)

    store.write(post)


def test_waiting_payouts_are_said_once_and_each_posted_claim_is_narrated(store: Store) -> None:
    out = io.StringIO()
    narrator = Narrator(out=out)
    _queue_payouts(store, "stl_aaaaaaaaaaaaaaaaaaaa", "stl_bbbbbbbbbbbbbbbbbbbb")
    store.read(narrator.observe)
    store.read(narrator.observe)
    lines = out.getvalue().splitlines()
    waiting = [line for line in lines if " waiting " in line]
    assert len(waiting) == 1
    assert "2 payout claims wait their turn" in waiting[0]
    assert not [line for line in lines if " on chain " in line]
    _post_one(store)
    store.read(narrator.observe)
    store.read(narrator.observe)
    posted = [line for line in out.getvalue().splitlines() if " on chain " in line]
    assert posted == [posted[0]]
    assert "payout claim of settlement stl_aaaaaaaa" in posted[0]
