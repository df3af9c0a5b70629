"""Waiting in tests: on a condition, with a deadline, never for a fixed time.

A fixed sleep is either too short on a loaded machine (a flake) or too long everywhere (a slow
suite). ``wait_until`` checks the condition between short cooperative yields and fails with
what it was waiting for once the deadline passes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import gevent

#: Generous: the deadline only matters when something is broken, and CI machines are busy.
DEFAULT_TIMEOUT = 30.0


def wait_until(
    condition: Callable[[], object],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    what: str = "condition",
    poll: float = 0.01,
) -> None:
    """Return once ``condition()`` is truthy; AssertionError naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout:g} s")
        gevent.sleep(poll)
