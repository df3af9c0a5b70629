"""Reading intents on the other core: worker processes that run the offline reader.

The reader is pure Python (regular expressions over prose, about 2.4 ms of CPU an
intent), so threads share one core through the GIL; separate processes do not. Each
worker is this module run as ``python -m mediator_actors.negotiation.readpool``: it reads
length-prefixed pickles of intents on stdin and answers with pickles of their
:class:`StatedTerms`, in order, until stdin closes. The parent talks to it over plain
pipes from whichever thread calls :meth:`ReaderPool.read` (the hub's native pool when
offloaded), so nothing here depends on gevent's patched threading or on
``multiprocessing``'s helper threads. Only intents cross the pipe, never a key.

The pickles are our own, between this process and children it spawned: they are not
untrusted input. A worker that dies or answers garbage is dropped and its share read in
this process, so a failure here costs time, not answers.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import logging
import os
import pickle
import struct
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO, Protocol, cast

from mediator_actors.model import Intent
from mediator_actors.negotiation.offline import stated_terms
from mediator_actors.negotiation.reader import StatedTerms
from mediator_actors.runtime.offload import native_lock

__all__ = ["LOCAL_SHARE", "ReaderPool", "default_processes", "shared_reader_pool", "split_shares"]

logger = logging.getLogger(__name__)

_LENGTH = struct.Struct("!I")
#: Largest message either side accepts (a chunk of intents is far below).
MAX_MESSAGE = 64 * 1024 * 1024


def default_processes() -> int:
    """One worker per core this process may run on beyond its own (0 on one core)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(0, cores - 1)


def _send(stream: BinaryIO, payload: object) -> None:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def _receive(stream: _Readable) -> object | None:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    if size > MAX_MESSAGE:
        raise ValueError(f"message of {size} bytes is over the {MAX_MESSAGE} limit")
    data = stream.read(size)
    if len(data) < size:
        return None
    answer: object = pickle.loads(data)  # noqa: S301 - our own child's (module docstring)
    return answer


def _original(module: str, name: str) -> Callable[..., Any]:
    """The function before gevent patched it: the pool talks to its children from native
    threads, where gevent's cooperative versions do not belong."""
    try:
        from gevent import monkey

        return cast("Callable[..., Any]", monkey.get_original(module, name))
    except ImportError:  # pragma: no cover - gevent is a dependency
        return cast("Callable[..., Any]", getattr(__import__(module), name))


class _WatchedReader:
    """Reads a child's answers from a pipe, giving up when the child has died even if a
    copy of the pipe's write end lingers elsewhere (so no EOF would ever come)."""

    def __init__(self, fd: int, alive: Callable[[], bool]) -> None:
        self._fd = fd
        self._alive = alive
        self._select = _original("select", "select")

    def read(self, size: int) -> bytes:
        chunks: list[bytes] = []
        while size > 0:
            readable, _, _ = self._select([self._fd], [], [], 0.5)
            if not readable:
                if not self._alive():
                    break
                continue
            chunk = os.read(self._fd, min(size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        os.close(self._fd)


class _Worker:
    def __init__(self) -> None:
        to_child, self._stdin_fd = os.pipe()
        self._stdout_fd, from_child = os.pipe()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        try:
            self.pid = _original("os", "posix_spawn")(
                sys.executable,
                [sys.executable, "-m", "mediator_actors.negotiation.readpool"],
                env,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, to_child, 0),
                    (os.POSIX_SPAWN_DUP2, from_child, 1),
                    (os.POSIX_SPAWN_CLOSE, self._stdin_fd),
                    (os.POSIX_SPAWN_CLOSE, self._stdout_fd),
                ],
            )
        finally:
            os.close(to_child)
            os.close(from_child)
        self.stdin = os.fdopen(self._stdin_fd, "wb")
        self.stdout = _WatchedReader(self._stdout_fd, self.alive)

    def alive(self) -> bool:
        """False once the child has exited (reaped here, so it leaves no zombie)."""
        try:
            pid, _ = _original("os", "waitpid")(self.pid, os.WNOHANG)
        except ChildProcessError:
            return False
        return bool(pid == 0)

    def send(self, intents: Sequence[Intent]) -> None:
        _send(self.stdin, list(intents))

    def receive(self, count: int) -> list[StatedTerms]:
        answer = _receive(self.stdout)
        if (
            not isinstance(answer, list)
            or len(answer) != count
            or not all(isinstance(t, StatedTerms) for t in answer)
        ):
            raise RuntimeError("a reader process answered nothing or something else")
        return answer

    def close(self) -> None:
        for stream in (self.stdin, self.stdout):
            with contextlib.suppress(OSError):
                stream.close()  # the child's stdin closes: it exits
        # ChildProcessError: already reaped (by alive(), or gevent's child watcher)
        with contextlib.suppress(ChildProcessError):
            _original("os", "waitpid")(self.pid, 0)


