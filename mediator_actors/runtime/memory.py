"""Process-wide memory settings the node applies at start.

glibc gives each thread that allocates concurrently its own malloc arena (up to 8 per
core) and returns little of them to the system: the embedding and SQLite work offloaded to
the hub's native threads left the node's resident size far above what it holds. Two arenas
(what ``MALLOC_ARENA_MAX=2`` sets) measured, through ``--suite memory`` at 2,000 corpus
intents with the local model (load ~7): VmHWM 379 MB against 441 MB (issue 15); at 10,000
the issue's run went from 743 to 531 MB. An operator's own ``MALLOC_ARENA_MAX`` wins.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

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
