"""A supervised actor that does one round of work on a timer, or sooner when woken."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

import gevent
import gevent.event
import pykka

from mediator_actors.actors.messages import Tick
from supervisors import Link, SupervisedActor

logger = logging.getLogger(__name__)


class PeriodicActor(SupervisedActor):
    """Calls :meth:`round` every ``interval`` seconds and whenever it receives ``Tick``.

    Ticks coalesce: while one waits in the mailbox, more are not queued. ``round`` returns
    the delay until the next round, or None for the regular interval (0 means "more work is
    ready: go again at once"). Subclasses handle other messages in :meth:`receive`. While
    ``paused()`` is true, ticks are dropped.
    """

    def __init__(
        self, link: Link | None, *, interval: float, paused: Callable[[], bool] = lambda: False
    ) -> None:
        super().__init__(link)
        self.interval = interval
        #: While true no round runs: intake and new work stop the moment a drain begins,
        #: before the supervisor gets to this actor.
        self._paused = paused
        self._timer: gevent.Greenlet | None = None
        self._tick_queued = False
        self._next = gevent.event.Event()
        self._delay = 0.0

    def prepare(self) -> None:
        """Recover durable work before the first round (runs in ``starting``)."""

    def round(self) -> float | None:
        raise NotImplementedError

    def receive(self, message: Any) -> Any:
        return super().handle(message)

    def wake(self) -> None:
        """Ask for a round soon (safe from any greenlet)."""
        if not self._tick_queued:
            self._tick_queued = True
            with contextlib.suppress(pykka.ActorDeadError):
                self.actor_ref.tell(Tick())

    def starting(self) -> None:
        self.prepare()
        self._timer = gevent.spawn(self._run_timer)
        self.wake()

    def stopping(self) -> None:
        if self._timer is not None:
            self._timer.kill(block=False)

    def handle(self, message: Any) -> Any:
        if isinstance(message, Tick):
            self._tick_queued = False
            if self._paused():
                return None
            delay = self.round()
            self._delay = self.interval if delay is None else max(0.0, delay)
            self._next.set()
            return None
        return self.receive(message)

    def _run_timer(self) -> None:
        # A failed actor gets no stopping() call, so the timer also ends when the actor is gone.
        while self.actor_ref.is_alive():
            self._next.wait(timeout=self.interval)
            self._next.clear()
            if self._delay > 0:
                gevent.sleep(self._delay)
            self.wake()
