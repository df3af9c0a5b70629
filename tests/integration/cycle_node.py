"""Run as a subprocess by test_cycle_crash.py: the node on embedded defaults with a fast dev
chain and simulated parties, until it is killed or receives SIGTERM."""

from mediator_actors.runtime.patching import ensure_patched

ensure_patched()

import logging  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402

from mediator_actors.chain.scanner import ScanMode  # noqa: E402
from mediator_actors.config import load_settings  # noqa: E402
from mediator_actors.wiring import build_node  # noqa: E402


def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    folder = Path(sys.argv[1])
    # The dev chain's scanner mode (the real node's default is redact).
    scan = ScanMode(sys.argv[2]) if len(sys.argv) > 2 else ScanMode.REDACT
    # The window the dev chain counts its limits over (the real node's 60 s by default).
    window = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    settings = load_settings(
        {
            "DATA_DIR": str(folder / "data"),
            "HEALTH_PORT": "0",
            "WS_PORT": "0",
            "POLL_INTERVAL_SECONDS": "0.1",
        },
        cwd=folder,
    )
    node = build_node(
        settings,
        dev_auto_mine=0.3,
        simulated_parties=True,
        dev_secret_scan=scan,
        dev_rate_window=window,
    )
    node.install_signal_handlers()
    try:
        runtime = node.start()
        # The index keeper loads in the background after start: wait for its first
        # candidate pass, so the pairs it finds are durable jobs before the test looks.
        with gevent.Timeout(60, AssertionError("no candidate pass ran")):
            while runtime.stats.alignment_cycle_s is None:
                gevent.sleep(0.05)
        print("ready", flush=True)  # the test signals only after this line
        return node.wait()
    finally:
        node.stop()


if __name__ == "__main__":
    sys.exit(main())
