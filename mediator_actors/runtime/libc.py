"""The process's own C library, for the few calls the standard library does not wrap
(``mallopt``, ``malloc_trim``, ``renameat2``).

Found through the process's own symbols (libc is linked into the interpreter), never through
``ctypes.util.find_library``: that runs ``ldconfig`` in a subprocess, which fails in the
native threads the embedder runs on under gevent, and costs a fork per lookup.
"""

from __future__ import annotations

import ctypes
import functools

__all__ = ["process_libc"]


@functools.cache
def process_libc() -> ctypes.CDLL | None:
    """The C library the interpreter is linked against (errno kept for
    :func:`ctypes.get_errno`), or None where the process exposes none."""
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
