"""The node: start everything in dependency order, run until told to stop, stop in reverse.

Start-up (:meth:`Node.start`) and shutdown (:meth:`Node.stop`) are each one straight-line
function that logs how long each step took. Exit codes: 0 after a graceful stop
(SIGTERM/SIGINT), 70 when the root supervisor gave up, so systemd, supervisord or
Kubernetes restarts the process; 1 when a drain overran its deadline and was cut short.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import gevent
import gevent.event
import pykka

from mediator_actors.config import Settings
from mediator_actors.runtime.datadir import DataDirLock
from mediator_actors.store import Migration, Store
from supervisors import (
    ChildSpec,
    Ping,
    RoleRegistry,
    StatusBoard,
    Supervisor,
    SupervisorPolicy,
)

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_DRAIN_TIMEOUT = 1
EXIT_SUPERVISOR_GAVE_UP = 70

#: Seconds from SIGTERM to the process being gone, whatever state it is in (Kubernetes
#: waits 30 s before SIGKILL).
DRAIN_TIMEOUT = 25.0

R = TypeVar("R")


class Readiness:
    """The node-level facts readiness depends on. The health reporter copies them into its
    snapshot; ``health.report.readiness`` judges them together with every actor's state.
    Watchers run at once on every change, so a probe can turn 503 without waiting for the
    reporter's next round."""

    def __init__(self) -> None:
        self.started = False
        self.draining = False
        self.gave_up: str | None = None
        self._watchers: list[Callable[[Readiness], None]] = []

    def watch(self, fn: Callable[[Readiness], None]) -> None:
        self._watchers.append(fn)

    def mark_started(self) -> None:
        self.started = True
        self._changed()

    def begin_drain(self) -> None:
        if not self.draining:
            self.draining = True
            self._changed()

    def mark_gave_up(self, reason: str) -> None:
        self.gave_up = reason
        self._changed()

    def _changed(self) -> None:
        for fn in self._watchers:
            try:
                fn(self)
            except Exception:  # a watcher must never stop a drain
                logger.warning("readiness watcher failed", exc_info=True)


class Closers:
    """What start-up built outside the tree (servers, clients, the dev chain), each with
    its stop function; closed in reverse order after the tree has stopped."""

    def __init__(self) -> None:
        self._items: list[tuple[str, Callable[[], None]]] = []

    def add(self, name: str, close: Callable[[], None]) -> None:
        self._items.append((name, close))

    def names(self) -> list[str]:
        return [name for name, _ in self._items]

    def close_all(self) -> None:
        while self._items:
            name, close = self._items.pop()
            try:
                close()
            except Exception:
                logger.warning("stopped: %s failed to close", name, exc_info=True)


@dataclass(frozen=True, slots=True)
class Foundation:
    """What every node has before its own parts are built; handed to ``prepare``."""

    settings: Settings
    store: Store
    registry: RoleRegistry
    board: StatusBoard
    readiness: Readiness
    closers: Closers
    started_at: float = field(default_factory=time.time)


class _Steps:
    """Times consecutive steps for one summary log line."""

    def __init__(self) -> None:
        self.began = self._last = time.monotonic()
        self.parts: list[str] = []

    def done(self, name: str) -> None:
        now = time.monotonic()
        self.parts.append(f"{name} {now - self._last:.2f}s")
        self._last = now

    def total(self) -> float:
        return time.monotonic() - self.began


