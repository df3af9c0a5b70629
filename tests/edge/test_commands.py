"""The edge's CLI verbs through ``mediator_actors.cli.main`` against real servers."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
import time
from dataclasses import replace

import gevent
import pytest

from mediator_actors import cli
from mediator_actors.edge.keys import KEY_FILE, KeyRing, load_private_key, read_key_file
from mediator_actors.monitoring import SettlementChanged, SettlementProposed
from tests.edge import canary, states
from tests.waiting import wait_until


@pytest.fixture
def node_env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("mediator_actors.edge.commands",))
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ENV_FILE", str(tmp_path / "absent.env"))
    monkeypatch.delenv("WS_AUTHORIZED_KEYS", raising=False)
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    canary.record(out)
    canary.record(err)
    return code, out, err


def test_keys_new_writes_a_0600_private_key_and_authorises_its_public_key(node_env, capsys):
    code, out, _ = run(capsys, "keys", "--key-dir", str(node_env / "k"), "new", "alice")
    assert code == 0
    pem = node_env / "k" / "alice.pem"
    assert stat.S_IMODE(os.stat(pem).st_mode) == 0o600
    public = load_private_key(pem).public_key().public_bytes_raw().hex()
    assert f"alice={public}" in out
    assert read_key_file(node_env / "data" / KEY_FILE).keys == {"alice": public}
    assert "PRIVATE" not in out


def test_keys_new_never_overwrites_a_name(node_env, capsys):
    run(capsys, "keys", "--key-dir", str(node_env / "k"), "new", "alice")
    code, _, err = run(capsys, "keys", "--key-dir", str(node_env / "k"), "new", "alice")
    assert code == 1
    assert "exists" in err


def test_keys_new_on_a_second_node_authorises_the_key_the_operator_already_has(
    node_env, capsys, monkeypatch
):
    keys = str(node_env / "k")
    run(capsys, "keys", "--key-dir", keys, "new", "alice")
    pem = (node_env / "k" / "alice.pem").read_bytes()
    monkeypatch.setenv("DATA_DIR", str(node_env / "other-node"))
    code, out, _ = run(capsys, "keys", "--key-dir", keys, "new", "alice")
    assert code == 0
    assert "exists: its public key is authorised here too" in out
    assert (node_env / "k" / "alice.pem").read_bytes() == pem  # never rewritten
    public = load_private_key(node_env / "k" / "alice.pem").public_key().public_bytes_raw().hex()
    assert read_key_file(node_env / "other-node" / KEY_FILE).keys == {"alice": public}


def test_keys_new_never_authorises_again_a_key_revoked_on_this_node(node_env, capsys):
    keys = str(node_env / "k")
    run(capsys, "keys", "--key-dir", keys, "new", "alice")
    assert run(capsys, "keys", "revoke", "alice")[0] == 0
    code, _, err = run(capsys, "keys", "--key-dir", keys, "new", "alice")
    assert code == 1
    assert "was revoked on this node" in err
    assert read_key_file(node_env / "data" / KEY_FILE).keys == {}


@pytest.mark.parametrize("name", ["../evil", "a/b", "x" * 65, "", "naïve"])
def test_key_names_are_validated_not_rewritten(node_env, capsys, name):
    code, _, _ = run(capsys, "keys", "--key-dir", str(node_env / "k"), "new", name)
    assert code == 1
    assert not (node_env / "evil.pem").exists()


def test_keys_list_shows_env_and_file_keys_and_revoke_refuses_them(node_env, capsys, monkeypatch):
    env_key = "ab" * 32
    monkeypatch.setenv("WS_AUTHORIZED_KEYS", f"ops={env_key}")
    run(capsys, "keys", "--key-dir", str(node_env / "k"), "new", "alice")
    code, out, _ = run(capsys, "keys", "list")
    assert code == 0
    assert f"ops\t{env_key}\tenv\tactive" in out
    assert "alice" in out
    ring = KeyRing((("ops", env_key),), node_env / "data" / KEY_FILE)
    assert set(ring.current().values()) == {"ops", "alice"}
    assert run(capsys, "keys", "revoke", "ops")[0] == 0
    assert run(capsys, "keys", "revoke", "alice")[0] == 0
    assert ring.current() == {}
    assert "revoked" in run(capsys, "keys", "list")[1]
    assert run(capsys, "keys", "revoke", "nobody")[0] == 1


def test_status_prints_a_summary_and_exits_0_for_healthy_and_degraded(node_env, capsys, http, box):
    now = int(time.time() * 1000)
    box.set(replace(states.actor_backoff(), taken_at_ms=now, started_at_ms=now - 3_723_000))
    code, out, _ = run(capsys, "status", "--url", http.base + "/health")
    assert code == 0
    assert "status: degraded" in out
    assert "uptime: 1h02m03s" in out
    assert "actor negotiator: backoff, 3 restarts" in out


def test_status_exits_1_when_unhealthy_and_json_prints_the_report(node_env, capsys, http, box):
    now = int(time.time() * 1000)
    box.set(replace(states.root_gave_up(), taken_at_ms=now, started_at_ms=now))
    code, out, _ = run(capsys, "status", "--json", "--url", http.base + "/health")
    assert code == 1
    assert json.loads(out)["status"] == "unhealthy"


def test_status_takes_the_node_base_url_too(node_env, capsys, http, box):
    now = int(time.time() * 1000)
    box.set(replace(states.actor_backoff(), taken_at_ms=now, started_at_ms=now))
    code, out, _ = run(capsys, "status", "--url", http.base + "/")
    assert code == 0
    assert "status: degraded" in out


def test_status_exits_1_when_unreachable(node_env, capsys):
    code, _, err = run(capsys, "status", "--url", "http://127.0.0.1:9/health", "--timeout", "1")
    assert code == 1
    assert "unreachable" in err


def test_status_reads_the_health_address_from_settings(
    node_env, capsys, health_server, monkeypatch
):
    monkeypatch.setenv("HEALTH_PORT", str(health_server.address[1]))
    code, out, _ = run(capsys, "status")
    assert code == 0
    assert "status: degraded" in out


def test_watch_authenticates_and_prints_events_as_json_lines(node_env, capsys, ws_env):
    run(capsys, "keys", "--key-dir", str(node_env / "k"), "new", "watcher")
    key = load_private_key(node_env / "k" / "watcher.pem")
    ws_env.keys[key.public_key().public_bytes_raw().hex()] = "watcher"
    hub = ws_env.app.hub

    def publish_when_subscribed() -> None:
        wait_until(lambda: hub.subscriber_count("settlements") > 0, what="watch subscribed")
        hub.publish(
            SettlementProposed(settlement_id="ab" * 8, pair="p", content="\x1b[31mred\r\nforged")
        )

    g = gevent.spawn(publish_when_subscribed)
    code, out, _ = run(
        capsys,
        "watch",
        "--url",
        ws_env.url,
        "--key",
        "watcher",
        "--key-dir",
        str(node_env / "k"),
        "--channels",
        "settlements",
        "--json",
        "--max-events",
        "1",
        "--timeout",
        "5",
    )
    g.join(timeout=5)
    assert code == 0
    line = out.strip()
    assert "\x1b" not in line
    assert "\r" not in line
    assert json.loads(line)["data"]["content"] == "\x1b[31mred\r\nforged"


def test_watch_with_an_unauthorised_key_exits_1(node_env, capsys, ws_env):
    run(capsys, "keys", "--key-dir", str(node_env / "k"), "new", "stranger")
    code, _, err = run(
        capsys,
        "watch",
        "--url",
        ws_env.url,
        "--key",
        "stranger",
        "--key-dir",
        str(node_env / "k"),
        "--timeout",
        "5",
    )
    assert code == 1
    assert "1008 refused" in err
    # The server's refusal stays generic; the client names the likely causes and checks.
    assert "during auth" in err
    assert "`mediator-node keys list`" in err
    public = load_private_key(node_env / "k" / "stranger.pem").public_key()
    assert public.public_bytes_raw().hex() in err


def _watch(capsys, node_env, ws_env, *extra: str) -> tuple[int, str, str]:
    return run(
        capsys,
        "watch",
        "--url",
        ws_env.url,
        "--key",
        "watcher",
        "--key-dir",
        str(node_env / "k"),
        "--timeout",
        "5",
        *extra,
    )


@pytest.fixture
def watcher(node_env, capsys, ws_env):
    run(capsys, "keys", "--key-dir", str(node_env / "k"), "new", "watcher")
    key = load_private_key(node_env / "k" / "watcher.pem")
    ws_env.keys[key.public_key().public_bytes_raw().hex()] = "watcher"
    return key


class _ClosedPipe(io.StringIO):
    """stdout whose reader has gone (`watch | head` once head exits)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_watch_into_a_closed_pipe_ends_quietly_not_as_a_connection_failure(
    node_env, capsys, ws_env, watcher, monkeypatch
):
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    code = cli.main(
        ["watch", "--url", ws_env.url, "--key", "watcher", "--key-dir", str(node_env / "k"),
         "--timeout", "5", "--max-events", "1"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert "cannot watch" not in err
    assert "Broken pipe" not in err


def test_watch_says_it_is_connected_prints_the_current_state_then_readable_events(
    node_env, capsys, ws_env, watcher
):
    hub = ws_env.app.hub
    ws_env.app.snapshot = lambda channel: {
        "settlements": {"closed": 4, "proposed": 1},
        "payouts": 4,
        "fees_claimed": {"NLC": 0.253},
        "open": [
            {
                "settlement_id": "cd" * 32,
                "state": "proposed",
                "acceptance_deadline": "2026-12-05T00:00:00Z",
            }
        ],
    }

    def publish_when_subscribed() -> None:
        while hub.subscriber_count("settlements") == 0:
            gevent.sleep(0.01)
        hub.publish(
            SettlementChanged(
                settlement_id="ab" * 32,
                intents=("01" * 32, "02" * 32),
                parties=("alice", "bob"),
                mediator_id="ef" * 32,
                own=True,
                state="closed",
                previous="accepted",
                reason="both parties accepted\r\nforged line",
                payout_enqueued=True,
            )
        )

    g = gevent.spawn(publish_when_subscribed)
    code, out, _ = _watch(
        capsys, node_env, ws_env, "--channels", "settlements", "--max-events", "1"
    )
    g.join(timeout=5)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"connected to {ws_env.url} as key watcher (channels settlements)")
    assert "now: closed 4, proposed 1; payouts 4, fees 0.253 NLC; 1 open: cdcdcdcdcdcd…" in lines[1]
    assert "until 2026-12-05T00:00:00Z" in lines[1]
    assert "settlement abababababab… accepted -> closed (ours)" in lines[2]
    assert lines[2].endswith("both parties accepted\\x0d\\x0aforged line; payout claim queued")
    assert len(lines) == 3


def test_watch_names_an_unknown_channel_and_what_the_node_offers(node_env, capsys, ws_env, watcher):
    code, _, err = _watch(capsys, node_env, ws_env, "--channels", "settlements,payments")
    assert code == 1
    assert "unknown channel payments; this node offers: challenges, disputes, health" in err


def test_watch_explains_a_refused_upgrade_by_origin(node_env, capsys, ws_env, watcher):
    code, _, err = _watch(capsys, node_env, ws_env, "--origin", "http://evil.example")
    assert code == 1
    assert "403" in err
    assert "Origin header is not allowed" in err


def test_watch_explains_a_node_that_is_not_there(node_env, capsys, watcher):
    code, _, err = run(
        capsys,
        "watch",
        "--url",
        "ws://127.0.0.1:9/ws",
        "--key",
        "watcher",
        "--key-dir",
        str(node_env / "k"),
        "--timeout",
        "2",
    )
    assert code == 1
    assert "the node is not running" in err


def test_the_canary_check_itself_catches_a_leak():
    assert canary.leaks([f"oops {canary.CANARIES[2]}"]) == [canary.CANARIES[2]]