#: The calling thread's share of a batch, against one worker's share of 1: after reading it
#: judges the batch's pairs alone while the workers idle (about a seventh of the reading's
#: CPU at 10k intents), so it reads less and the cores finish together.
LOCAL_SHARE = 0.75


def split_shares(count: int, workers: int, local_share: float) -> list[tuple[int, int]]:
    """``workers + 1`` contiguous (start, end) ranges covering ``range(count)``: the first
    for the calling thread, weighted ``local_share`` against 1 for each worker's (some may
    be empty)."""
    if workers <= 0:
        return [(0, count)]
    return split_at(count, workers, round(count * local_share / (workers + local_share)))


#: Gaps between two batches longer than this are a node waiting for work, not the caller
#: judging the last batch's pairs: they do not count as work that follows a reading.
FOLLOW_LIMIT = 5.0
#: Weight of the newest batch in the running estimates (per-intent reading, work after).
EWMA = 0.5


def balanced_local(count: int, workers: int, after_s: float, per_intent_s: float) -> int:
    """How many of ``count`` intents the calling thread reads so that it and the workers
    finish together, when it has ``after_s`` of its own work after the reading (judging the
    pairs, while the workers idle) and an intent takes ``per_intent_s`` on any core:
    ``local*r + after = (count - local)*r/workers``."""
    if workers <= 0 or per_intent_s <= 0.0:
        return count
    local = (count - workers * after_s / per_intent_s) / (workers + 1)
    return max(0, min(count, round(local)))


