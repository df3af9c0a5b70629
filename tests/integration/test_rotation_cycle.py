"""Key rotation through the whole node (protocol.md, "Key rotation"): proposals mined under
key A, the node stopped, the key rotated to B, the node started again; the simulated parties
accept, and each of A's settlements is claimed on the chain by A, signed by A."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import gevent
import pytest

from mediator_actors.config import DEV_KEY_FILE, load_settings
from mediator_actors.keyfiles import default_retired_file, rotate_key
from mediator_actors.signing import MediatorKey, verify_metadata
from mediator_actors.store import DATABASE_FILE
from mediator_actors.wiring import build_node, dev_private_key


def _settings(folder: Path) -> Any:
    return load_settings(
        {
            "DATA_DIR": str(folder / "data"),
            "HEALTH_PORT": "0",
            "WS_PORT": "0",
            "POLL_INTERVAL_SECONDS": "0.1",
        },
        cwd=folder,
    )


def _chain_entries(folder: Path) -> list[dict[str, Any]]:
    doc = json.loads((folder / "data" / "devchain.json").read_text())
    return [entry for block in doc["blocks"] for entry in block["entries"]]


def _own_settlements(folder: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{folder / 'data' / DATABASE_FILE}?mode=ro", uri=True)
    try:
        return {
            sid for (sid,) in conn.execute("SELECT settlement_id FROM settlements WHERE own = 1")
        }
    finally:
        conn.close()


def _by_kind(entries: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {
        e["metadata"]["settlement_id"]: e
        for e in entries
        if (e.get("metadata") or {}).get("contract_type") == kind
    }


@pytest.mark.slow
@pytest.mark.timeout(480)
def test_settlements_proposed_before_a_rotation_are_claimed_by_the_old_key(
    tmp_path: Path,
) -> None:
    old = MediatorKey.from_seed_hex(dev_private_key(tmp_path)).mediator_id
    # Run 1, no parties: proposals are mined under A and stay open.
    node = build_node(_settings(tmp_path), dev_auto_mine=0.3, simulated_parties=False)
    node.start()
    try:
        with gevent.Timeout(240, AssertionError("no proposal of A was mined")):
            while not _by_kind(_chain_entries(tmp_path), "proposal"):
                gevent.sleep(0.2)
    finally:
        node.request_stop()
        node.stop()
    mined = _by_kind(_chain_entries(tmp_path), "proposal")
    assert {e["author"] for e in mined.values()} == {old}
    assert not _by_kind(_chain_entries(tmp_path), "payout")
    # Every proposal recorded under A, mined or still in the outbox (posted after the
    # restart, still signed by A: it is A's settlement).
    before = _own_settlements(tmp_path)
    assert set(mined) <= before

    key_file = tmp_path / DEV_KEY_FILE
    new = rotate_key(key_file, default_retired_file(key_file)).current_id

    # Run 2, with parties: they accept; the closures are claimed by A, new proposals by B.
    settings = _settings(tmp_path)
    node = build_node(settings, dev_auto_mine=0.3, simulated_parties=True)
    context = node.start()
    try:
        assert context.key.mediator_id == new
        with gevent.Timeout(300, AssertionError("A's settlements were not all claimed")):
            while set(before) - set(_by_kind(_chain_entries(tmp_path), "payout")):
                gevent.sleep(0.2)
    finally:
        node.request_stop()
        node.stop()
    entries = _chain_entries(tmp_path)
    payouts = _by_kind(entries, "payout")
    for sid in before:
        claim = payouts[sid]
        assert claim["author"] == claim["metadata"]["mediator_id"] == old
        assert verify_metadata(claim["metadata"])
    proposals = _by_kind(entries, "proposal")
    assert all(proposals[sid]["author"] == old for sid in before)
    later = {sid: e for sid, e in proposals.items() if sid not in before}
    assert all(e["author"] == new for e in later.values())
    for sid, claim in payouts.items():
        proposer = _by_kind(entries, "proposal")[sid]["author"]
        assert claim["author"] == proposer  # never a claim by another key than the proposer's
    # No key, current or retired, is on the chain or under data/.
    secrets = [s.reveal() for s in settings.retired_keys] + [key_file.read_text().strip()]
    assert len(secrets) == 2
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(secret.encode() in content for secret in secrets), path
    print(
        f"proposals under A {len(before)} ({len(mined)} mined before the rotation), "
        f"under B {len(later)}"
    )
