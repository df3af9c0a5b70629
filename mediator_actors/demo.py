"""``mediator-node demo``: the whole alignment cycle on embedded defaults, narrated.

The embedded dev chain is seeded with about twenty intents from several parties; the node
runs on its defaults (local embeddings, the offline negotiator); simulated parties read
the proposals mined on the dev chain and answer the ones that name their intents: they
accept terms that fit what they stated (an offer's ask, a seek's budget) and reject the
rest. The narrator prints each stage from the store as it happens.

The simulated parties (``mediator_actors.chain.parties``) are a development double, like
the dev chain: they run only against the embedded dev chain, never a real one.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import gevent
import gevent.event

from mediator_actors.edge.servers import Edge
from mediator_actors.model import pair_refs

logger = logging.getLogger(__name__)


@dataclass
class Narrator:
    """Prints what the store shows, stage by stage, as it changes."""

    out: TextIO = sys.stdout
    seen: dict[str, set[str]] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def say(self, stage: str, text: str) -> None:
        self.out.write(f"[{time.monotonic() - self.started:6.1f}s] {stage:<12} {text}\n")
        self.out.flush()

    def _new(self, kind: str, keys: list[str]) -> list[str]:
        seen = self.seen.setdefault(kind, set())
        fresh = [k for k in keys if k not in seen]
        seen.update(fresh)
        return fresh

    def observe(self, conn: sqlite3.Connection) -> None:
        # Imported here: the CLI imports this module for every verb, to register ``demo``.
        from mediator_actors.negotiation.records import negotiation_summaries
        from mediator_actors.settlement.records import count_by_state, list_settlements
        from mediator_actors.store.intents import iter_intents
        from mediator_actors.store.jobs import NEGOTIATIONS

        for intent in iter_intents(conn, status=None):
            if self._new("intent", [intent.ref]):
                self.say(
                    "ingested", f"{intent.type.value:<5} {intent.author}: {intent.content[:90]}"
                )
        for job in NEGOTIATIONS.page(conn, limit=_ALL):
            if self._new("candidate", [job.dedupe_key]):
                similarity = job.payload.get("similarity")
                self.say(
                    "candidate",
                    f"pair {_short(job.dedupe_key)} similarity {similarity:.2f}"
                    if similarity is not None
                    else job.dedupe_key,
                )
        for n in negotiation_summaries(conn):
            if self._new("negotiation", [n.pair_key]):
                verdict = (
                    f"agreed (confidence {n.confidence})"
                    if n.success
                    else f"no deal: {n.failure_reason}"
                )
                self.say("negotiated", f"pair {_short(n.pair_key)}: {verdict}")
        payouts_waiting = self._observe_outbox(conn)
        for s in list_settlements(conn, own=True, limit=_ALL):
            state = s.state.value
            if state != "proposed" and self._new("state", [f"{s.settlement_id}:{state}"]):
                self.say(state, f"settlement {s.settlement_id[:12]}…: {s.state_reason}")
        states = count_by_state(conn, own=True)
        if (
            payouts_waiting
            and states["proposed"] + states["accepted"] == 0
            and self._new("waiting", ["payouts"])
        ):
            # Otherwise the demo is silent for most of its minute: the claims are rate-limited.
            self.say(
                "waiting",
                f"{payouts_waiting} payout claims wait their turn: the dev chain takes 10 "
                "entries per author per minute, like the real node; the demo ends once "
                "they are on it",
            )

    def _observe_outbox(self, conn: sqlite3.Connection) -> int:
        """Narrates queued proposals and payout claims, and claims posted; returns how many
        payout claims still wait for the chain."""
        from mediator_actors.settlement.lifecycle import PAYOUT_JOB_PREFIX, PROPOSAL_JOB_PREFIX
        from mediator_actors.store.jobs import CHAIN_OUTBOX, JobState

        payouts_waiting = 0
        for job in CHAIN_OUTBOX.page(conn, limit=_ALL):
            if self._new("outbox", [job.dedupe_key]):
                content = job.payload["content"]
                stage = "proposed" if job.dedupe_key.startswith(PROPOSAL_JOB_PREFIX) else "payout"
                self.say(stage, content if stage == "payout" else "\n" + _indent(content))
            if not job.dedupe_key.startswith(PAYOUT_JOB_PREFIX):
                continue
            if job.state in (JobState.PENDING, JobState.RUNNING):
                payouts_waiting += 1
            elif job.state is JobState.DONE and self._new("posted", [job.dedupe_key]):
                sid = job.dedupe_key.removeprefix(PAYOUT_JOB_PREFIX)
                self.say("on chain", f"payout claim of settlement {sid[:12]}… posted")
        return payouts_waiting


#: The demo's few dozen rows, read whole.
_ALL = 1000


def _short(key: str) -> str:
    offer_or_seek, other = pair_refs(key)
    return f"{offer_or_seek[:8]}…/{other[:8]}…"


def _indent(text: str) -> str:
    return "\n".join("               " + line for line in text.splitlines())


def _finished(conn: sqlite3.Connection) -> bool:
    """Every own settlement ended, and every payout claim is on its way or delivered."""
    from mediator_actors.settlement.lifecycle import PAYOUT_JOB_PREFIX
    from mediator_actors.settlement.records import count_by_state
    from mediator_actors.store.jobs import CHAIN_OUTBOX, JobState

    states = count_by_state(conn, own=True)
    open_count = states["proposed"] + states["accepted"]
    payouts_waiting = CHAIN_OUTBOX.count(
        conn, prefix=PAYOUT_JOB_PREFIX, states=(JobState.PENDING, JobState.RUNNING)
    )
    return sum(states.values()) > 0 and open_count == 0 and payouts_waiting == 0


def _summary(conn: sqlite3.Connection, mediator_id: str) -> list[str]:
    from mediator_actors.negotiation.records import count_successful
    from mediator_actors.settlement.lifecycle import PAYOUT_JOB_PREFIX
    from mediator_actors.settlement.records import SettlementState, count_by_state, list_settlements
    from mediator_actors.settlement.reputation import get_reputation
    from mediator_actors.store.intents import count_intents
    from mediator_actors.store.jobs import CHAIN_OUTBOX, NEGOTIATIONS, JobState

    intents = sum(count_intents(conn).values())
    candidates = NEGOTIATIONS.count(conn)
    agreed = count_successful(conn)
    states = {k: v for k, v in count_by_state(conn, own=True).items() if v}
    paid = CHAIN_OUTBOX.count(conn, prefix=PAYOUT_JOB_PREFIX, states=(JobState.DONE,))
    fees = sum(
        s.facilitation_fee
        for s in list_settlements(conn, state=SettlementState.CLOSED, own=True, limit=_ALL)
    )
    reputation = get_reputation(conn, mediator_id)
    return [
        f"intents ingested      {intents}",
        f"candidate pairs       {candidates}",
        f"negotiations agreed   {agreed}",
        f"settlements           {', '.join(f'{k} {v}' for k, v in sorted(states.items()))}",
        f"payout claims on chain {paid} (fees claimed: {fees:g} NLC)",
        f"reputation (MP-01)    {reputation.display} for mediator {mediator_id[:16]}…",
    ]


DEMO_KEY = "demo"


def authorise_demo_key(folder: Path) -> Path:
    """A watch key for this demo only, authorised in its own (temporary) key file, so the
    printed ``watch`` command works as it is. Returns the folder holding the private key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from mediator_actors.edge.keys import (
        KEY_FILE,
        KeyFile,
        public_hex,
        write_key_file,
        write_private_key,
    )

    private = Ed25519PrivateKey.generate()
    key_dir = folder / "watch-keys"
    write_private_key(key_dir / f"{DEMO_KEY}.pem", private)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    write_key_file(
        folder / "data" / KEY_FILE, KeyFile({DEMO_KEY: public_hex(private)}, frozenset())
    )
    return key_dir


