"""The node as operators run it: a real process, real signals, the embedded defaults."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.childenv import quiet_node_env


def _wait_for_line(proc: subprocess.Popen[str], needle: str, timeout: float) -> list[str]:
    assert proc.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"{needle!r} not logged; got:\n{''.join(lines)}")


@pytest.mark.slow
def test_in_json_every_line_of_start_is_json(tmp_path: Path) -> None:
    """The dev-mode banner is for a terminal: in JSON a bare line breaks every log parser,
    and the dev mode is said by a warning record."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mediator_actors", "start"],
        cwd=tmp_path,
        env=quiet_node_env(LOG_FORMAT="json"),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        lines = _wait_for_line(proc, "started: node", timeout=60)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    records = [json.loads(line) for line in lines]  # raises on a line that is not JSON
    assert any(
        r["level"] == "warning" and r["msg"].startswith("dev mode: embedded dev chain")
        for r in records
    )


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_start_on_embedded_defaults_then_sigterm_drains_and_exits_0(
    tmp_path: Path, signum: signal.Signals
) -> None:
    # README: "runs the node in the foreground until SIGTERM/SIGINT, then drains and exits 0".
    proc = subprocess.Popen(
        [sys.executable, "-m", "mediator_actors", "start"],
        cwd=tmp_path,
        env=quiet_node_env(),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        lines = _wait_for_line(proc, "started: node", timeout=60)
        assert any("DEV MODE" in line for line in lines)
        proc.send_signal(signum)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert (tmp_path / "data" / "settlements" / "mediator.db").is_file()
