"""Run blocking or native work off the gevent hub.

Every ThreadingActor is a greenlet on the one hub thread (field notes), so a CPU-bound or
native call made inline freezes every actor and the health probes with them. Anything heavy
(hnswlib, numpy, embedding inference, large JSON, SQLite commits) goes through here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

import gevent

P = ParamSpec("P")
T = TypeVar("T")


def run_blocking(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``fn(*args, **kwargs)`` on the hub's native thread pool and wait cooperatively.

    The calling greenlet yields while the pool thread works; exceptions propagate.
    """
    pool = gevent.get_hub().threadpool
    return pool.apply(fn, args, kwargs)  # type: ignore[no-any-return]
