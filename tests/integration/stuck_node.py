"""Run as a subprocess by test_startup.py: a Node whose one child never finishes stopping,
either cooperatively (a greenlet that sleeps) or by blocking the hub itself (a native sleep).
SIGTERM must still end the process within the drain timeout."""

from mediator_actors.runtime.patching import ensure_patched

ensure_patched()

import logging  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
from gevent import monkey  # noqa: E402

from mediator_actors.config import load_settings  # noqa: E402
from mediator_actors.node import Foundation, Node  # noqa: E402
from supervisors import ChildSpec, Link, SupervisedActor  # noqa: E402

DRAIN_TIMEOUT = 3.0


class Stuck(SupervisedActor):
    def __init__(self, link: Link | None, *, how: str) -> None:
        super().__init__(link)
        self.how = how

    def stopping(self) -> None:
        if self.how == "hub":
            monkey.get_original("time", "sleep")(3600)  # blocks every greenlet, the hub too
        gevent.sleep(3600)


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    folder, how = Path(sys.argv[1]), sys.argv[2]
    settings = load_settings({"DATA_DIR": str(folder / "data")}, cwd=folder)

    def children(base: Any) -> list[ChildSpec]:
        return [
            ChildSpec(
                "stuck",
                start=lambda link: Stuck.start(link, how=how),
                shutdown_timeout=3600.0,
            )
        ]

    node: Node[Foundation] = Node(
        settings,
        migrations=[],
        prepare=lambda base: base,
        build_children=children,
        drain_timeout=DRAIN_TIMEOUT,
    )
    node.install_signal_handlers()
    original_start = node.start

    def start() -> Foundation:
        runtime = original_start()
        print("ready", flush=True)  # the test signals only after this line
        return runtime

    node.start = start  # type: ignore[method-assign]
    return node.run()


if __name__ == "__main__":
    sys.exit(main())
