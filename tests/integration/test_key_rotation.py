"""A node started after a rotation: the new key signs, the retired one is held for its own."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from mediator_actors.config import DEV_KEY_FILE, load_settings
from mediator_actors.keyfiles import default_retired_file, rotate_key
from mediator_actors.signing import MediatorKey
from mediator_actors.wiring import build_node, dev_private_key


def test_a_node_started_after_a_rotation_signs_with_the_new_key_and_keeps_the_old(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = MediatorKey.from_seed_hex(dev_private_key(tmp_path)).mediator_id  # the first start's
    key_file = tmp_path / DEV_KEY_FILE
    done = rotate_key(key_file, default_retired_file(key_file))
    assert done.retired_id == old
    settings = load_settings(
        {"DATA_DIR": str(tmp_path / "data"), "HEALTH_PORT": "0", "WS_PORT": "0"}, cwd=tmp_path
    )
    caplog.set_level(logging.INFO, logger="mediator_actors.wiring")
    node = build_node(settings)
    context = node.start()
    try:
        assert context.key.mediator_id == done.current_id
        assert [key.mediator_id for key in context.keyring.retired] == [old]
        assert context.keyring.owns(old)
        # An empty store: nothing of the old key's can still close, start says so.
        lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("keys:")]
        assert lines == [
            f"keys: retired key {old} is no longer needed (no settlement that can still close"
            " or be disputed); `mediator-node retired-keys --drop` removes it"
        ]
    finally:
        node.request_stop()
        node.stop()
    secrets = [s.reveal().encode() for s in (*settings.retired_keys,)]
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert not any(secret in path.read_bytes() for secret in secrets), path
