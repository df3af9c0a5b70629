"""SIGKILL at random points of the cycle: every settlement ends as it does without crashes,
and nothing reaches the chain twice. The dev chain runs with the real node's defaults (10
entries per author and 100 in total per minute, 100 requests per minute per client) and
its secret scanner in redact mode and in block mode, both counted over the real node's 60 s
window (the issue's "Done when" asks for the real defaults in both modes)."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from mediator_actors.chain.scanner import chain_scan_findings
from mediator_actors.store import DATABASE_FILE
from tests.childenv import child_env

NODE = Path(__file__).with_name("cycle_node.py")
KILLS = 10


def _spawn(folder: Path, scan: str, window: float) -> subprocess.Popen[bytes]:
    env = child_env()
    return subprocess.Popen(
        [sys.executable, str(NODE), str(folder), scan, str(window)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def _settled(folder: Path, at_least: int = 1) -> bool:
    path = folder / "data" / DATABASE_FILE
    if not path.exists():
        return False
    conn = sqlite3.connect(path, timeout=10)
    try:
        states = [s for (s,) in conn.execute("SELECT state FROM settlements WHERE own = 1")]
        waiting = conn.execute(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'chain_outbox'"
            " AND state IN ('pending', 'running')"
        ).fetchone()[0]
    except sqlite3.OperationalError:
        return False  # tables not migrated yet
    finally:
        conn.close()
    ended = all(s not in ("proposed", "accepted") for s in states)
    return len(states) >= at_least and ended and not waiting


def _all_mined(folder: Path) -> bool:
    """The dev chain holds nothing unmined. It saves its state on every submit and mine, so
    once the outbox is empty every posted entry is either pending in this file or mined."""
    try:
        doc = json.loads((folder / "data" / "devchain.json").read_text())
    except (OSError, ValueError):
        return False
    return not doc["pending"]


def _run_to_the_end(
    folder: Path, scan: str, window: float, timeout: float = 240, at_least: int = 1
) -> None:
    """Run the node until ``at_least`` own settlements exist and every one has ended.

    The index keeper loads in the background after start, so pairs can still be on their
    way to a proposal when the first ones have closed: a crashed run waits for as many
    settlements as the reference run made (fewer ever is a failure: a timeout)."""
    proc = _spawn(folder, scan, window)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready", "the node did not start"
        deadline = time.monotonic() + timeout
        while not (_settled(folder, at_least) and _all_mined(folder)):
            assert proc.poll() is None, "the node died"
            assert time.monotonic() < deadline, "the cycle did not finish"
            time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def _outcome(folder: Path) -> tuple[dict[tuple[str, str], str], Counter[str], Counter[str]]:
    """(final state by party pair, proposals per settlement on chain, payouts per settlement)."""
    conn = sqlite3.connect(folder / "data" / DATABASE_FILE)
    try:
        states = {
            (offer, seek): state
            for offer, seek, state in conn.execute(
                "SELECT offer_party, seek_party, state FROM settlements WHERE own = 1"
            )
        }
        mediator = conn.execute(
            "SELECT DISTINCT mediator_id FROM settlements WHERE own = 1"
        ).fetchone()[0]
    finally:
        conn.close()
    chain = json.loads((folder / "data" / "devchain.json").read_text())
    proposals: Counter[str] = Counter()
    payouts: Counter[str] = Counter()
    for block in chain["blocks"]:
        for entry in block["entries"]:
            metadata = entry.get("metadata") or {}
            if entry["author"] != mediator:
                continue
            # Nothing the mediator wrote gives the chain's scanner anything to alter.
            assert chain_scan_findings(entry) == [], entry["content"][:80]
            if metadata.get("contract_type") == "proposal":
                proposals[metadata["settlement_id"]] += 1
            elif metadata.get("contract_type") == "payout":
                payouts[metadata["settlement_id"]] += 1
    return states, proposals, payouts


@pytest.mark.slow
# Twelve node processes, and ten settlements from the seed: two runs of twenty entries at
# the writer's 10 a window. At the real 60 s window about 3 min a mode at load 7.
@pytest.mark.timeout(600)
@pytest.mark.parametrize(
    ("scan", "kills", "window"),
    [("redact", KILLS, 60.0), ("block", KILLS // 2, 60.0)],
)
def test_sigkill_at_random_points_changes_no_ending_and_duplicates_nothing(
    tmp_path: Path, scan: str, kills: int, window: float
) -> None:
    reference = tmp_path / "reference"
    reference.mkdir()
    _run_to_the_end(reference, scan, window)
    expected_states, _, _ = _outcome(reference)
    assert set(expected_states.values()) == {"closed"}

    crashed = tmp_path / "crashed"
    crashed.mkdir()
    rng = random.Random(7)
    for _ in range(kills):
        proc = _spawn(crashed, scan, window)
        time.sleep(rng.uniform(1.0, 5.0))  # start-up, ingestion, negotiation, proposals...
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    _run_to_the_end(crashed, scan, window, at_least=len(expected_states))
    states, proposals, payouts = _outcome(crashed)
    assert states == expected_states
    assert set(proposals) == set(payouts)  # every proposal closed and was claimed
    assert all(n == 1 for n in proposals.values()), proposals
    assert all(n == 1 for n in payouts.values()), payouts
    assert len(proposals) == len(expected_states)
