"""The reader processes (issue 15, both cores): the same terms as reading here, and a
worker that dies costs time, not answers."""

from __future__ import annotations

import io
import itertools
import os
import signal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.evaluation import load_eval
from mediator_actors.negotiation.offline import clear_caches, prepare, stated_terms
from mediator_actors.negotiation.readpool import (
    ReaderPool,
    _receive,
    _send,
    balanced_local,
    split_at,
    split_shares,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def _intents() -> list:  # type: ignore[type-arg]
    return [i for p in load_eval(DATA / "negotiation_dev.jsonl") for i in (p.offer, p.seek)]


def test_the_pool_reads_what_this_process_reads_in_order() -> None:
    intents = _intents()
    clear_caches()
    here = [stated_terms(i) for i in intents]
    pool = ReaderPool(processes=2)
    try:
        assert pool.read(intents) == here
        assert len(pool._workers) == 2
    finally:
        pool.close()
    assert pool._workers == []


@given(
    count=st.integers(min_value=0, max_value=5000),
    workers=st.integers(min_value=0, max_value=8),
    share=st.floats(min_value=0.0, max_value=1.0),
)
def test_shares_cover_the_batch_in_order_and_the_caller_reads_no_more_than_a_worker(
    count: int, workers: int, share: float
) -> None:
    ranges = split_shares(count, workers, share)
    assert len(ranges) == workers + 1
    assert ranges[0][0] == 0
    assert ranges[-1][1] == count
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    sizes = [end - start for start, end in ranges]
    assert min(sizes) >= 0
    if workers:
        # the workers' shares differ by at most one intent; the caller's is at most theirs
        assert max(sizes[1:]) - min(sizes[1:]) <= 1
        assert sizes[0] <= max(sizes[1:]) + 1


@given(
    count=st.integers(min_value=0, max_value=5000),
    workers=st.integers(min_value=0, max_value=8),
    local=st.integers(min_value=-10, max_value=6000),
)
def test_a_split_at_a_count_covers_the_batch_in_order(count: int, workers: int, local: int) -> None:
    ranges = split_at(count, workers, local)
    assert len(ranges) == workers + 1
    assert ranges[0][0] == 0
    assert ranges[-1][1] == count
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    if workers:
        assert ranges[0][1] == max(0, min(count, local))
        sizes = [end - start for start, end in ranges[1:]]
        assert max(sizes) - min(sizes) <= 1


@given(
    count=st.integers(min_value=0, max_value=5000),
    workers=st.integers(min_value=1, max_value=8),
    after=st.floats(min_value=0.0, max_value=100.0),
    each=st.floats(min_value=1e-5, max_value=0.1),
)
def test_the_balanced_split_finishes_the_caller_and_the_workers_together(
    count: int, workers: int, after: float, each: float
) -> None:
    local = balanced_local(count, workers, after, each)
    assert 0 <= local <= count
    caller, worker = local * each + after, (count - local) * each / workers
    if 0 < local < count:
        # within one intent's reading of even (rounding), on either side
        assert abs(caller - worker) <= each * (1 + 1 / workers) + 1e-9
    elif local == 0:
        assert caller >= worker - each  # the caller's own work alone outlasts the workers


def test_the_balanced_split_reads_less_here_the_more_work_follows() -> None:
    # 512 intents at 2 ms; one worker: with no work after, half each; 0.4 s after, 0.2 s
    # less reading here (100 intents fewer); 1.1 s after, none
    assert balanced_local(512, 1, 0.0, 0.002) == 256
    assert balanced_local(512, 1, 0.4, 0.002) == 156
    assert balanced_local(512, 1, 1.1, 0.002) == 0
    assert balanced_local(10, 0, 1.0, 0.002) == 10


def test_an_adaptive_pool_reads_the_same_terms_in_order_batch_after_batch() -> None:
    intents = _intents()
    clear_caches()
    here = [stated_terms(i) for i in intents]
    pool = ReaderPool(processes=1)
    try:
        for _ in range(3):  # the first batch at LOCAL_SHARE, the next on what it measured
            clear_caches()
            assert pool.read(intents) == here
        assert pool._per_intent is not None
        assert pool._after is not None
    finally:
        pool.close()


def test_an_uneven_split_reads_the_same_terms_in_order() -> None:
    intents = _intents()
    clear_caches()
    here = [stated_terms(i) for i in intents]
    for share in (0.0, 0.3, 1.0):
        pool = ReaderPool(processes=1, local_share=share)
        try:
            assert pool.read(intents) == here
        finally:
            pool.close()


def test_a_dead_worker_is_dropped_and_its_share_read_here() -> None:
    intents = _intents()
    clear_caches()
    here = [stated_terms(i) for i in intents]
    pool = ReaderPool(processes=1)
    try:
        assert pool.read(intents[:4]) == here[:4]
        (worker,) = pool._workers
        os.kill(worker.pid, signal.SIGKILL)
        assert pool.read(intents) == here
        assert pool.processes == 0
    finally:
        pool.close()


def test_prepare_keeps_what_the_pool_read_for_the_pairs() -> None:
    intents = _intents()
    clear_caches()

    class Counting:
        def __init__(self) -> None:
            self.inner = ReaderPool(processes=1)
            self.read_count = 0

        def read(self, batch):  # type: ignore[no-untyped-def]
            self.read_count += len(batch)
            return self.inner.read(batch)

    reader = Counting()
    try:
        prepare(intents, None, reader=reader)
        assert reader.read_count == len(set(intents))
        prepare(intents, None, reader=reader)  # all kept: nothing read again
        assert reader.read_count == len(set(intents))
    finally:
        reader.inner.close()


_payloads = st.recursive(
    st.booleans() | st.integers() | st.text() | st.binary(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(payloads=st.lists(_payloads, min_size=1, max_size=4), cut=st.integers(min_value=1))
def test_the_wire_format_round_trips_and_a_short_read_is_the_end(payloads, cut) -> None:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    for payload in payloads:
        _send(out, payload)
    data = out.getvalue()
    stream = io.BytesIO(data)
    assert [_receive(stream) for _ in payloads] == payloads
    assert _receive(stream) is None
    # a stream cut anywhere yields the whole messages before the cut, then the end
    short = io.BytesIO(data[: len(data) - 1 - cut % len(data)])
    got = []
    while (message := _receive(short)) is not None:
        got.append(message)
    assert got == payloads[: len(got)]
    assert len(got) < len(payloads)
