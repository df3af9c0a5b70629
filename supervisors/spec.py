"""How a supervisor starts, restarts and stops its children (Erlang/OTP semantics)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from supervisors.backoff import Backoff

if TYPE_CHECKING:
    import pykka

    from supervisors.actor import Link


class Restart(StrEnum):
    """When a child that exited is started again."""

    PERMANENT = "permanent"  # always
    TRANSIENT = "transient"  # only after a failure, not after a normal exit
    TEMPORARY = "temporary"  # never


class Strategy(StrEnum):
    """Which children restart when one fails."""

    ONE_FOR_ONE = "one_for_one"  # only the failed child
    ONE_FOR_ALL = "one_for_all"  # every child
    REST_FOR_ONE = "rest_for_one"  # the failed child and those started after it


@dataclass(frozen=True, slots=True)
class Intensity:
    """More than ``max_restarts`` restarts within ``within_seconds`` escalates to the parent."""

    max_restarts: int = 10
    within_seconds: float = 60.0


@dataclass(frozen=True, slots=True)
class ChildSpec:
    """One child: how to start it and how to treat its exits.

    ``start`` receives the :class:`Link` the child must pass to
    ``SupervisedActor.__init__`` and returns the started actor's ref, e.g.
    ``lambda link: ChainListener.start(link, store=store)``.
    """

    name: str
    start: Callable[[Link], pykka.ActorRef[Any]]
    restart: Restart = Restart.PERMANENT
    #: Seconds a child gets to stop before its greenlet is killed.
    shutdown_timeout: float = 5.0
    #: Seconds a child gets to finish ``on_start`` (answer its first ping).
    start_timeout: float = 30.0
    #: A child that does not answer a ping within this many seconds is hung (None: no check).
    #: Set it above the longest message handler the child may legitimately run.
    heartbeat_timeout: float | None = 30.0
    #: Whether readiness requires this child to be running.
    required_for_readiness: bool = True


@dataclass(frozen=True, slots=True)
class SupervisorPolicy:
    strategy: Strategy = Strategy.ONE_FOR_ONE
    intensity: Intensity = field(default_factory=Intensity)
    backoff: Backoff = field(default_factory=Backoff)
    #: A child that ran this long before failing starts its back-off from the minimum again.
    reset_after: float = 30.0
    #: How often running children are pinged for hang detection.
    heartbeat_interval: float = 5.0
    #: Stop the children all at once instead of one by one in reverse start order: for
    #: independent children (a worker pool), so a stop takes the longest shutdown timeout,
    #: not their sum.
    parallel_shutdown: bool = False
