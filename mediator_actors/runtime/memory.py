"""Process-wide memory settings the node applies at start.

glibc gives each thread that allocates concurrently its own malloc arena (up to 8 per
core) and returns little of them to the system: the embedding and SQLite work offloaded to
the hub's native threads left the node's resident size far above what it holds. Two arenas
(what ``MALLOC_ARENA_MAX=2`` sets) measured, through ``--suite memory`` at 2,000 corpus
intents with the local model (load ~7): VmHWM 379 MB against 441 MB (issue 15); at 10,000
the issue's run went from 743 to 531 MB. An operator's own ``MALLOC_ARENA_MAX`` wins.

glibc also keeps freed memory inside its heaps: after an embedding batch the native work
leaves tens of MB free but resident (``mallinfo2``: 64.5 MB free of a 134 MB heap after
10,000 texts through the keeper). :func:`release_free_memory` hands those pages back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from typing import Any

#: mallopt's parameter number for the arena limit (glibc's malloc.h: M_ARENA_MAX).
M_ARENA_MAX = -8
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``arenas`` unless ``MALLOC_ARENA_MAX`` is set; True
    when the cap was applied (False off glibc, or when the operator chose already)."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False  # not glibc (musl has no mallopt)
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, arenas))


_libc_lock = threading.Lock()
_libc: list[Any] = []  # [the loaded libc, or None off glibc], filled on first use


def _glibc() -> Any:
    # The process's own symbols (libc is linked into the interpreter), not
    # ctypes.util.find_library: that runs ldconfig in a subprocess, which fails in the
    # native threads the embedder runs on under gevent (and costs a fork per lookup).
    with _libc_lock:
        if not _libc:
            handle: Any = None
            try:
                handle = ctypes.CDLL(None)
                handle.malloc_trim.argtypes = (ctypes.c_size_t,)
                handle.malloc_trim.restype = ctypes.c_int
            except (OSError, AttributeError):
                handle = None  # not glibc (musl has no malloc_trim)
            _libc.append(handle)
        return _libc[0]


def release_free_memory() -> bool:
    """Return the free pages of every malloc arena to the kernel (glibc's ``malloc_trim``,
    which also releases free pages in the middle of a heap, not only at its top); False
    off glibc. 2.2 ms timed once on a fresh interpreter (it walks every free chunk, so
    it costs more on a larger heap; not timed on the embedder's): call it after a batch,
    not per allocation."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