def split_at(count: int, workers: int, local: int) -> list[tuple[int, int]]:
    """``workers + 1`` contiguous ranges covering ``range(count)``: the first ``local``
    intents for the calling thread, the rest evenly across the workers."""
    if workers <= 0:
        return [(0, count)]
    local = max(0, min(count, local))
    bounds = [0, local]
    rest = count - local
    for k in range(1, workers + 1):
        bounds.append(local + (rest * k) // workers)
    return list(itertools.pairwise(bounds))


class ReaderPool:
    """Reads batches of intents across ``processes`` workers plus the calling thread.

    Started on first use; :meth:`close` ends the workers (they also end when this process
    does, as their stdin closes). One batch at a time: concurrent callers take turns.
    """

    def __init__(
        self,
        *,
        processes: int | None = None,
        local_share: float = LOCAL_SHARE,
        adaptive: bool = True,
    ) -> None:
        self.processes = default_processes() if processes is None else max(0, processes)
        if not 0.0 <= local_share <= 1.0:
            raise ValueError("local_share must be between 0 and 1")
        self.local_share = local_share
        self.adaptive = adaptive
        # Running estimates (seconds): one intent's reading; the caller's work between the
        # end of one batch and the next (judging its pairs, committing). None until seen.
        self._per_intent: float | None = None
        self._after: float | None = None
        self._ended: float | None = None
        self._workers: list[_Worker] = []
        self._lock = native_lock()  # shared with run_blocking threads
        self._closed = False

    def _started(self) -> list[_Worker]:
        while not self._closed and len(self._workers) < self.processes:
            try:
                self._workers.append(_Worker())
            except OSError as exc:  # no process to be had: read in this one
                logger.warning("negotiation: no reader process (%s); reading here", exc)
                self.processes = len(self._workers)
        return self._workers

    def _chunks(self, count: int, workers: int, began: float) -> list[tuple[int, int]]:
        """The batch's split: balanced on what earlier batches measured (``adaptive``),
        else the fixed :data:`LOCAL_SHARE` weighting (also before anything is measured)."""
        if self._ended is not None and began - self._ended <= FOLLOW_LIMIT:
            gap = began - self._ended
            self._after = gap if self._after is None else EWMA * gap + (1 - EWMA) * self._after
        if not self.adaptive or self._per_intent is None or self._after is None:
            return split_shares(count, workers, self.local_share)
        return split_at(
            count, workers, balanced_local(count, workers, self._after, self._per_intent)
        )

    def _measured(self, seconds: float, count: int) -> None:
        if count > 0 and seconds > 0.0:
            each = seconds / count
            self._per_intent = (
                each if self._per_intent is None else EWMA * each + (1 - EWMA) * self._per_intent
            )

    def read(self, intents: Sequence[Intent]) -> list[StatedTerms]:
        """The terms of each intent, in order; the same as :func:`stated_terms` of each."""
        with self._lock:
            try:
                return self._read(intents)
            finally:
                self._ended = time.perf_counter()

    def _read(self, intents: Sequence[Intent]) -> list[StatedTerms]:
        began = time.perf_counter()
        workers = list(self._started())
        if not workers or len(intents) < 2:
            return [stated_terms(i) for i in intents]
        # The workers' shares go out first, this thread reads its share while they
        # work, then their answers are collected. The caller judges the batch's pairs
        # alone afterwards, so it reads less: the split balances the two (issue 15).
        chunks = self._chunks(len(intents), len(workers), began)
        parts = [intents[start:end] for start, end in chunks]
        sent: list[tuple[_Worker | None, Sequence[Intent]]] = []
        for each, chunk in zip(workers, parts[1:], strict=True):
            if not chunk:
                continue
            try:
                each.send(chunk)
                sent.append((each, chunk))
            except OSError:
                self._drop(each)
                sent.append((None, chunk))
        started = time.perf_counter()
        out = [stated_terms(i) for i in parts[0]]
        self._measured(time.perf_counter() - started, len(parts[0]))
        for worker, chunk in sent:
            if worker is not None:
                try:
                    answers = worker.receive(len(chunk))
                    if not parts[0]:  # nothing read here: the workers' pace instead
                        self._measured(time.perf_counter() - started, len(chunk))
                    out.extend(answers)
                    continue
                except (OSError, RuntimeError, ValueError, pickle.UnpicklingError) as exc:
                    logger.warning("negotiation: a reader process failed (%s)", exc)
                    self._drop(worker)
            out.extend(stated_terms(i) for i in chunk)
        return out

    def _drop(self, worker: _Worker) -> None:
        if worker in self._workers:
            self._workers.remove(worker)
        self.processes = max(0, self.processes - 1)
        worker.close()

    def cpu_seconds(self) -> float:
        """CPU the live workers have used (user + system, from ``/proc``; 0 off Linux)."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        for worker in list(self._workers):
            try:
                with open(f"/proc/{worker.pid}/stat", encoding="ascii") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                continue
        return total

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for worker in self._workers:
                worker.close()
            self._workers.clear()


_shared: list[ReaderPool] = []
_shared_lock = native_lock()  # shared with run_blocking threads


def shared_reader_pool() -> ReaderPool:
    """The process's one pool (workers start on its first large batch), closed at exit."""
    with _shared_lock:
        if not _shared:
            pool = ReaderPool()
            atexit.register(pool.close)
            _shared.append(pool)
        return _shared[0]


def _serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    while (request := _receive(stdin)) is not None:
        if not isinstance(request, list) or not all(isinstance(i, Intent) for i in request):
            raise SystemExit("readpool: expected a list of intents")
        _send(stdout, [stated_terms(i) for i in request])


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
