"""Entries seen and not taken are counted by reason; INTAKE_PLAIN_PROSE reads clear prose."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from mediator_actors.chain.client import ChainClient
from mediator_actors.chain.devchain import DevChain
from mediator_actors.chain.follower import ChainFollower
from mediator_actors.chain.tables import entries_not_taken
from mediator_actors.store import Store
from mediator_actors.wiring import ALL_MIGRATIONS

from .conftest import FakeClock

CLEAR_OFFER = "Offering hand-built oak bookshelves, two metres tall, 120 NLC, within 14 days."
CLEAR_SEEK = "Looking for a logo designer for a small bakery; budget 200 NLC by March."
QUESTION = "Does anyone know a good logo designer for a bakery in town?"
CHATTER = "The weather on the chain has been lovely today, friends and neighbours."


def _seed(chain: DevChain) -> None:
    chain.add_block(
        [
            {"content": CLEAR_OFFER, "author": "olga"},
            {"content": CLEAR_SEEK, "author": "sam"},
            {"content": QUESTION, "author": "quinn"},
            {"content": CHATTER, "author": "cora", "metadata": {"contract_type": "poem"}},
            {
                "content": "[ACCEPT] stl_x accepting under the old protocol, thanks.",
                "author": "old",
                "metadata": {
                    "is_contract": True,
                    "contract_type": "response",
                    "response_type": "accept",
                    "settlement_id": "ab" * 32,
                    "protocol": "nlc-mediator/1",
                },
            },
        ]
    )


@pytest.mark.parametrize("plain_prose", [False, True])
def test_not_taken_entries_are_counted_by_reason_and_logged_once_per_poll(
    tmp_path: Path,
    devchain: DevChain,
    client: ChainClient,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    plain_prose: bool,
) -> None:
    _seed(devchain)
    store = Store.open(tmp_path, migrations=ALL_MIGRATIONS)
    try:
        follower = ChainFollower(store=store, client=client, clock=clock, plain_prose=plain_prose)
        with caplog.at_level(logging.INFO, logger="mediator_actors.chain.follower"):
            result = follower.poll_once()
            follower.poll_once()  # seen again: not counted twice, not logged again
        lines = [r for r in caplog.records if "seen and not taken" in r.getMessage()]
        assert len(lines) == 1
        counts = store.read(entries_not_taken)
        intents = store.read(
            lambda c: {r[0]: r[1] for r in c.execute("SELECT author, type FROM intents")}
        )
    finally:
        store.close()
    assert result.error is None
    if plain_prose:
        assert intents == {"olga": "offer", "sam": "seek"}
        assert counts == {
            "a_question": 1,
            "ambiguous_prose": 1,  # the genesis entry
            "unknown_contract_type": 1,
            "other_protocol": 1,
        }
    else:
        assert intents == {}
        assert counts == {
            "no_intent_metadata": 4,  # three prose entries and the genesis
            "unknown_contract_type": 1,
            "other_protocol": 1,
        }
