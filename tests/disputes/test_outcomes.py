"""Disputes by outcome, as /metrics, the dashboard and ``watch`` read them from the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mediator_actors.disputes.book import dispute_id_for
from mediator_actors.disputes.records import dispute_outcomes
from mediator_actors.edge.business import read_business
from mediator_actors.edge.overview import Overview
from mediator_actors.edge.store_readmodel import StoreReadModel
from mediator_actors.edge.watchlines import describe
from mediator_actors.health.report import SnapshotBox
from mediator_actors.model import PROTOCOL
from mediator_actors.store import Store
from mediator_actors.store.intents import save_intent
from mediator_actors.wiring import ALL_MIGRATIONS
from tests.disputes.test_book import ME, Sim, dispute, mined_settlement
from tests.settlement import factories as f


def _withdrawal(dispute_id: str, who: str) -> dict[str, Any]:
    return {
        "author": who,
        "content": f"[DISPUTE RESOLUTION] {dispute_id} withdrawn",
        "intent": "dispute_resolution",
        "metadata": {
            "is_contract": True,
            "contract_type": "dispute_resolution",
            "protocol": PROTOCOL,
            "dispute_id": dispute_id,
            "outcome": "withdrawn",
        },
    }


def test_disputes_count_by_state_until_resolved_then_by_outcome(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)
    try:
        store.write(lambda c: [save_intent(c, i, now=f.NOW) for i in (f.offer(), f.seek())])
        sim = Sim(store)
        sid = mined_settlement(sim).settlement_id
        assert store.read(dispute_outcomes) == {}
        sim.mine(dispute(sid, "alice"), dispute(sid, "bob"), at=f.NOW + 3600)
        assert store.read(dispute_outcomes) == {"open": 2}
        sim.mine(_withdrawal(dispute_id_for(sid, "alice"), "alice"), at=f.NOW + 7200)
        assert store.read(dispute_outcomes) == {"open": 1, "withdrawn": 1}
        assert store.read(read_business).disputes == {"open": 1, "withdrawn": 1}

        model = StoreReadModel(store, mediator_id=ME.mediator_id)
        view = Overview(SnapshotBox(), model).channel("disputes")
        assert view is not None
        assert view["disputes"] == {"open": 1, "withdrawn": 1}
        assert [d["dispute_id"] for d in view["open"]] == [dispute_id_for(sid, "bob")]
        line = describe({"type": "snapshot", "channel": "disputes", "data": view})
        assert line is not None
        assert "now: open 1, withdrawn 1; 1 open: dsp_" in line

        sim.store.write(lambda c: sim.disputes.retire_after_reset(c, "new genesis"))
        assert store.read(dispute_outcomes) == {"orphaned": 1, "withdrawn": 1}
    finally:
        store.close()
