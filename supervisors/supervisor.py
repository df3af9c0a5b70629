"""A Pykka supervisor with Erlang/OTP semantics, plus back-off and hang detection.

A supervisor is itself a :class:`SupervisedActor`, so supervisors nest: a worker pool is a
sub-supervisor. When a child exits, the supervisor (in its own greenlet, one message at a
time) decides by the child's restart type and the strategy which children restart, waits a
jittered exponential back-off, and starts them again in order. More than
``intensity.max_restarts`` restarts within ``intensity.within_seconds`` makes it give up:
it stops its children and fails itself, so its parent decides; the root calls ``on_give_up``.

Log lines start with a fixed word so they can be grepped: ``started:``, ``exited:``,
``hung:``, ``restarting:``, ``stopped:``, ``gave up:``.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import gevent
import pykka

from supervisors.actor import Exited, HangDetected, Link, Ping, SupervisedActor
from supervisors.registry import RoleRegistry
from supervisors.spec import ChildSpec, Restart, Strategy, SupervisorPolicy
from supervisors.states import ChildState, ChildStatus, StatusBoard, check_transition

logger = logging.getLogger(__name__)


class GaveUp(Exception):  # noqa: N818 - names the event, like Erlang's "shutdown"
    """A supervisor exceeded its restart intensity and stopped its children."""


class Timer(Protocol):
    """Time and delayed calls, injected so tests control back-off precisely."""

    def now(self) -> float: ...

    def call_later(self, delay: float, fn: Callable[[], None]) -> Callable[[], None]:
        """Run ``fn`` after ``delay`` seconds; return a function that cancels it."""
        ...


class GeventTimer:
    def now(self) -> float:
        return time.monotonic()

    def call_later(self, delay: float, fn: Callable[[], None]) -> Callable[[], None]:
        greenlet = gevent.spawn_later(delay, fn)
        return lambda: greenlet.kill(block=False)


@dataclass(frozen=True, slots=True)
class GetStatuses:
    """Ask a supervisor for the statuses of its subtree."""


@dataclass(frozen=True, slots=True)
class _RestartDue:
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Hung:
    name: str
    incarnation: int
    timeout: float


@dataclass(slots=True)
class _Child:
    """The supervisor's own record of one child; only the supervisor's greenlet touches it."""

    spec: ChildSpec
    state: ChildState = ChildState.STOPPED
    ref: pykka.ActorRef[Any] | None = None
    link: Link | None = None
    incarnation: int = 0
    restarts: int = 0
    consecutive_failures: int = 0
    last_error: str | None = None
    started_at: float | None = None
    since: float = field(default_factory=time.monotonic)


class Supervisor(SupervisedActor):
    """Starts ``children`` in order and keeps them running by ``policy``."""

    def __init__(
        self,
        link: Link | None = None,
        *,
        name: str,
        children: Sequence[ChildSpec],
        policy: SupervisorPolicy | None = None,
        registry: RoleRegistry | None = None,
        board: StatusBoard | None = None,
        timer: Timer | None = None,
        rng: random.Random | None = None,
        on_give_up: Callable[[str], None] | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(link)
        names = [spec.name for spec in children]
        if len(set(names)) != len(names):
            raise ValueError(f"child names must be unique in supervisor {name}: {names}")
        self.name = name
        self.path = path or name
        self.policy = policy or SupervisorPolicy()
        self.registry = registry or RoleRegistry()
        self.board = board or StatusBoard()
        self._timer: Timer = timer or GeventTimer()
        self._rng = rng or random.Random()
        self._on_give_up = on_give_up
        self._children = {spec.name: _Child(spec) for spec in children}
        self._restart_times: deque[float] = deque()
        self._pending_restarts: list[Callable[[], None]] = []
        self._heartbeat: gevent.Greenlet | None = None
        self._probing: set[str] = set()
        self.gave_up = False

    @classmethod
    def spec(
        cls,
        name: str,
        *,
        parent_path: str,
        children: Sequence[ChildSpec],
        policy: SupervisorPolicy | None = None,
        registry: RoleRegistry,
        board: StatusBoard,
        timer: Timer | None = None,
        shutdown_timeout: float | None = None,
    ) -> ChildSpec:
        """A :class:`ChildSpec` that runs a nested supervisor (e.g. a worker pool).

        Its timeouts follow from its children's: it may take their shutdown timeouts, all of
        them (the longest one when it stops them in parallel), to stop; and while it restarts a group it stops and starts every child in turn
        without answering pings, so its heartbeat allows for that too."""
        path = f"{parent_path}/{name}"
        chosen = policy or SupervisorPolicy()
        timeouts = [child.shutdown_timeout for child in children]
        stop_all = max(timeouts, default=0.0) if chosen.parallel_shutdown else sum(timeouts)
        restart_all = stop_all + sum(child.start_timeout for child in children)
        interval = chosen.heartbeat_interval
        return ChildSpec(
            name=name,
            start=lambda link: cls.start(
                link,
                name=name,
                path=path,
                children=children,
                policy=policy,
                registry=registry,
                board=board,
                timer=timer,
            ),
            shutdown_timeout=stop_all + 5.0 if shutdown_timeout is None else shutdown_timeout,
            heartbeat_timeout=restart_all + interval * 4,
        )

    # ---- lifecycle --------------------------------------------------------------------------

    def starting(self) -> None:
        for child in self._children.values():
            if not self._start_child(child):
                break  # a failure scheduled its own restart, with the children after it
        self._heartbeat = gevent.spawn(self._heartbeat_loop)

    def stopping(self) -> None:
        self._stop_everything(ChildState.STOPPED, "shutdown")

    def handle(self, message: Any) -> Any:
        if isinstance(message, Exited):
            self._on_exited(message)
        elif isinstance(message, _RestartDue):
            self._on_restart_due(message.names)
        elif isinstance(message, _Hung):
            self._on_hung(message)
        elif isinstance(message, GetStatuses):
            return tuple(s for s in self.board.snapshot() if s.path.startswith(self.path + "/"))
        else:
            return super().handle(message)
        return None

    # ---- the one place a child's state changes ----------------------------------------------

    def _change_state(self, child: _Child, new: ChildState, reason: str) -> None:
        """Move ``child`` to ``new`` and publish it with ``reason``; a move the table does
        not allow raises :class:`IllegalTransition`, which fails this supervisor."""
        path = f"{self.path}/{child.spec.name}"
        check_transition(path, child.state, new, reason)
        child.state = new
        child.since = self._timer.now()
        self.board.update(
            ChildStatus(
                path=path,
                state=new,
                restarts=child.restarts,
                last_error=child.last_error,
                since=child.since,
                required_for_readiness=child.spec.required_for_readiness,
                reason=reason,
            )
        )

    # ---- starting and stopping children -----------------------------------------------------

    def _start_child(self, child: _Child) -> bool:
        """Start one child and wait for its ``on_start``; False if it failed (and is handled)."""
        child.incarnation += 1
        link = Link(child.spec.name, child.incarnation, self._report)
        child.link = link
        self._change_state(
            child, ChildState.STARTING, "start" if child.incarnation == 1 else "restart"
        )
        try:
            ref = child.spec.start(link)
            child.ref = ref
            ref.ask(Ping(), timeout=child.spec.start_timeout)
        except Exception as exc:  # noqa: BLE001 - any failure to start is the child's failure
            if isinstance(exc, pykka.Timeout):
                link.kill()
            # A child that died in on_start reported its real cause before the ping failed.
            cause = link.exited.error if link.exited is not None else exc
            self._child_failed(child, cause or exc)
            return False
        child.started_at = self._timer.now()
        self.registry.register(child.spec.name, ref)
        self._change_state(child, ChildState.RUNNING, "started")
        # A first start is routine (the node's one ``started: node`` line says it); a
        # restart is news an operator may act on.
        logger.log(
            logging.INFO if child.incarnation > 1 else logging.DEBUG,
            "started: %s/%s (incarnation %d)",
            self.path,
            child.spec.name,
            child.incarnation,
        )
        return True

    def _stop_child(self, child: _Child, then: ChildState, reason: str) -> None:
        """Stop a child gracefully within its shutdown timeout, else kill its greenlet."""
        self._stop_children([child], then, reason)

    def _stop_children(self, children: Sequence[_Child], then: ChildState, reason: str) -> None:
        """Ask every child in ``children`` to stop at once, then wait for each within its own
        shutdown timeout (counted from the ask) and kill those that did not stop."""
        asked: list[tuple[_Child, pykka.ActorRef[Any], Any]] = []
        began = self._timer.now()
        for child in children:
            if child.state in (ChildState.RUNNING, ChildState.STARTING):
                self._change_state(child, ChildState.STOPPING, reason)
            ref = child.ref
            future = None
            if ref is not None and ref.is_alive():
                with contextlib.suppress(pykka.ActorDeadError):
                    future = ref.stop(block=False)
            if ref is not None:
                asked.append((child, ref, future))
        for child, ref, future in asked:
            if future is not None:
                remaining = child.spec.shutdown_timeout - (self._timer.now() - began)
                try:
                    future.get(timeout=max(0.0, remaining))
                except pykka.Timeout:
                    logger.warning(
                        "stopped: %s/%s did not stop within %.1fs; killed",
                        self.path,
                        child.spec.name,
                        child.spec.shutdown_timeout,
                    )
                    if child.link is not None:
                        child.link.kill()
                except pykka.ActorDeadError:
                    pass
            self.registry.unregister(child.spec.name, ref)
        for child in children:
            child.ref = None
            if child.state is not then:
                self._change_state(child, then, reason)

    def _stop_everything(
        self, final_state: ChildState, reason: str, *, keep: _Child | None = None
    ) -> None:
        """Stop every child but ``keep``: in reverse start order, one at a time, or all at
        once when the policy says its children are independent (a worker pool)."""
        if self._heartbeat is not None:
            self._heartbeat.kill(block=False)
        for cancel in self._pending_restarts:
            cancel()
        self._pending_restarts.clear()
        order = [
            c
            for c in reversed(list(self._children.values()))  # reverse start order
            if c is not keep and c.state is not final_state
        ]
        if self.policy.parallel_shutdown:
            self._stop_children(order, final_state, reason)
        else:
            for child in order:
                self._stop_child(child, final_state, reason)
        logger.info("stopped: %s and its %d children", self.path, len(self._children))

    # ---- failures ----------------------------------------------------------------------------

    def _report(self, exited: Exited) -> None:
        # Runs in the child's greenlet: only send a message, never touch supervisor state.
        self._tell_self(exited)

    def _on_exited(self, message: Exited) -> None:
        child = self._children.get(message.name)
        if child is None or message.incarnation != child.incarnation:
            return  # an earlier incarnation, already handled
        if child.state not in (ChildState.RUNNING, ChildState.STARTING):
            return  # we stopped it ourselves, or its failure was handled already
        if child.ref is not None:
            self.registry.unregister(child.spec.name, child.ref)
        restart = child.spec.restart
        if restart is Restart.TEMPORARY or (restart is Restart.TRANSIENT and message.error is None):
            child.last_error = None if message.error is None else type(message.error).__name__
            logger.info(
                "exited: %s/%s (%s); not restarted (%s)",
                self.path,
                child.spec.name,
                _describe(message.error),
                restart.value,
            )
            self._change_state(child, ChildState.STOPPED, f"exited: {_describe(message.error)}")
            return
        self._child_failed(child, message.error)

    def _on_hung(self, message: _Hung) -> None:
        child = self._children.get(message.name)
        if child is None or message.incarnation != child.incarnation:
            return
        if child.state is not ChildState.RUNNING:
            return
        logger.error(
            "hung: %s/%s did not answer its heartbeat within %.1fs; killing it",
            self.path,
            child.spec.name,
            message.timeout,
        )
        if child.link is not None:
            child.link.kill()
        if child.ref is not None:
            child.ref.stop(block=False)
            self.registry.unregister(child.spec.name, child.ref)
        self._child_failed(child, HangDetected(f"no heartbeat within {message.timeout:.1f}s"))

    def _child_failed(self, child: _Child, error: BaseException | None) -> None:
        now = self._timer.now()
        child.last_error = "NormalExit" if error is None else type(error).__name__
        logger.warning("exited: %s/%s (%s)", self.path, child.spec.name, _describe(error))
        self._restart_times.append(now)
        window = self.policy.intensity.within_seconds
        while self._restart_times and now - self._restart_times[0] > window:
            self._restart_times.popleft()
        if len(self._restart_times) > self.policy.intensity.max_restarts:
            self._give_up(
                child,
                f"more than {self.policy.intensity.max_restarts} restarts "
                f"in {window:g}s, last: {child.spec.name} ({child.last_error})",
            )
            return
        if child.started_at is not None and now - child.started_at >= self.policy.reset_after:
            child.consecutive_failures = 0  # it had been healthy: back-off starts over
        child.consecutive_failures += 1
        group = self._restart_group(child)
        for other in reversed(group):
            if other is not child and other.state in (ChildState.RUNNING, ChildState.STARTING):
                self._stop_child(
                    other, ChildState.BACKOFF, f"{self.policy.strategy.value}: {child.spec.name}"
                )
        for member in group:
            member.restarts += 1
            if member.state is not ChildState.BACKOFF:
                why = (
                    f"failed: {child.last_error}"
                    if member is child
                    else f"{self.policy.strategy.value}: {child.spec.name}"
                )
                self._change_state(member, ChildState.BACKOFF, why)
        delay = self.policy.backoff.delay(child.consecutive_failures, self._rng)
        names = tuple(member.spec.name for member in group)
        logger.info(
            "restarting: %s in %.3fs (%s)", ", ".join(names), delay, self.policy.strategy.value
        )
        self._pending_restarts.append(
            self._timer.call_later(delay, lambda: self._tell_self(_RestartDue(names)))
        )

    def _restart_group(self, failed: _Child) -> list[_Child]:
        children = list(self._children.values())
        strategy = self.policy.strategy
        if strategy is Strategy.ONE_FOR_ALL:
            group = children
        elif strategy is Strategy.REST_FOR_ONE:
            group = children[children.index(failed) :]
        else:
            group = [failed]
        # Temporary children are never restarted; once stopped by a group restart they stay so.
        return [c for c in group if c is failed or c.spec.restart is not Restart.TEMPORARY]

    def _on_restart_due(self, names: tuple[str, ...]) -> None:
        due = [c for c in self._children.values() if c.spec.name in names]  # in start order
        for child in due:
            if child.state is ChildState.BACKOFF and not self._start_child(child):
                return  # its failure scheduled a new restart of the group

    def _give_up(self, child: _Child, reason: str) -> None:
        logger.error("gave up: %s entered FATAL state: %s", self.path, reason)
        self.gave_up = True
        # The child that tipped it over goes FATAL from where it is (it may still be alive
        # after a failed start); its siblings are stopped.
        self._stop_everything(ChildState.STOPPED, f"gave up: {reason}", keep=child)
        if child.ref is not None and child.ref.is_alive():
            self._stop_children([child], ChildState.FATAL, f"gave up: {reason}")
        else:
            child.ref = None
            self._change_state(child, ChildState.FATAL, f"gave up: {reason}")
        if self.link is None:
            if self._on_give_up is not None:
                self._on_give_up(reason)
            return
        raise GaveUp(f"{self.path}: {reason}")  # fails this supervisor: the parent decides

    def _tell_self(self, message: Any) -> None:
        with contextlib.suppress(pykka.ActorDeadError):
            self.actor_ref.tell(message)

    # ---- hang detection ----------------------------------------------------------------------

    def _heartbeat_loop(self) -> None:
        while True:
            gevent.sleep(self.policy.heartbeat_interval)
            for child in list(self._children.values()):
                timeout = child.spec.heartbeat_timeout
                if (
                    child.state is ChildState.RUNNING
                    and timeout is not None
                    and child.ref is not None
                    and child.spec.name not in self._probing
                ):
                    self._probing.add(child.spec.name)
                    gevent.spawn(
                        self._probe, child.spec.name, child.incarnation, child.ref, timeout
                    )

    def _probe(self, name: str, incarnation: int, ref: pykka.ActorRef[Any], timeout: float) -> None:
        try:
            ref.ask(Ping(), timeout=timeout)
        except pykka.Timeout:
            self._tell_self(_Hung(name, incarnation, timeout))
        except pykka.ActorDeadError:
            pass  # its exit report is on the way
        finally:
            self._probing.discard(name)


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "normal exit"
    text = str(error).replace("\n", " ")[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
