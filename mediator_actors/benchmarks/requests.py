"""Requests per minute the node sends a chain running the real node's defaults.

The embedded dev chain runs as the real node does by default (secret scanner on, 10
entries per author and 100 per minute overall, 100 requests per minute per client). The
node's real follower, writer, client and request pacer run against it over loopback HTTP;
only time is simulated: one clock drives the chain's limits, the pacer, the follower and the
writer, and each actor runs when its next round is due (the listener's adaptive interval,
the writer's next ready entry, a miner every 10 s). Requests are counted by the chain.

Three phases: idle (caught up, nothing happening) for ten minutes; catching up on 1,000
mined blocks from an empty store; writing 40 proposals (one mediator, so the chain's 10
per author per minute paces them) while following the chain.
"""

from __future__ import annotations

from mediator_actors.runtime.patching import ensure_patched

ensure_patched()

import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from mediator_actors.actors.chain_listener import next_poll_delay  # noqa: E402
from mediator_actors.benchmarks.machine import machine  # noqa: E402
from mediator_actors.chain.client import ChainClient, RequestPacer  # noqa: E402
from mediator_actors.chain.devchain import DevChain  # noqa: E402
from mediator_actors.chain.follower import ChainFollower, IntakeLimit  # noqa: E402
from mediator_actors.chain.writer import (  # noqa: E402
    ChainWriter,
    OutgoingEntry,
    enqueue_entry,
    seconds_until,
)
from mediator_actors.model import PROTOCOL, digest_id  # noqa: E402
from mediator_actors.store import CHAIN_OUTBOX, JobState, Store  # noqa: E402

INTERVAL = 2.0  # POLL_INTERVAL_SECONDS default
MINE_EVERY = 10.0
MEDIATOR = "did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw"


class _Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _intent(n: int) -> dict[str, Any]:
    kind = "offer" if n % 2 else "seek"
    return {
        "author": f"party-{n % 50}",
        "content": f"{'Offering' if n % 2 else 'Looking for'} garden care, lot {n}; "
        f"at most {100 + n} NLC within {7 + n % 30} days.",
        "intent": kind,
        "metadata": {"is_contract": True, "contract_type": kind, "status": "open"},
    }


def _proposal(n: int) -> OutgoingEntry:
    sid = digest_id("stl", f"bench-{n}".encode())
    return OutgoingEntry(
        f"[PROPOSED SETTLEMENT] {sid} between two parties: garden care for 120 NLC.",
        MEDIATOR,
        "settlement_proposal",
        {
            "is_contract": True,
            "contract_type": "proposal",
            "protocol": PROTOCOL,
            "settlement_id": sid,
        },
    )


class _Sim:
    """The follower and the writer on one simulated clock, against one dev chain."""

    def __init__(self, chain: DevChain, clock: _Clock, store: Store) -> None:
        self.chain, self.clock = chain, clock
        pacer = RequestPacer(clock=clock)
        self.reader = ChainClient(chain.url, pacer=pacer, clock=clock, sleep=lambda _s: None)
        self.poster = ChainClient(chain.url, pacer=pacer, clock=clock, sleep=lambda _s: None)
        self.follower = ChainFollower(
            store=store,
            client=self.reader,
            clock=clock,
            intake=IntakeLimit(per_author=10**9),
        )
        self.writer = ChainWriter(store=store, client=self.poster, clock=clock)
        self.store = store
        self.samples: list[tuple[float, int]] = []
        self._idle = 0
        self.next_poll = clock.now
        self.next_write = clock.now
        self.next_mine = clock.now + MINE_EVERY

    def run_until(self, done: Any, *, limit: float) -> float:
        """Run rounds until ``done()`` or ``limit`` simulated seconds; the time taken."""
        start = self.clock.now
        self.samples.append((start, self.chain.requests_served))
        while not done() and self.clock.now - start < limit:
            due = min(self.next_poll, self.next_write, self.next_mine)
            self.clock.now = max(self.clock.now, due)
            if due == self.next_mine:
                self.chain.mine()
                self.next_mine = self.clock.now + MINE_EVERY
            elif due == self.next_poll:
                result = self.follower.poll_once()
                delay, self._idle = next_poll_delay(result, INTERVAL, self._idle)
                # A round takes a few ms of real time; never two polls at the same instant.
                self.next_poll = self.clock.now + max(delay, 0.01)
            else:
                self.writer.drain_once()
                wait = seconds_until(self.writer.next_ready_at(), self.clock.now)
                self.next_write = self.clock.now + max(min(INTERVAL, wait), 0.01)
            self.samples.append((self.clock.now, self.chain.requests_served))
        return self.clock.now - start

    def per_minute(self, start: float, end: float) -> tuple[float, int]:
        """(average, busiest 60 s window) requests per minute between two times."""
        points = [(t, n) for t, n in self.samples if start <= t <= end]
        if len(points) < 2:
            return 0.0, 0
        total = points[-1][1] - points[0][1]
        minutes = max((points[-1][0] - points[0][0]) / 60.0, 1e-9)
        busiest = 0
        for i, (t0, n0) in enumerate(points):
            last = n0
            for t1, n1 in points[i:]:
                if t1 - t0 > 60.0:
                    break
                last = n1
            busiest = max(busiest, last - n0)
        # Under a minute: the requests of that minute (a rate would extrapolate a burst).
        return (total / minutes if minutes >= 1 else float(total)), busiest

    def close(self) -> None:
        self.reader.close()
        self.poster.close()