class Node(Generic[R]):
    """Owns the DATA_DIR lock, the store, the supervision tree and whatever ``prepare``
    builds (a runtime value ``R``) for one run of ``mediator-node start``."""

    def __init__(
        self,
        settings: Settings,
        *,
        migrations: Iterable[Migration],
        prepare: Callable[[Foundation], R],
        build_children: Callable[[R], list[ChildSpec]],
        policy: SupervisorPolicy | None = None,
        drain_timeout: float = DRAIN_TIMEOUT,
    ) -> None:
        self.settings = settings
        self._migrations = list(migrations)
        self._prepare = prepare
        self._build_children = build_children
        self._policy = policy or SupervisorPolicy()
        self.drain_timeout = drain_timeout
        self.readiness = Readiness()
        self.board = StatusBoard()
        self.registry = RoleRegistry()
        self.closers = Closers()
        self.foundation: Foundation | None = None
        self.runtime: R | None = None
        self._lock: DataDirLock | None = None
        self._root: pykka.ActorRef[Supervisor] | None = None
        self._stop_requested = gevent.event.Event()
        self._exit_code = EXIT_OK
        self._signal_watchers: list[Any] = []
        #: Only ``run`` (the real process) arms the watchdog: it may end the process.
        self._armed = False
        self._watchdog_started = False
        #: The code the watchdog exits with if the interpreter does not finish by itself.
        self._final_code: int | None = None
        #: Set when the tree outlived ``drain_timeout``: the stop path's own timeout and the
        #: watchdog race each other, and either way the drain did not finish in time.
        self._drain_overran = False

    # ---- start ---------------------------------------------------------------------------

    def start(self) -> R:
        """Lock DATA_DIR, open the store, build the node's parts, start the tree; returns
        the runtime value once every child answered its first ping. On failure whatever
        was started stays registered for :meth:`stop`."""
        steps = _Steps()
        self._lock = DataDirLock.acquire(self.settings.data_dir)
        steps.done("lock")
        store = Store.open(self.settings.data_dir, migrations=self._migrations)
        self.closers.add("store", store.close)
        steps.done("store")
        foundation = Foundation(
            self.settings, store, self.registry, self.board, self.readiness, self.closers
        )
        self.foundation = foundation
        runtime = self._prepare(foundation)  # servers and the dev chain: probes answer now
        self.runtime = runtime
        steps.done("prepare")
        children = self._build_children(runtime)
        steps.done("children")
        self._root = Supervisor.start(
            name="root",
            children=children,
            policy=self._policy,
            registry=self.registry,
            board=self.board,
            on_give_up=self._root_gave_up,
        )
        self._root.ask(Ping(), timeout=max((c.start_timeout for c in children), default=30) * 2)
        steps.done("tree")
        self.readiness.mark_started()
        logger.info(
            "started: node with %d children in %.2fs (%s)",
            len(children),
            steps.total(),
            ", ".join(steps.parts),
        )
        return runtime

    # ---- run -----------------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        # gevent cancels a signal watcher that is garbage collected: keep them.
        self._signal_watchers = [
            gevent.signal_handler(signum, self.request_stop, signum)
            for signum in (signal.SIGTERM, signal.SIGINT)
        ]

    def request_stop(self, signum: int | None = None) -> None:
        """Begin the drain: readiness turns unready at once, intake stops, the main
        greenlet stops the tree; the watchdog ends the process if that overruns."""
        self._start_watchdog()
        self.readiness.begin_drain()
        self._stop_requested.set()
        if signum is not None:
            logger.info("stopping: received %s, draining", signal.Signals(signum).name)

    def wait(self) -> int:
        """Block until a stop is requested or the root gives up; return the exit code."""
        self._stop_requested.wait()
        return self._exit_code

    def _root_gave_up(self, reason: str) -> None:
        self._exit_code = EXIT_SUPERVISOR_GAVE_UP
        self.readiness.mark_gave_up(reason)
        self._stop_requested.set()

    def _start_watchdog(self) -> None:
        """An OS thread, outside gevent, that ends the process ``drain_timeout`` seconds
        from now if it is still alive: a hung actor, a blocked hub or an interpreter that
        does not exit can delay a stop, never prevent it."""
        if self._watchdog_started or not self._armed:
            return
        self._watchdog_started = True
        from gevent import monkey

        start_thread = monkey.get_original("_thread", "start_new_thread")
        real_sleep = monkey.get_original("time", "sleep")
        deadline = self.drain_timeout

        def watch() -> None:
            real_sleep(deadline)
            code = self._final_code
            if code is None:
                message = f"stopped: drain did not finish within {deadline:g}s; exiting\n"
                code = EXIT_DRAIN_TIMEOUT
                # os.write: no lock the hung hub could hold, and a closed stderr is ignored.
                with contextlib.suppress(OSError):
                    os.write(2, message.encode())
            os._exit(code)

        start_thread(watch, ())

    # ---- stop ----------------------------------------------------------------------------

    def stop(self) -> None:
        """Drain: stop the tree (children in reverse start order within their shutdown
        timeouts), close what start-up built in reverse, release DATA_DIR."""
        steps = _Steps()
        self._start_watchdog()
        self.readiness.begin_drain()
        if self._root is not None and self._root.is_alive():
            try:
                self._root.stop(timeout=self.drain_timeout)
            except pykka.Timeout:
                self._drain_overran = True
                logger.warning(
                    "stopped: the supervision tree did not stop within %gs", self.drain_timeout
                )
        steps.done("tree")
        self.closers.close_all()
        steps.done("closers")
        leftovers = pykka.ActorRegistry.get_all()
        if leftovers:
            logger.warning(
                "stopped: %d actors still alive after shutdown: %s",
                len(leftovers),
                ", ".join(ref.actor_class.__name__ for ref in leftovers),
            )
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        logger.info("stopped: node in %.2fs (%s)", steps.total(), ", ".join(steps.parts))

    def run(self) -> int:
        """Start, wait for SIGTERM/SIGINT (or the root giving up), drain and stop."""
        self._armed = True
        self.install_signal_handlers()
        try:
            self.start()
            code = self.wait()
        finally:
            self.stop()
        if self._drain_overran and code == 0:
            # The same exit as the watchdog's, whichever of the two noticed first (under
            # load the watchdog's thread can wake after the tree's own timeout).
            code = EXIT_DRAIN_TIMEOUT
            with contextlib.suppress(OSError):
                os.write(
                    2, f"stopped: drain did not finish within {self.drain_timeout:g}s\n".encode()
                )
        self._final_code = code
        return code
