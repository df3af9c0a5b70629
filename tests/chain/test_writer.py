"""The outbox writer: the chain's pace, 422 rate_limit / duplicate / rejected, transient errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediator_actors.chain.client import ChainClient
from mediator_actors.chain.devchain import DevChain
from mediator_actors.chain.writer import ChainWriter, OutgoingEntry, enqueue_entry
from mediator_actors.runtime.resilience import Backoff
from mediator_actors.safety.secretscan import SecretScanner
from mediator_actors.store import CHAIN_OUTBOX as OUTBOX
from mediator_actors.store import JobState, Store
from mediator_actors.store.jobs import MIGRATIONS as JOB_MIGRATIONS

from .conftest import FakeClock

TEXT = "[PROPOSED SETTLEMENT] {n} between alice and bob: 400 NLC for the Rust CFD library."


@pytest.fixture
def outbox_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "data", migrations=JOB_MIGRATIONS)
    yield store
    store.close()


def entry(n: int, author: str = "m" * 64, **meta: object) -> OutgoingEntry:
    return OutgoingEntry(
        TEXT.format(n=n), author, "settlement_proposal", {"contract_type": "proposal", **meta}
    )


def enqueue(store: Store, clock: FakeClock, *entries: tuple[str, OutgoingEntry]) -> None:
    def add(conn) -> None:
        for key, e in entries:
            assert enqueue_entry(conn, key, e, now=clock())

    store.write(add)


def writer_for(store: Store, client: ChainClient, clock: FakeClock) -> ChainWriter:
    return ChainWriter(store=store, client=client, clock=clock, backoff=Backoff(1.0, 1.0, 1.0))


def states(store: Store) -> dict[JobState, int]:
    return store.read(OUTBOX.counts)


def test_writes_are_paced_at_ten_per_author_per_minute(
    devchain: DevChain, client: ChainClient, outbox_store: Store, clock: FakeClock
) -> None:
    enqueue(
        outbox_store,
        clock,
        *[(f"a{n}", entry(n)) for n in range(13)],
        ("b0", entry(0, author="b" * 64)),
    )
    writer = writer_for(outbox_store, client, clock)
    first = writer.drain_once()
    assert len(first.delivered) == 11  # ten of a's, one of b's
    assert first.deferred == 3
    assert writer.drain_once().delivered == ()  # still inside the minute: nothing posted
    clock.advance(60.5)
    assert len(writer.drain_once().delivered) == 3
    assert states(outbox_store)[JobState.DONE] == 14
    assert len(devchain.pending_entries()) == 14
    assert (
        outbox_store.read(lambda c: c.execute("SELECT MAX(attempts) FROM jobs").fetchone()[0]) == 1
    )


def test_a_422_rate_limit_is_retried_after_retry_after(
    devchain: DevChain, client: ChainClient, outbox_store: Store, clock: FakeClock
) -> None:
    author = "m" * 64
    for n in range(10):  # someone else already used this author's minute on the chain
        assert devchain.submit(TEXT.format(n=100 + n), author, "x", {})[0] == 201
    clock.advance(30)
    enqueue(outbox_store, clock, ("k", entry(1)))
    writer = writer_for(outbox_store, client, clock)
    limited = writer.drain_once()
    assert (limited.delivered, limited.deferred) == ((), 1)
    job = outbox_store.read(lambda c: OUTBOX.get(c, "k"))
    assert job is not None
    assert (job.state, job.attempts) == (JobState.PENDING, 0)
    assert writer.drain_once().deferred == 0  # not ready before retry_after
    clock.advance(31)
    assert writer.drain_once().delivered == ("k",)


def test_a_duplicate_of_our_own_entry_counts_as_delivered(
    devchain: DevChain, client: ChainClient, outbox_store: Store, clock: FakeClock
) -> None:
    e = entry(7)
    devchain.submit(e.content, e.author, e.intent, dict(e.metadata))
    enqueue(outbox_store, clock, ("dup", e))
    result = writer_for(outbox_store, client, clock).drain_once()
    assert (result.delivered, result.duplicates) == (("dup",), ("dup",))
    job = outbox_store.read(lambda c: OUTBOX.get(c, "dup"))
    assert job is not None
    assert job.state is JobState.DONE


def test_other_422s_fail_for_good_with_the_chains_reason(
    client: ChainClient, outbox_store: Store, clock: FakeClock
) -> None:
    too_deep = entry(1, deep={"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}})
    enqueue(outbox_store, clock, ("deep", too_deep))
    result = writer_for(outbox_store, client, clock).drain_once()
    assert result.failed == (("deep", "metadata_too_deep"),)
    job = outbox_store.read(lambda c: OUTBOX.get(c, "deep"))
    assert job is not None
    assert job.state is JobState.FAILED
    assert job.last_error is not None
    assert job.last_error.startswith("metadata_too_deep")


def test_transient_failures_back_off_and_deliver_when_the_chain_returns(
    devchain: DevChain, client: ChainClient, outbox_store: Store, clock: FakeClock
) -> None:
    enqueue(outbox_store, clock, ("one", entry(1)), ("two", entry(2)))
    writer = writer_for(outbox_store, client, clock)
    devchain.stop()
    down = writer.drain_once()
    assert down.error is not None
    assert (down.retrying, down.deferred) == (("one",), 1)  # the second waits without an attempt
    devchain.start()
    assert writer.drain_once().delivered == ("two",)  # "one" still backing off
    clock.advance(1.5)
    assert writer.drain_once().delivered == ("one",)


def test_enqueue_refuses_entries_that_can_never_be_valid(
    outbox_store: Store, clock: FakeClock
) -> None:
    bad = OutgoingEntry(TEXT.format(n=1), "m", "x", {"fee": float("nan")})
    with pytest.raises(ValueError, match="JSON"):
        outbox_store.write(lambda c: enqueue_entry(c, "nan", bad, now=clock()))
    with pytest.raises(ValueError, match="strings"):
        outbox_store.write(
            lambda c: enqueue_entry(c, "e", OutgoingEntry("", "m", "x", {}), now=clock())
        )


def test_an_unreadable_answer_is_retried_not_lost(outbox_store: Store, clock: FakeClock) -> None:
    from mediator_actors.chain.client import ClientLimits

    from .hostile import HostileServer, send_text

    server = HostileServer()
    try:
        server.routes["/entry"] = send_text("<html>created?</html>", status="201 CREATED")
        client = ChainClient(server.url, limits=ClientLimits(deadline=2, attempts=1))
        enqueue(outbox_store, clock, ("k", entry(1)))
        result = writer_for(outbox_store, client, clock).drain_once()
        assert result.retrying == ("k",)
        job = outbox_store.read(lambda c: OUTBOX.get(c, "k"))
        assert job is not None
        assert job.state is JobState.PENDING
        assert job.last_error is not None
    finally:
        server.stop()


def test_an_entry_that_would_publish_a_secret_is_never_posted(
    devchain: DevChain, client: ChainClient, outbox_store: Store, clock: FakeClock
) -> None:
    leaked = "sk-ant-api03-" + "Zq" * 40
    own_key = "cd" * 32
    enqueue(
        outbox_store,
        clock,
        ("leak", entry(1, note=f"reasoning quoting {leaked}")),
        ("own", entry(2, nested={"deep": [f"seed {own_key}"]})),
        ("clean", entry(3)),
    )
    writer = ChainWriter(
        store=outbox_store, client=client, clock=clock, scanner=SecretScanner([own_key])
    )
    result = writer.drain_once()
    assert sorted(result.failed) == [("leak", "contains_secret"), ("own", "contains_secret")]
    assert result.delivered == ("clean",)
    on_chain = json.dumps(devchain.pending_entries())
    assert leaked not in on_chain
    assert own_key not in on_chain
