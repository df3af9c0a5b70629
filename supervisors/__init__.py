"""Erlang/OTP-style supervision for Pykka actors on gevent, usable on its own.

board, registry = StatusBoard(), RoleRegistry()
root = Supervisor.start(
    name="root",
    children=[ChildSpec("listener", start=lambda link: Listener.start(link))],
    policy=SupervisorPolicy(strategy=Strategy.ONE_FOR_ONE),
    registry=registry, board=board, on_give_up=lambda reason: ...,
)

The package exports what a user of the library writes code against; the rest (exit
reports, timers, the transition table) stays importable from its submodule for tests.
"""

from supervisors.actor import Link, Ping, SupervisedActor
from supervisors.backoff import Backoff
from supervisors.registry import RoleRegistry
from supervisors.spec import ChildSpec, Intensity, Restart, Strategy, SupervisorPolicy
from supervisors.states import ChildState, ChildStatus, IllegalTransition, StatusBoard
from supervisors.supervisor import GetStatuses, Supervisor

__all__ = [
    "Backoff",
    "ChildSpec",
    "ChildState",
    "ChildStatus",
    "GetStatuses",
    "IllegalTransition",
    "Intensity",
    "Link",
    "Ping",
    "Restart",
    "RoleRegistry",
    "StatusBoard",
    "Strategy",
    "SupervisedActor",
    "Supervisor",
    "SupervisorPolicy",
]
