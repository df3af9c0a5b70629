"""A dispute walked end to end on the dev chain (port 0): follower, writer, both books."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mediator_actors.chain.client import ChainClient
from mediator_actors.chain.devchain import DevChain
from mediator_actors.chain.follower import ChainFollower
from mediator_actors.chain.writer import ChainWriter
from mediator_actors.cli import main as cli_main
from mediator_actors.config import ConsensusMode
from mediator_actors.disputes import package
from mediator_actors.disputes.book import (
    DisputeBook,
    DisputeChange,
    DisputeState,
    dispute_entries,
    dispute_id_for,
    get_dispute,
)
from mediator_actors.edge.health_app import HealthApp
from mediator_actors.edge.server import EdgeServer
from mediator_actors.edge.store_readmodel import StoreReadModel
from mediator_actors.health.report import SnapshotBox
from mediator_actors.model import IntentType, canonical_json, digest_id
from mediator_actors.monitoring import dispute_event, encode_event
from mediator_actors.runtime.resilience import Backoff
from mediator_actors.settlement.consensus import ConsensusSigner
from mediator_actors.settlement.entries import build_proposal
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.settlement.records import SettlementState, get_settlement
from mediator_actors.signing import MediatorKey
from mediator_actors.store import Store
from mediator_actors.store.intents import iter_intents
from mediator_actors.store.jobs import CHAIN_OUTBOX as OUTBOX
from mediator_actors.store.jobs import JobState
from mediator_actors.wiring import ALL_MIGRATIONS
from tests.chain.conftest import FAST, FakeClock
from tests.disputes.entries import accept, party_entry
from tests.settlement import factories as f

GUILD = "guild-of-arbiters"
ME = MediatorKey.generate()
DOC = "doc-bytes of the delivery note"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def devchain(clock: FakeClock, tmp_path: Path) -> Iterator[DevChain]:
    chain = DevChain(clock=clock)
    chain.start()
    yield chain
    chain.stop()


@pytest.fixture
def client(devchain: DevChain) -> Iterator[ChainClient]:
    c = ChainClient(devchain.url, limits=FAST, sleep=lambda _s: None)
    yield c
    c.close()


class Node:
    """The node's pieces as wiring assembles them, driven by hand."""

    def __init__(self, data: Path, client: ChainClient, clock: FakeClock) -> None:
        self.data = data
        self.changes: list[DisputeChange] = []
        self.store = Store.open(data, migrations=ALL_MIGRATIONS)
        self.settlements = SettlementBook(key=ME, clock=clock)
        self.disputes = DisputeBook(key=ME, authorities=[f"{GUILD}=Guild of Arbiters"], clock=clock)
        self.follower = ChainFollower(
            store=self.store,
            client=client,
            clock=clock,
            settlement=self.settlements,
            disputes=self.disputes,
        )
        self.writer = ChainWriter(
            store=self.store, client=client, clock=clock, backoff=Backoff(1.0, 1.0, 1.0)
        )

    def poll(self) -> None:
        result = self.follower.poll_once()
        assert result.error is None
        self.changes += result.disputes

    def packages(self) -> list[str]:
        return package.write_due(self.store, self.data, self.disputes.authorities)

    def close(self) -> None:
        self.store.close()


def job_state(store: Store, key: str) -> JobState | None:
    job = store.read(lambda c: OUTBOX.get(c, key))
    return None if job is None else job.state


