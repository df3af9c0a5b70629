"""Observable child states: one enum, one guarded transition table, one board every
supervisor writes and anyone reads."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
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


class IllegalTransition(Exception):  # noqa: N818 - it names the event, like the table's rows
    """A supervisor tried to move a child between two states the table does not allow."""

    def __init__(self, path: str, old: ChildState, new: ChildState, reason: str) -> None:
        self.path, self.old, self.new, self.reason = path, old, new, reason
        super().__init__(f"{path} cannot go {old} -> {new} ({reason})")


def check_transition(path: str, old: ChildState, new: ChildState, reason: str) -> None:
    """Raise :class:`IllegalTransition` unless ``old -> new`` is in :data:`TRANSITIONS`
    (staying in the same state is always allowed)."""
    if new is not old and new not in TRANSITIONS[old]:
        raise IllegalTransition(path, old, new, reason)


@dataclass(frozen=True, slots=True)
class ChildStatus:
    """What the health reporter shows for one child."""

    path: str  # "root/negotiators/worker-1"
    state: ChildState
    restarts: int
    last_error: str | None  # the class name of the last failure
    since: float  # monotonic time of the last state change
    required_for_readiness: bool = True
    #: Why it entered this state ("started", "failed: RuntimeError", "shutdown", ...).
    reason: str = ""
    #: Wall-clock time (epoch seconds) of the last state change.
    at: float = 0.0


class StatusBoard:
    """The latest :class:`ChildStatus` of every child in a tree, and the last ``keep``
    changes of each. Thread-safe; readers never wait on an actor."""

    def __init__(
        self, on_change: Callable[[ChildStatus], None] | None = None, *, keep: int = 32
    ) -> None:
        self._lock = threading.Lock()
        self._statuses: dict[str, ChildStatus] = {}
        self._history: dict[str, deque[ChildStatus]] = {}
        self._keep = keep
        self._on_change = on_change

    def update(self, status: ChildStatus) -> None:
        if not status.at:
            status = replace(status, at=time.time())
        with self._lock:
            self._statuses[status.path] = status
            self._history.setdefault(status.path, deque(maxlen=self._keep)).append(status)
        if self._on_change is not None:
            self._on_change(status)

    def snapshot(self) -> tuple[ChildStatus, ...]:
        with self._lock:
            return tuple(self._statuses[path] for path in sorted(self._statuses))

    def get(self, path: str) -> ChildStatus | None:
        with self._lock:
            return self._statuses.get(path)

    def history(self, path: str) -> tuple[ChildStatus, ...]:
        """The last changes of one child, oldest first, each with its reason and time."""
        with self._lock:
            return tuple(self._history.get(path, ()))
