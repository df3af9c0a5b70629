"""Each supervision guarantee, on real Pykka actors under gevent."""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gevent
import gevent.event
import pykka
import pytest

from supervisors import (
    Backoff,
    ChildSpec,
    ChildState,
    ChildStatus,
    GetStatuses,
    IllegalTransition,
    Intensity,
    Ping,
    Restart,
    RoleRegistry,
    StatusBoard,
    Strategy,
    SupervisedActor,
    Supervisor,
    SupervisorPolicy,
)

FAST = Backoff(minimum=0.01, maximum=0.05)


@dataclass(frozen=True)
class Crash:
    error: BaseException


@dataclass(frozen=True)
class Echo:
    value: Any


@dataclass(frozen=True)
class Hang:
    pass


class Journal:
    """What the test actors did, and a status-board watcher to wait on."""

    def __init__(self) -> None:
        self.starts: Counter[str] = Counter()
        self.stops: list[str] = []
        self.history: list[ChildStatus] = []
        self._changed = gevent.event.Event()

    def on_change(self, status: ChildStatus) -> None:
        self.history.append(status)
        self._changed.set()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        with gevent.Timeout(timeout, AssertionError("condition not reached")):
            while not predicate():
                self._changed.clear()
                self._changed.wait(0.05)

    def states(self, path: str) -> list[ChildState]:
        return [s.state for s in self.history if s.path == path]


class Worker(SupervisedActor):
    def __init__(
        self,
        link: Any,
        *,
        name: str,
        journal: Journal,
        fail_starts: int = 0,
        stop_forever: bool = False,
    ) -> None:
        super().__init__(link)
        self.name = name
        self.journal = journal
        self.fail_starts = fail_starts
        self.stop_forever = stop_forever

    def starting(self) -> None:
        self.journal.starts[self.name] += 1
        if self.journal.starts[self.name] <= self.fail_starts:
            raise SystemExit("cannot start yet")  # a BaseException, on purpose

    def stopping(self) -> None:
        self.journal.stops.append(self.name)
        if self.stop_forever:
            gevent.sleep(1000)

    def handle(self, message: Any) -> Any:
        if isinstance(message, Crash):
            raise message.error
        if isinstance(message, Echo):
            return message.value
        if isinstance(message, Hang):
            gevent.sleep(1000)
            return None
        return super().handle(message)


def worker(name: str, journal: Journal, **kwargs: Any) -> ChildSpec:
    spec_kwargs = {
        k: kwargs.pop(k)
        for k in ("restart", "shutdown_timeout", "heartbeat_timeout")
        if k in kwargs
    }
    return ChildSpec(
        name,
        start=lambda link: Worker.start(link, name=name, journal=journal, **kwargs),
        **spec_kwargs,
    )


def start_root(
    journal: Journal,
    children: list[ChildSpec],
    *,
    registry: RoleRegistry | None = None,
    **policy: Any,
) -> tuple[pykka.ActorRef[Supervisor], RoleRegistry, list[str]]:
    registry = registry or RoleRegistry()
    gave_up: list[str] = []
    policy.setdefault("backoff", FAST)
    root = Supervisor.start(
        name="root",
        children=children,
        policy=SupervisorPolicy(**policy),
        registry=registry,
        board=StatusBoard(on_change=journal.on_change),
        on_give_up=gave_up.append,
    )
    root.ask(Ping(), timeout=5)  # answered once on_start has started every child
    return root, registry, gave_up


def test_a_crashed_child_is_restarted_and_found_again_by_role() -> None:
    journal = Journal()
    _, registry, _ = start_root(journal, [worker("a", journal)])
    first = registry.get("a")
    assert first is not None
    first.tell(Crash(ValueError("boom")))
    journal.wait_for(lambda: journal.starts["a"] == 2 and registry.get("a") is not None)
    second = registry.get("a")
    assert second is not None
    assert second is not first
    assert second.ask(Echo(42), timeout=2) == 42
    assert journal.states("root/a")[-3:] == [
        ChildState.BACKOFF,
        ChildState.STARTING,
        ChildState.RUNNING,
    ]
    assert [s.last_error for s in journal.history if s.path == "root/a"][-1] == "ValueError"


