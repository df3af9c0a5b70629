"""Fees claimed in two currencies: /metrics, the activity log, ``watch`` and the overview
report each currency's total, never one sum labelled NLC."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.edge.activity import ActivityLog, summary_line
from mediator_actors.edge.business import Business, fees_text, read_business
from mediator_actors.edge.health_app import Metrics, business_metrics
from mediator_actors.edge.watchlines import describe
from mediator_actors.settlement.lifecycle import payout_job_key
from mediator_actors.settlement.records import SettlementFields, insert_settlement
from mediator_actors.store import Store
from mediator_actors.store.jobs import CHAIN_OUTBOX
from mediator_actors.wiring import ALL_MIGRATIONS
from tests.settlement import factories as f

# (settlement, currency, fee, payout claim posted)
SETTLEMENTS = [
    ("stl_nlc_a", "NLC", 0.125, True),
    ("stl_nlc_b", "NLC", 0.125, True),
    ("stl_eur_a", "EUR", 12.0, True),
    ("stl_eur_b", "EUR", 99.0, False),  # not claimed: not counted
]


def _store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)

    def seed(conn: sqlite3.Connection) -> None:
        for n, (sid, currency, fee, posted) in enumerate(SETTLEMENTS):
            fields = SettlementFields(
                offer_ref=f"offer-{n}",
                seek_ref=f"seek-{n}",
                offer_party="alice",
                seek_party="bob",
                terms={"price": 500.0, "currency": currency},
                facilitation_fee=fee,
                facilitation_fee_percent=1.0,
                acceptance_deadline="2027-01-18T08:00:00Z",
                deadline_ts=f.NOW + 72 * 3600,
                consensus_mode="permissionless",
            )
            insert_settlement(
                conn,
                fields,
                settlement_id=sid,
                mediator_id=f.key().mediator_id,
                own=True,
                state_reason="closed",
                now=f.NOW,
            )
            CHAIN_OUTBOX.enqueue(conn, payout_job_key(sid), {"sid": sid}, now=f.NOW)
            if posted:
                job = CHAIN_OUTBOX.get(conn, payout_job_key(sid))
                assert job is not None
                CHAIN_OUTBOX.complete(conn, job.id, now=f.NOW, result={})

    store.write(seed)
    return store


def test_fees_in_two_currencies_are_totalled_per_currency(tmp_path: Path) -> None:
    store = _store(tmp_path)
    try:
        b = store.read(read_business)
    finally:
        store.close()
    assert b.payouts == 3
    assert b.fees_claimed == {"NLC": 0.25, "EUR": 12.0}

    m = Metrics()
    business_metrics(b, m)
    text = m.text()
    assert 'mediator_fees_claimed_nlc_total{currency="NLC"} 0.25' in text
    assert 'mediator_fees_claimed_nlc_total{currency="EUR"} 12' in text
    assert text.count("# TYPE mediator_fees_claimed_nlc_total counter") == 1
    assert "mediator_fees_claimed_nlc_total 12.25" not in text  # no unlabelled sum

    assert summary_line(b).endswith("3 payouts claimed, fees 0.25 NLC, 12 EUR")
    line = describe(
        {
            "type": "snapshot",
            "channel": "settlements",
            "data": {"settlements": b.settlements, "payouts": 3, "fees_claimed": b.fees_claimed},
        }
    )
    assert line is not None
    assert "payouts 3, fees 0.25 NLC, 12 EUR;" in line


def test_the_activity_line_names_each_currency_that_moved() -> None:
    totals = [Business(payouts=1, fees_claimed={"NLC": 0.25})]
    activity = ActivityLog(totals=lambda: totals[-1])
    assert activity.progress()  # the baseline, said once
    totals.append(Business(payouts=3, fees_claimed={"NLC": 0.5, "EUR": 12.0}))
    assert activity.progress() == ["payouts: 2 claims posted, fees 0.25 NLC, 12 EUR"]


def test_a_node_with_no_claims_declares_the_nlc_counter_at_zero() -> None:
    m = Metrics()
    business_metrics(Business(), m)
    assert 'mediator_fees_claimed_nlc_total{currency="NLC"} 0' in m.text()


@given(
    st.dictionaries(
        st.from_regex(r"[A-Z]{3}", fullmatch=True),
        st.floats(min_value=0.001, max_value=1e9, allow_nan=False),
        max_size=5,
    )
)
def test_fees_text_lists_every_currency_once_nlc_first(fees: dict[str, float]) -> None:
    text = fees_text(fees)
    parts = [p.rsplit(" ", 1)[1] for p in text.split(", ")]
    assert parts == (["NLC"] if not fees else sorted(fees, key=lambda c: (c != "NLC", c)))