def demo_access_lines(edge: Edge, key_dir: Path) -> list[str]:
    """Where to watch the demo while it runs: its ports are picked afresh each time."""
    urls = edge.urls()
    token = edge.dashboard_token_file
    return [
        f"health     {urls['health']}",
        f"dashboard  {urls['dashboard']}"
        + (f"  (paste the token from `cat {token}`)" if token is not None else ""),
        f"watch      mediator-node watch --url {urls['ws']} --key-dir {key_dir} --key {DEMO_KEY}",
    ]


def run_demo(*, timeout: float = 240.0, linger: float = 0.0, out: TextIO = sys.stdout) -> int:
    from mediator_actors.config import load_settings
    from mediator_actors.wiring import build_node

    with tempfile.TemporaryDirectory(prefix="mediator-demo-") as folder:
        settings = load_settings(
            {
                "DATA_DIR": str(Path(folder) / "data"),
                "HEALTH_PORT": "0",
                "WS_PORT": "0",
                "POLL_INTERVAL_SECONDS": "0.3",
                "LOG_LEVEL": "error",
                "LOG_FORMAT": "text",
            },
            cwd=Path(folder),
        )
        narrator = Narrator(out=out)
        narrator.say(
            "demo",
            "starting the embedded dev chain and the node (offline "
            "negotiator, local embeddings, no keys)",
        )
        key_dir = authorise_demo_key(Path(folder))
        node = build_node(settings, dev_auto_mine=1.0, simulated_parties=True)
        context = node.start()
        mediator_id = context.key.mediator_id
        narrator.say("demo", f"node ready; mediator id {mediator_id[:16]}…")
        for line in demo_access_lines(context.edge, key_dir):
            narrator.say("watch it", line)
        deadline = time.monotonic() + timeout
        code = 1
        try:
            while time.monotonic() < deadline:
                context.store.read(narrator.observe)
                if context.store.read(_finished):
                    code = 0
                    break
                gevent.sleep(0.3)
            context.store.read(narrator.observe)
            if code:
                narrator.say("demo", f"not finished within {timeout:.0f}s")
            for line in context.store.read(lambda c: _summary(c, mediator_id)):
                narrator.say("summary", line)
            if linger > 0:
                # Time to look at the dashboard and `watch` before the node goes away.
                narrator.say("demo", f"the node stays up {linger:.0f}s more (Ctrl-C ends it)")
                stop = gevent.event.Event()
                stop.wait(linger)
        finally:
            node.request_stop()
            node.stop()
    return code


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo", help="run the whole alignment cycle on embedded defaults, narrated, then exit"
    )
    demo.add_argument("--timeout", type=float, default=240.0, help="give up after this long")
    demo.add_argument(
        "--linger",
        type=float,
        default=0.0,
        help="keep the node running this many seconds after the summary, to look around",
    )
    demo.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from mediator_actors.runtime.logs import configure_logging
    from mediator_actors.safety.secretscan import SecretScanner

    configure_logging(level="ERROR", fmt="text", redact=SecretScanner().redact)
    with contextlib.suppress(KeyboardInterrupt):
        return run_demo(timeout=args.timeout, linger=args.linger)
    return 1
