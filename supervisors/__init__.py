"""Erlang/OTP-style supervision for Pykka actors on gevent, usable on its own.

board, registry = StatusBoard(), RoleRegistry()
root = Supervisor.start(
    name="root",
    children=[ChildSpec("listener", start=lambda link: Listener.start(link))],
    policy=SupervisorPolicy(strategy=Strategy.ONE_FOR_ONE),
    registry=registry, board=board, on_give_up=lambda reason: ...,
)
"""

from supervisors.actor import ChildFailure, Exited, HangDetected, Link, Ping, SupervisedActor
from supervisors.backoff import Backoff
from supervisors.registry import RoleRegistry
from supervisors.spec import ChildSpec, Intensity, Restart, Strategy, SupervisorPolicy
from supervisors.states import ChildState, ChildStatus, StatusBoard
from supervisors.supervisor import GaveUp, GetStatuses, GeventTimer, Supervisor, Timer

__all__ = [
    "Backoff",
    "ChildFailure",
    "ChildSpec",
    "ChildState",
    "ChildStatus",
    "Exited",
    "GaveUp",
    "GetStatuses",
    "GeventTimer",
    "HangDetected",
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
    "Timer",
]
