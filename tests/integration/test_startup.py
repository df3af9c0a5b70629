"""Start-up and shutdown as operators meet them: refusals at start are one message and
exit 2; a drain turns readiness 503 at once; a second node on one DATA_DIR is refused."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import gevent
import pytest
import requests

from mediator_actors.config import load_settings
from mediator_actors.wiring import build_node
from tests.childenv import quiet_node_env

#: A refused start takes 1-2 s (the dev chain and the local model load first).
START_TIMEOUT = 60.0


def _env(**extra: str) -> dict[str, str]:
    return quiet_node_env(**{"LOG_LEVEL": "warning", **extra})


def _start(cwd: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mediator_actors", "start", *args],
        cwd=cwd,
        env=_env(**extra),
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
        check=False,
    )


def _refused_once(result: subprocess.CompletedProcess[str], needle: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("invalid configuration") == 1
    assert needle in result.stderr


@pytest.mark.slow
def test_vector_dimensions_that_do_not_match_the_embedder_exit_2_at_once(tmp_path: Path) -> None:
    result = _start(tmp_path, VECTOR_DIMENSIONS="1536")  # the runbook's value, local model 384
    _refused_once(result, "VECTOR_DIMENSIONS=1536 does not match")
    assert "set VECTOR_DIMENSIONS=384" in result.stderr
    assert "exited: root/index_keeper" not in result.stderr  # no actor ever crash-looped


@pytest.mark.slow
def test_openai_embeddings_without_a_key_exit_2(tmp_path: Path) -> None:
    _refused_once(_start(tmp_path, EMBEDDING_PROVIDER="openai"), "EMBEDDING_PROVIDER=openai needs")


@pytest.mark.slow
@pytest.mark.parametrize("variable", ["HEALTH_PORT", "WS_PORT"])
def test_a_port_in_use_is_one_line_naming_the_variable(tmp_path: Path, variable: str) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = _start(tmp_path, **{variable: str(port)})
    _refused_once(result, f"{variable}={port}: cannot listen on 127.0.0.1:{port}")


@pytest.mark.slow
def test_both_ports_in_use_are_named_in_the_one_refusal(tmp_path: Path) -> None:
    with socket.socket() as health, socket.socket() as ws:
        for holder in (health, ws):
            holder.bind(("127.0.0.1", 0))
            holder.listen()
        hp, wp = health.getsockname()[1], ws.getsockname()[1]
        result = _start(tmp_path, HEALTH_PORT=str(hp), WS_PORT=str(wp))
    _refused_once(result, f"HEALTH_PORT={hp}: cannot listen on 127.0.0.1:{hp}")
    assert f"WS_PORT={wp}: cannot listen on 127.0.0.1:{wp}" in result.stderr


@pytest.fixture
def running_node(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mediator_actors", "start"],
        cwd=tmp_path,
        env=_env(LOG_LEVEL="info"),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + START_TIMEOUT
        seen: list[str] = []
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            seen.append(line)
            if "started: node" in line:
                break
        else:
            raise AssertionError("the node did not start:\n" + "".join(seen))
        assert any("started: node" in line for line in seen), "".join(seen)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.mark.slow
def test_a_second_node_on_the_same_data_dir_is_refused_and_names_the_pid(
    tmp_path: Path, running_node: subprocess.Popen[str]
) -> None:
    result = _start(tmp_path)
    _refused_once(result, f"is in use by another mediator node (PID {running_node.pid})")
    assert running_node.poll() is None  # the first one is untouched
    # Nor may anyone put an empty store beneath it.
    rebuild = _start(tmp_path, "--rebuild-from-chain")
    _refused_once(rebuild, f"(PID {running_node.pid})")
    assert "started an empty store" not in rebuild.stderr
    running_node.send_signal(signal.SIGTERM)
    assert running_node.wait(timeout=30) == 0
    assert (tmp_path / "data" / "node.lock").read_text() == ""  # released on the way out


def test_readiness_turns_503_the_moment_a_drain_begins(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "DATA_DIR": str(tmp_path / "data"),
            "POLL_INTERVAL_SECONDS": "0.1",
            "HEALTH_PORT": "0",
            "WS_PORT": "0",
        },
        cwd=tmp_path,
    )
    node = build_node(settings)
    runtime = node.start()
    try:
        host, port = runtime.edge.health.address
        ready = f"http://{host}:{port}/health/ready"
        with gevent.Timeout(30, AssertionError("the node never said ready")):
            while requests.get(ready, timeout=5).status_code != 200:
                gevent.sleep(0.1)
        node.request_stop()
        # Before this greenlet yields, so before any reporter round: the drain itself put
        # draining into the box the probes read.
        assert runtime.box.get().draining is True
        answer = requests.get(ready, timeout=5)
        assert answer.status_code == 503
        assert "draining" in answer.json()["reasons"]
    finally:
        node.request_stop()
        node.stop()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["greenlet", "hub"])
def test_sigterm_ends_the_process_within_the_drain_timeout_even_when_a_child_never_stops(
    tmp_path: Path, how: str
) -> None:
    script = Path(__file__).with_name("stuck_node.py")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path), how],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGTERM)
        # The watchdog ends it DRAIN_TIMEOUT (3 s) after SIGTERM; 30 s only bounds the test.
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.stderr is not None
    assert code == 1, proc.stderr.read()
    assert "drain did not finish within 3s" in proc.stderr.read()


def test_a_seed_cut_short_is_seeded_again_in_full(tmp_path: Path) -> None:
    from mediator_actors.chain.demo import DEMO_INTENTS

    data = tmp_path / "data"
    data.mkdir()
    # What a process killed while seeding leaves: a partial staging file, no state file.
    (data / "devchain.seeding.json").write_text('{"blocks": [], "pend')
    settings = load_settings(
        {"DATA_DIR": str(data), "HEALTH_PORT": "0", "WS_PORT": "0"}, cwd=tmp_path
    )
    node = build_node(settings, simulated_parties=False)
    runtime = node.start()
    try:
        chain = runtime.dev_chain
        assert chain is not None
        with chain.lock:
            seeded = sum(len(b["entries"]) for b in chain.blocks) + len(chain.pending)
        assert seeded >= len(DEMO_INTENTS)
        assert not (data / "devchain.seeding.json").exists()
    finally:
        node.request_stop()
        node.stop()
