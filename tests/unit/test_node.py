from pathlib import Path

import pytest

from mediator_actors.config import load_settings
from mediator_actors.errors import StoreError
from mediator_actors.node import EXIT_OK, EXIT_SUPERVISOR_GAVE_UP, Foundation, Node
from supervisors import Backoff, ChildSpec, Intensity, SupervisedActor, SupervisorPolicy


class NeverStarts(SupervisedActor):
    def starting(self) -> None:
        raise RuntimeError("dependency missing")


class Steady(SupervisedActor):
    pass


def make_node(tmp_path: Path, children: list[ChildSpec]) -> Node[Foundation]:
    settings = load_settings({"DATA_DIR": str(tmp_path / "data")}, cwd=tmp_path)
    policy = SupervisorPolicy(
        intensity=Intensity(max_restarts=3, within_seconds=60),
        backoff=Backoff(minimum=0.01, maximum=0.02),
    )

    def build(base: Foundation) -> list[ChildSpec]:
        return children

    return Node(
        settings, migrations=[], prepare=lambda base: base, build_children=build, policy=policy
    )


def test_the_node_exits_70_and_turns_unready_when_the_root_gives_up(tmp_path: Path) -> None:
    node = make_node(
        tmp_path,
        [ChildSpec("steady", start=Steady.start), ChildSpec("broken", start=NeverStarts.start)],
    )
    node.start()
    assert node.wait() == EXIT_SUPERVISOR_GAVE_UP
    assert node.runtime is not None
    assert node.readiness.gave_up is not None
    assert "more than 3 restarts" in node.readiness.gave_up
    node.stop()


def test_a_requested_stop_drains_and_exits_0(tmp_path: Path) -> None:
    node = make_node(tmp_path, [ChildSpec("steady", start=Steady.start)])
    node.start()
    assert (node.readiness.started, node.readiness.draining) == (True, False)
    assert [s.state.value for s in node.board.snapshot()] == ["running"]
    node.request_stop()
    assert node.readiness.draining is True
    assert node.wait() == EXIT_OK
    node.stop()
    assert [s.state.value for s in node.board.snapshot()] == ["stopped"]


def test_start_fails_cleanly_on_an_unopenable_store(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    settings = load_settings({"DATA_DIR": str(blocker)}, cwd=tmp_path)
    node = Node(settings, migrations=[], prepare=lambda base: base, build_children=lambda b: [])
    with pytest.raises(StoreError, match="cannot hold the data folders"):
        node.start()