def test_a_first_start_is_logged_at_debug_and_a_restart_at_info(
    caplog: pytest.LogCaptureFixture,
) -> None:
    journal = Journal()
    with caplog.at_level(logging.DEBUG, logger="supervisors.supervisor"):
        _, registry, _ = start_root(journal, [worker("a", journal)])
        first = registry.get("a")
        assert first is not None
        first.tell(Crash(ValueError("boom")))

        def started() -> list[tuple[int, str]]:
            return [
                (r.levelno, r.getMessage())
                for r in caplog.records
                if r.getMessage().startswith("started: root/a")
            ]

        journal.wait_for(lambda: len(started()) == 2)
    assert started() == [
        (logging.DEBUG, "started: root/a (incarnation 1)"),
        (logging.INFO, "started: root/a (incarnation 2)"),
    ]


@pytest.mark.parametrize(
    ("strategy", "restarted"),
    [
        (Strategy.ONE_FOR_ONE, {"b"}),
        (Strategy.ONE_FOR_ALL, {"a", "b", "c"}),
        (Strategy.REST_FOR_ONE, {"b", "c"}),
    ],
)
def test_each_strategy_restarts_exactly_its_set(strategy: Strategy, restarted: set[str]) -> None:
    journal = Journal()
    root, registry, _ = start_root(journal, [worker(n, journal) for n in "abc"], strategy=strategy)
    ref = registry.get("b")
    assert ref is not None
    ref.tell(Crash(RuntimeError("b fails")))
    journal.wait_for(
        lambda: (
            all(journal.starts[n] == 2 for n in restarted)
            and all(registry.get(n) is not None for n in "abc")
        )
    )
    # A wrong extra restart would come from a notice still in the root's mailbox: once the
    # root answers a Ping it has handled them all, and no child may be on its way back.
    root.ask(Ping(), timeout=5)
    assert {path: journal.states(path)[-1] for path in ("root/a", "root/b", "root/c")} == {
        f"root/{n}": ChildState.RUNNING for n in "abc"
    }
    assert {n for n in "abc" if journal.starts[n] == 2} == restarted
    assert all(journal.starts[n] == 1 for n in set("abc") - restarted)


def test_group_restarts_stop_the_others_in_reverse_start_order() -> None:
    journal = Journal()
    _, registry, _ = start_root(
        journal, [worker(n, journal) for n in "abcd"], strategy=Strategy.ONE_FOR_ALL
    )
    ref = registry.get("b")
    assert ref is not None
    ref.tell(Crash(RuntimeError("b fails")))
    journal.wait_for(lambda: all(journal.starts[n] == 2 for n in "abcd"))
    assert journal.stops == ["d", "c", "a"]  # b failed: it gets no on_stop


def test_too_many_restarts_make_the_root_give_up_and_stop_everything() -> None:
    journal = Journal()
    root, registry, gave_up = start_root(
        journal,
        [worker("steady", journal), worker("flaky", journal)],
        intensity=Intensity(max_restarts=2, within_seconds=60),
    )
    for expected_starts in (2, 3):
        ref = registry.get("flaky")
        assert ref is not None
        ref.tell(Crash(RuntimeError("again")))
        journal.wait_for(
            lambda n=expected_starts: (
                journal.starts["flaky"] == n and registry.get("flaky") is not None
            )
        )
    ref = registry.get("flaky")
    assert ref is not None
    ref.tell(Crash(RuntimeError("once too often")))
    journal.wait_for(lambda: bool(gave_up))
    assert "more than 2 restarts" in gave_up[0]
    assert journal.states("root/flaky")[-1] is ChildState.FATAL
    assert journal.states("root/steady")[-1] is ChildState.STOPPED
    assert root.is_alive()  # the root stays to answer status; the node decides to exit


