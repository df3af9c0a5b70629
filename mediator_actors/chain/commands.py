"""``mediator-node devchain``: run the embedded dev chain (a development and test double)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from typing import Any

from mediator_actors.chain.demo import DEMO_INTENTS, DEMO_MINED, seed_demo
from mediator_actors.chain.devchain import RATE_WINDOW, REQUESTS_PER_MINUTE, DevChain
from mediator_actors.chain.scanner import ScanMode

logger = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "devchain",
        help="run the embedded NatLangChain-compatible dev chain on loopback (development only)",
        description="A development and test double of a NatLangChain node. Not a blockchain; "
        "never use it for real value.",
    )
    parser.add_argument("--port", type=int, default=5000, help="loopback port (0 picks one)")
    parser.add_argument(
        "--auto-mine",
        type=float,
        default=None,
        metavar="SECONDS",
        help="mine pending entries every SECONDS",
    )
    parser.add_argument("--seed-demo", action="store_true", help="start with ~20 sample intents")
    parser.add_argument("--api-key", default=None, help="require this X-API-Key (off by default)")
    parser.add_argument("--state-file", default=None, help="persist the chain to this JSON file")
    parser.add_argument(
        "--secret-scan",
        choices=[m.value for m in ScanMode],
        default=ScanMode.REDACT.value,
        help="the real node's outbound secret scanner: off, redact (its default) or block",
    )
    parser.add_argument(
        "--requests-per-minute",
        type=int,
        default=REQUESTS_PER_MINUTE,
        help="requests per minute per client address before 429 (the real node: 100; 0: off)",
    )
    parser.add_argument(
        "--rate-window",
        type=float,
        default=RATE_WINDOW,
        metavar="SECONDS",
        help="the span every limit is counted over (the real node: 60); the counts stay",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    import gevent
    import gevent.event

    if args.auto_mine is not None and args.auto_mine <= 0:
        print("devchain: --auto-mine must be positive", file=sys.stderr)
        return 2
    if not args.rate_window > 0:
        print("devchain: --rate-window must be positive", file=sys.stderr)
        return 2
    chain = DevChain(
        port=args.port,
        auto_mine=args.auto_mine,
        api_key=args.api_key,
        state_file=Path(args.state_file) if args.state_file else None,
        secret_scan=ScanMode(args.secret_scan),
        requests_per_minute=args.requests_per_minute or None,
        rate_window=args.rate_window,
    )
    if args.seed_demo:
        seed_demo(chain)
    url = chain.start()
    print(
        f"devchain: DEVELOPMENT CHAIN (test double, not a blockchain) listening on {url}",
        flush=True,
    )
    if args.seed_demo:
        mined, pending = DEMO_MINED, len(DEMO_INTENTS) - DEMO_MINED
        print(f"devchain: seeded with {mined} mined and {pending} pending demo intents", flush=True)
    # What a newcomer asks next; without it they look for the node's own dev-mode flag.
    print(
        f"devchain: point a node at it with CHAIN_ENDPOINT={url} CHAIN_ID=devchain "
        "mediator-node start (no simulated parties answer proposals here)",
        flush=True,
    )
    stop = gevent.event.Event()
    handlers = [gevent.signal_handler(sig, stop.set) for sig in (signal.SIGINT, signal.SIGTERM)]
    try:
        stop.wait()
    finally:
        for handler in handlers:
            handler.cancel()
        chain.stop()
        print("devchain: stopped", flush=True)
    return 0
