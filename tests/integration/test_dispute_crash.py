"""A dispute walked from [DISPUTE] to resolution while the node is killed with SIGKILL at
seeded random points of every stage (issue 12, "survives kill -9 at random points").

The dev chain lives in the test process (loopback, port 0, persisted), so the parties keep
writing while the node is dead; the node runs outside dev mode against it. In every stage
the node is killed up to twice on the way and once just after the stage's commit, and
restarted each time.
At the end: one proposal, one [CLARIFICATION], one payout claim on the chain and nothing
else from the mediator, the payout mined only after the resolution, the escalation package
rewritten with the same digest after it was lost, and the dispute resolved."""

from __future__ import annotations

import json
import random
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gevent
import pytest

from mediator_actors.chain.devchain import DevChain
from mediator_actors.disputes import package
from mediator_actors.disputes.book import dispute_id_for
from mediator_actors.model import digest_id
from mediator_actors.safety.secrets import Secret
from mediator_actors.signing import MediatorKey, generate_seed_hex
from mediator_actors.store import DATABASE_FILE
from tests.childenv import child_env
from tests.disputes.entries import accept, party_entry
from tests.negotiation.fakes import FakeProvider, Script

NODE = Path(__file__).with_name("dispute_node.py")
GUILD = "guild-of-arbiters"
OFFER = (
    "Offering a Rust fluid-dynamics library, about 400 hours of work. Asking 500 NLC. "
    "Delivery within 60 days."
)
SEEK = (
    "Seeking a Rust fluid-dynamics library. Budget of 800 NLC. Must be delivered by April 18, 2027."
)
ISSUE = "The library delivered has no turbulence model, which the terms promised."


def intent(author: str, kind: str, content: str) -> dict[str, Any]:
    return {
        "author": author,
        "content": content,
        "intent": kind,
        "metadata": {"is_contract": True, "contract_type": kind, "status": "open"},
    }


class NodeProcess:
    """The node as a child process: spawned, SIGKILLed, spawned again."""

    def __init__(
        self, folder: Path, url: str, seed: str, extra_env: dict[str, str] | None = None
    ) -> None:
        self.folder, self.url, self.seed = folder, url, seed
        self.extra_env = extra_env or {}
        # Every run's stderr, appended: what a failure report quotes.
        self.errors = (folder / "node-stderr.log").open("ab")
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0
        self.spawned_at = 0.0
        #: (stage, seconds since the process started, whether the stage had been reached)
        self.log: list[tuple[str, float, bool]] = []

    def spawn(self) -> None:
        self.spawned_at = time.monotonic()
        env = child_env(**self.extra_env)
        self.proc = subprocess.Popen(
            [sys.executable, str(NODE), str(self.folder), self.url, self.seed, f"{GUILD}=Guild"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=self.errors,
        )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.kills += 1

    def stop(self) -> int:
        """SIGTERM once the node has started (its handlers installed): it drains, exits 0."""
        assert self.proc is not None
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == b"ready", "the node did not start"
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)

    def close(self) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.errors.close()


class World:
    """What the test reads: the chain it runs and the node's store (read-only)."""

    def __init__(self, chain: DevChain, data: Path, mediator_id: str) -> None:
        self.chain, self.data, self.mediator_id = chain, data, mediator_id

    def mined(self) -> list[tuple[int, dict[str, Any]]]:
        return [(b["index"], e) for b in list(self.chain.blocks) for e in b["entries"]]

    def ours(self, kind: str) -> list[tuple[int | None, dict[str, Any]]]:
        """The mediator's entries of ``kind``, mined (block index) or pending (None)."""
        found: list[tuple[int | None, dict[str, Any]]] = [
            (i, e)
            for i, e in self.mined()
            if e["author"] == self.mediator_id
            and (e.get("metadata") or {}).get("contract_type") == kind
        ]
        found += [
            (None, e)
            for e in self.chain.pending_entries()
            if e["author"] == self.mediator_id
            and (e.get("metadata") or {}).get("contract_type") == kind
        ]
        return found

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        path = self.data / DATABASE_FILE
        if not path.exists():
            return []
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            return list(conn.execute(sql, args))
        except sqlite3.OperationalError:
            return []  # not migrated yet
        finally:
            conn.close()

    def no_payout_yet(self) -> bool:
        assert self.ours("payout") == [], "a payout claim left while the dispute was open"
        return True


