"""kill -9 at random moments loses no acknowledged write, duplicates none, corrupts nothing."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mediator_actors.store import DATABASE_FILE

KILLS = 20
WRITER = Path(__file__).with_name("crash_writer.py")


def _run_until_killed(data_dir: Path, rng: random.Random) -> list[int]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # writing has begun
    assert first.strip().isdigit(), "the writer did not start"
    time.sleep(rng.uniform(0.0, 0.15))  # a random moment inside the write loop
    proc.send_signal(signal.SIGKILL)
    rest, _ = proc.communicate(timeout=10)
    return [int(first), *(int(line) for line in rest.split() if line.isdigit())]


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261127)
    acknowledged: list[int] = []
    for _ in range(KILLS):
        acknowledged.extend(_run_until_killed(tmp_path, rng))
        conn = sqlite3.connect(tmp_path / DATABASE_FILE)
        try:
            assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            present = {seq for (seq,) in conn.execute("SELECT seq FROM rows")}
            duplicates = conn.execute(
                "SELECT seq FROM rows GROUP BY seq HAVING COUNT(*) > 1"
            ).fetchall()
            jobs = conn.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
        finally:
            conn.close()
        missing = set(acknowledged) - present
        assert not missing, f"acknowledged writes lost: {sorted(missing)[:10]}"
        assert duplicates == []
        assert jobs == len(present)  # the job rode in the same transaction as its row
    assert len(acknowledged) > KILLS
