"""The node caps glibc's malloc arenas at start unless the operator set MALLOC_ARENA_MAX."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mediator_actors.runtime.memory import limit_malloc_arenas


def test_an_operators_malloc_arena_max_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False


def test_the_cap_applies_on_glibc_in_a_fresh_process() -> None:
    code = (
        "import os; os.environ.pop('MALLOC_ARENA_MAX', None)\n"
        "from mediator_actors.runtime.memory import limit_malloc_arenas\n"
        "import platform\n"
        "print(limit_malloc_arenas(), platform.libc_ver()[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    applied, libc = done.stdout.split()
    assert applied == ("True" if libc == "glibc" else "False")


def test_free_memory_is_released_in_a_native_thread_under_gevent() -> None:
    # the embedder trims from the offload pool's native threads: resolving libc there must
    # not spawn a subprocess (gevent's child watchers only work on the hub's loop)
    code = (
        "from mediator_actors.runtime.patching import ensure_patched\n"
        "ensure_patched()\n"
        "import platform\n"
        "from mediator_actors.runtime.memory import release_free_memory\n"
        "from mediator_actors.runtime.offload import run_blocking\n"
        "print(run_blocking(release_free_memory), platform.libc_ver()[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    released, libc = done.stdout.split()
    assert released == ("True" if libc == "glibc" else "False")