def test_a_sub_supervisor_that_gives_up_escalates_to_its_parent_which_restarts_it() -> None:
    journal = Journal()
    registry = RoleRegistry()
    board = StatusBoard(on_change=journal.on_change)
    pool = Supervisor.spec(
        "pool",
        parent_path="root",
        children=[worker("w1", journal)],
        registry=registry,
        board=board,
        policy=SupervisorPolicy(
            intensity=Intensity(max_restarts=1, within_seconds=60), backoff=FAST
        ),
    )
    root = Supervisor.start(
        name="root",
        children=[worker("listener", journal), pool],
        policy=SupervisorPolicy(backoff=FAST),
        registry=registry,
        board=board,
    )
    root.ask(Ping(), timeout=5)
    for _ in range(2):
        starts = journal.starts["w1"]
        journal.wait_for(lambda: registry.get("w1") is not None)
        ref = registry.get("w1")
        assert ref is not None
        ref.tell(Crash(RuntimeError("worker fails")))
        journal.wait_for(lambda s=starts: journal.starts["w1"] > s)
    journal.wait_for(
        lambda: (
            journal.states("root/pool")[-1:] == [ChildState.RUNNING]
            and ChildState.BACKOFF in journal.states("root/pool")
        )
    )
    assert journal.starts["listener"] == 1  # one_for_one at the root: the listener never noticed
    pool_statuses = [s for s in journal.history if s.path == "root/pool"]
    assert pool_statuses[-1].restarts == 1
    assert any(s.last_error == "GaveUp" for s in pool_statuses)


@pytest.mark.parametrize(
    "error",
    [gevent.Timeout(), gevent.GreenletExit(), SystemExit(3), KeyboardInterrupt()],
    ids=["gevent.Timeout", "GreenletExit", "SystemExit", "KeyboardInterrupt"],
)
def test_a_base_exception_in_one_child_never_stops_another(error: BaseException) -> None:
    journal = Journal()
    _, registry, _ = start_root(journal, [worker("victim", journal), worker("bystander", journal)])
    bystander = registry.get("bystander")
    victim = registry.get("victim")
    assert bystander is not None
    assert victim is not None
    victim.tell(Crash(error))
    journal.wait_for(lambda: journal.starts["victim"] == 2 and registry.get("victim") is not None)
    assert bystander.is_alive()
    assert bystander.ask(Echo("still here"), timeout=2) == "still here"
    assert journal.starts["bystander"] == 1


def test_an_exception_answered_to_an_ask_fails_only_that_caller() -> None:
    journal = Journal()
    _, registry, _ = start_root(journal, [worker("a", journal)])
    ref = registry.get("a")
    assert ref is not None
    with pytest.raises(ValueError, match="only you"):
        ref.ask(Crash(ValueError("only you")), timeout=2)
    assert ref.ask(Echo(1), timeout=2) == 1
    assert journal.starts["a"] == 1


def test_on_start_failures_count_and_are_retried_with_back_off() -> None:
    journal = Journal()
    _, registry, _ = start_root(journal, [worker("late", journal, fail_starts=2)])
    journal.wait_for(lambda: registry.get("late") is not None)
    assert journal.starts["late"] == 3
    statuses = [s for s in journal.history if s.path == "root/late"]
    assert statuses[-1].state is ChildState.RUNNING
    assert statuses[-1].restarts == 2
    assert statuses[-1].last_error == "SystemExit"


def test_a_hung_child_is_detected_killed_and_restarted() -> None:
    journal = Journal()
    _, registry, _ = start_root(
        journal, [worker("sleepy", journal, heartbeat_timeout=0.2)], heartbeat_interval=0.05
    )
    ref = registry.get("sleepy")
    assert ref is not None
    ref.tell(Hang())
    journal.wait_for(lambda: journal.starts["sleepy"] == 2 and registry.get("sleepy") is not None)
    assert any(s.last_error == "HangDetected" for s in journal.history if s.path == "root/sleepy")
    with gevent.Timeout(2):
        while ref.is_alive():  # the old, hung incarnation is gone too
            gevent.sleep(0.01)


def test_shutdown_stops_children_in_reverse_order_within_their_timeouts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    journal = Journal()
    children = [
        worker("first", journal),
        worker("stuck", journal, stop_forever=True, shutdown_timeout=0.2),
        worker("last", journal),
    ]
    root, _, _ = start_root(journal, children)
    with caplog.at_level(logging.WARNING, logger="supervisors.supervisor"):
        assert root.stop(timeout=5) is True
    assert journal.stops == ["last", "stuck", "first"]
    assert "stuck did not stop within 0.2s; killed" in caplog.text
    assert pykka.ActorRegistry.get_all() == []


