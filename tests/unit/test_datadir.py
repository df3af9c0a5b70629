"""One node per DATA_DIR: the lock file, its PID, and its release."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.errors import ConfigError
from mediator_actors.runtime.datadir import LOCK_FILE, DataDirInUseError, DataDirLock, _read_pid


def test_a_second_holder_is_refused_and_told_the_first_ones_pid(tmp_path: Path) -> None:
    first = DataDirLock.acquire(tmp_path / "data")
    assert (tmp_path / "data" / LOCK_FILE).read_text() == f"{os.getpid()}\n"
    # flock locks belong to the open file, so a second open in this process is refused too.
    with pytest.raises(DataDirInUseError) as refused:
        DataDirLock.acquire(tmp_path / "data")
    assert isinstance(refused.value, ConfigError)  # the CLI exits 2
    assert refused.value.holder == str(os.getpid())
    assert f"in use by another mediator node (PID {os.getpid()})" in str(refused.value)
    first.release()
    again = DataDirLock.acquire(tmp_path / "data")
    again.release()
    again.release()  # releasing twice is harmless
    assert (tmp_path / "data" / LOCK_FILE).read_text() == ""


def test_a_stale_lock_file_never_blocks_a_start(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / LOCK_FILE).write_text("999999\n")  # left by a process killed with -9
    lock = DataDirLock.acquire(folder)
    assert (folder / LOCK_FILE).read_text() == f"{os.getpid()}\n"
    lock.release()


@given(content=st.binary(max_size=40))
def test_any_lock_file_content_reads_as_a_pid_or_unknown(
    content: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("pid") / LOCK_FILE
    path.write_bytes(content)
    fd = os.open(path, os.O_RDONLY)
    try:
        pid = _read_pid(fd)
    finally:
        os.close(fd)
    assert pid == "unknown" or (pid.isascii() and pid.isdigit() and pid.encode() in content)


@given(pid=st.integers(min_value=1, max_value=2**22))
def test_a_written_pid_reads_back(pid: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("pid") / LOCK_FILE
    path.write_text(f"{pid}\n")
    fd = os.open(path, os.O_RDONLY)
    try:
        assert _read_pid(fd) == str(pid)
    finally:
        os.close(fd)
