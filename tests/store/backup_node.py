"""Run as a subprocess by test_backup_node.py: the node in dev mode on DATA_DIR until
SIGTERM. ``live``: the dev chain mines every 0.3 s and simulated parties answer, so
settlements close; ``frozen``: nothing mines and nobody answers, so the store changes only
by what the node itself does on start."""

from mediator_actors.runtime.patching import ensure_patched

ensure_patched()

import logging  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from mediator_actors.config import load_settings  # noqa: E402
from mediator_actors.wiring import build_node  # noqa: E402
from tests.chainlimits import FAST_WINDOW  # noqa: E402


def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    folder, data_dir, health_port, mode, key = sys.argv[1:6]
    settings = load_settings(
        {
            "DATA_DIR": data_dir,
            "HEALTH_PORT": health_port,
            "WS_PORT": "0",
            "POLL_INTERVAL_SECONDS": "0.1",
            "MEDIATOR_PRIVATE_KEY": key,
        },
        cwd=Path(folder),
    )
    live = mode == "live"
    node = build_node(
        settings,
        dev_auto_mine=0.3 if live else 86_400.0,
        simulated_parties=live,
        dev_rate_window=FAST_WINDOW,  # the real counts, over seconds (tests/chainlimits)
    )
    node.install_signal_handlers()
    try:
        node.start()
        print("ready", flush=True)
        return node.wait()
    finally:
        node.stop()


if __name__ == "__main__":
    sys.exit(main())