def test_restart_types_decide_what_comes_back() -> None:
    journal = Journal()
    _, registry, _ = start_root(
        journal,
        [
            worker("temp", journal, restart=Restart.TEMPORARY),
            worker("trans", journal, restart=Restart.TRANSIENT),
            worker("perm", journal, restart=Restart.PERMANENT),
        ],
    )
    for name in ("temp", "trans", "perm"):
        ref = registry.get(name)
        assert ref is not None
        ref.stop()  # a normal exit
    journal.wait_for(lambda: journal.starts["perm"] == 2)
    assert journal.states("root/temp")[-1] is ChildState.STOPPED
    assert journal.states("root/trans")[-1] is ChildState.STOPPED
    assert journal.starts["temp"] == journal.starts["trans"] == 1


class FakeTimer:
    """Time stands still until the test moves it; delayed calls wait to be fired."""

    def __init__(self) -> None:
        self.time = 0.0
        self.calls: list[tuple[float, Callable[[], None]]] = []

    def now(self) -> float:
        return self.time

    def call_later(self, delay: float, fn: Callable[[], None]) -> Callable[[], None]:
        self.calls.append((delay, fn))
        return lambda: None

    def fire(self) -> float:
        delay, fn = self.calls.pop(0)
        self.time += delay
        fn()
        return delay


def test_back_off_grows_exponentially_with_jitter_and_resets_after_a_healthy_period() -> None:
    journal = Journal()
    timer = FakeTimer()
    registry = RoleRegistry()
    policy = SupervisorPolicy(
        backoff=Backoff(minimum=1.0, maximum=4.0),
        reset_after=30.0,
        intensity=Intensity(max_restarts=100, within_seconds=1.0),
    )
    root = Supervisor.start(
        name="root",
        children=[worker("a", journal)],
        policy=policy,
        registry=registry,
        board=StatusBoard(on_change=journal.on_change),
        timer=timer,
        rng=random.Random(7),
    )
    root.ask(Ping(), timeout=5)
    delays = []
    for attempt in range(1, 6):
        ref = registry.get("a")
        assert ref is not None
        ref.tell(Crash(RuntimeError("again")))
        journal.wait_for(lambda: bool(timer.calls))
        delays.append(timer.fire())
        journal.wait_for(
            lambda n=attempt + 1: journal.starts["a"] == n and registry.get("a") is not None
        )
    for delay, base in zip(delays, [1.0, 2.0, 4.0, 4.0, 4.0], strict=True):
        assert base / 2 <= delay <= base
    timer.time += 30.0  # healthy for reset_after
    ref = registry.get("a")
    assert ref is not None
    ref.tell(Crash(RuntimeError("after a long healthy run")))
    journal.wait_for(lambda: bool(timer.calls))
    assert 0.5 <= timer.calls[0][0] <= 1.0


def test_get_statuses_answers_a_supervisors_subtree_from_the_board() -> None:
    journal = Journal()
    root, _, _ = start_root(journal, [worker("a", journal), worker("b", journal)])
    statuses = root.ask(GetStatuses(), timeout=2)
    assert [(s.path, s.state) for s in statuses] == [
        ("root/a", ChildState.RUNNING),
        ("root/b", ChildState.RUNNING),
    ]


def test_a_nested_supervisor_gets_the_time_its_children_need() -> None:
    journal = Journal()
    children = [
        worker("w1", journal, shutdown_timeout=10.0),
        worker("w2", journal, shutdown_timeout=20.0),
    ]
    spec = Supervisor.spec(
        "pool", parent_path="root", children=children, registry=RoleRegistry(), board=StatusBoard()
    )
    assert spec.shutdown_timeout == 10.0 + 20.0 + 5.0
    assert spec.heartbeat_timeout is not None
    # stopping and starting every child in turn, plus four heartbeat intervals
    assert spec.heartbeat_timeout == 30.0 + 2 * 30.0 + 4 * SupervisorPolicy().heartbeat_interval


