"""gevent must patch the standard library before pykka, requests, bottle, ssl or the SDKs load.

The entry point (`mediator_actors.cli:main`) and the test suite (`tests/conftest.py`) both call
:func:`ensure_patched` first. Importing this module imports nothing else of ours.
"""

from __future__ import annotations

import sys

_LATE = ("pykka", "requests", "bottle", "ssl", "anthropic", "openai", "urllib3")


def ensure_patched() -> None:
    """Patch the standard library for gevent once, and complain if we are already too late."""
    from gevent import monkey

    if monkey.is_module_patched("socket"):
        return
    loaded_too_early = [name for name in _LATE if name in sys.modules]
    monkey.patch_all()
    if loaded_too_early:
        # ssl imported before patching gives a broken SSLContext; say so, loudly, once.
        print(
            f"warning: {', '.join(loaded_too_early)} imported before gevent patching",
            file=sys.stderr,
        )
