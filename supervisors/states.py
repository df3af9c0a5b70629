"""Observable child states: one enum, one board every supervisor writes and anyone reads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class ChildState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    BACKOFF = "backoff"  # failed; waiting to be restarted
    STOPPING = "stopping"
    STOPPED = "stopped"  # exited and not coming back (temporary, transient, or shut down)
    FATAL = "fatal"  # its supervisor gave up


#: States a child may move to from each state; anything else is a bug in the supervisor.
TRANSITIONS: dict[ChildState, frozenset[ChildState]] = {
    ChildState.STOPPED: frozenset({ChildState.STARTING}),
    ChildState.STARTING: frozenset(
        {
            ChildState.RUNNING,
            ChildState.BACKOFF,
            ChildState.STOPPING,
            ChildState.STOPPED,
            ChildState.FATAL,
        }
    ),
    ChildState.RUNNING: frozenset(
        {ChildState.BACKOFF, ChildState.STOPPING, ChildState.STOPPED, ChildState.FATAL}
    ),
    ChildState.BACKOFF: frozenset(
        {ChildState.STARTING, ChildState.STOPPING, ChildState.STOPPED, ChildState.FATAL}
    ),
    ChildState.STOPPING: frozenset({ChildState.STOPPED, ChildState.BACKOFF, ChildState.FATAL}),
    ChildState.FATAL: frozenset({ChildState.STARTING, ChildState.STOPPED}),
}


@dataclass(frozen=True, slots=True)
class ChildStatus:
    """What the health reporter shows for one child."""

    path: str  # "root/negotiators/worker-1"
    state: ChildState
    restarts: int
    last_error: str | None  # the class name of the last failure
    since: float  # monotonic time of the last state change
    required_for_readiness: bool = True


class StatusBoard:
    """The latest :class:`ChildStatus` of every child in a tree. Thread-safe; readers never
    wait on an actor."""

    def __init__(self, on_change: Callable[[ChildStatus], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._statuses: dict[str, ChildStatus] = {}
        self._on_change = on_change

    def update(self, status: ChildStatus) -> None:
        with self._lock:
            self._statuses[status.path] = status
        if self._on_change is not None:
            self._on_change(status)

    def snapshot(self) -> tuple[ChildStatus, ...]:
        with self._lock:
            return tuple(self._statuses[path] for path in sorted(self._statuses))

    def get(self, path: str) -> ChildStatus | None:
        with self._lock:
            return self._statuses.get(path)
