"""The node: start everything in dependency order, run until told to stop, stop in reverse.

Start-up and shutdown are each one straight-line function with their timings logged.
Exit codes: 0 after a graceful stop (SIGTERM/SIGINT), 70 when the root supervisor gave up,
so systemd, supervisord or Kubernetes restarts the process.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import gevent
import gevent.event
import pykka

from mediator_actors.config import Settings
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
EXIT_SUPERVISOR_GAVE_UP = 70


@dataclass
class NodeContext:
    """What the actors are built from; handed to ``build_children``."""

    settings: Settings
    store: Store
    registry: RoleRegistry
    board: StatusBoard
    started_at: float = field(default_factory=time.time)
    #: Things built during start-up that stop in reverse order after the tree (servers, the
    #: embedded dev chain), each a zero-argument stop function.
    closers: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class Readiness:
    """The node-level facts readiness depends on. The health reporter copies them into its
    snapshot; ``health.report.readiness`` judges them together with every actor's state."""

    started: bool = False
    draining: bool = False
    gave_up: str | None = None


class Node:
    """Owns the store, the supervision tree and the edge for one run of ``mediator-node start``."""

    def __init__(
        self,
        settings: Settings,
        *,
        migrations: Iterable[Migration],
        build_children: Callable[[NodeContext], list[ChildSpec]],
        prepare: Callable[[NodeContext], None] | None = None,
        policy: SupervisorPolicy | None = None,
    ) -> None:
        self.settings = settings
        self._migrations = list(migrations)
        self._build_children = build_children
        self._prepare = prepare
        self._policy = policy or SupervisorPolicy()
        self.readiness = Readiness()
        self.board = StatusBoard()
        self.registry = RoleRegistry()
        self.context: NodeContext | None = None
        self._root: pykka.ActorRef[Supervisor] | None = None
        self._stop_requested = gevent.event.Event()
        self._exit_code = EXIT_OK
        self._signal_watchers: list[Any] = []

    # ---- start ---------------------------------------------------------------------------

    def start(self) -> NodeContext:
        began = time.monotonic()
        store = Store.open(self.settings.data_dir, migrations=self._migrations)
        context = NodeContext(self.settings, store, self.registry, self.board)
        context.extras["readiness"] = self.readiness
        self.context = context
        if self._prepare is not None:
            self._prepare(context)  # servers and the dev chain: probes answer from here on
        children = self._build_children(context)
        self._root = Supervisor.start(
            name="root",
            children=children,
            policy=self._policy,
            registry=self.registry,
            board=self.board,
            on_give_up=self._root_gave_up,
        )
        self._root.ask(Ping(), timeout=max((c.start_timeout for c in children), default=30) * 2)
        self.readiness.started = True
        logger.info(
            "started: node with %d children in %.2fs", len(children), time.monotonic() - began
        )
        return context

    # ---- run -----------------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        # gevent cancels a signal watcher that is garbage collected: keep them.
        self._signal_watchers = [
            gevent.signal_handler(signum, self.request_stop, signum)
            for signum in (signal.SIGTERM, signal.SIGINT)
        ]

    def request_stop(self, signum: int | None = None) -> None:
        if signum is not None:
            logger.info("stopping: received %s, draining", signal.Signals(signum).name)
        self.readiness.draining = True
        self._stop_requested.set()

    def wait(self) -> int:
        """Block until a stop is requested or the root gives up; return the exit code."""
        self._stop_requested.wait()
        return self._exit_code

    def _root_gave_up(self, reason: str) -> None:
        self.readiness.gave_up = reason
        self._exit_code = EXIT_SUPERVISOR_GAVE_UP
        self._stop_requested.set()

    # ---- stop ----------------------------------------------------------------------------

    def stop(self) -> None:
        began = time.monotonic()
        self.readiness.draining = True
        if self._root is not None and self._root.is_alive():
            try:
                self._root.stop(timeout=120)
            except pykka.Timeout:
                logger.error("stopped: the supervision tree did not stop within 120s")
        context = self.context
        if context is not None:
            for name, close in reversed(context.closers):
                try:
                    close()
                except Exception:
                    logger.exception("stopped: %s failed to close", name)
            context.store.close()
        leftovers = pykka.ActorRegistry.get_all()
        if leftovers:
            logger.error(
                "stopped: %d actors still alive after shutdown: %s",
                len(leftovers),
                ", ".join(ref.actor_class.__name__ for ref in leftovers),
            )
        logger.info("stopped: node in %.2fs", time.monotonic() - began)

    def run(self) -> int:
        """Start, wait for SIGTERM/SIGINT (or the root giving up), drain and stop."""
        self.install_signal_handlers()
        try:
            self.start()
            code = self.wait()
        finally:
            self.stop()
        return code
