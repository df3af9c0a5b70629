"""Run as a subprocess by test_dispute_crash.py: the node outside dev mode against the test's
dev chain (loopback), until it is killed or receives SIGTERM.

argv: folder, chain URL, mediator seed (hex), dispute authorities."""

from mediator_actors.runtime.patching import ensure_patched

ensure_patched()

import logging  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from mediator_actors.config import load_settings  # noqa: E402
from mediator_actors.wiring import build_node  # noqa: E402


def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    folder, url, seed, authorities = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    # An LLM when the test asks for one (its SDK reads ANTHROPIC_BASE_URL for the fake).
    llm = {k: os.environ[k] for k in ("LLM_PROVIDER", "LLM_API_KEY") if k in os.environ}
    settings = load_settings(
        {
            **llm,
            "CHAIN_ENDPOINT": url,
            "CHAIN_ID": "nlc-dispute-crash",
            "MEDIATOR_PRIVATE_KEY": seed,
            "DATA_DIR": str(folder / "data"),
            "HEALTH_PORT": "0",
            "WS_PORT": "0",
            "POLL_INTERVAL_SECONDS": "0.1",
            "DISPUTE_AUTHORITIES": authorities,
        },
        cwd=folder,
    )
    node = build_node(settings)
    node.install_signal_handlers()
    try:
        node.start()
        print("ready", flush=True)  # the test may kill it at any point, before or after
        return node.wait()
    finally:
        node.stop()


if __name__ == "__main__":
    sys.exit(main())
