"""The edge built from real settings, end to end, with the secret canary configured."""

from __future__ import annotations

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mediator_actors.config import load_settings
from mediator_actors.edge.hub import EventHub
from mediator_actors.edge.servers import build_edge
from mediator_actors.edge.wsclient import WsClient, WsClosed
from mediator_actors.health.report import SnapshotBox
from mediator_actors.monitoring import HealthChanged
from tests.edge import canary
from tests.edge.fakes import MemoryReadModel


def test_the_edge_built_from_settings_serves_everything_and_leaks_no_configured_secret(
    tmp_path, monkeypatch
):
    key = Ed25519PrivateKey.generate()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENV_FILE", str(tmp_path / "absent.env"))
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HEALTH_PORT", "0")
    monkeypatch.setenv("WS_PORT", "0")
    monkeypatch.setenv("WS_AUTH_TIMEOUT_MS", "500")
    monkeypatch.setenv("WS_AUTHORIZED_KEYS", f"ops={key.public_key().public_bytes_raw().hex()}")
    settings = load_settings()
    assert settings.secrets()  # the canaries really are configured
    hub = EventHub()
    edge = build_edge(
        settings, box=SnapshotBox(), hub=hub, server_id="b" * 64, read_model=MemoryReadModel()
    )
    addresses = edge.start()
    try:
        host, port = addresses["health"]
        assert host == "127.0.0.1"
        for path in (
            "/health",
            "/health/live",
            "/health/ready",
            "/metrics",
            "/api/v1/stats",
            "/api/v1/actors",
            "/nope",
        ):
            resp = requests.get(f"http://{host}:{port}{path}", timeout=5)
            canary.record(resp.content)
            canary.record(str(resp.headers))
        ws_host, ws_port = addresses["ws"]
        client = WsClient.connect(f"ws://{ws_host}:{ws_port}/ws", timeout=5)
        client.authenticate(key)
        client.subscribe("health")
        client.recv()
        hub.publish(HealthChanged(status="degraded", ready=True))
        canary.record(json_text := str(client.recv()))
        assert "degraded" in json_text
        metrics = requests.get(f"http://{host}:{port}/metrics", timeout=5).text
        assert "mediator_ws_authenticated 1" in metrics
        stranger = WsClient.connect(f"ws://{ws_host}:{ws_port}/ws", timeout=5)
        try:
            stranger.authenticate(Ed25519PrivateKey.generate())
        except WsClosed as exc:
            canary.record(exc.reason)
        client.close()
    finally:
        edge.stop(timeout=1)
    assert canary.leaks(canary.SEEN) == []
