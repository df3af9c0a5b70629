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
        ("b0", entry(0, author="mediator-b")),
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
    assert job.last_error.startswith("refused by the chain: metadata_too_deep")


def test_transient_failures_back_off_and_deliver_when_the_chain_returns(
    devchain: DevChain, client: ChainClient, outbox_store: Store, clock: FakeClock
) -> None:
    enqueue(outbox_store, clock, ("one", entry(1)), ("two", entry(2)))
    writer = writer_for(outbox_store, client, clock)
    devchain.stop()
    down = writer.drain_once()
    assert down.error is not None
    assert (down.retrying, down.deferred) == (("one",), 1)  # the second waits too
    devchain.start()
    assert writer.drain_once().delivered == ()  # the writer holds for its back-off
    clock.advance(1.5)
    assert sorted(writer.drain_once().delivered) == ["one", "two"]
    attempts = outbox_store.read(
        lambda c: [r[0] for r in c.execute("SELECT attempts FROM jobs ORDER BY id")]
    )
    assert attempts == [1, 1]  # the outage spent none: only the answered post counts


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


# --- the chain as it runs by default: its scanner, outages, 429, auth -------------------


def test_an_entry_the_chains_scanner_would_alter_is_failed_would_be_redacted(
    devchain: DevChain, client: ChainClient, outbox_store: Store, clock: FakeClock
) -> None:
    hexy = "0123456789abcdef" * 4  # 64 hex: a v1 id, redacted by a default node
    enqueue(
        outbox_store,
        clock,
        ("hex", entry(1, settlement_id=hexy)),
        ("b64", OutgoingEntry(TEXT.format(n=2) + " ref " + "Ab1/" * 10, "m", "x", {})),
        ("risk", entry(3, note="a risk-mitigation plan: " + "sk-" + "a1" * 12)),
        ("fine", entry(4, settlement_id="stl_" + "a" * 51 + "q")),
    )
    result = writer_for(outbox_store, client, clock).drain_once()
    assert sorted(k for k, _ in result.failed) == ["b64", "hex", "risk"]
    assert {r for _, r in result.failed} == {"would_be_redacted"}
    assert result.delivered == ("fine",)
    job = outbox_store.read(lambda c: OUTBOX.get(c, "hex"))
    assert job is not None
    assert job.last_error == "would_be_redacted: metadata.settlement_id (hex_secret_64)"
    assert hexy not in (job.last_error or "")
    assert len(devchain.pending_entries()) == 1


def test_a_proposal_past_its_deadline_is_failed_as_pointless(
    devchain: DevChain, client: ChainClient, outbox_store: Store, clock: FakeClock
) -> None:
    enqueue(outbox_store, clock, ("late", entry(1, acceptance_deadline="2020-01-01T00:00:00Z")))
    result = writer_for(outbox_store, client, clock).drain_once()
    assert result.failed == (("late", "pointless"),)
    assert devchain.pending_entries() == []


def _job(store: Store, key: str):  # type: ignore[no-untyped-def]
    job = store.read(lambda c: OUTBOX.get(c, key))
    assert job is not None
    return job


@pytest.mark.parametrize("outage", ["refused", "reset"])
def test_an_outage_of_any_length_spends_no_attempt_and_says_so(
    outbox_store: Store, clock: FakeClock, outage: str
) -> None:
    from mediator_actors.chain.client import ClientLimits
    from mediator_actors.runtime.resilience import CircuitBreaker

    from .hostile import HostileServer

    server = HostileServer()
    url = server.url
    if outage == "refused":
        server.stop()  # nothing listens: connection refused
    else:
        server.routes["/entry"] = lambda sock: None  # reads the request, closes: no answer
    breaker = CircuitBreaker("chain", failure_threshold=2, reset_timeout=5.0, clock=clock)
    client = ChainClient(
        url,
        limits=ClientLimits(deadline=2, connect_timeout=0.5, attempts=1),
        breaker=breaker,
        sleep=lambda _s: None,
        clock=clock,
    )
    enqueue(outbox_store, clock, *[(f"p{n}", entry(n)) for n in range(20)])
    writer = ChainWriter(
        store=outbox_store, client=client, clock=clock, backoff=Backoff(2.0, 30.0, 2.0)
    )
    for _ in range(60):  # far more rounds than max_attempts (8): a long outage
        writer.drain_once()
        clock.advance(31)
    jobs = [_job(outbox_store, f"p{n}") for n in range(20)]
    assert {j.state for j in jobs} == {JobState.PENDING}  # none lost
    assert max(j.attempts for j in jobs) == 0
    reasons = {j.last_error for j in jobs if j.last_error}
    assert reasons
    assert all("not an attempt" in r and "refused by" not in r for r in reasons)
    server.stop()


def test_a_429_honours_retry_after_and_never_opens_the_breaker(
    outbox_store: Store, clock: FakeClock
) -> None:
    from mediator_actors.chain.client import ClientLimits
    from mediator_actors.runtime.resilience import BreakerState, CircuitBreaker

    from .hostile import HostileServer, send_json

    server = HostileServer()
    try:
        server.routes["/entry"] = send_json(
            {"error": "Too many requests"},
            status="429 TOO MANY REQUESTS",
            headers={"Retry-After": "42"},
        )
        breaker = CircuitBreaker("chain", failure_threshold=1, clock=clock)
        client = ChainClient(
            server.url,
            limits=ClientLimits(deadline=2, attempts=3),
            breaker=breaker,
            sleep=lambda _s: None,
        )
        enqueue(outbox_store, clock, ("a", entry(1)), ("b", entry(2)))
        writer = writer_for(outbox_store, client, clock)
        for _ in range(5):
            writer.drain_once()
        assert server.hits.count("/entry") == 1  # one request; the rest waits as asked
        assert breaker.snapshot().state is BreakerState.CLOSED
        job = _job(outbox_store, "a")
        assert (job.state, job.attempts) == (JobState.PENDING, 0)
        assert "429" in (job.last_error or "")
        clock.advance(41)
        writer.drain_once()
        assert server.hits.count("/entry") == 1  # still inside Retry-After
        clock.advance(2)
        writer.drain_once()
        assert server.hits.count("/entry") == 2
    finally:
        server.stop()


def test_refused_api_key_holds_the_writer_and_says_which_variable(
    outbox_store: Store, clock: FakeClock
) -> None:
    from mediator_actors.chain.client import ClientLimits

    from .hostile import HostileServer, send_json

    server = HostileServer()
    try:
        server.routes["/entry"] = send_json({"error": "Invalid API key"}, status="403 FORBIDDEN")
        client = ChainClient(server.url, limits=ClientLimits(deadline=2, attempts=1))
        enqueue(outbox_store, clock, ("a", entry(1)), ("b", entry(2)))
        writer = writer_for(outbox_store, client, clock)
        writer.drain_once()
        job = _job(outbox_store, "a")
        assert (job.state, job.attempts) == (JobState.PENDING, 0)
        assert "CHAIN_API_KEY" in (job.last_error or "")
        assert client.auth_problem() == "the chain refuses our API key (CHAIN_API_KEY)"
    finally:
        server.stop()
