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
import functools
import os
from typing import Any

from mediator_actors.runtime.libc import process_libc

#: mallopt's parameter number for the arena limit (glibc's malloc.h: M_ARENA_MAX).
M_ARENA_MAX = -8
ARENAS = 2


@functools.cache
def _glibc() -> Any:
    """The process's own C library when it is glibc (it has ``mallopt`` and
    ``malloc_trim``), else None."""
    libc = process_libc()
    if libc is None:
        return None
    try:
        libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        libc.mallopt.restype = ctypes.c_int
        libc.malloc_trim.argtypes = (ctypes.c_size_t,)
        libc.malloc_trim.restype = ctypes.c_int
    except AttributeError:
        return None  # not glibc (musl has neither mallopt nor malloc_trim)
    return libc


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``arenas`` unless ``MALLOC_ARENA_MAX`` is set; True
    when the cap was applied (False off glibc, or when the operator chose already)."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    libc = _glibc()
    return libc is not None and bool(libc.mallopt(M_ARENA_MAX, arenas))


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
