"""Run blocking or native work off the gevent hub.

Every ThreadingActor is a greenlet on the one hub thread (field notes), so a CPU-bound or
native call made inline freezes every actor and the health probes with them. Anything heavy
(hnswlib, numpy, embedding inference, large JSON, SQLite commits) goes through here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import gevent
from gevent import monkey

P = ParamSpec("P")
T = TypeVar("T")


def native_lock() -> threading.Lock:
    """A lock of the operating system, not gevent's patched one: for state shared between
    the hub and the threads :func:`run_blocking` runs work on (a gevent lock contended from
    two native threads can leave both waiting for good). Hold it only around plain state,
    never across anything that yields to the hub."""
    allocate: Callable[[], threading.Lock] = monkey.get_original("_thread", "allocate_lock")
    return allocate()


def native_rlock() -> threading.RLock:
    """A re-entrant OS lock (see :func:`native_lock`), e.g. for a logging handler."""
    make: Callable[[], threading.RLock] = monkey.get_original("_thread", "RLock")
    return make()


def run_blocking(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``fn(*args, **kwargs)`` on the hub's native thread pool and wait cooperatively.

    The calling greenlet yields while the pool thread works; exceptions propagate.
    """
    pool = gevent.get_hub().threadpool

    # gevent's pool prints a traceback to stderr for every exception a task raises, before
    # handing it to the caller: catch it in the thread and raise it here, once, so an
    # expected error (a ConfigError at start) is the caller's to report.
    def call() -> tuple[bool, T | BaseException]:
        try:
            return True, fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller below
            return False, exc

    ok, value = pool.apply(call)
    if ok:
        return value  # type: ignore[no-any-return]
    assert isinstance(value, BaseException)
    raise value
