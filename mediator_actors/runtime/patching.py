"""gevent must patch the standard library before pykka, requests, bottle, ssl or the SDKs load.

The entry point (`mediator_actors.cli:main`) and the test suite (`tests/conftest.py`) both call
:func:`ensure_patched` first. Importing this module imports nothing else of ours.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

_LATE = ("pykka", "requests", "bottle", "ssl", "anthropic", "openai", "urllib3")


def ensure_patched() -> None:
    """Patch the standard library for gevent once, and complain if we are already too late."""
    from gevent import monkey

    if monkey.is_module_patched("socket"):
        return
    loaded_too_early = [name for name in _LATE if name in sys.modules]
    with entry_points_read_once():
        monkey.patch_all()
    if loaded_too_early:
        # ssl imported before patching gives a broken SSLContext; say so, loudly, once.
        print(
            f"warning: {', '.join(loaded_too_early)} imported before gevent patching",
            file=sys.stderr,
        )


@contextlib.contextmanager
def entry_points_read_once() -> Iterator[None]:
    """Within the block, ``importlib.metadata.entry_points`` reads the installed
    distributions once and answers every call from that one reading.

    ``patch_all`` looks up gevent's plugin entry points for each module it patches (25
    calls), and each call reads the metadata of every installed distribution: 0.2 s of
    CPU of every process start (measured with 91 distributions in the venv). Nothing is
    installed while it runs, so one reading gives the same answers."""
    from importlib import metadata

    original = metadata.entry_points
    everything: list[Any] = []

    def once(**params: Any) -> Any:
        if not everything:
            everything.append(original())
        found = everything[0]
        # 3.11 answers a SelectableGroups, 3.12 an EntryPoints: both have select().
        return found.select(**params) if hasattr(found, "select") else original(**params)

    metadata.entry_points = once
    try:
        yield
    finally:
        metadata.entry_points = original
