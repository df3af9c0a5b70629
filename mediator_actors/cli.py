"""``mediator-node``: the command line. gevent patches the standard library first.

Each verb lives in the module that owns it and exposes ``register(subparsers)``, which adds
its parser and sets ``handler`` to a function ``(args) -> int`` (the exit code).
"""

from __future__ import annotations

from mediator_actors.runtime.memory import limit_malloc_arenas
from mediator_actors.runtime.patching import ensure_patched

ensure_patched()
limit_malloc_arenas()  # before the native threads start allocating (runtime/memory.py)

import argparse  # noqa: E402
import importlib  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402

from mediator_actors import __version__  # noqa: E402
from mediator_actors.errors import ConfigError, MediatorError, StoreRefusedError  # noqa: E402

#: Modules that contribute verbs, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "mediator_actors.commands",
    "mediator_actors.keycommands",
    "mediator_actors.store.commands",
    "mediator_actors.edge.commands",
    "mediator_actors.chain.commands",
    "mediator_actors.negotiation.commands",
    "mediator_actors.disputes.commands",
    "mediator_actors.demo",
    "mediator_actors.benchmarks.commands",
)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CONFIG = 2
#: The root supervisor gave up: the process supervisor (systemd, Kubernetes) should restart us.
EXIT_SUPERVISOR_GAVE_UP = 70


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mediator-node", description="NatLangChain mediator node")
    parser.add_argument("--version", action="version", version=f"mediator-node {__version__}")
    subparsers = parser.add_subparsers(dest="verb", metavar="VERB")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        # Answered before the verbs' modules load: they import most of the node (about a
        # second of CPU), and a version check should not pay for them.
        print(f"mediator-node {__version__}")
        return EXIT_OK
    return _run(build_parser(), argv)


def _run(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return EXIT_CONFIG
    try:
        code: int = args.handler(args)
        sys.stdout.flush()  # here, so that a reader gone is caught below and not at exit
    except (ConfigError, StoreRefusedError) as exc:
        print(f"mediator-node: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except MediatorError as exc:
        print(f"mediator-node: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_OK
    except BrokenPipeError:
        # The reader went away (`status --json | head`): no traceback. Python flushes stdout
        # again at exit, so point it at /dev/null for that flush.
        _silence_stdout()
        return EXIT_FAILURE
    return code


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout without a file descriptor (a test's StringIO)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
