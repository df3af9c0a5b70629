"""Fixtures for the chain tests: a dev chain on 127.0.0.1:0 and a hand-driven clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mediator_actors.chain.client import ChainClient, ClientLimits
from mediator_actors.chain.devchain import DevChain
from mediator_actors.runtime.resilience import Backoff


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