def run_stage(
    node: NodeProcess,
    done: Callable[[], bool],
    rng: random.Random,
    *,
    what: str,
    mid_kills: int = 2,
    timeout: float = 120,
    while_dead: Callable[[], None] | None = None,
) -> None:
    """Run the node until ``done``, SIGKILLing it up to ``mid_kills`` times on the way (each
    at a seeded random 0.3 to 5 s after its start: start-up, reading, writing, posting) and
    once more just after ``done``; restarted every time; return once ``done`` holds with
    the node running."""
    if not node.alive():
        node.spawn()
    deadline = time.monotonic() + timeout
    kill_at = rng.uniform(0.3, 5.0)
    after_done = False
    while True:
        reached = done()
        due = mid_kills > 0 and time.monotonic() - node.spawned_at >= kill_at
        if (reached and not after_done) or (not reached and due):
            node.log.append((what, round(time.monotonic() - node.spawned_at, 2), reached))
            node.kill()
            if reached:
                after_done = True
                if while_dead is not None:
                    while_dead()
            else:
                mid_kills -= 1
            node.spawn()
            kill_at = rng.uniform(0.3, 5.0)
            continue
        if reached:
            return
        assert node.alive(), f"the node died during {what}"
        assert time.monotonic() < deadline, f"{what} not reached within {timeout:g} s"
        gevent.sleep(0.05)


NEGOTIATION = {
    "compatible": True,
    "confidence": 82,
    "reasoning": "The same library; the price sits inside the ask and the budget.",
    "terms": {
        "price": 600,
        "currency": "NLC",
        "deliverables": ["Rust fluid-dynamics library"],
        "timeline": "deliver by 2027-04-18",
        "conditions": [],
    },
    "refusal_reason": None,
}
CLARIFICATION = {
    "factual_disagreements": [
        "The claimant states the library shipped without a turbulence model; the"
        " respondent states turbulence was never in scope."
    ],
    "interpretive_disagreements": [
        "The parties read the deliverable 'Rust fluid-dynamics library' differently."
    ],
}