def check_api_and_cli(
    node: Node, dispute_id: str, sid: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """/api/v1/disputes[/<id>] on a real server (port 0), and the CLI verbs against it."""
    model = StoreReadModel(node.store, mediator_id=ME.mediator_id)
    server = EdgeServer(HealthApp(SnapshotBox(), read_model=model), "127.0.0.1", 0)
    server.start()
    try:
        host, port = server.address
        base = f"http://{host}:{port}"
        listing = requests.get(f"{base}/api/v1/disputes", timeout=5).json()
        assert [d["dispute_id"] for d in listing["disputes"]] == [dispute_id]
        assert (
            requests.get(f"{base}/api/v1/disputes?state=open", timeout=5).json()["disputes"] == []
        )
        assert requests.get(f"{base}/api/v1/disputes?state=bogus", timeout=5).status_code == 400
        one = requests.get(f"{base}/api/v1/disputes/{dispute_id}", timeout=5).json()
        assert (one["state"], one["settlement_id"], len(one["entries"])) == ("resolved", sid, 9)
        assert requests.get(f"{base}/api/v1/disputes/not-an-id", timeout=5).status_code == 400
        assert (
            requests.get(
                f"{base}/api/v1/disputes/{dispute_id_for(sid, 'nobody')}", timeout=5
            ).status_code
            == 404
        )
        capsys.readouterr()
        assert cli_main(["disputes", "list", "--url", base]) == 0
        out = capsys.readouterr().out
        assert dispute_id in out
        assert "resolved" in out
        assert "compromise" in out
        assert cli_main(["disputes", "show", dispute_id, "--url", base]) == 0
        out = capsys.readouterr().out
        assert f"authority: {GUILD}" in out
        assert "quarantined: description is over" in out
        assert cli_main(["disputes", "show", dispute_id_for(sid, "nobody"), "--url", base]) == 1
    finally:
        server.stop(timeout=1)


def test_a_dispute_from_claim_to_resolution_with_the_payout_withheld(
    devchain: DevChain,
    client: ChainClient,
    clock: FakeClock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    node = Node(tmp_path / "data", client, clock)
    devchain.add_block(
        [
            {
                "author": "alice",
                "content": "Offering a Rust fluid-dynamics library, 500 NLC, delivery in 60 days.",
                "intent": "offer",
                "metadata": {"is_contract": True, "contract_type": "offer", "status": "open"},
            },
            {
                "author": "bob",
                "content": "Seeking a Rust fluid-dynamics library for at most 600 NLC within 90 days.",
                "intent": "seek",
                "metadata": {"is_contract": True, "contract_type": "seek", "status": "open"},
            },
        ]
    )
    node.poll()
    intents = node.store.read(lambda c: list(iter_intents(c)))
    offer = next(i for i in intents if i.type is IntentType.OFFER)
    seek = next(i for i in intents if i.type is IntentType.SEEK)
    draft = build_proposal(
        offer=offer,
        seek=seek,
        result=f.result(),
        key=ME,
        consensus=ConsensusSigner(ConsensusMode.PERMISSIONLESS),
        fee_percent=2.0,
        window_hours=72,
        now=clock.now,
    )
    sid = draft.settlement_id
    assert node.store.write(lambda c: node.settlements.record_proposal(c, draft))
    assert node.writer.drain_once().delivered
    devchain.mine()
    node.poll()
    dispute_id = dispute_id_for(sid, "alice")
    claim = party_entry(
        "alice",
        "[DISPUTE]",
        "dispute",
        dispute_id=dispute_id,
        settlement_id=sid,
        claimant="alice",
        issue="The library delivered has no turbulence model, which the terms promised.",
    )
    stranger = party_entry(
        "mallory",
        "[DISPUTE]",
        "dispute",
        dispute_id=dispute_id_for(sid, "mallory"),
        settlement_id=sid,
        claimant="mallory",
        issue="I was not part of this but object anyway.",
    )
    devchain.add_block([accept("alice", sid), accept("bob", sid), claim, stranger])
    node.poll()
    record = node.store.read(lambda c: get_settlement(c, sid))
    assert record is not None
    assert record.state is SettlementState.CLOSED
    opened = node.store.read(lambda c: get_dispute(c, dispute_id))
    assert opened is not None
    assert opened.state is DisputeState.OPEN
    assert (opened.claimant, opened.respondent) == ("alice", "bob")
    # The payout claim exists but is withheld; the clarification goes out.
    delivered = node.writer.drain_once().delivered
    assert f"clarification:{dispute_id}" in delivered
    assert not any(k.startswith("payout:") for k in delivered)
    assert job_state(node.store, f"payout:{sid}") is JobState.PENDING
    clarification = next(
        e for e in devchain.pending_entries() if e["metadata"]["contract_type"] == "clarification"
    )
    assert "no turbulence model" in clarification["content"]
    assert "Rust fluid-dynamics library" in clarification["content"]  # the stated terms
    assert "does not decide" in clarification["content"]
    devchain.mine()
    node.poll()

    doc_hash = digest_id("doc", DOC.encode())
    devchain.add_block(
        [
            party_entry(
                "alice",
                "[EVIDENCE]",
                "evidence",
                dispute_id=dispute_id,
                evidence_type="document",
                description="Delivery note listing the modules shipped.",
                content_hash=doc_hash,
            ),
            party_entry(
                "bob",
                "[EVIDENCE]",
                "evidence",
                dispute_id=dispute_id,
                evidence_type="statement",
                description="Turbulence was never in scope; see the deliverables.",
            ),
            party_entry(
                "mallory",
                "[EVIDENCE]",
                "evidence",
                dispute_id=dispute_id,
                evidence_type="statement",
                description="Noise from a non-party.",
            ),
            party_entry(
                "alice",
                "[EVIDENCE]",
                "evidence",
                dispute_id=dispute_id,
                evidence_type="statement",
                description="x" * 2_001,
            ),
        ]
    )
    node.poll()
    devchain.add_block(
        [
            party_entry(
                "alice",
                "[ESCALATION]",
                "escalation",
                dispute_id=dispute_id,
                authority=GUILD,
                scope=["deliverables", "turbulence model"],
            )
        ]
    )
    node.poll()
    assert node.packages() == [dispute_id]
    assert node.packages() == []  # idempotent
    path = tmp_path / "data" / "disputes" / dispute_id / "package.json"
    doc = json.loads(path.read_text())
    assert package.verify_package(doc)
    # A crash after the commit, before the write, or a damaged file: written again.
    path.unlink()
    assert node.packages() == [dispute_id]
    path.write_text(path.read_text().replace("alice", "alicia"))
    assert node.packages() == [dispute_id]
    assert json.loads(path.read_text()) == doc
    assert doc["format"] == package.FORMAT
    assert doc["dispute"]["dispute_id"] == dispute_id
    assert doc["dispute"]["claimant"] == "alice"
    assert doc["dispute"]["respondent"] == "bob"
    assert doc["dispute"]["authority"] == GUILD
    assert doc["dispute"]["scope"] == ["deliverables", "turbulence model"]
    assert doc["authority"] == {"id": GUILD, "name": "Guild of Arbiters"}
    assert doc["settlement"]["settlement_id"] == sid
    assert doc["settlement"]["parties"] == ["alice", "bob"]
    assert doc["settlement"]["terms"]["price"] == 500.0
    assert doc["intents"]["offer"]["ref"] == offer.ref
    assert doc["intents"]["seek"]["ref"] == seek.ref
    kinds = [(e["kind"], e["author"], e["effect"]) for e in doc["entries"]]
    assert kinds == [
        ("dispute", "alice", "counted"),
        ("clarification", ME.mediator_id, "counted"),
        ("evidence", "alice", "counted"),
        ("evidence", "bob", "counted"),
        (
            "evidence",
            "mallory",
            "ignored: evidence must be authored by the claimant or the respondent",
        ),
        ("evidence", "alice", "quarantined: description is over 2000 characters"),
        ("escalation", "alice", "counted"),
    ]
    assert [(e["entry_ref"], e["content_hash"]) for e in doc["evidence"]] == [
        (doc["entries"][2]["entry_ref"], doc_hash),
        (doc["entries"][3]["entry_ref"], None),
    ]
    for e in doc["entries"]:
        mined = e["entry"]
        raw = {k: mined[k] for k in ("author", "content", "intent", "timestamp", "metadata")}
        assert e["entry_hash"] == digest_id("doc", canonical_json(raw))
    # Still withheld while escalated; others' resolutions do not count.
    devchain.add_block(
        [
            party_entry(
                "bob",
                "[DISPUTE RESOLUTION]",
                "dispute_resolution",
                dispute_id=dispute_id,
                outcome="respondent_favored",
            )
        ]
    )
    node.poll()
    assert node.store.read(lambda c: get_dispute(c, dispute_id)).state is DisputeState.ESCALATED  # type: ignore[union-attr]
    assert not any(k.startswith("payout:") for k in node.writer.drain_once().delivered)
    devchain.add_block(
        [
            party_entry(
                GUILD,
                "[DISPUTE RESOLUTION]",
                "dispute_resolution",
                dispute_id=dispute_id,
                outcome="compromise",
            )
        ]
    )
    node.poll()
    closed = node.store.read(lambda c: get_dispute(c, dispute_id))
    assert closed is not None
    assert closed.state is DisputeState.RESOLVED
    assert (closed.outcome, closed.resolved_by) == ("compromise", GUILD)
    assert f"payout:{sid}" in node.writer.drain_once().delivered
    devchain.mine()
    node.poll()
    entries = node.store.read(lambda c: dispute_entries(c, dispute_id))
    assert [e["effect"] for e in entries][-2:] == [
        "ignored: only the named authority, or the claimant withdrawing, resolves it",
        "counted",
    ]
    # The disputes channel carried each step, with both parties for the filters.
    events = [encode_event(dispute_event(c)) for c in node.changes]
    assert [e["type"] for e in events] == [
        "dispute_opened",
        "dispute_evidenced",
        "dispute_evidenced",
        "dispute_escalated",
        "dispute_resolved",
    ]
    assert all(e["parties"] == ["alice", "bob"] and e["dispute_id"] == dispute_id for e in events)
    check_api_and_cli(node, dispute_id, sid, capsys)
    node.close()

    # Disaster recovery: data/ gone; rebuilt from the chain, the same package again.
    fresh = Node(tmp_path / "rebuilt", client, clock)
    for _ in range(5):
        fresh.poll()
    again = fresh.store.read(lambda c: get_dispute(c, dispute_id))
    assert again is not None
    assert again.state is DisputeState.RESOLVED
    assert fresh.packages() == [dispute_id]
    rebuilt = json.loads(
        (tmp_path / "rebuilt" / "disputes" / dispute_id / "package.json").read_text()
    )
    assert rebuilt["digest"] == doc["digest"]
    # Our clarification was read back from the chain: it is not written a second time.
    assert job_state(fresh.store, f"clarification:{dispute_id}") is JobState.DONE
    fresh.close()
