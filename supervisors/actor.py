"""The child side of supervision: an actor that reports how it exits and never takes others down.

Pykka alone has two behaviours a supervisor cannot live with (field notes):

- a ``BaseException`` (``gevent.Timeout``, ``GreenletExit``, ``SystemExit``) in any actor
  stops *every* actor in the process;
- ``on_start`` raising stops the actor without calling ``on_failure``.

:class:`SupervisedActor` turns every ``BaseException`` raised while handling a message into
an ordinary failure of this actor alone, and reports each exit (normal, failed, failed to
start) to its supervisor through its :class:`Link`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, final

import gevent
import pykka

logger = logging.getLogger(__name__)


class ChildFailure(Exception):  # noqa: N818 - it names what happened to the child
    """A ``BaseException`` (or a failed ``on_start``) contained as this actor's own failure."""

    def __init__(self, cause: BaseException) -> None:
        self.cause = cause
        super().__init__(f"{type(cause).__name__}: {cause}")


class HangDetected(Exception):  # noqa: N818
    """The supervisor killed a child that stopped answering its heartbeat."""


class Killed(BaseException):
    """Thrown into a hung child's greenlet by its supervisor."""


@dataclass(frozen=True, slots=True)
class Ping:
    """Asked by supervisors: answered once ``on_start`` has finished, while the actor is live."""


@dataclass(frozen=True, slots=True)
class Exited:
    """What a child reports about its own end. ``error`` is None for a normal stop."""

    name: str
    incarnation: int
    error: BaseException | None


class Link:
    """The connection between one incarnation of a child and its supervisor."""

    def __init__(self, name: str, incarnation: int, report: Callable[[Exited], None]) -> None:
        self.name = name
        self.incarnation = incarnation
        self._report = report
        self.exited: Exited | None = None
        self.greenlet: gevent.Greenlet | None = None

    def report_exit(self, error: BaseException | None) -> None:
        """Tell the supervisor this incarnation ended. Only the first report counts."""
        if self.exited is not None:
            return
        self.exited = Exited(self.name, self.incarnation, error)
        self._report(self.exited)

    def kill(self) -> None:
        """Throw :class:`Killed` into the child's greenlet (used for hung children)."""
        greenlet = self.greenlet
        if greenlet is not None and not greenlet.dead:
            # gevent.kill schedules the throw; greenlet.throw would switch into the child now
            # and never come back to the caller's greenlet.
            gevent.kill(greenlet, Killed("hung: killed by its supervisor"))


class SupervisedActor(pykka.ThreadingActor):
    """Base class of every supervised actor.

    Subclasses override :meth:`starting` (I/O starts here, not in ``__init__``),
    :meth:`stopping` and :meth:`handle` (one typed message at a time). Talk to supervised
    actors with ``tell``/``ask`` of typed messages; the hooks run in the actor's greenlet.

    - an exception from ``handle`` during a ``tell`` fails this actor (its supervisor decides
      what happens next); during an ``ask`` it fails only that caller's future;
    - a ``BaseException`` is contained the same way instead of stopping every actor;
    - ``starting`` raising is a failure like any other, reported to the supervisor.
    """

    def __init__(self, link: Link | None = None) -> None:
        super().__init__()
        self.link = link

    # ---- hooks for subclasses -------------------------------------------------------------

    def starting(self) -> None:
        """Acquire resources and start work. Raising counts as a failure to start."""

    def stopping(self) -> None:
        """Release resources on a normal stop. Not called after a failure."""

    def handle(self, message: Any) -> Any:
        """Handle one message; the return value answers an ``ask``."""
        raise TypeError(f"{type(self).__name__} does not handle {type(message).__name__}")

    # ---- Pykka hooks: final, they implement the guarantees above -----------------------------

    @final
    def on_start(self) -> None:
        if self.link is not None:
            self.link.greenlet = gevent.getcurrent()
        try:
            self.starting()
        except BaseException as exc:
            # Pykka stops the actor without on_failure here, so report ourselves.
            if self.link is not None:
                self.link.report_exit(exc)
            raise ChildFailure(exc) from exc

    @final
    def on_stop(self) -> None:
        try:
            self.stopping()
        except BaseException as exc:
            if self.link is not None:
                self.link.report_exit(exc)
            raise ChildFailure(exc) from exc
        if self.link is not None:
            self.link.report_exit(None)

    @final
    def on_failure(
        self,
        exception_type: type[BaseException] | None,
        exception_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.link is not None:
            error = exception_value
            if isinstance(error, ChildFailure):
                error = error.cause
            self.link.report_exit(error or RuntimeError("unknown failure"))

    @final
    def on_receive(self, message: Any) -> Any:
        if isinstance(message, Ping):
            return True
        return self.handle(message)

    # Pykka routes every message (tell, ask and proxy calls) through _handle_receive, so it is
    # the one place to contain BaseException; pinned to pykka 4.x (tests/supervisors cover it).
    def _handle_receive(self, message: Any) -> Any:
        try:
            return super()._handle_receive(message)
        except Exception:
            raise
        except BaseException as exc:
            raise ChildFailure(exc) from exc
