import random

from mediator_actors.store import JobQueue, JobState, Store

Q = JobQueue("work")


def test_enqueue_is_idempotent_per_key(store: Store) -> None:
    assert store.write(lambda c: Q.enqueue(c, "k", {"a": 1}, now=1.0)) is True
    assert store.write(lambda c: Q.enqueue(c, "k", {"a": 2}, now=2.0)) is False
    job = store.read(lambda c: Q.get(c, "k"))
    assert job is not None
    assert job.payload == {"a": 1}


def test_claim_takes_the_highest_priority_ready_job_and_counts_the_attempt(store: Store) -> None:
    store.write(lambda c: Q.enqueue(c, "low", {}, now=0, priority=1))
    store.write(lambda c: Q.enqueue(c, "high", {}, now=0, priority=9))
    store.write(lambda c: Q.enqueue(c, "later", {}, now=0, priority=99, not_before=100))
    jobs = store.write(lambda c: Q.claim(c, now=10, limit=5))
    assert [j.dedupe_key for j in jobs] == ["high", "low"]
    assert all(j.state is JobState.RUNNING and j.attempts == 1 for j in jobs)


def test_claims_follow_priority_then_id_and_walk_the_index_without_sorting(
    store: Store,
) -> None:
    rng = random.Random(7)
    # ties in priority, jobs deferred past "now" among the best, another queue beside
    rows = [(f"j{i}", float(rng.randint(0, 20)), 50.0 if i % 7 == 0 else 0.0) for i in range(300)]
    store.write(
        lambda c: [Q.enqueue(c, k, {}, now=0, priority=p, not_before=nb) for k, p, nb in rows]
    )
    store.write(lambda c: JobQueue("other").enqueue(c, "x", {}, now=0, priority=99))
    ids = {j.dedupe_key: j.id for j in store.read(lambda c: Q.page(c, after_id=0, limit=1000))}
    priority = {k: p for k, p, _ in rows}
    ready = sorted((k for k, _, nb in rows if nb <= 10), key=lambda k: (-priority[k], ids[k]))
    claimed: list[str] = []
    while batch := store.write(lambda c: Q.claim(c, now=10, limit=32)):
        claimed.extend(j.dedupe_key for j in batch)
    assert claimed == ready
    plan = store.read(
        lambda c: c.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM jobs WHERE kind = ? AND state = 'pending'"
            " AND +not_before <= ? ORDER BY priority DESC, id LIMIT ?",
            ("work", 10, 5),
        ).fetchall()
    )
    details = " ".join(str(row[-1]) for row in plan)
    assert "jobs_claim" in details
    assert "TEMP B-TREE" not in details


def test_failures_retry_after_their_delay_then_quarantine_with_the_reason(store: Store) -> None:
    store.write(lambda c: Q.enqueue(c, "poison", {}, now=0, max_attempts=2))
    for attempt, expected in ((1, JobState.PENDING), (2, JobState.QUARANTINED)):
        (job,) = store.write(lambda c, t=attempt * 100: Q.claim(c, now=t))
        state = store.write(lambda c, j=job: Q.fail(c, j.id, "bad data", now=0, retry_in=5))
        assert state is expected
    job = store.read(lambda c: Q.get(c, "poison"))
    assert job is not None
    assert job.last_error == "bad data"
    assert store.write(lambda c: Q.claim(c, now=1e9)) == []


def test_defer_gives_the_attempt_back(store: Store) -> None:
    store.write(lambda c: Q.enqueue(c, "waits", {}, now=0, max_attempts=1))
    for _ in range(3):  # deferred three times, yet never quarantined
        (job,) = store.write(lambda c: Q.claim(c, now=1e6))
        store.write(lambda c, j=job: Q.defer(c, j.id, "budget spent", now=0, retry_in=1))
    job = store.read(lambda c: Q.get(c, "waits"))
    assert job is not None
    assert (job.state, job.attempts) == (JobState.PENDING, 0)