class RoutingProvider(FakeProvider):
    """A loopback Anthropic fake: negotiation answers, or clarifications by their schema."""

    def _next(self) -> Script:
        body = json.dumps(self.requests[-1]["body"])
        answer = CLARIFICATION if "factual_disagreements" in body else NEGOTIATION
        return Script(text=json.dumps(answer))

    def clarification_calls(self) -> int:
        return sum("factual_disagreements" in json.dumps(r["body"]) for r in self.requests)


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[DevChain]:
    # The chain's per-author limits would only slow the walk: the node's own pacing is
    # the cycle crash test's subject. Mining every 0.3 s keeps it moving.
    devchain = DevChain(auto_mine=0.3, rate_limits=False, state_file=tmp_path / "chain.json")
    devchain.start()
    yield devchain
    devchain.stop()


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("llm", [False, True], ids=["offline", "llm"])
def test_a_dispute_survives_sigkill_at_random_points_without_duplicate_entries(
    tmp_path: Path, chain: DevChain, llm: bool
) -> None:
    seed = generate_seed_hex()
    me = MediatorKey.from_seed_hex(Secret(seed)).mediator_id
    folder = tmp_path / "node"
    folder.mkdir()
    world = World(chain, folder / "data", me)
    provider = RoutingProvider()
    provider.start()
    # With an LLM: the negotiation and the clarification both ask the fake (the SDK reads
    # ANTHROPIC_BASE_URL), and the clarification goes through its durable job.
    extra = (
        {
            "LLM_PROVIDER": "anthropic",
            "LLM_API_KEY": "sk-ant-api03-" + secrets.token_hex(20),
            "ANTHROPIC_BASE_URL": provider.anthropic_url,
        }
        if llm
        else {}
    )
    node = NodeProcess(folder, chain.url, seed, extra)
    rng = random.Random(20261202)
    chain.add_block([intent("alice", "offer", OFFER), intent("bob", "seek", SEEK)])
    ids: dict[str, str] = {}
    try:
        # 1. The node negotiates and its proposal is mined.
        def proposed() -> bool:
            mined = [e for i, e in world.ours("proposal") if i is not None]
            if mined:
                ids["sid"] = mined[0]["metadata"]["settlement_id"]
            return bool(mined)

        run_stage(node, proposed, rng, what="the proposal", timeout=240)
        sid = ids["sid"]
        did = dispute_id_for(sid, "alice")
        # 2. Alice disputes it; then both accept: it closes with the payout held.
        chain.add_block(
            [
                party_entry(
                    "alice",
                    "[DISPUTE]",
                    "dispute",
                    dispute_id=did,
                    settlement_id=sid,
                    claimant="alice",
                    issue=ISSUE,
                )
            ]
        )
        chain.add_block([accept("alice", sid), accept("bob", sid)])

        def held() -> bool:
            closed = world.query("SELECT state FROM settlements WHERE settlement_id = ?", sid)
            opened = world.query("SELECT state FROM disputes WHERE dispute_id = ?", did)
            payout = world.query(
                "SELECT state, last_error FROM jobs WHERE dedupe_key = ?", f"payout:{sid}"
            )
            return (
                world.no_payout_yet()
                and closed == [("closed",)]
                and opened == [("open",)]
                and payout == [("pending", "withheld: a dispute is open")]
            )

        run_stage(node, held, rng, what="the held payout")

        # 3. The node's one clarification is mined and read back.
        def clarified() -> bool:
            counted = world.query(
                "SELECT COUNT(*) FROM dispute_entries WHERE dispute_id = ?"
                " AND kind = 'clarification' AND effect = 'counted'",
                did,
            )
            return world.no_payout_yet() and counted == [(1,)]

        run_stage(node, clarified, rng, what="the clarification")
        # 4. Evidence from both parties is frozen.
        chain.add_block(
            [
                party_entry(
                    "alice",
                    "[EVIDENCE]",
                    "evidence",
                    dispute_id=did,
                    evidence_type="document",
                    description="Delivery note listing the modules shipped.",
                    content_hash=digest_id("doc", b"delivery note"),
                ),
                party_entry(
                    "bob",
                    "[EVIDENCE]",
                    "evidence",
                    dispute_id=did,
                    evidence_type="statement",
                    description="Turbulence was never in scope; see the deliverables.",
                ),
            ]
        )

        def evidenced() -> bool:
            counted = world.query(
                "SELECT COUNT(*) FROM dispute_entries WHERE dispute_id = ?"
                " AND kind = 'evidence' AND effect = 'counted'",
                did,
            )
            return world.no_payout_yet() and counted == [(2,)]

        run_stage(node, evidenced, rng, what="the evidence")
        # 5. Alice escalates to the guild: the package is written; lost while the node is
        # dead, it is written again with the same digest.
        chain.add_block(
            [
                party_entry(
                    "alice",
                    "[ESCALATION]",
                    "escalation",
                    dispute_id=did,
                    authority=GUILD,
                    scope=["deliverables", "turbulence model"],
                )
            ]
        )
        path = package.package_path(folder / "data", did)

        def packaged() -> bool:
            recorded = world.query("SELECT package_digest FROM disputes WHERE dispute_id = ?", did)
            if not recorded or recorded[0][0] is None or not path.exists():
                return False
            doc = json.loads(path.read_bytes())
            if not package.verify_package(doc):
                return False
            ids["digest"] = doc["digest"]
            return world.no_payout_yet() and doc["digest"] == recorded[0][0]

        run_stage(node, packaged, rng, what="the package")
        first_digest = ids["digest"]

        def lose_the_package() -> None:
            path.unlink(missing_ok=True)

        run_stage(
            node,
            packaged,
            rng,
            what="the package rewritten",
            mid_kills=0,
            while_dead=lose_the_package,
        )
        assert ids["digest"] == first_digest
        # 6. The guild resolves it: the payout is released, claimed and mined, once.
        chain.add_block(
            [
                party_entry(
                    GUILD,
                    "[DISPUTE RESOLUTION]",
                    "dispute_resolution",
                    dispute_id=did,
                    outcome="compromise",
                )
            ]
        )

        def paid() -> bool:
            return any(i is not None for i, _ in world.ours("payout"))

        run_stage(node, paid, rng, what="the payout")

        # 7. Everything settles: nothing left in the outbox, a restart changes nothing.
        def settled() -> bool:
            waiting = world.query(
                "SELECT COUNT(*) FROM jobs WHERE kind = 'chain_outbox'"
                " AND state IN ('pending', 'running')"
            )
            resolved = world.query("SELECT state, outcome FROM disputes WHERE dispute_id = ?", did)
            return waiting == [(0,)] and resolved == [("resolved", "compromise")]

        run_stage(node, settled, rng, what="the end")
        assert node.stop() == 0
    finally:
        node.close()
        provider.stop()
    assert node.kills >= 8
    print("kills (stage, s after spawn, stage reached):", node.log)
    chain.mine()  # anything the node posted last
    kinds = Counter(
        (e.get("metadata") or {}).get("contract_type")
        for _, e in world.mined() + [(None, e) for e in chain.pending_entries()]
        if e["author"] == me
    )
    assert kinds == Counter({"proposal": 1, "clarification": 1, "payout": 1}), kinds
    ((payout_block, _),) = world.ours("payout")
    resolution_block = next(
        i
        for i, e in world.mined()
        if (e.get("metadata") or {}).get("contract_type") == "dispute_resolution"
    )
    assert payout_block is not None
    assert payout_block > resolution_block  # withheld until the dispute closed
    clarification = world.ours("clarification")[0][1]
    if llm:
        expected = CLARIFICATION["factual_disagreements"][0]
        assert clarification["metadata"]["factual_disagreements"] == [expected]
        # Killed between the model's answer and the commit, it asks again; one entry.
        print("clarification calls to the model:", provider.clarification_calls())
        assert provider.clarification_calls() >= 1
    else:
        assert ISSUE in clarification["content"]
    assert json.loads(path.read_bytes())["digest"] == first_digest
    effects = world.query(
        "SELECT kind, effect FROM dispute_entries WHERE dispute_id = ? ORDER BY seq", did
    )
    assert effects == [
        ("dispute", "counted"),
        ("clarification", "counted"),
        ("evidence", "counted"),
        ("evidence", "counted"),
        ("escalation", "counted"),
        ("dispute_resolution", "counted"),
    ]
