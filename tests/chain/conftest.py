"""Fixtures for the chain tests: a dev chain on 127.0.0.1:0, a hand-driven clock, and a
follower with the settlement book against a scripted hostile server (``world``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mediator_actors.chain.client import ChainClient, ClientLimits
from mediator_actors.chain.devchain import DevChain
from mediator_actors.chain.follower import ChainFollower
from mediator_actors.runtime.resilience import Backoff
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.settlement.proposals import ProposalPolicy, propose
from mediator_actors.store import Store
from mediator_actors.wiring import ALL_MIGRATIONS
from tests.settlement import factories as f

from .hostile import HostileServer


class FakeClock:
    """Wall-clock seconds that only move when a test says so."""

    def __init__(self, start: float = 1_764_233_806.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def devchain(clock: FakeClock) -> Iterator[DevChain]:
    chain = DevChain(clock=clock)
    chain.start()
    yield chain
    chain.stop()


FAST = ClientLimits(deadline=3.0, connect_timeout=1.0, attempts=2, backoff=Backoff(0.01, 0.02))


@pytest.fixture
def client(devchain: DevChain) -> Iterator[ChainClient]:
    c = ChainClient(devchain.url, limits=FAST, sleep=lambda _s: None)
    yield c
    c.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict[str, Any]]:
    server = HostileServer()
    store = Store.open(tmp_path, migrations=ALL_MIGRATIONS)
    clock = FakeClock(f.NOW)
    client = ChainClient(server.url, limits=ClientLimits(deadline=2, attempts=1))
    book = SettlementBook(key=f.key(), clock=clock)
    follower = ChainFollower(
        store=store,
        client=client,
        clock=clock,
        settlement=book,
    )
    yield {
        "server": server,
        "store": store,
        "book": book,
        "follower": follower,
        "client": client,
        "clock": clock,
    }
    client.close()
    store.close()
    server.stop()


def propose_pair(store: Store, book: SettlementBook, offer_ref: str, seek_ref: str) -> Any:
    """This node proposes the pair, with the factories' settings and result."""
    policy = ProposalPolicy.from_settings(f.settings(), book)
    return store.write(
        lambda c: propose(
            c, book, policy, offer_ref=offer_ref, seek_ref=seek_ref, result=f.result(), now=f.NOW
        )
    )
