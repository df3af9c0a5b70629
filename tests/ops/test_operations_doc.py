"""Every shell block in docs/operations.md says who runs it; the doc test's blocks run here,
as written, against a real node on loopback ports (free ports and a temporary folder swapped
in), and the node must then exit 0 on the doc's SIGTERM."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mediator_actors.config import SPECS
from mediator_actors.edge.wsclient import WsClient

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "operations.md"
BLOCK = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)
DOC_TEST = "# run by the doc test"
CI = re.compile(r"^# run in CI by (ops/[\w.-]+)(?: \(as (\S+))?")
NOT_RUN = re.compile(r"^# not run here: \S.{10,}")
TOKEN = "doc-test-token-0123456789abcdef0123456789"


def blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def commands(block: str) -> list[str]:
    """The block's command lines, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", block)
    return [ln.strip() for ln in joined.splitlines() if ln.strip() and not ln.startswith("#")]


def test_every_shell_block_says_who_runs_it() -> None:
    found = blocks()
    assert len(found) >= 10
    for block in found:
        first = block.splitlines()[0]
        assert first.startswith(DOC_TEST) or CI.match(first) or NOT_RUN.match(first), first


def test_the_ci_blocks_name_scripts_that_ci_runs_and_that_run_those_tools() -> None:
    ci_run = (ROOT / ".ci" / "run").read_text()
    for block in blocks():
        match = CI.match(block.splitlines()[0])
        if match is None:
            continue
        script, equivalent = match.group(1), match.group(2)
        assert script in ci_run, f"{script} is not run by .ci/run"
        text = (ROOT / script).read_text()
        for line in commands(block):
            words = [w for w in re.split(r"[\s()&;]+", line) if w and w not in {"sudo", "cd"}]
            program = Path(words[0]).name
            assert program in text or program == Path(script).name or equivalent in text, line


# --- the blocks the doc test runs ------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DocNode:
    proc: subprocess.Popen[str]
    env: dict[str, str]
    health: int
    ws: int
    token_file: Path
    folder: Path

    def substitute(self, text: str) -> str:
        return (
            text.replace("127.0.0.1:8081", f"127.0.0.1:{self.health}")
            .replace("127.0.0.1:9000", f"127.0.0.1:{self.ws}")
            .replace("/etc/mediator-node/credentials/api-token", str(self.token_file))
            .replace("/var/log/mediator-node/app.log", str(self.folder / "app.log"))
        )


def _wait_ready(node: DocNode, key: Ed25519PrivateKey, timeout: float) -> None:
    """Subscribe to the `health` channel, then check readiness once: a change after the
    subscription arrives as an event, one before it shows in /health/ready."""
    deadline = time.monotonic() + timeout
    client = None
    while client is None:
        if node.proc.poll() is not None:
            raise AssertionError(f"the node exited with {node.proc.returncode}")
        try:
            client = WsClient.connect(f"ws://127.0.0.1:{node.ws}/ws", timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                raise
            # Not bound yet: wait on the process instead (returns at once if it dies).
            with contextlib.suppress(subprocess.TimeoutExpired):
                node.proc.wait(timeout=0.2)
    try:
        client.authenticate(key)
        client.subscribe("health")
        url = f"http://127.0.0.1:{node.health}/health/ready"
        if requests.get(url, timeout=5).status_code == 200:
            return
        while time.monotonic() < deadline:
            try:
                event = client.recv()
            except TimeoutError:  # no change within the socket timeout: keep waiting
                continue
            data = event.get("data") if isinstance(event, dict) else None
            if isinstance(data, dict) and data.get("ready") is True:
                return
        raise AssertionError("the node never became ready")
    finally:
        client.close()


@pytest.fixture(scope="module")
def doc_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DocNode]:
    folder = tmp_path_factory.mktemp("ops-doc")
    (folder / "node").mkdir()
    token_file = folder / "api-token"
    token_file.write_text(TOKEN + "\n")
    key = Ed25519PrivateKey.generate()
    health, ws = _free_port(), _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {s.name for s in SPECS} | {"ANTHROPIC_API_KEY", "OPENAI_API_KEY"}
    }
    env.update(
        PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}",
        PYTHONPATH=str(ROOT),
        LOG_FORMAT="text",
        HEALTH_PORT=str(health),
        WS_PORT=str(ws),
        DATA_DIR=str(folder / "node" / "data"),
        API_TOKEN_FILE=str(token_file),
        WS_AUTHORIZED_KEYS=f"doc={key.public_key().public_bytes_raw().hex()}",
        POLL_INTERVAL_SECONDS="0.5",
        LOG_FILE=str(folder / "app.log"),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "mediator_actors", "start"],
        cwd=folder / "node",
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(folder / "node.log").open("w"),
        text=True,
    )
    node = DocNode(proc, {**env, "NODE_PID": str(proc.pid)}, health, ws, token_file, folder)
    try:
        _wait_ready(node, key, timeout=90)
        yield node
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)


def _run(node: DocNode, block: str, name: str) -> subprocess.CompletedProcess[str]:
    cwd = node.folder / name
    cwd.mkdir()
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", node.substitute(block)],
        cwd=cwd,
        env=node.env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.mark.slow
def test_the_doc_tests_blocks_run_as_written_against_a_loopback_node(doc_node: DocNode) -> None:
    runnable = [b for b in blocks() if b.startswith(DOC_TEST)]
    stops = [b for b in runnable if "NODE_PID" in b]
    assert len(runnable) >= 5
    assert len(stops) == 1
    for n, block in enumerate(b for b in runnable if b not in stops):
        if "status exits 1 when the node is unhealthy" in block.splitlines()[0]:
            # A busy machine can push the CPU check to critical: 1 is then the right answer,
            # as long as it is the node's report and not "unreachable".
            for m, line in enumerate(commands(block)):
                done = _run(doc_node, line, f"block-{n}-{m}")
                judged = re.search(r'status"?:\s*"?(\w+)', done.stdout)
                assert judged is not None, done.stdout + done.stderr
                expected = 1 if judged.group(1) == "unhealthy" else 0
                assert done.returncode == expected, done.stdout + done.stderr
            continue
        done = _run(doc_node, block, f"block-{n}")
        assert done.returncode == 0, (
            f"{block}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )
    # What they produced: a store backup, the secrets, an init'd folder, the token's metrics.
    produced = {p.name for p in doc_node.folder.rglob("*") if p.is_file()}
    assert any(re.fullmatch(r"backup-\d{8}\.tar\.gz", name) for name in produced)
    assert {"mediator_private_key", "api_token", ".env", "config.yaml"} <= produced
    # The node's wiring feeds what the alert rules read (ops/prometheus/alerts.yml).
    metrics = requests.get(
        f"http://127.0.0.1:{doc_node.health}/metrics",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    ).text
    for name in (
        "mediator_errors_total",
        "mediator_chain_head_block",
        "mediator_chain_lag_blocks",
        "mediator_settlements_total",
        "mediator_start_time_seconds",
    ):
        assert f"\n{name}" in metrics, name
    # Last, the graceful stop: SIGTERM drains and exits 0.
    done = _run(doc_node, stops[0], "stop")
    assert done.returncode == 0, done.stderr
    assert doc_node.proc.wait(timeout=150) == 0