def _store(folder: Path) -> Store:
    from mediator_actors.wiring import ALL_MIGRATIONS

    return Store.open(folder, migrations=ALL_MIGRATIONS)


def run(*, intents: int | None = None, quick: bool = False) -> dict[str, object]:
    blocks = intents or (200 if quick else 1_000)
    proposals = 10 if quick else 40
    idle_minutes = 3 if quick else 10
    clock = _Clock()
    chain = DevChain(clock=clock)  # the real node's defaults
    for n in range(blocks):
        chain.add_block([_intent(n)])
    chain.start()
    out: dict[str, Any] = {"benchmark": "chain_request_rates", "machine": machine()}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = _store(Path(tmp))
            sim = _Sim(chain, clock, store)
            try:
                # 1. Catching up on the backlog from an empty store.
                before, wall = chain.requests_served, time.perf_counter()
                started = clock.now
                took = sim.run_until(lambda: sim.follower.cursor()[0] >= chain.length, limit=3600)
                out["catch_up"] = {
                    "blocks": blocks,
                    "requests": chain.requests_served - before,
                    "simulated_seconds": round(took, 1),
                    "wall_seconds": round(time.perf_counter() - wall, 2),
                    "busiest_minute_requests": sim.per_minute(started, clock.now)[1],
                    "refused_429": chain.requests_refused,
                }
                # 2. Idle: caught up, nothing happening.
                sim.run_until(lambda: False, limit=120)  # settle into the idle interval
                started = clock.now
                sim.run_until(lambda: False, limit=idle_minutes * 60)
                average, busiest = sim.per_minute(started, clock.now)
                out["idle"] = {
                    "minutes": idle_minutes,
                    "requests_per_minute": round(average, 1),
                    "busiest_minute_requests": busiest,
                }
                # 3. Writing proposals while following the chain.
                store.write(
                    lambda conn: [
                        enqueue_entry(conn, f"proposal:{n}", _proposal(n), now=clock.now)
                        for n in range(proposals)
                    ]
                )
                sim.next_write = clock.now  # the settlement agent tells the writer at once
                refused, before = chain.requests_refused, chain.requests_served
                started = clock.now

                def written() -> bool:
                    done = store.read(CHAIN_OUTBOX.counts).get(JobState.DONE, 0)
                    return done >= proposals

                took = sim.run_until(written, limit=3600)
                average, busiest = sim.per_minute(started, clock.now)
                out["writing"] = {
                    "proposals": proposals,
                    "requests": chain.requests_served - before,
                    "simulated_seconds": round(took, 1),
                    "requests_per_minute": round(average, 1),
                    "busiest_minute_requests": busiest,
                    "refused_429": chain.requests_refused - refused,
                }
            finally:
                sim.close()
                store.close()
    finally:
        chain.stop()
    out["chain_limit_requests_per_minute"] = 100
    return out


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(run(), indent=2))