def test_an_illegal_state_change_raises_a_named_error() -> None:
    from supervisors.states import TRANSITIONS, check_transition

    for old in ChildState:
        for new in ChildState:
            if new is old or new in TRANSITIONS[old]:
                check_transition("root/x", old, new, "test")
            else:
                with pytest.raises(IllegalTransition, match=f"root/x cannot go {old} -> {new}"):
                    check_transition("root/x", old, new, "test")
    # The supervisor's one guarded transition raises it too (a child starts out stopped).
    supervisor = Supervisor(name="root", children=[worker("idle", Journal())])
    child = supervisor._children["idle"]
    with pytest.raises(IllegalTransition) as caught:
        supervisor._change_state(child, ChildState.FATAL, "on purpose")
    assert (caught.value.old, caught.value.new) == (ChildState.STOPPED, ChildState.FATAL)


def test_giving_up_moves_every_child_legally_and_records_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    journal = Journal()
    with caplog.at_level(logging.ERROR, logger="supervisors.supervisor"):
        root, registry, gave_up = start_root(
            journal,
            [worker("steady", journal), worker("flaky", journal)],
            intensity=Intensity(max_restarts=0, within_seconds=60),
        )
        ref = registry.get("flaky")
        assert ref is not None
        ref.tell(Crash(RuntimeError("once too often")))
        journal.wait_for(lambda: bool(gave_up))
    assert root.is_alive()  # an IllegalTransition would have failed the root
    errors = [
        r.message
        for r in caplog.records
        if r.name.startswith("supervisors") and r.levelno >= logging.ERROR
    ]
    assert errors == [
        "gave up: root entered FATAL state: more than 0 restarts in 60s, last: flaky (RuntimeError)"
    ]
    board = root.proxy().board.get()
    flaky = board.history("root/flaky")
    assert [(s.state, s.reason) for s in flaky] == [
        (ChildState.STARTING, "start"),
        (ChildState.RUNNING, "started"),
        (ChildState.FATAL, f"gave up: {gave_up[0]}"),
    ]
    assert all(s.at > 0 for s in flaky)
    steady = board.history("root/steady")
    assert [s.state for s in steady][-2:] == [ChildState.STOPPING, ChildState.STOPPED]
    assert steady[-1].reason == f"gave up: {gave_up[0]}"


class Gate:
    """Opens once ``count`` workers are stopping at the same time."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.stopping = 0
        self.opened = gevent.event.Event()

    def arrive(self) -> bool:
        self.stopping += 1
        if self.stopping >= self.count:
            self.opened.set()
        return self.opened.wait(timeout=2.0)


class GatedWorker(SupervisedActor):
    def __init__(self, link: Any, *, gate: Gate, passed: list[bool]) -> None:
        super().__init__(link)
        self.gate, self.passed = gate, passed

    def stopping(self) -> None:
        self.passed.append(self.gate.arrive())


@pytest.mark.parametrize("parallel", [True, False])
def test_a_pool_policy_stops_its_children_together(parallel: bool) -> None:
    gate, passed = Gate(3), []
    children = [
        ChildSpec(
            f"w{n}",
            start=lambda link: GatedWorker.start(link, gate=gate, passed=passed),
            shutdown_timeout=5.0,
        )
        for n in range(3)
    ]
    root = Supervisor.start(
        name="pool", children=children, policy=SupervisorPolicy(parallel_shutdown=parallel)
    )
    root.ask(Ping(), timeout=5)
    assert root.stop(timeout=20) is True
    # Together, all three are stopping at once; one by one, each waits for the others alone.
    assert passed == ([True, True, True] if parallel else [False, False, True])


def test_a_parallel_pool_gets_the_longest_shutdown_timeout_not_the_sum() -> None:
    children = [worker(f"w{n}", Journal(), shutdown_timeout=5.0) for n in range(4)]
    registry, board = RoleRegistry(), StatusBoard()
    together = Supervisor.spec(
        "pool",
        parent_path="root",
        children=children,
        policy=SupervisorPolicy(parallel_shutdown=True),
        registry=registry,
        board=board,
    )
    in_turn = Supervisor.spec(
        "pool", parent_path="root", children=children, registry=registry, board=board
    )
    assert (together.shutdown_timeout, in_turn.shutdown_timeout) == (10.0, 25.0)