def test_recover_hands_back_jobs_a_crashed_worker_held(store: Store) -> None:
    store.write(lambda c: Q.enqueue(c, "held", {}, now=0))
    store.write(lambda c: Q.claim(c, now=1))
    assert store.write(lambda c: Q.recover(c, now=2)) == 1
    assert store.read(Q.counts)[JobState.PENDING] == 1


def test_recover_with_stale_after_leaves_live_workers_jobs_alone(store: Store) -> None:
    store.write(lambda c: Q.enqueue(c, "old", {}, now=0))
    store.write(lambda c: Q.claim(c, now=10))
    store.write(lambda c: Q.enqueue(c, "fresh", {}, now=0))
    store.write(lambda c: Q.claim(c, now=95))
    assert store.write(lambda c: Q.recover(c, now=100, stale_after=60)) == 1
    old, fresh = (store.read(lambda c, k=k: Q.get(c, k)) for k in ("old", "fresh"))
    assert old is not None
    assert fresh is not None
    assert (old.state, fresh.state) == (JobState.PENDING, JobState.RUNNING)


def test_the_read_queries_see_one_queue_only_and_name_what_they_count(store: Store) -> None:
    other = JobQueue("other")
    store.write(lambda c: Q.enqueue(c, "payout:1", {"author": "m", "n": 1}, now=1))
    store.write(lambda c: Q.enqueue(c, "payout:2", {"author": "m", "n": 2}, now=2))
    store.write(lambda c: Q.enqueue(c, "proposal:3", {"author": "q", "n": 3}, now=3))
    store.write(lambda c: other.enqueue(c, "payout:9", {"author": "x"}, now=4))
    (first,) = store.write(lambda c: Q.claim(c, now=10))
    store.write(lambda c: Q.complete(c, first.id, now=20))
    assert store.read(Q.dedupe_keys) == {"payout:1", "payout:2", "proposal:3"}
    assert [j.dedupe_key for j in store.read(lambda c: Q.page(c, limit=2))] == [
        "payout:1",
        "payout:2",
    ]
    assert [j.dedupe_key for j in store.read(lambda c: Q.page(c, after_id=2, limit=5))] == [
        "proposal:3"
    ]
    assert store.read(Q.count) == 3
    assert store.read(lambda c: Q.count(c, prefix="payout:")) == 2
    assert store.read(lambda c: Q.count(c, prefix="payout:", states=(JobState.DONE,))) == 1
    assert store.read(
        lambda c: Q.payload_values(c, ("author", "n"), states=(JobState.PENDING,))
    ) == [("m", 2), ("q", 3)]
    assert store.read(lambda c: Q.ended_since(c, "author", since=0)) == [("m", 20.0)]
    assert store.read(lambda c: Q.ended_since(c, "author", since=20)) == []


def test_the_store_wide_figures_cover_every_queue(store: Store) -> None:
    from mediator_actors.store.jobs import active_depths, quarantined_count

    other = JobQueue("other")
    store.write(lambda c: Q.enqueue(c, "a", {}, now=0))
    store.write(lambda c: Q.enqueue(c, "b", {}, now=0, max_attempts=1, priority=9))
    store.write(lambda c: other.enqueue(c, "c", {}, now=0))
    (job,) = store.write(lambda c: Q.claim(c, now=1))
    store.write(lambda c: Q.fail(c, job.id, "poison", now=1, retry_in=0))
    assert store.read(active_depths) == {
        ("work", JobState.PENDING): 1,
        ("other", JobState.PENDING): 1,
    }
    assert store.read(quarantined_count) == 1


def test_a_payload_field_must_be_a_plain_name(store: Store) -> None:
    import pytest

    with pytest.raises(ValueError, match="not a payload field name"):
        store.read(lambda c: Q.ended_since(c, "a.b') OR 1=1 --", since=0))
