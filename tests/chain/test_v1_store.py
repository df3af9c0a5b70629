"""A protocol v1 store is refused with what to do, never mixed with v2 data."""

from __future__ import annotations

from pathlib import Path

from mediator_actors.chain.records import v1_store_problem
from mediator_actors.model import entry_ref
from mediator_actors.store import Store
from mediator_actors.wiring import ALL_MIGRATIONS


def _insert_intent(store: Store, ref: str) -> None:
    store.write(
        lambda conn: conn.execute(
            "INSERT INTO intents (ref, author, type, content, timestamp, desires, constraints,"
            " injection_findings, first_seen_at, updated_at)"
            " VALUES (?, 'alice', 'offer', 'x', 't', '[]', '[]', '[]', 0, 0)",
            (ref,),
        )
    )


def test_an_empty_or_v2_store_is_fine_and_a_v1_store_is_refused(tmp_path: Path) -> None:
    store = Store.open(tmp_path, migrations=ALL_MIGRATIONS)
    try:
        assert store.read(v1_store_problem) is None
        _insert_intent(store, entry_ref("alice", "x", "t"))
        assert store.read(v1_store_problem) is None
        _insert_intent(store, "ab" * 32)
        problem = store.read(v1_store_problem)
    finally:
        store.close()
    assert problem is not None
    assert "protocol v1" in problem
    assert "move DATA_DIR aside" in problem
