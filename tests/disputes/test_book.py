"""DisputeBook on bad input: every entry is ignored or quarantined with its reason."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediator_actors.config import ConsensusMode
from mediator_actors.disputes.book import (
    DISPUTE_WINDOW,
    MAX_ENTRIES_PER_BLOCK,
    DisputeBook,
    dispute_entries,
    dispute_id_for,
    get_dispute,
    parse_authorities,
)
from mediator_actors.model import PROTOCOL, ChainEntry, joined_digest_id
from mediator_actors.settlement.consensus import ConsensusSigner
from mediator_actors.settlement.entries import build_proposal
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.signing import verify_metadata
from mediator_actors.store import Store
from mediator_actors.store.intents import save_intent
from mediator_actors.store.jobs import CHAIN_OUTBOX as OUTBOX
from mediator_actors.wiring import ALL_MIGRATIONS
from tests.settlement import factories as f
from tests.settlement.chainsim import as_chain_entry

_SERIAL = itertools.count()
ME = f.key(f.SEED_A)
RIVAL = f.key(f.SEED_B)


class Sim:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.settlements = SettlementBook(key=ME, clock=lambda: f.NOW)
        self.disputes = DisputeBook(key=ME, authorities=["guild"], clock=lambda: f.NOW)
        self.block = 0

    def mine(self, *entries: dict[str, Any], at: float) -> list[Any]:
        self.block += 1
        mined = [as_chain_entry(e, block=self.block, at=at) for e in entries]

        def apply(conn: sqlite3.Connection) -> list[Any]:
            out: list[Any] = self.settlements.apply_mined_block(conn, mined, at)
            return out + self.disputes.apply_mined_block(conn, mined, at)

        return self.store.write(apply)

    def effects(self, dispute_id: str | None = None) -> list[str]:
        if dispute_id is not None:
            return [e["effect"] for e in self.store.read(lambda c: dispute_entries(c, dispute_id))]
        return self.store.read(
            lambda c: [r[0] for r in c.execute("SELECT effect FROM dispute_entries ORDER BY seq")]
        )


@pytest.fixture
def sim(tmp_path: Path) -> Sim:
    store = Store.open(tmp_path / "data", migrations=ALL_MIGRATIONS)
    store.write(lambda c: [save_intent(c, i, now=f.NOW) for i in (f.offer(), f.seek())])
    return Sim(store)


def mined_settlement(sim: Sim, key: Any = ME) -> Any:
    draft = build_proposal(
        offer=f.offer(),
        seek=f.seek(),
        result=f.result(),
        key=key,
        consensus=ConsensusSigner(ConsensusMode.PERMISSIONLESS),
        fee_percent=2.0,
        window_hours=72,
        now=f.NOW,
    )
    sim.mine(draft.entry.payload(), at=f.NOW + 60)
    return draft


def dispute(sid: str, who: str, *, author: str | None = None, **over: Any) -> dict[str, Any]:
    metadata = {
        "is_contract": True,
        "contract_type": "dispute",
        "protocol": PROTOCOL,
        "dispute_id": dispute_id_for(sid, who),
        "settlement_id": sid,
        "claimant": who,
        "issue": "Not what was agreed.",
        **over,
    }
    return {
        "author": author or who,
        "content": f"[DISPUTE] {metadata['dispute_id']} by {who} #{next(_SERIAL)}",
        "intent": "dispute",
        "metadata": metadata,
    }


def test_disputes_that_are_not_ours_or_not_by_a_party_or_late_are_ignored(sim: Sim) -> None:
    ours = mined_settlement(sim)
    sid = ours.settlement_id
    theirs = joined_digest_id("stl", "someone else's settlement")
    sim.mine(
        dispute(theirs, "alice"),
        dispute(sid, "mallory"),
        at=f.NOW + 3600,
    )
    sim.mine(dispute(sid, "bob"), at=ours.deadline_ts + DISPUTE_WINDOW + 1)
    assert sim.effects() == [
        "ignored: not a mined settlement of this node",
        "ignored: the claimant is not a party of the settlement",
        "ignored: mined after the dispute window",
    ]
    assert sim.store.read(lambda c: get_dispute(c, dispute_id_for(sid, "bob"))) is None


def test_malformed_disputes_are_quarantined_with_the_reason(sim: Sim) -> None:
    sid = mined_settlement(sim).settlement_id
    sim.mine(
        dispute(sid, "alice", dispute_id="not-an-id"),
        dispute(sid, "alice", dispute_id=dispute_id_for(sid, "bob")),
        dispute(sid, "alice", claimant="bob", author="alice"),
        dispute(sid, "alice", issue="x" * 2_001),
        dispute(sid, "alice", issue=["a list"]),
        at=f.NOW + 3600,
    )
    assert sim.effects() == [
        "quarantined: settlement_id or dispute_id is malformed",
        "quarantined: dispute_id is not the digest of settlement_id and claimant",
        "quarantined: claimant must be the entry's author",
        "quarantined: issue is over 2000 characters",
        "quarantined: issue is not text",
    ]


def test_a_dispute_opens_once_and_a_second_copy_is_ignored(sim: Sim) -> None:
    sid = mined_settlement(sim).settlement_id
    first = dispute(sid, "alice")
    again = dict(first, content=first["content"] + " (again)")
    changes = sim.mine(first, again, at=f.NOW + 3600)
    dispute_id = dispute_id_for(sid, "alice")
    assert sim.effects(dispute_id) == ["counted", "ignored: this dispute was opened before"]
    assert [c.kind.value for c in changes if hasattr(c, "dispute_id")] == ["opened"]
    assert sim.store.read(lambda c: OUTBOX.get(c, f"clarification:{dispute_id}")) is not None


def test_a_flood_of_dispute_entries_is_bounded_per_block(sim: Sim) -> None:
    sid = mined_settlement(sim).settlement_id
    flood = [
        dict(dispute(sid, "mallory"), content=f"[DISPUTE] flood {n}")
        for n in range(MAX_ENTRIES_PER_BLOCK + 20)
    ]
    sim.mine(*flood, at=f.NOW + 3600)
    effects = sim.effects()
    assert len(effects) == MAX_ENTRIES_PER_BLOCK + 20
    assert effects.count("quarantined: over_block_budget") == 20


def test_a_dispute_on_another_mediators_settlement_is_not_ours(sim: Sim) -> None:
    sid = mined_settlement(sim, key=RIVAL).settlement_id
    sim.mine(dispute(sid, "alice"), at=f.NOW + 3600)
    assert sim.effects() == ["ignored: not a mined settlement of this node"]


def test_authorities_are_ids_with_optional_names() -> None:
    assert parse_authorities(["guild=Guild of Arbiters", "court"]) == {
        "guild": "Guild of Arbiters",
        "court": "court",
    }
    with pytest.raises(ValueError, match="no usable author id"):
        parse_authorities(["=Nameless"])


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(
        ["dispute", "evidence", "clarification", "escalation", "dispute_resolution"]
    ),
    metadata=st.dictionaries(
        st.sampled_from(
            [
                "protocol",
                "dispute_id",
                "settlement_id",
                "claimant",
                "issue",
                "evidence_type",
                "description",
                "content_hash",
                "authority",
                "scope",
                "outcome",
            ]
        ),
        _json,
    ),
    author=st.sampled_from(["alice", "bob", "guild", "mallory"]),
    n=st.integers(0, 10**9),
)
def test_any_dispute_kind_entry_is_recorded_and_never_raises(
    sim: Sim, kind: str, metadata: dict[str, Any], author: str, n: int
) -> None:
    entry = ChainEntry(
        author=author,
        content=f"[{kind.upper()}] {n}",
        intent=kind,
        timestamp="2027-01-15T09:00:00",
        metadata={**metadata, "contract_type": kind},
        ref=f"{n:064x}",  # type: ignore[arg-type]
        block_index=5,
    )

    def apply(conn: sqlite3.Connection) -> str | None:
        sim.disputes.apply_mined_block(conn, [entry], f.NOW)
        row = conn.execute(
            "SELECT effect FROM dispute_entries WHERE entry_ref = ?", (entry.ref,)
        ).fetchone()
        return None if row is None else str(row[0])

    effect = sim.store.write(apply)
    assert effect is not None
    assert effect == "counted" or effect.startswith(("ignored: ", "quarantined: "))


def test_a_crash_inside_the_block_transaction_leaves_no_trace_and_a_replay_no_duplicate(
    sim: Sim,
) -> None:
    """What kill -9 mid-commit leaves (SQLite rolls the transaction back), then a replay."""
    sid = mined_settlement(sim).settlement_id
    claim = as_chain_entry(dispute(sid, "alice"), block=9, at=f.NOW + 3600)

    def crash(conn: sqlite3.Connection) -> None:
        sim.disputes.apply_mined_block(conn, [claim], f.NOW + 3600)
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        sim.store.write(crash)
    dispute_id = dispute_id_for(sid, "alice")
    assert sim.store.read(lambda c: get_dispute(c, dispute_id)) is None
    assert sim.store.read(lambda c: OUTBOX.get(c, f"clarification:{dispute_id}")) is None
    for _ in range(2):  # replayed, and replayed again after a restart
        sim.store.write(lambda c: sim.disputes.apply_mined_block(c, [claim], f.NOW + 3600))
    assert sim.effects(dispute_id) == ["counted"]
    jobs = sim.store.read(
        lambda c: c.execute(
            "SELECT COUNT(*) FROM jobs WHERE dedupe_key LIKE 'clarification:%'"
        ).fetchone()[0]
    )
    assert jobs == 1


def test_a_chain_reset_retires_open_disputes_and_later_entries_are_ignored(sim: Sim) -> None:
    sid = mined_settlement(sim).settlement_id
    sim.mine(dispute(sid, "alice"), at=f.NOW + 3600)
    dispute_id = dispute_id_for(sid, "alice")
    sim.store.write(lambda c: sim.disputes.retire_after_reset(c, "new genesis"))
    record = sim.store.read(lambda c: get_dispute(c, dispute_id))
    assert record is not None
    assert record.state.value == "orphaned"
    assert record.resolved_by == "chain reset: new genesis"
    withdrawal = {
        "author": "alice",
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
    sim.mine(withdrawal, at=f.NOW + 7200)
    assert sim.effects(dispute_id)[-1] == "ignored: the dispute was already orphaned"


def test_after_a_rotation_the_clarification_is_signed_by_the_key_that_proposed(
    sim: Sim,
) -> None:
    """protocol.md, "Key rotation": ME proposed, then the node rotated to RIVAL's key."""
    sim.settlements = SettlementBook(key=RIVAL, retired_keys=(ME,), clock=lambda: f.NOW)
    sim.disputes = DisputeBook(
        key=RIVAL, retired_keys=(ME,), authorities=["guild"], clock=lambda: f.NOW
    )
    sid = mined_settlement(sim, key=ME).settlement_id
    sim.mine(dispute(sid, "alice"), at=f.NOW + 3600)
    dispute_id = dispute_id_for(sid, "alice")
    job = sim.store.read(lambda c: OUTBOX.get(c, f"clarification:{dispute_id}"))
    assert job is not None
    assert job.payload["author"] == job.payload["metadata"]["mediator_id"] == ME.mediator_id
    assert verify_metadata(job.payload["metadata"])
    # Ours on the chain, seen as ours; one by the current key about ME's settlement is not.
    forged = dict(job.payload, content=job.payload["content"] + " (by the new key)")
    forged["metadata"] = RIVAL.sign_metadata(
        {k: v for k, v in job.payload["metadata"].items() if k not in ("signature", "mediator_id")}
    )
    forged["author"] = RIVAL.mediator_id
    sim.mine(job.payload, forged, at=f.NOW + 7200)
    assert sim.effects(dispute_id)[-2:] == [
        "counted",
        "ignored: a clarification is written and signed by our mediator only",
    ]
